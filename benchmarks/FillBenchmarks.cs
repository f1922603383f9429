using BenchmarkDotNet.Attributes;
using Linkage.Engine;
using Linkage.Stores.Sql;
using Linkage.Testing;
using Microsoft.Data.Sqlite;

namespace Linkage.Benchmarks;

/// <summary>
/// Fill processing end to end (parse excluded; decide and store apply included): one trade-level fill at a time through
/// the engine over each store, and in group commits on the SQL stores (SQLite in WAL with synchronous=NORMAL;
/// PostgreSQL on one loopback connection), against the old product-keyed design (<see cref="LegacyCorrelator"/>) as
/// the baseline and a bare dictionary ledger as the floor. Every number is per fill. Each fill goes to another staged
/// order (round robin), with a fresh trade id. Each benchmark stages only the store it measures.
/// </summary>
[MemoryDiagnoser]
public class FillBenchmarks
{
    /// <summary>Fills per measured invocation, and the group-commit size of the grouped benchmarks.</summary>
    private const int Batch = 256;

    private readonly string _directory = Directory.CreateTempSubdirectory("linkage-bench-").FullName;
    private Workload.Staged[] _orders = [];
    private long _sequence;
    private LegacyCorrelator _legacy = null!;
    private ILinkageStore? _store;
    private EngineCorrelator _engine = null!;
    private string? _postgres;
    private Dictionary<string, decimal> _ledger = [];
    private HashSet<FillKey> _seen = [];

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

    [GlobalSetup(Targets = [nameof(EngineSqlite), nameof(EngineSqliteGrouped)])]
    public void SetupSqlite()
    {
        _orders = Workload.Orders(Size);
        Use(Staging.Sqlite(_directory, Size));
    }

    [GlobalSetup(Targets = [nameof(EnginePostgres), nameof(EnginePostgresGrouped)])]
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
    public int EngineSqliteGrouped() => Grouped();

    [Benchmark(OperationsPerInvoke = Batch)]
    public int EnginePostgres() => OneAtATime(_engine);

    /// <summary>Decides the group as one burst (its reads in one round trip), then writes all of it in one transaction.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int EnginePostgresGrouped() => Grouped();

    private void Use(ILinkageStore store)
    {
        _store = store;
        _engine = new EngineCorrelator(store);
    }

    private int Grouped()
    {
        var store = (SqlLinkageStore)_store!;
        var applied = 0;

        // A group must not touch an order twice (both fills would be decided from the same version), which only the
        // tiny --quick size can cause.
        foreach (var group in NextFills().Chunk(_orders.Length))
        {
            foreach (var result in store.ApplyMany(LinkageEngine.DecideMany(store.ReadAhead(group), group)))
            {
                Workload.Require(result, "a grouped fill");
                applied++;
            }
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

    /// <summary>The next <see cref="Batch"/> fills: consecutive staged orders, so one group never touches an order twice.</summary>
    private TradeFillReceived[] NextFills()
    {
        var fills = new TradeFillReceived[Batch];
        for (var i = 0; i < Batch; i++)
        {
            var sequence = _sequence++;
            fills[i] = Workload.Fill(_orders[sequence % _orders.Length], sequence);
        }
        return fills;
    }
}
