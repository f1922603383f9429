using System.Collections.Immutable;
using Linkage.Engine;
using Linkage.Properties.Sim.Exchange;
using Linkage.Sim.Exchange;
using Linkage.Sim.Oracle;
using Linkage.Sim.Scenarios;
using Linkage.Sim.World;

namespace Linkage.Properties.Sim.Oracle;

/// <summary>The oracle judged on hand-built link sets over a small exchange: o1 and o2 (entries on BTC-USD), m1 (manual).</summary>
public sealed class LinkOracleTests
{
    private const string SnapshotA = "11111111-1111-4111-8111-111111111111";
    private const string SnapshotB = "22222222-2222-4222-8222-222222222222";

    private ExchangeHarness _h = null!;
    private ExchangeOrder _o1 = null!;
    private ExchangeOrder _o2 = null!;
    private ExchangeOrder _m1 = null!;

    [SetUp]
    public void Build()
    {
        _h = new ExchangeHarness();
        _o1 = _h.Create("lk-o1", 0.002m)!;
        _o2 = _h.Create("lk-o2", 0.001m)!;
        _m1 = _h.Exchange.PlaceManual("BTC-USD", Side.Sell, 1m, 50000m);
        _h.Exchange.Fill(_o1.OrderId, 0.001m, null);
        _h.Exchange.Fill(_o1.OrderId, 0.001m, null);
        _h.Exchange.Fill(_o2.OrderId, null, null);
        _h.Exchange.Fill(_m1.OrderId, 0.4m, null);
    }

    private LinkOracle Oracle(bool durable = true)
    {
        var oracle = new LinkOracle(_h.Exchange, durable);
        oracle.Add(Entry("o1", "lk-o1", SnapshotA));
        oracle.Add(Entry("o2", "lk-o2", SnapshotB));
        oracle.Add(new TruthOrder { Label = "m1", Origin = OrderOrigin.Manual, Product = "BTC-USD", PlacedAt = SimWorld.Epoch, ExchangeOrderId = _m1.OrderId });
        return oracle;
    }

    private static TruthOrder Entry(string label, string coid, string snapshot) =>
        new() { Label = label, Origin = OrderOrigin.Entry, Product = "BTC-USD", PlacedAt = SimWorld.Epoch, ClientOrderId = coid, Snapshot = snapshot };

    private static LinkRecord Link(string coid, string snapshot, ExchangeOrder order, decimal from, decimal to, int sequence = 1) => new()
    {
        ClientOrderId = ClientOrderId.From(coid),
        ExchangeOrderId = ExchangeOrderId.From(order.OrderId),
        Sequence = sequence,
        Kind = IntentKind.Entry,
        Snapshot = SnapshotId.From(snapshot),
        Product = ProductId.From("BTC-USD"),
        Side = Side.Buy,
        From = from,
        To = to,
        Price = 50000m,
        Fee = 0m,
        Provenance = LinkProvenance.ClientOrderId,
        SourceKey = order.OrderId + "-" + to,
        At = SimWorld.Epoch,
    };

    private ImmutableArray<LinkRecord> RightLinks() =>
    [
        Link("lk-o1", SnapshotA, _o1, 0m, 0.001m, 1),
        Link("lk-o1", SnapshotA, _o1, 0.001m, 0.002m, 2),
        Link("lk-o2", SnapshotB, _o2, 0m, 0.001m),
    ];

    private static OracleVerdict Judge(LinkOracle oracle, ImmutableArray<LinkRecord> links, Expectations? expect = null, string design = "engine") =>
        oracle.Judge(links, [], expect, design, FeedKind.Orders, label => label == "aaa" ? SnapshotA : label == "bbb" ? SnapshotB : label, null);

    [Test]
    public void Right_links_are_linked_and_manual_trades_external()
    {
        var verdict = Judge(Oracle(), RightLinks());
        Assert.Multiple(() =>
        {
            Assert.That(verdict.Failures, Is.Empty);
            Assert.That(verdict.Trades.Select(t => (t.Order, t.Verdict)), Is.EqualTo(new[]
            {
                ("o1", TradeVerdict.Linked), ("o1", TradeVerdict.Linked), ("o2", TradeVerdict.Linked), ("m1", TradeVerdict.External),
            }));
        });
    }

