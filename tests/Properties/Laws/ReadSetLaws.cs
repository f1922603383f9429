using System.Globalization;
using Linkage.Sim.Runner;

namespace Linkage.Properties.Laws;

/// <summary>
/// The key derivation foresees what deciding reads (issue 12, "Decide does no I/O"): over generated scenarios, with
/// restarts and every fault, the correlator meets no <see cref="Linkage.Engine.ReadSetMiss"/>. A miss costs a second fetch, never
/// a wrong decision (the engine tests check that), so this law is about the derivation, not about safety.
/// </summary>
[Order(1)]
public sealed class ReadSetLaws
{
    [Test]
    public void Read_sets_foresee_every_read()
    {
        var settings = new LawSettings { Runs = 200, Share = 0.5m, EndSize = 60 };
        long inputs = 0, misses = 0;
        LawCheck.Holds(nameof(Read_sets_foresee_every_read), settings, scenario =>
        {
            var counts = ScenarioRunner.Run(scenario, LawStores.Memory).ReadSets;
            inputs += counts.Inputs;
            misses += counts.Misses;
            // A bracket order's first state is two reads by construction (EngineCorrelator.ReadSetDependentMisses).
            return counts.Misses == counts.Dependent ? null : $"{counts.Misses - counts.Dependent} read-set miss(es) in {counts.Inputs} inputs";
        });
        TestContext.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"read sets: {inputs:#,0} inputs decided, {misses:#,0} misses"));
    }
}
