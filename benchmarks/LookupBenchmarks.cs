using System.Data.Common;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Linkage.Engine;
using Linkage.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Linkage.Benchmarks;

/// <summary>
/// The two lookups of the store port, in random order over the staged intents, each against its bare baseline in the
/// same run: one category per lookup, so BDN reports the store's cost as a ratio of the baseline's.
/// </summary>
public abstract class LookupBenchmarks
{
    /// <summary>Lookups per measured invocation, so timer overhead is negligible next to a memory lookup.</summary>
    protected const int Batch = 1024;

    private Workload.Staged[] _probes = [];

    protected ILinkageStore Store { get; private set; } = null!;

    protected string Directory { get; } = System.IO.Directory.CreateTempSubdirectory("linkage-bench-").FullName;

    /// <summary>The probe order: every staged order, shuffled with the fixed seed, cycled through.</summary>
    protected ReadOnlySpan<Workload.Staged> Probes => _probes;

    /// <summary>The store under test, holding <paramref name="orders"/> staged and acknowledged.</summary>
    protected abstract ILinkageStore OpenStaged(Workload.Staged[] orders);

    protected abstract void OpenBaseline();

    protected abstract void CloseBaseline();

    protected void Setup(int size)
    {
        var orders = Workload.Orders(size);
        Store = OpenStaged(orders);
        OpenBaseline();
        var shuffle = new Random(Workload.Seed);
        _probes = [.. Enumerable.Range(0, Batch).Select(_ => orders[shuffle.Next(orders.Length)])];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        CloseBaseline();
        Store.Dispose();
        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(Directory, recursive: true);
        DropStaged();
    }

    /// <summary>Removes what <see cref="OpenStaged"/> made outside <see cref="Directory"/>.</summary>
    protected virtual void DropStaged()
    {
    }

    [Benchmark(OperationsPerInvoke = Batch), BenchmarkCategory("client-order-id")]
    public int StoreByClientOrderId()
    {
        var found = 0;
        foreach (var probe in Probes)
        {
            found += Store.FindByClientOrderId(probe.ClientOrderId) is null ? 0 : 1;
        }
        return Found(found);
    }

    [Benchmark(OperationsPerInvoke = Batch), BenchmarkCategory("exchange-order-id")]
    public int StoreByExchangeOrderId()
    {
        var found = 0;
        foreach (var probe in Probes)
        {
            found += Store.FindByExchangeOrderId(probe.ExchangeOrderId) is null ? 0 : 1;
        }
        return Found(found);
    }

    /// <summary>Every probe is staged, so a miss means the benchmark measured the wrong thing: fail loudly.</summary>
    protected static int Found(int found) =>
        found == Batch ? found : throw new InvalidOperationException($"only {found} of {Batch} staged orders were found");
}

/// <summary>The memory store against a bare <see cref="Dictionary{TKey, TValue}"/> of the same records.</summary>
[MemoryDiagnoser, GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
public class MemoryLookupBenchmarks : LookupBenchmarks
{
    private Dictionary<string, OrderRecord> _byClientId = [];
    private Dictionary<string, OrderRecord> _byExchangeId = [];

    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    public static IEnumerable<int> Sizes() => Workload.Sizes(1_000, 100_000, 1_000_000, 10_000_000);

    [GlobalSetup]
    public void GlobalSetup() => Setup(Size);

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch), BenchmarkCategory("client-order-id")]
    public int DictionaryByClientOrderId()
    {
        var found = 0;
        foreach (var probe in Probes)
        {
            found += _byClientId.TryGetValue(probe.ClientOrderId.Value!, out _) ? 1 : 0;
        }
        return Found(found);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch), BenchmarkCategory("exchange-order-id")]
    public int DictionaryByExchangeOrderId()
    {
        var found = 0;
        foreach (var probe in Probes)
        {
            found += _byExchangeId.TryGetValue(probe.ExchangeOrderId.Value!, out _) ? 1 : 0;
        }
        return Found(found);
    }

    protected override ILinkageStore OpenStaged(Workload.Staged[] orders) => Staging.Memory(orders);

    protected override void OpenBaseline()
    {
        var records = Store.Orders();
        _byClientId = records.ToDictionary(r => r.ClientOrderId.Value!, StringComparer.Ordinal);
        _byExchangeId = records.ToDictionary(r => r.ExchangeOrderId!.Value.Value!, StringComparer.Ordinal);
    }

    protected override void CloseBaseline()
    {
        _byClientId.Clear();
        _byExchangeId.Clear();
    }
}

