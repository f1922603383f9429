using System.Collections.Immutable;
using BenchmarkDotNet.Attributes;
using Linkage.Sim.Legacy;
using Linkage.Host;
using Linkage.Engine;
using Linkage.Stores.Sql;
using Linkage.Testing;
using Microsoft.Data.Sqlite;

namespace Linkage.Benchmarks;

/// <summary>
/// Fill processing end to end (parse excluded; decide and store apply included): one trade-level fill at a time through
/// the engine over each store, and in group commits on the SQL stores (SQLite in WAL with synchronous=NORMAL;
/// PostgreSQL on one loopback connection), against the old product-keyed design (<see cref="LegacyCorrelator"/>) as
/// the baseline, a bare dictionary ledger as the floor in memory and bare prepared statements writing the same rows as
/// the floor on SQLite. Every number is per fill, and every fill has a fresh trade id. Two spreads: by default each fill
/// goes to the next staged order (round robin: every fill of a group touches another order, the worst case for a
/// database's page locality); the <c>Clustered</c> cases send the 256 fills of a group to 16 orders, 16 trades each, as
/// a burst of market orders sweeping a few price levels arrives. Each benchmark stages only the store it measures.
/// </summary>
[MemoryDiagnoser]
public class FillBenchmarks
{
    /// <summary>Fills per measured invocation, and the group-commit size of the grouped benchmarks.</summary>
    private const int Batch = 256;

    /// <summary>Trades per order in a group of the <c>Clustered</c> cases.</summary>
    private const int Cluster = 16;

    private readonly string _directory = Directory.CreateTempSubdirectory("linkage-bench-").FullName;
    private Workload.Staged[] _orders = [];
    private long _sequence;
    private long _cursor;
    private LegacyCorrelator _legacy = null!;
    private ILinkageStore? _store;
    private EngineCorrelator _engine = null!;
    private string? _postgres;
    private Dictionary<string, decimal> _ledger = [];
    private HashSet<FillKey> _seen = [];
    private BareSqliteFills? _bareSqlite;

    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    public static IEnumerable<int> Sizes() => Workload.Sizes(1_000, 100_000);

    [GlobalSetup(Target = nameof(Legacy))]
    public void SetupLegacy()
    {
        _orders = Workload.Orders(Size);
        _legacy = new LegacyCorrelator();
        foreach (var order in _orders.Take(Batch))
        {
            _legacy.Process(new IntentReceived(order.Intent.DecidedAt, order.Intent));
        }
    }

    [GlobalSetup(Target = nameof(BareDictionary))]
    public void SetupDictionary()
    {
        _orders = Workload.Orders(Size);
        _ledger = _orders.ToDictionary(o => o.ExchangeOrderId.Value!, _ => 0m, StringComparer.Ordinal);
        _seen = [];
    }

    [GlobalSetup(Target = nameof(EngineMemory))]
    public void SetupMemory()
    {
        _orders = Workload.Orders(Size);
        Use(Staging.Memory(_orders));
    }

    [GlobalSetup(Targets = [nameof(EngineSqlite), nameof(EngineSqliteGrouped), nameof(EngineSqliteClustered)])]
    public void SetupSqlite()
    {
        _orders = Workload.Orders(Size);
        Use(Staging.Sqlite(_directory, Size));
    }

    [GlobalSetup(Targets = [nameof(BareSqliteGrouped), nameof(BareSqliteClustered)])]
    public void SetupBareSqlite()
    {
        _orders = Workload.Orders(Size);
        ImmutableArray<OrderRecord> staged;
        using (var store = Staging.Sqlite(_directory, Size))
        {
            staged = store.Orders();
        }
        SqliteConnection.ClearAllPools();
        _bareSqlite = new BareSqliteFills(Path.Combine(_directory, "linkage.db"), staged);
    }

