using System.Globalization;
using Linkage.Engine;
using Linkage.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Linkage.Benchmarks;

/// <summary>
/// <c>--footprint</c>: bytes per staged intent in the memory store (managed heap delta after a full GC) and database
/// bytes per intent and per link in SQLite (<c>page_count * page_size</c>), printed as a Markdown table. A size, not a
/// time, so it runs outside BenchmarkDotNet.
/// </summary>
internal static class Footprint
{
    public static void Print(IEnumerable<int> sizes)
    {
        Console.WriteLine("| Intents | Memory store B/intent | SQLite B/intent | SQLite B/link |");
        Console.WriteLine("|--------:|----------------------:|----------------:|--------------:|");
        foreach (var size in sizes)
        {
            var orders = Workload.Orders(size);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {size:N0} | {MemoryPerIntent(orders):N0} | {SqlitePerIntentAndLink(orders)} |"));
        }
    }

    private static long MemoryPerIntent(Workload.Staged[] orders)
    {
        var before = GC.GetTotalMemory(forceFullCollection: true);
        using var store = new MemoryStore();
        Workload.Stage(store, orders);
        var after = GC.GetTotalMemory(forceFullCollection: true);
        GC.KeepAlive(store);
        return (after - before) / orders.Length;
    }

    private static string SqlitePerIntentAndLink(Workload.Staged[] orders)
    {
        var directory = Directory.CreateTempSubdirectory("linkage-footprint-").FullName;
        try
        {
            long staged;
            long linked;
            using (var store = Workload.OpenSqlite(directory, SqliteDurability.Normal))
            {
                Workload.Stage(store, orders);
                staged = Bytes(directory);
                var correlator = new EngineCorrelator(store);
                var sequence = 0L;
                foreach (var order in orders)
                {
                    correlator.Process(Workload.Fill(order, sequence++));
                }
                linked = Bytes(directory);
            }
            return string.Create(CultureInfo.InvariantCulture, $"{staged / orders.Length:N0} | {(linked - staged) / orders.Length:N0}");
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>The database's size in pages after a WAL checkpoint, so pages still in the log are counted.</summary>
    private static long Bytes(string directory)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(directory, "linkage.db")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE); SELECT (SELECT page_count FROM pragma_page_count()) * (SELECT page_size FROM pragma_page_size());";
        using var reader = command.ExecuteReader();
        reader.NextResult();
        reader.Read();
        return reader.GetInt64(0);
    }
}
