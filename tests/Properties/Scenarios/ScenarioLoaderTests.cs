using Linkage.Engine;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Scenarios;

public sealed class ScenarioLoaderTests
{
    /// <summary>The example of SCENARIOS.md, verbatim: the contract's own file must load.</summary>
    internal const string ContractExample = """
        name: same-symbol-overwrite          # required; unique within a run
        description: Two BUYs on BTC-USD 5 s apart; the first fills first.
        seed: 7                              # optional (default 1): drives every random choice
        feed: orders                         # optional: orders (default) | trades, see "Feeds"
        latency: { ack: 200ms, feed: 50ms }  # optional defaults for the simulated exchange
        faults: { duplicate: 0.1, reorder: 0.05, drop: 0.0 }   # optional feed faults, per message
        steps:
          - at: 0s
            place: { order: o1, product: BTC-USD, side: BUY, size: "0.002", price: "50000",
                     snapshot: aaa, scores: { buy: 75.3 }, trigger: roc_momo }
          - at: 5s
            place: { order: o2, product: BTC-USD, side: BUY, size: "0.001", snapshot: bbb,
                     scores: { buy: 82.1 }, trigger: roc_momo }
          - at: 10s
            fill: { order: o1, size: "0.001" }
          - at: 15s
            fill: { order: o2 }
          - at: 5m
            fill: { order: o1 }
        expect:
          links:
            - { order: o1, snapshot: aaa, fills: 2, filled: "0.002" }
            - { order: o2, snapshot: bbb, fills: 1 }
          legacy: { wrong: 1, missing: 2 }
        """;

    [Test]
    public void Contract_example_loads_every_field()
    {
        var load = ScenarioLoader.Load(ContractExample, "example.yaml");
        Assert.That(load.Errors, Is.Empty);
        var s = load.Scenario!;
        Assert.Multiple(() =>
        {
            Assert.That(s.Name, Is.EqualTo("same-symbol-overwrite"));
            Assert.That(s.File, Is.EqualTo("example.yaml"));
            Assert.That(s.Seed, Is.EqualTo(7UL));
            Assert.That(s.Feed, Is.EqualTo(FeedKind.Orders));
            Assert.That(s.Latency, Is.EqualTo(new Latency(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50))));
            Assert.That(s.Faults, Is.EqualTo(new Faults(0.1m, 0.05m, 0m)));
            Assert.That(s.Steps, Has.Length.EqualTo(5));
            var o1 = (PlaceStep)s.Steps[0];
            Assert.That((o1.Order, o1.Product, o1.Side, o1.Size, o1.Price, o1.Snapshot, o1.Trigger), Is.EqualTo(("o1", "BTC-USD", Side.Buy, 0.002m, (decimal?)50000m, "aaa", (string?)"roc_momo")));
            Assert.That(o1.Scores, Is.EqualTo(new ScoreSet(75.3m, null)));
            Assert.That(o1.Ack, Is.EqualTo(Ack.Ok));
            Assert.That(o1.Line, Is.EqualTo(8));
            Assert.That(((PlaceStep)s.Steps[1]).Price, Is.Null);
            Assert.That(s.Steps[4], Is.EqualTo(new FillStep(TimeSpan.FromMinutes(5)) { Order = "o1", Line = 18 }));
            Assert.That(s.Expect!.Links.ToArray(), Is.EqualTo(new[]
            {
                new ExpectedLink("o1", "aaa", 2, 0.002m) { Line = 22 },
                new ExpectedLink("o2", "bbb", 1, null) { Line = 23 },
            }));
            Assert.That(s.Expect.Legacy, Is.EqualTo(new ExpectedLegacy(1, 2)));
            Assert.That(s.Expect.External, Is.Null);
        });
    }
}
