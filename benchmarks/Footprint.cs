using System.Globalization;
using Linkage.Engine;
using Linkage.Stores.Postgres;
using Linkage.Stores.Sql;
using Linkage.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Linkage.Benchmarks;

/// <summary>
/// <c>--footprint</c>: bytes per staged intent and per link in the memory store (managed heap delta after a full GC),
/// in SQLite (<c>page_count * page_size</c> after a WAL checkpoint) and in PostgreSQL (<c>pg_total_relation_size</c>
/// summed over the store's tables: heap, indexes and TOAST), printed as a Markdown table. A size, not a time, so it runs
/// outside BenchmarkDotNet. Stores are staged with <see cref="Staging"/>; "per link" is the growth from one fill per
/// order (the fill row, the link row and the order's updated ledger; in PostgreSQL the updated rows' old versions too,
/// until a vacuum reuses them).
/// </summary>
internal static class Footprint
{
    public static void Print(IEnumerable<int> sizes, bool postgres)
    {
        Console.WriteLine("| Intents | Memory B/intent | Memory B/link | SQLite B/intent | SQLite B/link | PostgreSQL B/intent | PostgreSQL B/link |");
        Console.WriteLine("|--------:|----------------:|--------------:|----------------:|--------------:|--------------------:|------------------:|");
        foreach (var size in sizes)
        {
            Print(size, postgres);
        }
    }

    private static void Print(int size, bool postgres)
    {
        var orders = Workload.Orders(size);
        var directory = Directory.CreateTempSubdirectory("linkage-footprint-").FullName;
        var database = postgres ? Staging.Postgres(size) : null;
        try
        {
            var heap = GC.GetTotalMemory(forceFullCollection: true);
            using var memory = Staging.Memory(orders);
            var memoryStaged = GC.GetTotalMemory(forceFullCollection: true) - heap;
            using var sqlite = Staging.Sqlite(directory, size);
            using var pg = database is null ? null : Staging.OpenPostgres(database);
            SqlLinkageStore[] sql = pg is null ? [sqlite] : [sqlite, pg];
            var sqliteStaged = SqliteBytes(directory);
            var pgStaged = database is null ? 0 : PostgresBytes(database);

            heap = GC.GetTotalMemory(forceFullCollection: true);
            Staging.Apply(orders.Select((order, i) => (EngineInput)Workload.Fill(order, i)), memory, sql);
            var memoryLinked = GC.GetTotalMemory(forceFullCollection: true) - heap;
            var sqliteLinked = SqliteBytes(directory) - sqliteStaged;
            var pgLinked = database is null ? 0 : PostgresBytes(database) - pgStaged;
            GC.KeepAlive(memory);
            var pgColumns = database is null ? "not run | not run" : string.Create(CultureInfo.InvariantCulture, $"{pgStaged / size:N0} | {pgLinked / size:N0}");
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {size:N0} | {memoryStaged / size:N0} | {memoryLinked / size:N0} | {sqliteStaged / size:N0} | {sqliteLinked / size:N0} | {pgColumns} |"));
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

    /// <summary>The database's size in pages after a WAL checkpoint, so pages still in the log are counted.</summary>
    private static long SqliteBytes(string directory)
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

    /// <summary>Every table of the store's schema with its indexes and TOAST (the migrations' bookkeeping table included).</summary>
    private static long PostgresBytes(string database)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(database) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(
            "SELECT sum(pg_total_relation_size(c.oid))::bigint FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = @schema AND c.relkind = 'r'",
            connection);
        command.Parameters.AddWithValue("schema", PostgresStoreOptions.DefaultSchema);
        return (long)command.ExecuteScalar()!;
    }
}