/// <summary>
/// A SQL store against a bare prepared point query on the same database and table (<c>SELECT *</c> by the id), reading
/// every column of the row (what the store maps into an <see cref="OrderRecord"/>) without building the record.
/// </summary>
public abstract class SqlLookupBenchmarks : LookupBenchmarks
{
    private DbConnection? _connection;
    private DbCommand? _byClientId;
    private DbCommand? _byExchangeId;

    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    public static IEnumerable<int> Sizes() => Workload.Sizes(1_000, 100_000, 1_000_000);

    [GlobalSetup]
    public void GlobalSetup() => Setup(Size);

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch), BenchmarkCategory("client-order-id")]
    public int BareQueryByClientOrderId() => Query(_byClientId!, p => p.ClientOrderId.Value!);

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch), BenchmarkCategory("exchange-order-id")]
    public int BareQueryByExchangeOrderId() => Query(_byExchangeId!, p => p.ExchangeOrderId.Value!);

    /// <summary>A connection of the baseline's own to the store's database (not yet open).</summary>
    protected abstract DbConnection BaselineConnection();

    /// <summary>The point query by <paramref name="column"/>, its one text parameter declared, prepared.</summary>
    protected abstract DbCommand Prepare(DbConnection connection, string column);

    protected override void OpenBaseline()
    {
        _connection = BaselineConnection();
        _connection.Open();
        _byClientId = Prepare(_connection, "client_order_id");
        _byExchangeId = Prepare(_connection, "exchange_order_id");
    }

    protected override void CloseBaseline()
    {
        _byClientId?.Dispose();
        _byExchangeId?.Dispose();
        _connection?.Dispose();
    }

    private int Query(DbCommand command, Func<Workload.Staged, string> key)
    {
        var found = 0;
        foreach (var probe in Probes)
        {
            command.Parameters[0].Value = key(probe);
            using var reader = command.ExecuteReader();
            if (reader.Read())
            {
                for (var i = 0; i < reader.FieldCount; i++)
                {
                    _ = reader.GetValue(i);
                }
                found++;
            }
        }
        return Found(found);
    }
}

/// <summary>The SQLite store (WAL, synchronous=NORMAL) against a bare prepared Microsoft.Data.Sqlite query on the same file.</summary>
[MemoryDiagnoser, GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
public class SqliteLookupBenchmarks : SqlLookupBenchmarks
{
    protected override ILinkageStore OpenStaged(Workload.Staged[] orders) => Staging.Sqlite(Directory, orders.Length);

    protected override DbConnection BaselineConnection() => new SqliteConnection(new SqliteConnectionStringBuilder
    {
        DataSource = Path.Combine(Directory, "linkage.db"),
        Mode = SqliteOpenMode.ReadOnly,
        Pooling = false,
    }.ConnectionString);

    protected override DbCommand Prepare(DbConnection connection, string column)
    {
        var command = ((SqliteConnection)connection).CreateCommand();
        command.CommandText = $"SELECT * FROM order_metadata_staging WHERE {column} = $id";
        command.Parameters.Add("$id", SqliteType.Text);
        command.Prepare();
        return command;
    }
}

/// <summary>The PostgreSQL store (one loopback connection) against a bare prepared Npgsql query on the same database.</summary>
[MemoryDiagnoser, GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory, BenchmarkLogicalGroupRule.ByParams)]
public class PostgresLookupBenchmarks : SqlLookupBenchmarks
{
    private string _database = "";

    protected override ILinkageStore OpenStaged(Workload.Staged[] orders)
    {
        _database = Staging.Postgres(orders.Length);
        return Staging.OpenPostgres(_database);
    }

    protected override DbConnection BaselineConnection() =>
        new NpgsqlConnection(new NpgsqlConnectionStringBuilder(Staging.InStoreSchema(_database)) { Pooling = false }.ConnectionString);

    protected override DbCommand Prepare(DbConnection connection, string column)
    {
        var command = new NpgsqlCommand($"SELECT * FROM order_metadata_staging WHERE {column} = $1", (NpgsqlConnection)connection);
        command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
        command.Prepare();
        return command;
    }

    protected override void DropStaged() => PostgresProvider.DropDatabase(_database);
}
