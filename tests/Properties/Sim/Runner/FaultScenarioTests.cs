using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using Linkage.Engine;
using Linkage.Sim.Runner;
using Linkage.Sim.Stores;
using Linkage.Sim.Scenarios;
using static Linkage.Properties.Sim.SeedScenarios;

namespace Linkage.Properties.Sim.Runner;

/// <summary>End-to-end runs of the faults <c>docs/scenarios.md</c> names, on the engine with the memory store.</summary>
public sealed class FaultScenarioTests
{
    private static Scenario Busy(string name, FeedKind feed, Faults faults, ulong seed, params Step[] extra)
    {
        var steps = new List<Step>
        {
            Place(0, "o1", "BTC-USD", 0.004m, 50000m, "aaa", 70m),
            Place(2, "o2", "BTC-USD", 0.003m, null, "bbb", 71m),
            Place(3, "o3", "ETH-USD", 1.5m, 3000m, "ccc", 72m),
            new ManualStep(S(4)) { Order = "m1", Product = "BTC-USD", Side = Side.Sell, Size = 0.01m, Price = 50100m },
            new ManualStep(S(4.5)) { Order = "m2", Product = "BTC-USD", Side = Side.Buy, Size = 0.001m, Price = 49900m },
            new FillStep(S(6.5)) { Order = "m2" },
            new FillStep(S(5)) { Order = "o1", Size = 0.001m },
            new FillStep(S(5)) { Order = "o1", Size = 0.001m },
            new FillStep(S(6)) { Order = "m1", Size = 0.004m },
            new FillStep(S(7)) { Order = "o2", Size = 0.001m },
            new FillStep(S(8)) { Order = "o3", Size = 0.5m },
            new FillStep(S(20)) { Order = "o2" },
            new FillStep(S(21)) { Order = "m1" },
            new FillStep(S(40)) { Order = "o1" },
            new FillStep(S(41)) { Order = "o3", Size = 0.5m },
            new CancelStep(S(50)) { Order = "o3" },
        };
        steps.AddRange(extra);
        return new Scenario
        {
            Name = name,
            Seed = seed,
            Feed = feed,
            Faults = faults,
            Steps = [.. steps.OrderBy(s => s.At)],
            Expect = new Expectations
            {
                Links = [new ExpectedLink("o1", "aaa", null, 0.004m), new ExpectedLink("o2", "bbb", null, 0.003m), new ExpectedLink("o3", "ccc", 2, 1m)],
                External = 2,
            },
        };
    }

    private static IEnumerable<TestCaseData> Feeds() =>
        [new TestCaseData(FeedKind.Orders).SetArgDisplayNames("orders"), new TestCaseData(FeedKind.Trades).SetArgDisplayNames("trades")];

    private static ScenarioResult Pass(Scenario scenario)
    {
        var result = ScenarioRunner.Run(scenario, Memory);
        Assert.That(result.Failures, Is.Empty, SeedScenarioRunTests.Describe(result));
        return result;
    }

    [TestCaseSource(nameof(Feeds))]
    public void Several_orders_on_one_product_with_interleaved_partials_link_each_to_its_own_intent(FeedKind feed)
    {
        var result = Pass(Busy("interleaved", feed, Faults.None, 3));
        Assert.That((result.Linked, result.External), Is.EqualTo((7, 3)));
    }

    [TestCaseSource(nameof(Feeds))]
    public void Duplicate_reorder_and_drop_storms_never_link_wrongly_or_twice(FeedKind feed)
    {
        for (ulong seed = 1; seed <= 20; seed++)
        {
            var result = Pass(Busy("storm", feed, new Faults(0.3m, 0.3m, 0.2m), seed));
            Assert.That(result.Wrong + result.Missing, Is.Zero);
        }
    }

    [TestCaseSource(nameof(Feeds))]
    public void Fills_during_a_disconnect_are_fetched_on_reconnect(FeedKind feed) =>
        Pass(Busy("disconnect", feed, Faults.None, 5, new DisconnectStep(S(6.5)), new ReconnectStep(S(45))));

