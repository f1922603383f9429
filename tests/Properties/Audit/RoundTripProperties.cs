using FsCheck;
using FsCheck.Fluent;

namespace Linkage.Properties.Audit;

/// <summary>
/// The round trip as a property over generated trading days: whatever the acks, fills, duplicates, manual orders,
/// disconnects and feed faults, auditing the capture a replay wrote reproduces the replay's links and external orders
/// (exactly without restarts; the comparable part with them, see <see cref="RoundTrip"/>).
/// </summary>
public sealed class RoundTripProperties
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(300).WithEndSize(40);

    [Test]
    public void Auditing_the_capture_of_any_day_without_restarts_reproduces_the_replay_exactly() =>
        Prop.ForAll(TradingDayGenerator.Days(restarts: false), scenario =>
            Assert.That(RoundTrip.Differences(scenario), Is.Empty, () => Describe(scenario))).Check(Runs);

    [Test]
    public void Auditing_the_capture_of_any_day_with_restarts_keeps_every_link_the_replay_made() =>
        Prop.ForAll(TradingDayGenerator.Days(restarts: true), scenario =>
            Assert.That(RoundTrip.Differences(scenario), Is.Empty, () => Describe(scenario))).Check(Runs);

    private static string Describe(Linkage.Sim.Scenarios.Scenario scenario) =>
        $"seed {scenario.Seed}, feed {scenario.Feed}, faults {scenario.Faults}:\n" + string.Join("\n", scenario.Steps.Select(s => s.ToString()));
}
