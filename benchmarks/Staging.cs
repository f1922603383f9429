using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Linkage.Engine;
using Linkage.Stores.Postgres;
using Linkage.Stores.Sql;
using Linkage.Stores.Sqlite;
using Linkage.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Linkage.Benchmarks;

/// <summary>
/// Stores staged with <see cref="Workload.Orders"/>, fast enough for a million intents. The engine decides every input
/// against a <see cref="MemoryStore"/> (whose decisions for independent, distinct intents are the ones it would make
/// against any store), and the SQL store applies the same decision batches with <see cref="SqlLinkageStore.ApplyMany"/>
/// in groups of <see cref="BulkGroup"/>: the rows are exactly the ones the store itself writes, without the SQL reads of
/// deciding. <c>--quick</c> checks that claim (<see cref="VerifyBulkStaging"/>). A staged SQL database is cached: SQLite
/// as a file under <c>benchmarks/bin/staged/</c>, PostgreSQL as a template database on the server, both keyed by seed,
/// size and the build of the engine and store assemblies, so each benchmark case copies it instead of staging again.
/// </summary>
internal static class Staging
{
    /// <summary>Decision batches per group commit while bulk staging.</summary>
    private const int BulkGroup = 5_000;

    /// <summary>Stages every order into a new memory store through the engine; returns the store.</summary>
    public static MemoryStore Memory(IReadOnlyList<Workload.Staged> orders)
    {
        var clock = Stopwatch.StartNew();
        var store = new MemoryStore();
        Apply(Workload.StagingInputs(orders), store);
        Report("memory", orders.Count, clock);
        return store;
    }

    /// <summary>A SQLite store at <c>linkage.db</c> in <paramref name="directory"/>, holding the staged orders (from the cache when it has them).</summary>
    public static SqliteStore Sqlite(string directory, int size)
    {
        var cached = Path.Combine(CacheDirectory(), $"sqlite-{Key(typeof(SqliteStore), size)}.db");
        if (!File.Exists(cached))
        {
            var building = Directory.CreateTempSubdirectory("linkage-staging-").FullName;
            try
            {
                var clock = Stopwatch.StartNew();
                using (var store = Workload.OpenSqlite(building, SqliteDurability.Normal))
                {
                    Apply(Workload.StagingInputs(Workload.Orders(size)), memory: null, store);
                }
                Report("sqlite", size, clock);
                Checkpoint(Path.Combine(building, "linkage.db"));
                File.Move(Path.Combine(building, "linkage.db"), cached, overwrite: true);
            }
            finally
            {
                SqliteConnection.ClearAllPools();
                Directory.Delete(building, recursive: true);
            }
        }
        File.Copy(cached, Path.Combine(directory, "linkage.db"));
        return Workload.OpenSqlite(directory, SqliteDurability.Normal);
    }

    /// <summary>
    /// A new database holding the staged orders, copied from a template database on the server (made now if the server
    /// has none for this key); returns its connection string, limited to one connection.
    /// </summary>
    public static string Postgres(int size)
    {
        var admin = PostgresProvider.AdminConnectionString();
        var template = $"linkage_staged_{Key(typeof(PostgresStore), size)}";
        if (!Exists(admin, template))
        {
            var building = PostgresProvider.CreateDatabase("staging");
            var clock = Stopwatch.StartNew();
            using (var store = OpenPostgres(building))
            {
                Apply(Workload.StagingInputs(Workload.Orders(size)), memory: null, store);
            }
            Report("postgres", size, clock);
            NpgsqlConnection.ClearAllPools();
            Execute(admin, $"ALTER DATABASE {Database(building)} RENAME TO {template}");
        }
        return PostgresProvider.CreateDatabase("bench", template);
    }