    [TestCaseSource(nameof(Feeds))]
    public void A_lost_response_and_a_late_response_still_link(FeedKind feed)
    {
        var scenario = new Scenario
        {
            Name = "acks",
            Feed = feed,
            Steps =
            [
                Place(0, "o1", "BTC-USD", 0.002m, 50000m, "aaa", ack: Ack.Lost),
                Place(1, "o2", "BTC-USD", 0.002m, 50000m, "bbb", ack: new AckDelay(S(30))),
                Place(2, "o3", "BTC-USD", 0.002m, 50000m, "ccc", ack: Ack.Reject),
                Place(3, "o4", "BTC-USD", 0.002m, 50000m, "ddd"),
                new FillStep(S(5)) { Order = "o2" },
                new FillStep(S(6)) { Order = "o1" },
                new FillStep(S(7)) { Order = "o4" },
            ],
            Expect = new Expectations { Links = [new ExpectedLink("o1", "aaa", 1, 0.002m), new ExpectedLink("o2", "bbb", 1, 0.002m), new ExpectedLink("o4", "ddd", 1, 0.002m)] },
        };
        var result = Pass(scenario);
        Assert.That(result.Linked, Is.EqualTo(3));
    }

    [TestCaseSource(nameof(Feeds))]
    public void A_resent_webhook_places_no_second_order(FeedKind feed)
    {
        var scenario = Busy("resend", feed, Faults.None, 9, new ResendStep(S(2.1)) { Order = "o1" }, new ResendStep(S(60)) { Order = "o2" });
        var result = Pass(scenario);
        Assert.That(result.FaultsInjected["resend"], Is.EqualTo(2));
    }

    [TestCaseSource(nameof(Feeds))]
    public void Duplicated_fill_messages_are_ignored(FeedKind feed)
    {
        var result = Pass(Busy("duplicates", feed, Faults.None, 4, new DuplicateStep(S(9)) { Order = "o3" }, new DuplicateStep(S(3 * 86400)) { Order = "o1" }));
        Assert.That(result.DuplicatesIgnored, Is.GreaterThan(0));
    }

    /// <summary>The busy scenario with light faults, a clean restart mid-partials and an abrupt one later.</summary>
    internal static Scenario Restarting(FeedKind feed) =>
        Busy("restart", feed, new Faults(0.1m, 0.1m, 0.05m), 6, new RestartStep(S(6.5)), new RestartStep(S(30)) { Abrupt = true });

    [TestCaseSource(nameof(Feeds))]
    public void On_the_memory_store_a_restart_loses_but_never_links_wrongly(FeedKind feed)
    {
        var result = ScenarioRunner.Run(Restarting(feed) with { Expect = null }, Memory);
        Assert.Multiple(() =>
        {
            Assert.That(result.Failures, Is.Empty, SeedScenarioRunTests.Describe(result));
            Assert.That(result.Wrong, Is.Zero);
            Assert.That(result.Lost, Is.GreaterThan(0), "the memory store forgets the intents placed before the restart");
        });
    }

    /// <summary>
    /// The memory store forgot o1 in the restart. The new process's reconciliation finds o1's order and fill, carrying
    /// our prefix but no staged intent: they are parked, never linked. The strategy's re-delivered webhook stages o1
    /// again, the exchange answers with the original order, and the parked fill links to it.
    /// </summary>
    [TestCaseSource(nameof(Feeds))]
    public void An_intent_resent_after_a_restart_recovers_what_its_order_filled_before(FeedKind feed)
    {
        var scenario = new Scenario
        {
            Name = "resend-after-restart",
            Feed = feed,
            Steps =
            [
                Place(0, "o1", "BTC-USD", 0.004m, 50000m, "aaa"),
                new FillStep(S(1)) { Order = "o1", Size = 0.001m },
                new RestartStep(S(2)) { Abrupt = true },
                new ResendStep(S(3)) { Order = "o1" },
            ],
        };
        var result = Pass(scenario);
        Assert.That((result.Linked, result.Lost), Is.EqualTo((1, 0)));
    }

    [Test]
    public void Exits_close_named_lots_and_otherwise_the_oldest_first()
    {
        var scenario = new Scenario
        {
            Name = "exits",
            Steps =
            [
                Place(0, "e1", "BTC-USD", 0.002m, 50000m, "aaa"),
                Place(1, "e2", "BTC-USD", 0.003m, 50000m, "bbb"),
                new FillStep(S(2)) { Order = "e1" },
                new FillStep(S(3)) { Order = "e2" },
                new ExitStep(S(10)) { Order = "x1", Product = "BTC-USD", Size = 0.001m, Trigger = "take_profit", Closes = ["e2"] },
                new FillStep(S(11)) { Order = "x1" },
                new ExitStep(S(20)) { Order = "x2", Product = "BTC-USD", Size = 0.003m, Trigger = "stop_loss" },
                new FillStep(S(21)) { Order = "x2" },
            ],
            Expect = new Expectations
            {
                Exits = [new ExpectedExit("x1", ["e2"], "take_profit"), new ExpectedExit("x2", ["e1", "e2"], "stop_loss")],
            },
        };
        var result = Pass(scenario);
        Assert.That(result.Allocations.Select(a => a.Quantity), Is.EqualTo(new[] { 0.001m, 0.002m, 0.001m }));
    }

