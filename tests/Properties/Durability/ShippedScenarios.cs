using System.Collections.Immutable;
using Linkage.Properties.Scenarios;
using Linkage.Properties.Support;
using Linkage.Sim.Stores;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Durability;

/// <summary>The shipped scenario files, loaded once, and the run options for each store (one PostgreSQL database per test run).</summary>
internal static class ShippedScenarios
{
    private static readonly Lazy<ImmutableArray<Scenario>> Loaded = new(Load);
    private static readonly Lock Gate = new();
    private static string? _postgres;

    public static ImmutableArray<Scenario> All => Loaded.Value;

    /// <summary>Options for <paramref name="store"/>; PostgreSQL runs share one database, each run in a schema of its own.</summary>
    public static RunOptions On(string store)
    {
        if (store != StoreFactory.Postgres)
        {
            return new RunOptions { Store = store };
        }
        lock (Gate)
        {
            _postgres ??= PostgresServer.CreateDatabase("durability");
            return new RunOptions { Store = store, PostgresConnectionString = _postgres };
        }
    }

    /// <summary>Drops the shared PostgreSQL database, if a test made one.</summary>
    public static void DropDatabase()
    {
        lock (Gate)
        {
            if (_postgres is not null)
            {
                PostgresServer.DropDatabase(_postgres);
                _postgres = null;
            }
        }
    }

    /// <summary>What a run linked, per client order id: the snapshot, the kind, and the quantity linked in total.</summary>
    /// <remarks>
    /// Provenance, source key, sequence, time, price and fee of the individual increments are left out: a restart may
    /// legitimately turn a live fill into one recovered by reconciliation (another provenance and source key, a later
    /// time, and increments split differently), but never change which decision a trade belongs to or how much of it.
    /// </remarks>
    public static IReadOnlyList<string> LinksByClientOrderId(ScenarioResult result) =>
        [.. result.Links
            .GroupBy(l => l.ClientOrderId.Value, StringComparer.Ordinal)
            .Select(g => $"{g.Key} snapshot={g.First().Snapshot?.Value ?? "-"} kind={g.First().Kind} linked={g.Sum(l => l.Quantity)}")
            .Order(StringComparer.Ordinal)];

    public static string Describe(ScenarioResult result) =>
        $"{result.Name}: linked {result.Linked}, wrong {result.Wrong}, missing {result.Missing}, lost {result.Lost}; "
        + string.Join("; ", result.Failures.Select(f => $"{f.Check}: {f.Message}"));

    private static ImmutableArray<Scenario> Load() =>
        [.. Directory.EnumerateFiles(RepoPaths.ScenariosFolder, "*.yaml", SearchOption.AllDirectories)
            .Order(StringComparer.Ordinal)
            .Select(f => ScenarioLoader.LoadFile(f).Scenario ?? throw new InvalidOperationException("shipped scenario does not load: " + f))];
}
