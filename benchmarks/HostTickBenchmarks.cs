using System.Collections.Immutable;
using System.Data.Common;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using Linkage.Engine;
using Linkage.Host;
using Linkage.Stores.Sqlite;
using Linkage.Testing;
using Microsoft.Data.Sqlite;
using Npgsql;

namespace Linkage.Benchmarks;

/// <summary>
/// What the host's periodic work costs as history grows: a host tick (store retries, retention, heartbeat silence,
/// parked fills) and the ledger reads a reconciliation starts with (orders in flight, orders terminal in the last hour,
/// parked order ids), over a store holding <see cref="Terminal"/> settled, purged orders and one order in flight.
/// Order rows are never deleted, so a read that scanned them would slow forever; the baseline is the same work over a
/// store with no history (Terminal = 0), in the same run. Goal: within 2x at 1,000,000.
/// </summary>
[MemoryDiagnoser, GroupBenchmarksBy(BenchmarkLogicalGroupRule.ByCategory)]
public abstract class HostTickBenchmarks
{
    private static readonly DateTimeOffset T0 = new(2025, 12, 29, 21, 0, 0, TimeSpan.Zero);

    private ILinkageStore _store = null!;
    private WebhookHost _host = null!;
    private StoreLedger _ledger = null!;
    private long _tick;
    private DateTimeOffset _now;

    [ParamsSource(nameof(Sizes))]
    public int Terminal { get; set; }

    public static IEnumerable<int> Sizes() => [0, .. Workload.Sizes(1_000_000)];

    [GlobalSetup]
    public void GlobalSetup()
    {
        _store = Open();
        // One order in flight, and the template of the history: an order filled, linked and purged long ago.
        var template = Workload.Orders(2);
        Workload.Stage(_store, template);
        var filled = template[0];
        var correlator = new EngineCorrelator(_store);
        var size = filled.Intent.Size ?? 1m;
        var price = filled.Intent.Price ?? 1m;
        Require(correlator.Process(new OrderUpdate(T0, new OrderState
        {
            ExchangeOrderId = filled.ExchangeOrderId, ClientOrderId = filled.ClientOrderId, Product = filled.Intent.Product,
            Side = filled.Intent.Side, Status = OrderStatus.Filled, CumulativeQuantity = size, LeavesQuantity = 0m,
            AveragePrice = price, FilledValue = size * price, TotalFees = 0.01m, NumberOfFills = 1,
        }, OrderStateSource.FeedUpdate)));
        Require(correlator.Process(new Tick(T0.AddDays(2))));
        if (Terminal > 0)
        {
            Clone(filled.ClientOrderId.Value, Terminal);
        }
        _ledger = new StoreLedger(_store);
        _host = new WebhookHost(correlator, _ledger, HostOptions.Default);
        _now = T0.AddDays(3);
        _tick = NextTick(_host.Start(_now, DateTimeOffset.MaxValue, reconcile: false));
        var inFlight = _ledger.InFlight().Count;
        if (inFlight != 1)
        {
            throw new InvalidOperationException($"staging went wrong: {inFlight} orders in flight, expected 1");
        }
    }

    [GlobalCleanup]
    public void GlobalCleanup()
    {
        _store.Dispose();
        Drop();
    }

    /// <summary>One tick of the host (the timer it set fires); the next tick's timer is kept for the next call.</summary>
    [Benchmark, BenchmarkCategory("tick")]
    public int HostTick()
    {
        _now += HostOptions.Default.TickInterval;
        var commands = _host.TimerFired(_now, _tick);
        _tick = NextTick(commands);
        return commands.Length;
    }

    /// <summary>What a reconciliation reads before it asks the exchange anything.</summary>
    [Benchmark, BenchmarkCategory("ledger")]
    public int ReconciliationReads() =>
        _ledger.InFlight().Count + _ledger.Terminal(_now - HostOptions.Default.RecheckTerminalWithin).Count + _ledger.ParkedOrders().Count;