    /// <summary>
    /// An intent the strategy delivered whose create-order never reached the exchange (a webhook that minted it another
    /// intent's id and took it for a re-delivery) breaks everything-links, naming the step that delivered it: the truth
    /// is what the exchange received, so the harness does not mistake it for a step it cannot carry out.
    /// </summary>
    [Test]
    public void An_intent_whose_order_never_reached_the_exchange_breaks_everything_links()
    {
        var oracle = Oracle();
        var delivered = new StepRef(3, 17, TimeSpan.FromSeconds(5));
        oracle.Add(new TruthOrder { Label = "o3", Origin = OrderOrigin.Entry, Product = "BTC-USD", PlacedAt = SimWorld.Epoch, Snapshot = SnapshotB, DeliveredAt = delivered });
        var verdict = Judge(oracle, RightLinks());
        var failure = verdict.Failures.Single();
        Assert.Multiple(() =>
        {
            Assert.That(failure.Check, Is.EqualTo(LinkOracle.EverythingLinks));
            Assert.That(failure.Message, Does.StartWith("o3:"));
            Assert.That((failure.StepIndex, failure.StepLine, failure.At), Is.EqualTo((3, 17, TimeSpan.FromSeconds(5))));
        });
    }

    /// <summary>Once the exchange received the intent's create-order, links are judged against the id it carried.</summary>
    [Test]
    public void An_attributed_client_order_id_is_the_one_links_must_name()
    {
        var oracle = new LinkOracle(_h.Exchange, durableStore: true);
        oracle.Add(new TruthOrder { Label = "o1", Origin = OrderOrigin.Entry, Product = "BTC-USD", PlacedAt = SimWorld.Epoch, Snapshot = SnapshotA });
        oracle.Add(new TruthOrder { Label = "o2", Origin = OrderOrigin.Entry, Product = "BTC-USD", PlacedAt = SimWorld.Epoch, Snapshot = SnapshotB });
        oracle.Attribute("o1", "lk-o1");
        oracle.Attribute("o2", "lk-o2");
        oracle.Add(new TruthOrder { Label = "m1", Origin = OrderOrigin.Manual, Product = "BTC-USD", PlacedAt = SimWorld.Epoch, ExchangeOrderId = _m1.OrderId });
        var right = Judge(oracle, RightLinks());
        Assert.Multiple(() =>
        {
            Assert.That(right.Failures, Is.Empty);
            Assert.That(oracle.Find("o2")?.ClientOrderId, Is.EqualTo("lk-o2"));
        });
    }

    [Test]
    public void A_link_to_another_intent_is_wrong_and_fails_naming_the_trade()
    {
        var links = RightLinks().SetItem(0, Link("lk-o2", SnapshotB, _o1, 0m, 0.001m));
        var verdict = Judge(Oracle(), links);
        var failure = verdict.Failures.Single(f => f.Check == LinkOracle.NoWrongLink);
        Assert.Multiple(() =>
        {
            Assert.That(verdict.Trades[0].Verdict, Is.EqualTo(TradeVerdict.Wrong));
            Assert.That(verdict.Trades[0].LinkedTo, Is.EqualTo("o2"));
            Assert.That(failure.Trade, Is.EqualTo(_o1.Trades[0].TradeId));
            Assert.That(failure.Expected, Does.Contain("lk-o1").And.Contain(SnapshotA));
            Assert.That(failure.Actual, Does.Contain("lk-o2").And.Contain(SnapshotB));
        });
    }

    [Test]
    public void A_link_with_the_right_client_id_but_another_snapshot_is_wrong()
    {
        var links = RightLinks().SetItem(2, Link("lk-o2", SnapshotA, _o2, 0m, 0.001m));
        Assert.That(Judge(Oracle(), links).Trades[2].Verdict, Is.EqualTo(TradeVerdict.Wrong));
    }

    [Test]
    public void Quantity_linked_twice_is_caught()
    {
        var links = RightLinks().Add(Link("lk-o2", SnapshotB, _o2, 0.001m, 0.002m, 2));
        var failure = Judge(Oracle(), links).Failures.Single();
        Assert.Multiple(() =>
        {
            Assert.That(failure.Check, Is.EqualTo(LinkOracle.ExactlyOnce));
            Assert.That(failure.Expected, Is.EqualTo("linked 0.001"));
            Assert.That(failure.Actual, Is.EqualTo("linked 0.002"));
        });
    }

