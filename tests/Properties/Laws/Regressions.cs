using Linkage.Properties.Scenarios;
using Linkage.Sim.Generation;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Laws;

/// <summary>
/// Every shrunk counterexample kept in <c>scenarios/regressions/</c> replays before the laws run (this fixture is ordered
/// first): a bug once found and fixed stays fixed on every store.
/// </summary>
[Order(0)]
public sealed class Regressions
{
    [TestCase("memory")]
    [TestCase("sqlite")]
    public void Every_regression_scenario_passes(string store)
    {
        var folder = Path.Combine(RepoPaths.Root, Counterexamples.RegressionsFolder);
        Assert.That(Directory.Exists(folder), Is.True, $"{folder} is missing");
        var files = Directory.EnumerateFiles(folder)
            .Where(f => ScenarioLoader.Extensions.Contains(Path.GetExtension(f), StringComparer.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
        if (files.Count == 0)
        {
            // An empty folder replays nothing: say so in the test run instead of passing as if something was checked.
            Assert.Ignore($"{folder} holds no regression scenario: nothing to replay (fuzz --out scenarios/regressions keeps one)");
        }
        Assert.Multiple(() =>
        {
            foreach (var file in files)
            {
                var load = ScenarioLoader.LoadFile(file);
                Assert.That(load.Errors, Is.Empty, file);
                if (load.Scenario is not { } scenario)
                {
                    continue;
                }
                var result = ScenarioRunner.Run(scenario, new RunOptions { Store = store });
                Assert.That(result.Failures.Select(f => $"[{f.Check}] {f.Message}"), Is.Empty, $"{Path.GetFileName(file)} on {store}");
            }
        });
        TestContext.Out.WriteLine($"{files.Count} regression scenario(s) replayed on {store}");
    }
}