    protected abstract ILinkageStore Open();

    /// <summary>Copies the template row <paramref name="count"/> times with fresh ids, in one statement.</summary>
    protected abstract void Clone(string template, int count);

    protected virtual void Drop()
    {
    }

    /// <summary>The statement that copies the template: every column as it is, but the two ids (numbered by <c>n</c>).</summary>
    protected static string CloneSelect(IEnumerable<string> columns, string template, string quote) =>
        string.Join(", ", columns.Select(c => c switch
        {
            "client_order_id" => $"'lk-h' || n {quote}",
            "exchange_order_id" => $"'x-h' || n {quote}",
            _ => c,
        })) + $" FROM order_metadata_staging, series WHERE client_order_id = '{template}'";

    private static long NextTick(ImmutableArray<HostCommand> commands) =>
        commands.OfType<SetTimer>().LastOrDefault()?.TimerId ?? throw new InvalidOperationException("the host set no tick");

    private static void Require(ProcessResult result)
    {
        if (!result.Succeeded || result.Batch?.Decisions.OfType<InputRejected>().Any() == true)
        {
            throw new InvalidOperationException($"staging input refused: {result.Detail} {result.Batch?.Decisions.FirstOrDefault()}");
        }
    }
}

/// <summary>The host's tick and reconciliation reads over a SQLite store with a growing history.</summary>
public class SqliteHostTickBenchmarks : HostTickBenchmarks
{
    private string _directory = "";

    protected override ILinkageStore Open()
    {
        _directory = Directory.CreateTempSubdirectory("linkage-tick-").FullName;
        return Workload.OpenSqlite(_directory, SqliteDurability.Normal);
    }

    protected override void Clone(string template, int count)
    {
        using var connection = new SqliteConnection($"Data Source={Path.Combine(_directory, "linkage.db")};Pooling=False");
        connection.Open();
        var columns = Columns(connection, "SELECT name FROM pragma_table_info('order_metadata_staging') ORDER BY cid");
        using var command = connection.CreateCommand();
        command.CommandText = $"WITH RECURSIVE series(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM series WHERE n < {count}) "
            + $"INSERT INTO order_metadata_staging ({string.Join(", ", columns)}) SELECT {CloneSelect(columns, template, "")}";
        command.CommandTimeout = 0;
        command.ExecuteNonQuery();
    }

    protected override void Drop() => Directory.Delete(_directory, recursive: true);

    internal static List<string> Columns(DbConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        using var reader = command.ExecuteReader();
        var columns = new List<string>();
        while (reader.Read())
        {
            columns.Add(reader.GetString(0));
        }
        return columns;
    }
}

/// <summary>The host's tick and reconciliation reads over a PostgreSQL store with a growing history.</summary>
public class PostgresHostTickBenchmarks : HostTickBenchmarks
{
    private string _database = "";

    protected override ILinkageStore Open()
    {
        _database = PostgresProvider.CreateDatabase("tick");
        return Staging.OpenPostgres(_database);
    }

    protected override void Clone(string template, int count)
    {
        using var connection = new NpgsqlConnection(Staging.InStoreSchema(_database));
        connection.Open();
        var columns = SqliteHostTickBenchmarks.Columns(connection,
            "SELECT column_name FROM information_schema.columns WHERE table_name = 'order_metadata_staging' AND table_schema = current_schema() AND is_generated = 'NEVER' ORDER BY ordinal_position");
        using var command = connection.CreateCommand();
        command.CommandText = $"WITH series(n) AS (SELECT generate_series(1, {count})) "
            + $"INSERT INTO order_metadata_staging ({string.Join(", ", columns)}) SELECT {CloneSelect(columns, template, "")}; ANALYZE order_metadata_staging";
        command.CommandTimeout = 0;
        command.ExecuteNonQuery();
    }

    protected override void Drop() => PostgresProvider.DropDatabase(_database);
}
