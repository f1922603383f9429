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

    private static AllocationRecord Allocation(string exit, string entry, int sequence, decimal quantity, decimal exitPrice, decimal entryPrice, decimal pnl) => new()
    {
        ExitClientOrderId = ClientOrderId.From(exit),
        EntryClientOrderId = ClientOrderId.From(entry),
        Sequence = sequence,
        Product = ProductId.From("BTC-USD"),
        Quantity = quantity,
        ExitPrice = exitPrice,
        EntryPrice = entryPrice,
        RealizedPnl = pnl,
        ExitTrigger = "stop_loss",
        At = SimWorld.Epoch,
    };

    /// <summary>An exit x1 on <paramref name="exitSide"/> of 0.002 filled at 51000, after o1 and o2 linked (both BUY at 50000; SELL lots s1, s2 for a BUY exit).</summary>
    private (LinkOracle Oracle, LinkRecord ExitLink) ExitOver(Side exitSide)
    {
        var world = new ExchangeHarness();
        var lotSide = exitSide == Side.Sell ? Side.Buy : Side.Sell;
        var oracle = new LinkOracle(world.Exchange, durableStore: true);
        foreach (var (label, coid) in new[] { ("l1", "lk-l1"), ("l2", "lk-l2") })
        {
            var lot = world.Create(coid, 0.001m, 50000m, side: lotSide)!;
            world.Exchange.Fill(lot.OrderId, null, null);
            oracle.Add(Entry(label, coid, SnapshotA) with { Side = lotSide });
            var link = Link(coid, SnapshotA, lot, 0m, 0.001m) with { Side = lotSide };
            oracle.Observe(new DecisionBatch(new Tick(SimWorld.Epoch), [new Linked(OrderOf(link), link)]));
        }
        var exit = world.Create("lk-x1", 0.002m, 51000m, side: exitSide)!;
        world.Exchange.Fill(exit.OrderId, null, null);
        oracle.Add(new TruthOrder { Label = "x1", Origin = OrderOrigin.Exit, Product = "BTC-USD", Side = exitSide, PlacedAt = SimWorld.Epoch, ClientOrderId = "lk-x1", Trigger = "stop_loss" });
        var exitLink = Link("lk-x1", SnapshotA, exit, 0m, 0.002m) with { Kind = IntentKind.Exit, Snapshot = null, Side = exitSide, Price = 51000m };
        return (oracle, exitLink);
    }

    private static ImmutableArray<Failure> ObserveExit(LinkOracle oracle, LinkRecord exitLink, params AllocationRecord[] allocations)
    {
        var decisions = ImmutableArray.CreateBuilder<Decision>();
        decisions.Add(new Linked(OrderOf(exitLink), exitLink));
        decisions.AddRange(allocations.Select(a => new ExitAllocated(OrderOf(exitLink), OrderOf(exitLink), a)));
        oracle.Observe(new DecisionBatch(new Tick(SimWorld.Epoch), decisions.ToImmutable()));
        return oracle.Judge([], [.. allocations], null, "engine", FeedKind.Orders, s => s, null).Failures;
    }

    [Test]
    public void An_exit_closing_the_oldest_lot_first_with_its_prices_and_pnl_passes()
    {
        var (oracle, exitLink) = ExitOver(Side.Sell);
        var failures = ObserveExit(oracle, exitLink,
            Allocation("lk-x1", "lk-l1", 2, 0.001m, 51000m, 50000m, 1m), Allocation("lk-x1", "lk-l2", 3, 0.001m, 51000m, 50000m, 1m));
        Assert.That(failures.Where(f => f.Check is LinkOracle.ExitsCloseEntries or LinkOracle.ExitPnl), Is.Empty);
    }

    [Test]
    public void An_exit_closing_the_newest_lot_first_fails_even_when_the_lots_closed_and_the_total_agree()
    {
        var (oracle, exitLink) = ExitOver(Side.Sell);
        var failures = ObserveExit(oracle, exitLink,
            Allocation("lk-x1", "lk-l2", 2, 0.001m, 51000m, 50000m, 1m), Allocation("lk-x1", "lk-l1", 3, 0.001m, 51000m, 50000m, 1m));
        Assert.That(failures.Where(f => f.Check == LinkOracle.ExitsCloseEntries).Select(f => f.Expected), Has.Member("l1"));
    }

    [Test]
    public void An_allocation_of_the_wrong_quantity_or_entry_price_fails()
    {
        var (oracle, exitLink) = ExitOver(Side.Sell);
        var failures = ObserveExit(oracle, exitLink,
            Allocation("lk-x1", "lk-l1", 2, 0.0005m, 51000m, 50000m, 0.5m), Allocation("lk-x1", "lk-l1", 3, 0.0005m, 51000m, 49000m, 1m));
        Assert.Multiple(() =>
        {
            Assert.That(failures.Any(f => f.Check == LinkOracle.ExitsCloseEntries && f.Message.Contains("not as much as both have open", StringComparison.Ordinal)));
            Assert.That(failures.Any(f => f.Check == LinkOracle.ExitPnl && f.Message.Contains("entry price", StringComparison.Ordinal) && f.Actual == "49000"), "the entry price is the lot's executed average");
        });
    }

    [Test]
    public void A_short_lots_realized_pnl_is_negated()
    {
        var (right, rightLink) = ExitOver(Side.Buy);
        var (wrong, wrongLink) = ExitOver(Side.Buy);
        // Bought back at 51000 what was sold at 50000: a loss of 1 per lot of 0.001.
        var negated = ObserveExit(right, rightLink,
            Allocation("lk-x1", "lk-l1", 2, 0.001m, 51000m, 50000m, -1m), Allocation("lk-x1", "lk-l2", 3, 0.001m, 51000m, 50000m, -1m));
        var notNegated = ObserveExit(wrong, wrongLink,
            Allocation("lk-x1", "lk-l1", 2, 0.001m, 51000m, 50000m, 1m), Allocation("lk-x1", "lk-l2", 3, 0.001m, 51000m, 50000m, 1m));
        Assert.Multiple(() =>
        {
            Assert.That(negated.Where(f => f.Check is LinkOracle.ExitsCloseEntries or LinkOracle.ExitPnl), Is.Empty);
            Assert.That(notNegated.Where(f => f.Check == LinkOracle.ExitPnl).Select(f => f.Expected), Is.EqualTo(new[] { "-1.000", "-1.000" }));
        });
    }

    private static OrderUpdate FeedState(ExchangeOrder order, decimal cumulative, OrderStateSource source, string? clientOrderId = null) =>
        new(SimWorld.Epoch, new OrderState
        {
            ExchangeOrderId = ExchangeOrderId.From(order.OrderId),
            ClientOrderId = clientOrderId is null ? null : ClientOrderId.From(clientOrderId),
            CumulativeQuantity = cumulative,
        }, source);

    private static ExternalOrderRecord External(ExchangeOrder order, decimal observed) =>
        new() { ExchangeOrderId = ExchangeOrderId.From(order.OrderId), ObservedQuantity = observed, FirstSeenAt = SimWorld.Epoch };

    [Test]
    public void An_external_orders_observed_quantity_is_what_executed_after_the_snapshot_it_was_first_seen_in()
    {
        // m1 sold 0.4; the engine first saw it in a snapshot stating 0.3, then an update stating 0.4.
        var snapshot = $$"""{"channel":"user","events":[{"type":"snapshot","orders":[{"order_id":"{{_m1.OrderId}}","cumulative_quantity":"0.3"}]}]}""";
        ImmutableArray<Failure> Run(decimal observed, OrderStateSource firstSource)
        {
            var oracle = Oracle();
            oracle.FeedDelivered(snapshot);
            // The webhook's parser may call the snapshot an update: the oracle read the wire itself.
            oracle.Observe(new DecisionBatch(FeedState(_m1, 0.3m, firstSource), []));
            oracle.Observe(new DecisionBatch(FeedState(_m1, 0.4m, OrderStateSource.FeedUpdate), []));
            return oracle.Judge(RightLinks(), [], null, "engine", FeedKind.Orders, s => s, null, [External(_m1, observed)]).Failures;
        }
        Assert.Multiple(() =>
        {
            Assert.That(Run(0.1m, OrderStateSource.FeedSnapshot).Where(f => f.Check == LinkOracle.ExternalObserved), Is.Empty);
            Assert.That(Run(0.4m, OrderStateSource.FeedUpdate).Single(f => f.Check == LinkOracle.ExternalObserved).Expected, Is.EqualTo("observed 0.1"));
        });
    }

    [Test]
    public void An_external_order_whose_last_fill_never_reached_the_engine_may_observe_less_but_never_more()
    {
        var oracle = Oracle();
        oracle.Observe(new DecisionBatch(FeedState(_m1, 0.1m, OrderStateSource.FeedUpdate), []));
        var less = oracle.Judge(RightLinks(), [], null, "engine", FeedKind.Orders, s => s, null, [External(_m1, 0.1m)]).Failures;
        var more = Oracle().Judge(RightLinks(), [], null, "engine", FeedKind.Orders, s => s, null, [External(_m1, 0.8m)]).Failures;
        Assert.Multiple(() =>
        {
            Assert.That(less.Where(f => f.Check == LinkOracle.ExternalObserved), Is.Empty);
            Assert.That(more.Single(f => f.Check == LinkOracle.ExternalObserved).Expected, Is.EqualTo("observed 0 to 0.4"));
        });
    }

    private static TradeFillReceived Match(ExchangeOrder order, decimal size) => new(SimWorld.Epoch, new TradeFill
    {
        Key = new FillKey(ExchangeOrderId.From(order.OrderId), FillSource.LegacyMatch, "7"),
        TradeType = TradeType.Fill,
        Size = size,
        Price = 50000m,
    });

    [Test]
    public void A_feed_fill_must_link_from_its_message_once_the_order_is_known()
    {
        ImmutableArray<Failure> Run(bool linksOnBinding, LinkProvenance provenance)
        {
            var oracle = Oracle();
            // The match comes first: the order is not known yet, so nothing is owed.
            oracle.Observe(new DecisionBatch(Match(_o2, 0.001m), [new FillParked(new ParkedFill { ExchangeOrderId = ExchangeOrderId.From(_o2.OrderId), Key = "7", Input = Match(_o2, 0.001m), ParkedAt = SimWorld.Epoch })]));
            var early = oracle.Judge(RightLinks(), [], null, "engine", FeedKind.Trades, s => s, null).Failures;
            Assert.That(early.Where(f => f.Check == LinkOracle.LinksPromptly), Is.Empty);
            var link = Link("lk-o2", SnapshotB, _o2, 0m, 0.001m) with { Provenance = provenance };
            var answer = new PlacementOutcome(SimWorld.Epoch, ClientOrderId.From("lk-o2"), PlacementResult.Accepted, ExchangeOrderId.From(_o2.OrderId));
            oracle.Observe(new DecisionBatch(answer, linksOnBinding ? [new Linked(OrderOf(link), link)] : []));
            return oracle.Judge(RightLinks(), [], null, "engine", FeedKind.Trades, s => s, null).Failures;
        }
        Assert.Multiple(() =>
        {
            Assert.That(Run(linksOnBinding: true, LinkProvenance.ExchangeOrderId).Where(f => f.Check == LinkOracle.LinksPromptly), Is.Empty);
            Assert.That(Run(linksOnBinding: false, LinkProvenance.ExchangeOrderId).Single(f => f.Check == LinkOracle.LinksPromptly).Actual, Is.EqualTo("linked 0"), "dropped instead of parked");
            Assert.That(Run(linksOnBinding: true, LinkProvenance.Reconciliation).Single(f => f.Check == LinkOracle.LinksPromptly).Actual, Is.EqualTo("Reconciliation"));
        });
    }

    private static OrderRecord OrderOf(LinkRecord link) => new()
    {
        ClientOrderId = link.ClientOrderId,
        Intent = new Intent { Kind = link.Kind, Product = link.Product, Side = link.Side, Snapshot = link.Snapshot, DecidedAt = SimWorld.Epoch },
        StagedAt = SimWorld.Epoch,
    };
}