    [GlobalSetup(Targets = [nameof(EnginePostgres), nameof(EnginePostgresGrouped), nameof(EnginePostgresClustered)])]
    public void SetupPostgres()
    {
        _orders = Workload.Orders(Size);
        _postgres = Staging.Postgres(Size);
        Use(Staging.OpenPostgres(_postgres));
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _store?.Dispose();
        _bareSqlite?.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
        if (_postgres is not null)
        {
            PostgresProvider.DropDatabase(_postgres);
        }
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Batch)]
    public int Legacy() => OneAtATime(_legacy);

    /// <summary>The floor: what a fill costs with no engine at all (dedupe by key, add to the order's filled size).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int BareDictionary()
    {
        var linked = 0;
        foreach (var fill in NextFills())
        {
            if (_seen.Add(fill.Fill.Key))
            {
                var order = fill.Fill.Key.Order.Value!;
                _ledger[order] = _ledger[order] + fill.Fill.Size;
                linked++;
            }
        }
        return linked;
    }

    [Benchmark(OperationsPerInvoke = Batch)]
    public int EngineMemory() => OneAtATime(_engine);

    [Benchmark(OperationsPerInvoke = Batch)]
    public int EngineSqlite() => OneAtATime(_engine);

    /// <summary>Decides the group as one burst (one read-cache check), then writes all of it in one transaction.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int EngineSqliteGrouped() => Grouped(NextFills(1));

    /// <summary><see cref="EngineSqliteGrouped"/> with the group's fills on 16 orders.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int EngineSqliteClustered() => Grouped(NextFills(Cluster));

    /// <summary>The floor of the grouped SQLite case: the same rows per fill, by bare prepared statements, no engine (<see cref="BareSqliteFills"/>).</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int BareSqliteGrouped() => _bareSqlite!.Write(NextFills(1));

    /// <summary><see cref="BareSqliteGrouped"/> with the group's fills on 16 orders.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int BareSqliteClustered() => _bareSqlite!.Write(NextFills(Cluster));

    [Benchmark(OperationsPerInvoke = Batch)]
    public int EnginePostgres() => OneAtATime(_engine);

    /// <summary>Decides the group as one burst (its reads in one round trip), then writes all of it in one transaction.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int EnginePostgresGrouped() => Grouped(NextFills(1));

    /// <summary><see cref="EnginePostgresGrouped"/> with the group's fills on 16 orders.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int EnginePostgresClustered() => Grouped(NextFills(Cluster));

    private void Use(ILinkageStore store)
    {
        _store = store;
        _engine = new EngineCorrelator(store);
    }

    /// <summary>
    /// Decides the fills as one burst (<see cref="LinkageEngine.DecideMany"/> over one read set, <see cref="SqlLinkageStore.Read(ReadSetKeys)"/>:
    /// fills of one order chain their versions) and applies it in one group commit.
    /// </summary>
    private int Grouped(TradeFillReceived[] fills)
    {
        var store = (SqlLinkageStore)_store!;
        var applied = 0;
        foreach (var result in store.ApplyMany(LinkageEngine.ReadAndDecideMany(store, fills)))
        {
            Workload.Require(result, "a grouped fill");
            applied++;
        }
        return applied;
    }

    private int OneAtATime(ICorrelator correlator)
    {
        var applied = 0;
        foreach (var fill in NextFills())
        {
            var result = correlator.Process(fill);
            applied += result.Succeeded ? 1 : throw new InvalidOperationException($"{correlator.Design} failed a fill: {result.Detail}");
        }
        return applied;
    }

    /// <summary>
    /// The next <see cref="Batch"/> fills (<see cref="NextFills(int)"/> with one trade per order: consecutive staged orders).
    /// </summary>
    private TradeFillReceived[] NextFills() => NextFills(1);

    /// <summary>The next <see cref="Batch"/> fills, <paramref name="tradesPerOrder"/> in a row for each of the next staged orders.</summary>
    private TradeFillReceived[] NextFills(int tradesPerOrder)
    {
        var fills = new TradeFillReceived[Batch];
        for (var i = 0; i < Batch; i++)
        {
            fills[i] = Workload.Fill(_orders[(_cursor + (i / tradesPerOrder)) % _orders.Length], _sequence++);
        }
        _cursor = (_cursor + (Batch / tradesPerOrder)) % _orders.Length;
        return fills;
    }
}
