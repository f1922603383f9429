using Linkage.Sim.Generation;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Laws;

/// <summary>
/// Changes that must change nothing: on a durable store, a restart inserted anywhere, or another delivery of the same
/// exchange truth (other fault draws, other coalescing, more duplicates and reordering), ties the same fills to the same
/// decisions. Compared through <see cref="Outcome.Projection"/>: per intent its linked quantity, per exit its allocated
/// quantity, per trade its verdict, all by label.
/// </summary>
[Order(1)]
public sealed class MetamorphicLaws
{
    private static readonly LawSettings Settings = new()
    {
        Runs = 50,
        Share = 0.1m,
        EndSize = 25,
        Generation = GenerationOptions.Default with { Restarts = false },
    };

    [Test]
    public void Restart_anywhere_changes_nothing_on_durable_stores()
    {
        LawCheck.Holds(nameof(Restart_anywhere_changes_nothing_on_durable_stores), Settings, scenario =>
        {
            var baseline = Outcome.Of(scenario, LawStores.Sqlite).Projection();
            // Where the restart goes and how it ends the process are drawn from the scenario's seed, so a shrunk
            // counterexample restarts at the same place of what is left.
            var k = (int)(scenario.Seed % (ulong)(scenario.Steps.Length + 1));
            var at = k < scenario.Steps.Length ? scenario.Steps[k].At : scenario.Steps[^1].At;
            var restarted = scenario with { Steps = scenario.Steps.Insert(k, new RestartStep(at) { Abrupt = (scenario.Seed >> 20) % 2 == 1 }) };
            var after = Outcome.Of(restarted, LawStores.Sqlite).Projection();
            return Difference(baseline, after, $"a restart before step {k}");
        });
    }

    [Test]
    public void Delivery_permutations_within_exchange_rules_change_nothing()
    {
        LawCheck.Holds(nameof(Delivery_permutations_within_exchange_rules_change_nothing), Settings, scenario =>
        {
            var baseline = Outcome.Of(scenario, LawStores.Sqlite).Projection();
            var otherDraws = LawStores.Sqlite with { Seed = scenario.Seed ^ 0x5DEECE66DUL };
            var reseeded = Outcome.Of(scenario, otherDraws).Projection();
            var f = scenario.Faults;
            var stormier = scenario with { Faults = f with { Duplicate = Math.Max(f.Duplicate, 0.1m), Reorder = Math.Max(f.Reorder, 0.1m) } };
            var stormy = Outcome.Of(stormier, otherDraws).Projection();
            return Difference(baseline, reseeded, "other fault draws and coalescing (another seed)")
                ?? Difference(baseline, stormy, "another seed with more duplicates and reordering");
        });
    }

    private static string? Difference(string expected, string actual, string change)
    {
        if (expected == actual)
        {
            return null;
        }
        var left = expected.Split('\n');
        var right = actual.Split('\n');
        var line = Enumerable.Range(0, Math.Max(left.Length, right.Length)).First(i => i >= left.Length || i >= right.Length || left[i] != right[i]);
        return $"{change} changed the links: '{(line < left.Length ? left[line] : "(nothing)")}' became '{(line < right.Length ? right[line] : "(nothing)")}'";
    }
}
