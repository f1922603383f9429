using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Sim.Runner;

public sealed class SeedScenarioRunTests
{
    private static IEnumerable<TestCaseData> Seeds() => SeedScenarios.All().Select(s => new TestCaseData(s).SetArgDisplayNames(s.Name));

    [TestCaseSource(nameof(Seeds))]
    public void Seed_scenario_passes_on_the_engine_with_the_memory_store(Scenario scenario)
    {
        var result = ScenarioRunner.Run(scenario, SeedScenarios.Memory);
        Assert.Multiple(() =>
        {
            Assert.That(result.Failures, Is.Empty, Describe(result));
            Assert.That(result.Passed, Is.True);
            Assert.That(result.Fills, Is.GreaterThan(0));
            Assert.That(result.Linked, Is.EqualTo(result.Fills), "every trade linked");
        });
    }

    [TestCaseSource(nameof(Seeds))]
    public void Seed_scenario_fails_on_the_legacy_design_as_the_seed_says(Scenario scenario)
    {
        var result = ScenarioRunner.Run(scenario, SeedScenarios.Legacy);
        var legacy = scenario.Expect!.Legacy!;
        Assert.Multiple(() =>
        {
            Assert.That(result.Passed, Is.False, "the old design must fail the seed's scenarios");
            Assert.That(result.Wrong, Is.EqualTo(legacy.Wrong), Describe(result));
            Assert.That(result.Missing, Is.EqualTo(legacy.Missing), Describe(result));
            Assert.That(result.Failures.Where(f => f.Check == "legacy"), Is.Empty, "the legacy expectation holds");
        });
    }

    internal static string Describe(ScenarioResult result) =>
        string.Join("\n", result.Failures.Select(f => $"[{f.Check}] step {f.StepIndex} line {f.StepLine} at {f.At}: {f.Message} (trade {f.Trade}; expected {f.Expected}; actual {f.Actual})"))
        + "\ntrades: " + string.Join("; ", result.Trades.Select(t => $"{t.Order} {t.Size}@{t.Price} {t.Verdict} {t.LinkedTo}"));
}