    [Test]
    public void An_unlinked_bot_trade_is_missing_on_a_durable_store()
    {
        var verdict = Judge(Oracle(durable: true), RightLinks().RemoveAt(1));
        Assert.Multiple(() =>
        {
            Assert.That(verdict.Trades[1].Verdict, Is.EqualTo(TradeVerdict.Missing));
            Assert.That(verdict.Failures.Single().Check, Is.EqualTo(LinkOracle.EverythingLinks));
        });
    }

    [Test]
    public void An_unlinked_bot_trade_is_lost_not_missing_when_a_volatile_store_restarted_after_its_order_was_placed()
    {
        var oracle = Oracle(durable: false);
        oracle.Restarted(SimWorld.Epoch.AddMinutes(1), []);
        var verdict = Judge(oracle, RightLinks().RemoveAt(1));
        Assert.Multiple(() =>
        {
            Assert.That(verdict.Trades[1].Verdict, Is.EqualTo(TradeVerdict.Lost));
            Assert.That(verdict.Failures, Is.Empty);
        });
    }

    [Test]
    public void A_restart_before_the_order_was_placed_excuses_nothing()
    {
        var oracle = new LinkOracle(_h.Exchange, durableStore: false);
        oracle.Restarted(SimWorld.Epoch.AddMinutes(-1), []);
        oracle.Add(Entry("o1", "lk-o1", SnapshotA));
        oracle.Add(Entry("o2", "lk-o2", SnapshotB));
        oracle.Add(new TruthOrder { Label = "m1", Origin = OrderOrigin.Manual, Product = "BTC-USD", PlacedAt = SimWorld.Epoch, ExchangeOrderId = _m1.OrderId });
        Assert.That(Judge(oracle, RightLinks().RemoveAt(1)).Trades[1].Verdict, Is.EqualTo(TradeVerdict.Missing));
    }

    [Test]
    public void A_linked_manual_trade_breaks_external_stays_external()
    {
        var manual = Link("lk-o1", SnapshotA, _m1, 0m, 0.4m);
        var verdict = Judge(Oracle(), RightLinks().Add(manual));
        Assert.Multiple(() =>
        {
            Assert.That(verdict.Trades[3].Verdict, Is.EqualTo(TradeVerdict.Wrong));
            Assert.That(verdict.Failures.Single().Check, Is.EqualTo(LinkOracle.ExternalStaysExternal));
        });
    }

    [Test]
    public void A_wrong_link_observed_during_the_run_names_the_step_that_made_it()
    {
        var oracle = Oracle();
        oracle.CurrentStep = new StepRef(3, 42, TimeSpan.FromSeconds(10));
        var wrong = Link("lk-o2", SnapshotB, _o1, 0m, 0.001m);
        oracle.Observe(new DecisionBatch(new Tick(SimWorld.Epoch), [new Linked(OrderOf(wrong), wrong)]));
        oracle.CurrentStep = null;
        var failure = Judge(oracle, RightLinks().SetItem(0, wrong)).Failures.First();
        Assert.Multiple(() =>
        {
            Assert.That(failure.Check, Is.EqualTo(LinkOracle.NoWrongLink));
            Assert.That((failure.StepIndex, failure.StepLine, failure.At), Is.EqualTo(((int?)3, (int?)42, (TimeSpan?)TimeSpan.FromSeconds(10))));
        });
    }

    [Test]
    public void Linking_more_than_the_exchange_executed_so_far_fails_at_that_step()
    {
        var world = new ExchangeHarness();
        var order = world.Create("lk-o1", 1m)!;
        var oracle = new LinkOracle(world.Exchange, durableStore: true);
        oracle.Add(Entry("o1", "lk-o1", SnapshotA));
        world.Exchange.Fill(order.OrderId, 0.5m, null);
        oracle.CurrentStep = new StepRef(1, 7, TimeSpan.FromSeconds(5));
        var ahead = Link("lk-o1", SnapshotA, order, 0m, 0.75m);
        oracle.Observe(new DecisionBatch(new Tick(SimWorld.Epoch), [new Linked(OrderOf(ahead), ahead)]));
        oracle.CurrentStep = null;
        world.Exchange.Fill(order.OrderId, null, null);
        var failures = oracle.Judge([ahead], [], null, "engine", FeedKind.Orders, s => s, null).Failures;
        Assert.That(failures.Single(f => f.Check == LinkOracle.ExactlyOnce).StepIndex, Is.EqualTo(1), "the final state is fine, but linked ran ahead of executed at step 1");
    }