    [Test]
    public void An_exchange_order_seen_again_with_another_client_id_never_links_to_the_other_intent()
    {
        var scenario = Busy("conflicting-binding", FeedKind.Orders, Faults.None, 8, new DuplicateStep(S(45)) { Order = "o1", As = "o2" });
        var result = Pass(scenario);
        Assert.That(result.Wrong, Is.Zero);
    }

    [Test]
    public void A_fill_of_an_order_that_was_refused_is_reported_as_a_scenario_error()
    {
        var scenario = new Scenario
        {
            Name = "fill-rejected",
            Steps = [Place(0, "o1", "BTC-USD", 0.002m, 50000m, "aaa", ack: Ack.Reject), new FillStep(S(1)) { Order = "o1" } with { Line = 12 }],
        };
        var failure = ScenarioRunner.Run(scenario, Memory).Failures.Single();
        Assert.That((failure.Check, failure.StepIndex, failure.StepLine), Is.EqualTo((ScenarioRunner.ScenarioCheck, (int?)1, (int?)12)));
    }

    [Test]
    public void A_store_that_cannot_be_opened_is_refused_with_a_message_naming_what_to_do()
    {
        var scenario = SameSymbolOverwrite();
        Assert.Multiple(() =>
        {
            Assert.That(() => ScenarioRunner.Run(scenario, new RunOptions { Store = "postgres" }),
                Throws.TypeOf<StoreUnavailableException>().With.Message.Contains("LINKAGE_PG"));
            Assert.That(() => ScenarioRunner.Run(scenario, new RunOptions { Store = "oracle-db" }),
                Throws.TypeOf<StoreUnavailableException>().With.Message.Contains("expected memory, sqlite or postgres"));
        });
    }

    /// <summary>
    /// Over drawn seeds, feeds, fault rates (up to 30 %), a disconnect, a resend and maybe a restart: the engine never
    /// links wrongly or twice, manual trades stay external, and without a restart every bot trade links.
    /// </summary>
    [Test]
    public void Any_storm_of_faults_passes_the_oracle()
    {
        var storms =
            from seed in Gen.Choose(1, 1_000_000)
            from trades in Gen.Elements(false, true)
            from rates in Gen.Choose(0, 30).Three()
            from disconnectAt in Gen.Choose(5, 45)
            from restart in Gen.Elements(0, 0, 1, 2)
            select (seed, trades, rates, disconnectAt, restart);
        Prop.ForAll(storms.ToArbitrary(), storm =>
        {
            var (seed, trades, (duplicate, reorder, drop), disconnectAt, restart) = storm;
            var extra = new List<Step> { new DisconnectStep(S(disconnectAt)), new ReconnectStep(S(disconnectAt + 20)), new ResendStep(S(9)) { Order = "o2" } };
            if (restart > 0)
            {
                extra.Add(new RestartStep(S(disconnectAt + 3)) { Abrupt = restart == 2 });
            }
            var scenario = Busy("storm", trades ? FeedKind.Trades : FeedKind.Orders, new Faults(duplicate / 100m, reorder / 100m, drop / 100m), (ulong)seed, [.. extra]);
            var result = ScenarioRunner.Run(restart > 0 ? scenario with { Expect = null } : scenario, Memory);
            var ok = result.Passed && result.Wrong == 0 && (restart > 0 || result.Linked == 7);
            if (!ok)
            {
                TestContext.Out.WriteLine($"storm {storm}:\n{SeedScenarioRunTests.Describe(result)}");
            }
            return ok;
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(60));
    }

    internal static ImmutableArray<Scenario> Variety() =>
    [
        Busy("storm-orders", FeedKind.Orders, new Faults(0.2m, 0.2m, 0.1m), 21, new RestartStep(S(6.5)) { Abrupt = true }, new DisconnectStep(S(10)), new ReconnectStep(S(30))),
        Busy("storm-trades", FeedKind.Trades, new Faults(0.2m, 0.2m, 0.1m), 22, new RestartStep(S(6.5)), new ResendStep(S(8)) { Order = "o1" }),
    ];
}
