using Linkage.Properties.Scenarios;
using Linkage.Properties.Sim;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Audit;

/// <summary>
/// The audit of a replay's capture reproduces the replay's links and external orders, for every shipped scenario
/// (<c>scenarios/**</c>) and the seed document's four (see <see cref="RoundTrip"/> for what is compared after a restart).
/// </summary>
public sealed class RoundTripTests
{
    private static IEnumerable<TestCaseData> Shipped()
    {
        foreach (var scenario in SeedScenarios.All())
        {
            yield return new TestCaseData(scenario).SetArgDisplayNames("seed:" + scenario.Name);
        }
        if (!Directory.Exists(RepoPaths.ScenariosFolder))
        {
            yield break;
        }
        var files = Directory.EnumerateFiles(RepoPaths.ScenariosFolder, "*", SearchOption.AllDirectories)
            .Where(f => ScenarioLoader.Extensions.Contains(Path.GetExtension(f), StringComparer.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        foreach (var file in files)
        {
            var load = ScenarioLoader.LoadFile(file);
            var name = Path.GetRelativePath(RepoPaths.Root, file);
            yield return load.Succeeded
                ? new TestCaseData(load.Scenario).SetArgDisplayNames(name)
                : new TestCaseData(null).SetArgDisplayNames(name + " (does not load)");
        }
    }

    [TestCaseSource(nameof(Shipped))]
    public void Auditing_a_replays_capture_reproduces_its_links_and_external_orders(Scenario? scenario)
    {
        Assert.That(scenario, Is.Not.Null, "the scenario file must load");
        Assert.That(RoundTrip.Differences(scenario!), Is.Empty);
    }

    [Test]
    public void The_round_trip_sees_a_link_the_audit_lost()
    {
        // The comparison must be able to fail: a capture cut before its last fill links less than the replay did.
        var scenario = SeedScenarios.DelayedPartialFill();
        var lastFill = scenario.Steps.OfType<FillStep>().Last();
        var cut = scenario with { Steps = [.. scenario.Steps.Where(s => !ReferenceEquals(s, lastFill))] };
        Assert.That(RoundTrip.Differences(cut), Is.Empty, "the cut scenario on its own round-trips");
        Assert.That(RoundTrip.DifferencesBetween(scenario, cut), Is.Not.Empty);
    }
}