    /// <summary>
    /// <paramref name="connectionString"/> with the benchmarks' stores' schema (the store's default) as its search path:
    /// for a bare baseline or bookkeeping SQL that names the store's tables unqualified.
    /// </summary>
    public static string InStoreSchema(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { SearchPath = PostgresStoreOptions.DefaultSchema }.ConnectionString;

    /// <summary>The PostgreSQL store of a benchmark: one connection (the goals are for one connection over loopback).</summary>
    public static PostgresStore OpenPostgres(string connectionString) =>
        PostgresStore.Open(new PostgresStoreOptions
        {
            ConnectionString = new NpgsqlConnectionStringBuilder(connectionString) { MaxPoolSize = 1 }.ConnectionString,
        });

    /// <summary>
    /// Bulk staging writes what the engine writes through the store itself: stages a few orders both ways into
    /// <paramref name="through"/> and <paramref name="bulk"/> (both empty) and throws unless every table's rows agree.
    /// </summary>
    public static void VerifyBulkStaging(SqlLinkageStore through, SqlLinkageStore bulk, int size)
    {
        var orders = Workload.Orders(size);
        Workload.Stage(through, orders);
        Apply(Workload.StagingInputs(orders), memory: null, bulk);
        string Rows(SqlLinkageStore s) => JsonSerializer.Serialize(new { Orders = s.Orders(), Fills = s.Fills(), Links = s.Links(), Parked = s.Parked() });
        var (expected, actual) = (Rows(through), Rows(bulk));
        if (expected != actual)
        {
            var at = expected.Zip(actual).TakeWhile(p => p.First == p.Second).Count();
            var from = Math.Max(0, at - 200);
            throw new InvalidOperationException(
                $"bulk staging on {bulk.Name} wrote other rows than staging through the engine, from character {at}: through the engine ...{expected[from..Math.Min(expected.Length, at + 80)]}... bulk ...{actual[from..Math.Min(actual.Length, at + 80)]}...");
        }
    }

    /// <summary>
    /// Decides every input against a memory store (<paramref name="memory"/>, or a scratch one) and applies each group of
    /// batches to it and to each of <paramref name="sql"/>, in one transaction per store. The inputs of one group must be
    /// independent (distinct orders), and every SQL store must hold what the memory store holds.
    /// </summary>
    public static void Apply(IEnumerable<EngineInput> inputs, MemoryStore? memory, params SqlLinkageStore[] sql)
    {
        using var scratch = memory is null ? new MemoryStore() : null;
        var decider = memory ?? scratch!;
        foreach (var chunk in inputs.Chunk(BulkGroup))
        {
            var batches = new DecisionBatch[chunk.Length];
            for (var i = 0; i < chunk.Length; i++)
            {
                batches[i] = LinkageEngine.ReadAndDecide(decider, chunk[i]);
                Workload.Require(decider.Apply(batches[i]), "staging");
            }
            foreach (var result in sql.SelectMany(store => store.ApplyMany(batches)))
            {
                Workload.Require(result, "bulk staging");
            }
        }
    }

    private static void Report(string store, int size, Stopwatch clock) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"// staged {size:N0} intents into {store} in {clock.Elapsed.TotalSeconds:N1} s"));

    /// <summary>What a cached database depends on: the seed, the size and the exact build of the engine and the store.</summary>
    private static string Key(Type store, int size)
    {
        var build = string.Concat(new[] { typeof(LinkageEngine), typeof(SqlLinkageStore), store }
            .Select(t => t.Assembly.ManifestModule.ModuleVersionId.ToString("N")[..8]));
        return string.Create(CultureInfo.InvariantCulture, $"{Workload.Seed}_{size}_{build}").ToLowerInvariant();
    }

    /// <summary><c>benchmarks/bin/staged</c> when run from the source tree (BDN's child processes included), else a temp folder.</summary>
    private static string CacheDirectory()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "Linkage.Benchmarks.csproj")))
        {
            folder = folder.Parent;
        }
        var cache = folder is null ? Path.Combine(Path.GetTempPath(), "linkage-bench-staged") : Path.Combine(folder.FullName, "bin", "staged");
        Directory.CreateDirectory(cache);
        return cache;
    }

    private static void Checkpoint(string path)
    {
        using var connection = new SqliteConnection($"Data Source={path};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "PRAGMA wal_checkpoint(TRUNCATE);";
        command.ExecuteNonQuery();
    }

    private static string Database(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString).Database!;

    private static bool Exists(string admin, string database)
    {
        using var connection = new NpgsqlConnection(admin);
        connection.Open();
        using var command = new NpgsqlCommand("SELECT count(*) FROM pg_database WHERE datname = $1", connection);
        command.Parameters.AddWithValue(database);
        return (long)command.ExecuteScalar()! > 0;
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        command.ExecuteNonQuery();
    }
}
