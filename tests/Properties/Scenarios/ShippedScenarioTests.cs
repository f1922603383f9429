using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Scenarios;

/// <summary>The scenario files shipped in <c>scenarios/</c> load, and keep the promises the project makes about them.</summary>
public sealed class ShippedScenarioTests
{
    private static IEnumerable<string> ShippedFiles() =>
        Directory.EnumerateFiles(RepoPaths.ScenariosFolder, "*", SearchOption.AllDirectories)
            .Where(f => ScenarioLoader.Extensions.Contains(Path.GetExtension(f)))
            .Select(f => Path.GetRelativePath(RepoPaths.Root, f).Replace('\\', '/'))
            .Order(StringComparer.Ordinal);

    [TestCaseSource(nameof(ShippedFiles))]
    public void Every_shipped_scenario_loads_and_describes_its_situation_in_one_line(string file)
    {
        var load = ScenarioLoader.LoadFile(Path.Combine(RepoPaths.Root, file));
        Assert.That(load.Errors, Is.Empty, () => string.Join("\n", load.Errors));
        Assert.That(load.Scenario!.Description, Is.Not.Null.And.Not.Empty.And.Not.Contains("\n"), "a one-line description of the real-world situation");
    }

    [Test]
    public void Shipped_scenarios_are_at_least_thirty_with_unique_names()
    {
        var names = ShippedFiles().Select(f => ScenarioLoader.LoadFile(Path.Combine(RepoPaths.Root, f)).Scenario?.Name).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(names, Has.Count.GreaterThanOrEqualTo(30));
            Assert.That(names, Is.Unique);
        });
    }

    [Test]
    public void The_seed_documents_four_scenarios_state_what_the_old_design_gets_wrong()
    {
        var seed = Directory.GetFiles(Path.Combine(RepoPaths.ScenariosFolder, "seed"), "*.yaml")
            .Select(f => ScenarioLoader.LoadFile(f).Scenario!).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(seed.Select(s => s.Name).Order(StringComparer.Ordinal), Is.EqualTo(new[]
            {
                "delayed-partial-after-cache-cleared", "disconnect-reconnect-fill-during-outage", "exit-without-metadata", "same-symbol-overwrite",
            }));
            Assert.That(seed, Has.All.Matches<Scenario>(s => s.Expect?.Legacy is { Wrong: not null, Missing: > 0 }));
        });
    }

    [Test]
    public void Regressions_folder_exists_for_exported_counterexamples()
    {
        Assert.That(File.Exists(Path.Combine(RepoPaths.ScenariosFolder, "regressions", "README.md")), Is.True);
    }
}
