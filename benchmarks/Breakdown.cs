using System.Diagnostics;
using System.Globalization;
using Linkage.Engine;
using Linkage.Stores.Sqlite;
using Linkage.Testing;
using Microsoft.Data.Sqlite;

namespace Linkage.Benchmarks;

/// <summary>
/// <c>--breakdown</c>: a stopwatch split of one-at-a-time fill processing into deciding (the store's reads) and applying
/// (the write transaction), per store, to show where the time of <see cref="FillBenchmarks"/> goes.
/// </summary>
internal static class Breakdown
{
    private const int Fills = 512;

    public static void Print(int size, bool postgres)
    {
        var orders = Workload.Orders(size);
        var directory = Directory.CreateTempSubdirectory("linkage-breakdown-").FullName;
        var database = postgres ? PostgresProvider.CreateDatabase("breakdown") : null;
        try
        {
            using (var memory = new MemoryStore())
            {
                Print(memory, orders);
            }
            using (var sqlite = Workload.OpenSqlite(directory, SqliteDurability.Normal))
            {
                Print(sqlite, orders);
            }
            if (database is not null)
            {
                using var pg = Staging.OpenPostgres(database);
                Print(pg, orders);
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
            if (database is not null)
            {
                PostgresProvider.DropDatabase(database);
            }
        }
    }

    private static void Print(ILinkageStore store, Workload.Staged[] orders)
    {
        Workload.Stage(store, orders);
        var decide = new Stopwatch();
        var apply = new Stopwatch();
        for (var i = 0; i < Fills; i++)
        {
            var fill = Workload.Fill(orders[i % orders.Length], i);
            decide.Start();
            var batch = LinkageEngine.ReadAndDecide(store, fill);
            decide.Stop();
            apply.Start();
            var result = store.Apply(batch);
            apply.Stop();
            if (result.Status != ApplyStatus.Applied)
            {
                throw new InvalidOperationException($"fill {i} conflicted: {result.Detail}");
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{store.Name}, {orders.Length:N0} intents: decide {decide.Elapsed.TotalMicroseconds / Fills:N1} µs/fill, apply {apply.Elapsed.TotalMicroseconds / Fills:N1} µs/fill"));
    }
}
