using BenchmarkDotNet.Attributes;
using Linkage.Engine;
using Linkage.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Linkage.Benchmarks;

/// <summary>
/// Fill processing end to end (parse excluded; decide and store apply included): one trade-level fill at a time through
/// the engine over each store, and in group commits on SQLite (WAL, synchronous=NORMAL), against the old product-keyed
/// design (<see cref="LegacyCorrelator"/>) as the baseline and a bare dictionary ledger as the floor. Every number is
/// per fill. Each fill goes to another staged order (round robin), with a fresh trade id.
/// </summary>
[MemoryDiagnoser]
public class FillBenchmarks
{
    /// <summary>Fills per measured invocation, and the group-commit size of the batched benchmark.</summary>
    private const int Batch = 256;

    private readonly string _directory = Directory.CreateTempSubdirectory("linkage-bench-").FullName;
    private Workload.Staged[] _orders = [];
    private long _sequence;
    private LegacyCorrelator _legacy = null!;
    private EngineCorrelator _memory = null!;
    private EngineCorrelator _sqlite = null!;
    private SqliteStore _sqliteStore = null!;
    private Dictionary<string, decimal> _ledger = [];
    private HashSet<FillKey> _seen = [];

    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    public static IEnumerable<int> Sizes() => Workload.Sizes(1_000, 100_000);

    [GlobalSetup]
    public void GlobalSetup()
    {
        _orders = Workload.Orders(Size);
        _legacy = new LegacyCorrelator();
        foreach (var order in _orders.Take(Batch))
        {
            _legacy.Process(new IntentReceived(order.Intent.DecidedAt, order.Intent));
        }
        var memory = new MemoryStore();
        Workload.Stage(memory, _orders);
        _memory = new EngineCorrelator(memory);
        _sqliteStore = Workload.OpenSqlite(_directory, SqliteDurability.Normal);
        Workload.Stage(_sqliteStore, _orders);
        _sqlite = new EngineCorrelator(_sqliteStore);
        _ledger = _orders.ToDictionary(o => o.ExchangeOrderId.Value!, _ => 0m, StringComparer.Ordinal);
        _seen = [];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _memory.Store.Dispose();
        _sqliteStore.Dispose();
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
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
    public int EngineMemory() => OneAtATime(_memory);

    [Benchmark(OperationsPerInvoke = Batch)]
    public int EngineSqlite() => OneAtATime(_sqlite);

    /// <summary>Decides each fill against committed state, then writes all of them in one transaction.</summary>
    [Benchmark(OperationsPerInvoke = Batch)]
    public int EngineSqliteGrouped()
    {
        var applied = 0;

        // A group must not touch an order twice (both fills would be decided from the same version), which only the
        // tiny --quick size can cause.
        foreach (var group in NextFills().Chunk(_orders.Length))
        {
            var results = _sqliteStore.ApplyMany([.. group.Select(fill => LinkageEngine.Decide(_sqliteStore, fill))]);
            applied += results.All(r => r.Status == ApplyStatus.Applied)
                ? results.Length
                : throw new InvalidOperationException($"a grouped fill conflicted: {results.First(r => r.Status != ApplyStatus.Applied).Detail}");
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
