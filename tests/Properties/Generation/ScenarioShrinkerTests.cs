using FsCheck;
using FsCheck.Fluent;
using Linkage.Engine;
using Linkage.Sim.Generation;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Generation;

public sealed class ScenarioShrinkerTests
{
    [Test]
    public void Every_candidate_is_valid_meaningful_and_lighter()
    {
        Prop.ForAll(SwarmGenerator.Scenarios(GenerationOptions.Default).ToArbitrary(), scenario =>
        {
            var weight = ScenarioShrinker.Weight(scenario);
            foreach (var candidate in ScenarioShrinker.Shrink(scenario).Take(60))
            {
                var text = ScenarioWriter.Write(candidate);
                Assert.That(ScenarioLoader.Load(text, "candidate.yaml").Errors, Is.Empty, () => text);
                Assert.That(ScenarioBook.Check(candidate), Is.Null, () => text);
                Assert.That(ScenarioShrinker.Weight(candidate).CompareTo(weight), Is.LessThan(0), () => text);
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(60).WithEndSize(30));
    }

    [Test]
    public void Minimizing_the_old_designs_overwrite_ends_at_two_orders_on_one_symbol_and_a_fill()
    {
        // The legacy failure's shape, as a predicate: two bot orders on one product, the first of them filled after the
        // second was placed. Any scenario with it shrinks to exactly those three steps.
        static bool Overwrite(Scenario s)
        {
            var places = s.Steps.OfType<PlaceStep>().Where(p => p.Ack is not AckReject).ToList();
            return places.Any(first => places.Any(second => second.Product == first.Product && second.At > first.At
                && s.Steps.OfType<FillStep>().Any(f => f.Order == first.Order && f.At >= second.At)));
        }

        var start = Enumerable.Range(0, 400).Select(i => SwarmGenerator.Generate(GenerationOptions.Default, 3, i))
            .First(s => s.Steps.Length > 100 && Overwrite(s));
        var (shrunk, steps, _) = ScenarioShrinker.Minimize(start, Overwrite);
        Assert.Multiple(() =>
        {
            Assert.That(steps, Is.EqualTo(3), () => ScenarioWriter.Write(shrunk));
            Assert.That(shrunk.Steps.Select(s => s.GetType().Name), Is.EqualTo(new[] { "PlaceStep", "PlaceStep", "FillStep" }));
            Assert.That(shrunk.Faults, Is.EqualTo(Faults.None));
            Assert.That(ScenarioShrinker.Shrink(shrunk).Any(Overwrite), Is.False, "a local minimum: no candidate keeps the failure");
        });
    }

    [Test]
    public void Minimizing_keeps_the_failure_and_drops_every_step_it_does_not_need()
    {
        // A failure that needs a restart between two fills of one order: everything else goes.
        static bool RestartBetweenFills(Scenario s) =>
            s.Steps.OfType<FillStep>().GroupBy(f => f.Order).Any(g => g.Count() >= 2
                && s.Steps.OfType<RestartStep>().Any(r => r.At > g.First().At && r.At < g.Last().At));

        var start = Enumerable.Range(0, 600).Select(i => SwarmGenerator.Generate(GenerationOptions.Default, 8, i))
            .First(s => s.Steps.Length > 60 && RestartBetweenFills(s));
        var (shrunk, steps, _) = ScenarioShrinker.Minimize(start, RestartBetweenFills);
        Assert.Multiple(() =>
        {
            Assert.That(RestartBetweenFills(shrunk), Is.True);
            Assert.That(steps, Is.EqualTo(4), () => ScenarioWriter.Write(shrunk));
            Assert.That(shrunk.Steps.OfType<RestartStep>().Single().Abrupt, Is.False, "abrupt is made plain");
        });
    }

    [Test]
    public void Merging_partial_fills_keeps_their_total()
    {
        var scenario = new Scenario
        {
            Name = "merge",
            Steps =
            [
                new PlaceStep(TimeSpan.Zero) { Order = "o1", Product = "BTC-USD", Side = Side.Buy, Size = 3m, Price = 10m, Snapshot = "a" },
                new FillStep(TimeSpan.FromSeconds(1)) { Order = "o1", Size = 1m },
                new FillStep(TimeSpan.FromSeconds(2)) { Order = "o1", Size = 1.5m },
                new FillStep(TimeSpan.FromSeconds(3)) { Order = "o1" },
            ],
        };
        var merged = ScenarioShrinker.Shrink(scenario).Where(c => c.Steps.Length == 3 && c.Steps.OfType<FillStep>().Count() == 2).ToList();
        Assert.That(merged.Select(c => string.Join(",", c.Steps.OfType<FillStep>().Select(f => f.Size?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "rest"))),
            Is.SupersetOf(new[] { "2.5,rest", "1,rest" }));
    }
}
