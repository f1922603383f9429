using FsCheck;
using FsCheck.Fluent;
using ScenarioEquivalence = Linkage.Properties.Scenarios.ScenarioEquivalence;
using Linkage.Sim.Generation;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Generation;

public sealed class SwarmGeneratorTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(200).WithEndSize(SwarmGenerator.SizeMax);

    [Test]
    public void Generated_scenarios_are_valid_files_and_meaningful()
    {
        Prop.ForAll(SwarmGenerator.Scenarios(GenerationOptions.Default).ToArbitrary(), scenario =>
        {
            var text = ScenarioWriter.Write(scenario);
            var load = ScenarioLoader.Load(text, "generated.yaml");
            Assert.That(load.Errors, Is.Empty, () => "the loader refuses a generated scenario:\n" + text);
            Assert.That(ScenarioEquivalence.Difference(scenario, load.Scenario!), Is.Null);
            Assert.That(ScenarioBook.Check(scenario), Is.Null, () => text);
        }).Check(Runs);
    }

    [Test]
    public void Same_seed_and_index_generate_the_same_scenario()
    {
        Prop.ForAll(Gen.Choose(0, int.MaxValue).ToArbitrary(), Gen.Choose(0, 300).ToArbitrary(), (seed, index) =>
        {
            var first = ScenarioWriter.Write(SwarmGenerator.Generate(GenerationOptions.Default, (ulong)seed, index));
            var again = ScenarioWriter.Write(SwarmGenerator.Generate(GenerationOptions.Default, (ulong)seed, index));
            Assert.That(again, Is.EqualTo(first));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(30));
    }

    [Test]
    public void Print_some()
    {
        var stats = new List<(int Orders, int Steps, TimeSpan Span)>();
        for (var i = 0; i < 101; i += 10)
        {
            var s = SwarmGenerator.Generate(GenerationOptions.Default, 42, i);
            stats.Add((s.Steps.Count(x => x is PlaceStep or ExitStep or ManualStep), s.Steps.Length, s.Steps[^1].At));
            TestContext.Out.WriteLine($"{i}: {s.Description} orders={stats[^1].Orders} steps={stats[^1].Steps} span={stats[^1].Span} classes={string.Join(",", ScenarioClassifier.Classify(s))}");
        }
        TestContext.Out.WriteLine(ScenarioWriter.Write(SwarmGenerator.Generate(GenerationOptions.Default, 42, 7)));
        Assert.That(stats, Is.Not.Empty);
    }
}