    [Test]
    public void Expectations_are_checked_against_the_links()
    {
        var expect = new Expectations
        {
            Links = [new ExpectedLink("o1", "aaa", 2, 0.002m), new ExpectedLink("o2", "aaa", 1, 0.001m) { Line = 30 }],
            External = 1,
        };
        var failures = Judge(Oracle(), RightLinks(), expect).Failures;
        Assert.Multiple(() =>
        {
            Assert.That(failures.Select(f => (f.Check, f.StepLine)), Is.EqualTo(new[] { (LinkOracle.ExpectLinks, (int?)30) }));
            Assert.That(failures[0].Expected, Is.EqualTo("snapshot aaa"), "the expectation is stated in the file's words");
        });
    }

    [Test]
    public void Legacy_expectation_counts_wrong_and_missing_trades()
    {
        var links = ImmutableArray.Create(Link("lk-o2", SnapshotB, _o1, 0m, 0.001m));
        var expect = new Expectations { Legacy = new ExpectedLegacy(Wrong: 1, Missing: 2) };
        var matching = Judge(Oracle(), links, expect, "legacy").Failures;
        var other = Judge(Oracle(), links, expect with { Legacy = new ExpectedLegacy(2, 2) }, "legacy").Failures;
        var onEngine = Judge(Oracle(), links, expect with { Legacy = new ExpectedLegacy(2, 2) }, "engine").Failures;
        Assert.Multiple(() =>
        {
            Assert.That(matching.Where(f => f.Check == LinkOracle.ExpectLegacy), Is.Empty);
            Assert.That(other.Single(f => f.Check == LinkOracle.ExpectLegacy).Actual, Is.EqualTo("wrong 1, missing 2"));
            Assert.That(onEngine.Where(f => f.Check == LinkOracle.ExpectLegacy), Is.Empty, "the legacy expectation is checked only for the legacy design");
        });
    }

    [Test]
    public void An_exit_allocated_to_an_entry_it_does_not_name_is_caught()
    {
        var oracle = Oracle();
        var exit = _h.Create("lk-x1", 0.001m, null, side: Side.Sell)!;
        _h.Exchange.Fill(exit.OrderId, null, null);
        oracle.Add(new TruthOrder
        {
            Label = "x1", Origin = OrderOrigin.Exit, Product = "BTC-USD", PlacedAt = SimWorld.Epoch, ClientOrderId = "lk-x1", Trigger = "stop_loss", Closes = ["lk-o1"],
        });
        var exitLink = Link("lk-x1", SnapshotA, exit, 0m, 0.001m) with { Kind = IntentKind.Exit, Snapshot = null, Side = Side.Sell };
        var allocation = new AllocationRecord
        {
            ExitClientOrderId = ClientOrderId.From("lk-x1"),
            EntryClientOrderId = ClientOrderId.From("lk-o2"),
            Sequence = 1,
            Product = ProductId.From("BTC-USD"),
            Quantity = 0.001m,
            ExitPrice = 50000m,
            EntryPrice = 50000m,
            RealizedPnl = 0m,
            ExitTrigger = "stop_loss",
            At = SimWorld.Epoch,
        };
        var failures = oracle.Judge(RightLinks().Add(exitLink), [allocation], null, "engine", FeedKind.Orders, s => s, null).Failures;
        Assert.That(failures.Single().Check, Is.EqualTo(LinkOracle.ExitsCloseEntries));
    }

    private static OrderRecord OrderOf(LinkRecord link) => new()
    {
        ClientOrderId = link.ClientOrderId,
        Intent = new Intent { Kind = link.Kind, Product = link.Product, Side = link.Side, Snapshot = link.Snapshot, DecidedAt = SimWorld.Epoch },
        StagedAt = SimWorld.Epoch,
    };
}
