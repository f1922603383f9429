using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Linkage.Engine;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;
using Linkage.Sim.World;

namespace Linkage.Properties.Sim.Runner;

public sealed class ReplayTests
{
    private static IEnumerable<TestCaseData> Scenarios() =>
        FaultScenarioTests.Variety().Concat(SeedScenarios.All()).Select(s => new TestCaseData(s).SetArgDisplayNames(s.Name));

    /// <summary>Law D1: the same scenario and seed give byte-identical results, capture lines included.</summary>
    [TestCaseSource(nameof(Scenarios))]
    public void Replay_is_deterministic(Scenario scenario)
    {
        var options = SeedScenarios.Memory with { Capture = true };
        var first = JsonSerializer.Serialize(ScenarioRunner.Run(scenario, options));
        var second = JsonSerializer.Serialize(ScenarioRunner.Run(scenario, options));
        Assert.Multiple(() =>
        {
            Assert.That(second, Is.EqualTo(first));
            Assert.That(first, Does.Contain("\"Capture\":[{"), "the capture is part of what is compared");
        });
    }

    [Test]
    public void Another_seed_mints_other_ids_but_links_the_same()
    {
        var scenario = SeedScenarios.SameSymbolOverwrite();
        var a = ScenarioRunner.Run(scenario, SeedScenarios.Memory);
        var b = ScenarioRunner.Run(scenario, SeedScenarios.Memory with { Seed = 99 });
        Assert.Multiple(() =>
        {
            Assert.That(b.Links.Select(l => l.ExchangeOrderId), Is.Not.EquivalentTo(a.Links.Select(l => l.ExchangeOrderId)));
            Assert.That(b.Trades.Select(t => (t.Order, t.Size, t.Verdict)), Is.EqualTo(a.Trades.Select(t => (t.Order, t.Size, t.Verdict))));
        });
    }

    /// <summary>
    /// Speed: a generated scenario of 10,000 bot orders (partial fills, manual orders, exits) replays on the memory store
    /// well under a minute. Prints the rate as simulated time per wall-clock second.
    /// </summary>
    [Test]
    public void Ten_thousand_orders_replay_well_under_a_minute()
    {
        var scenario = Generate(orders: 10_000, seed: 2024);
        var clock = Stopwatch.StartNew();
        var result = ScenarioRunner.Run(scenario, SeedScenarios.Memory);
        clock.Stop();
        var rate = result.SimulatedDuration.TotalSeconds / clock.Elapsed.TotalSeconds;
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"10,000 orders, {scenario.Steps.Length} steps, {result.Fills} trades: {clock.Elapsed.TotalSeconds:0.00} s wall, {result.SimulatedDuration.TotalHours:0.0} h simulated, {rate:0} simulated s per wall-clock s"));
        Assert.Multiple(() =>
        {
            Assert.That(result.Failures, Is.Empty, SeedScenarioRunTests.Describe(result));
            Assert.That(result.Linked, Is.EqualTo(result.Fills - result.External));
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(45)), "well under a minute, with room for a loaded machine");
        });
    }

    /// <summary>
    /// A simple generator: orders on five products, a new one every few seconds; each fills in one to three parts over
    /// the next minutes; every tenth is a manual order; every seventh entry is followed by an exit selling half of it.
    /// </summary>
    internal static Scenario Generate(int orders, ulong seed)
    {
        var prng = new Prng(seed);
        string[] products = ["BTC-USD", "ETH-USD", "SOL-USD", "AVNT-USD", "DOGE-USD"];
        var steps = new List<Step>();
        var at = TimeSpan.Zero;
        for (var i = 0; i < orders; i++)
        {
            at += TimeSpan.FromMilliseconds(500 + (long)prng.NextBelow(4000));
            var product = products[prng.NextBelow((ulong)products.Length)];
            var label = "o" + i.ToString(CultureInfo.InvariantCulture);
            var parts = 1 + (int)prng.NextBelow(3);
            var unit = (1 + (long)prng.NextBelow(300)) / 1000m;
            var size = unit * parts;
            var price = (100 + (long)prng.NextBelow(100_000)) / 10m;
            if (i % 10 == 9)
            {
                steps.Add(new ManualStep(at) { Order = label, Product = product, Side = Side.Sell, Size = size, Price = price });
            }
            else
            {
                steps.Add(new PlaceStep(at)
                {
                    Order = label, Product = product, Side = Side.Buy, Size = size, Price = price, Snapshot = "s" + label,
                    Scores = new ScoreSet(50 + (long)prng.NextBelow(50), null), Trigger = "roc_momo",
                });
            }
            var fillAt = at;
            for (var p = 1; p <= parts; p++)
            {
                fillAt += TimeSpan.FromSeconds(1 + (long)prng.NextBelow(120));
                steps.Add(new FillStep(fillAt) { Order = label, Size = p < parts ? unit : null });
            }
            if (i % 7 == 3 && i % 10 != 9)
            {
                var exitAt = fillAt + TimeSpan.FromSeconds(30);
                steps.Add(new ExitStep(exitAt) { Order = "x" + label, Product = product, Size = size / 2, Price = price, Trigger = "take_profit", Closes = [label] });
                steps.Add(new FillStep(exitAt + TimeSpan.FromSeconds(5)) { Order = "x" + label });
            }
        }
        return new Scenario { Name = "generated-" + orders.ToString(CultureInfo.InvariantCulture), Seed = seed, Steps = [.. steps.OrderBy(s => s.At)] };
    }
}
