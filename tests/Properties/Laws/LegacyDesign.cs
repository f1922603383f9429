using Linkage.Properties.Stores;
using Linkage.Cli;
using Linkage.Sim.Stores;
using Linkage.Sim.Oracle;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;
using ScenarioEquivalence = Linkage.Properties.Scenarios.ScenarioEquivalence;

namespace Linkage.Properties.Laws;

/// <summary>
/// The laws bite: the old product-keyed design breaks No_wrong_link, and its counterexample shrinks to the seed
/// document's overwrite (two orders on one symbol, the strategy's or one placed by hand, and a fill), exports to a file that loads as the same scenario, and
/// reproduces the same failure through <see cref="ScenarioRunner"/> and through <c>replay --design legacy</c>, while
/// the engine passes it.
/// </summary>
[Order(1)]
public sealed class LegacyDesign
{
    private static readonly RunOptions Legacy = new() { Store = StoreFactory.Memory, Design = "legacy" };

    [Test]
    public void The_old_design_breaks_No_wrong_link_with_a_counterexample_of_a_handful_of_steps_that_replay_reproduces()
    {
        using var folder = new TempDirectory("linkage-legacy");
        var settings = new LawSettings { Runs = 100, EndSize = 30 };
        var (found, _, _) = LawCheck.Search("No_wrong_link-legacy", settings, s => Outcome.Of(s, Legacy).Failed(LinkOracle.NoWrongLink), folder.Path);

        Assert.That(found, Is.Not.Null, "the old design passed 100 generated scenarios: the law does not bite");
        var counterexample = found!;
        // The orders of the scenario with their products: the strategy's (place, exit) and a manual one.
        var orders = counterexample.Scenario.Steps.Select(s => s switch
        {
            PlaceStep p => p.Product,
            ExitStep e => e.Product,
            ManualStep m => m.Product,
            _ => null,
        }).OfType<string>().ToList();
        string Written() => ScenarioWriter.Write(counterexample.Scenario);
        Assert.Multiple(() =>
        {
            Assert.That(counterexample.Scenario.Steps, Has.Length.LessThanOrEqualTo(5), Written);
            Assert.That(orders.Distinct().Count(), Is.EqualTo(1), () => "two orders on one symbol\n" + Written());
            Assert.That(orders, Has.Count.EqualTo(2), Written);
            Assert.That(counterexample.Scenario.Steps.OfType<FillStep>(), Is.Not.Empty);
            Assert.That(Path.GetFileName(counterexample.Path), Is.EqualTo($"No_wrong_link-legacy-{counterexample.Scenario.Seed}.yaml"));
            Assert.That(counterexample.Scenario.Description, Does.Contain($"generator v{Linkage.Sim.Generation.SwarmGenerator.GeneratorVersion}, seed {counterexample.Scenario.Seed}"));
        });

        var load = ScenarioLoader.LoadFile(counterexample.Path);
        Assert.That(load.Errors, Is.Empty);
        Assert.That(ScenarioEquivalence.Difference(counterexample.Scenario, load.Scenario!), Is.Null, "the file is the scenario");
        var again = ScenarioRunner.Run(load.Scenario!, Legacy);
        Assert.That(again.Failures.Select(f => f.Check), Does.Contain(LinkOracle.NoWrongLink), "the runner reproduces it");

        var legacy = Replay(counterexample.Path, "--design", "legacy", "--store", "memory");
        var engine = Replay(counterexample.Path, "--store", "memory");
        Assert.Multiple(() =>
        {
            Assert.That(legacy.Code, Is.EqualTo(1), legacy.Output);
            Assert.That(legacy.Output, Does.Contain("[no-wrong-link]"));
            Assert.That(engine.Code, Is.EqualTo(0), engine.Output);
        });
    }

    private static (int Code, string Output) Replay(params string[] args)
    {
        var output = new StringWriter();
        var code = ReplayCommand.Run(args, output, new StringWriter());
        return (code, output.ToString());
    }
}
