using System.Globalization;
using Linkage.Engine;
using Linkage.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Linkage.Benchmarks;

/// <summary>
/// The floor for grouped fills on SQLite: the rows the store writes for a linked fill (its fill key, the order's new
/// ledger and version, the link), written by three prepared Microsoft.Data.Sqlite statements with parameters set by
/// position, a group per transaction, on a file opened with the store's own settings (WAL, synchronous=NORMAL, the
/// default page cache and checkpoint interval of <see cref="SqliteStoreOptions"/>). No engine, no conflict
/// handling beyond the version check in the update, no read: what the same rows cost with nothing else around them.
/// </summary>
internal sealed class BareSqliteFills : IDisposable
{
    private const string InsertFill =
        "INSERT INTO fill_keys (exchange_order_id, source, fill_key, trade_type, size, price, commission, product_id, side, trade_id, trade_time, client_order_id, recorded_at) "
        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) ON CONFLICT DO NOTHING";

    private const string UpdateOrder =
        "UPDATE order_metadata_staging SET rest_quantity = $1, rest_value = $2, linked_quantity = $3, linked_value = $4, link_count = $5, version = $6 "
        + "WHERE client_order_id = $7 AND version = $8";

    private const string InsertLink =
        "INSERT INTO trade_strategy_link (client_order_id, sequence_no, exchange_order_id, kind, snapshot_id, product_id, side, from_quantity, to_quantity, price, fee, provenance, source_key, buy_score, sell_score, trigger_type, linked_at) "
        + "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17) ON CONFLICT DO NOTHING";

    private readonly SqliteConnection _connection;
    private readonly SqliteCommand _fill;
    private readonly SqliteCommand _order;
    private readonly SqliteCommand _link;
    private readonly Dictionary<string, Ledger> _orders = new(StringComparer.Ordinal);

    /// <summary>Opens the store's file at <paramref name="path"/> (already staged) with the store's WAL settings.</summary>
    public BareSqliteFills(string path, IEnumerable<OrderRecord> staged)
    {
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        _connection.Open();
        var defaults = new SqliteStoreOptions { Path = path };
        string[] pragmas =
        [
            "PRAGMA journal_mode = WAL", "PRAGMA synchronous = NORMAL", $"PRAGMA cache_size = {-1024L * defaults.CacheMegabytes}",
            $"PRAGMA wal_autocheckpoint = {defaults.CheckpointPages}",
        ];
        foreach (var pragma in pragmas)
        {
            using var command = _connection.CreateCommand();
            command.CommandText = pragma;
            command.ExecuteNonQuery();
        }
        foreach (var order in staged)
        {
            _orders[order.ExchangeOrderId!.Value.Value] = new(order, order.Rest.Quantity, order.Rest.Value, order.LinkCount, order.Version);
        }
        _fill = Prepare(InsertFill, 13);
        _order = Prepare(UpdateOrder, 8);
        _link = Prepare(InsertLink, 17);
    }

    /// <summary>Writes the rows of each fill (each linked to the staged order of its exchange order id) in one transaction.</summary>
    public int Write(IReadOnlyList<TradeFillReceived> fills)
    {
        using var transaction = _connection.BeginTransaction(deferred: false);
        _fill.Transaction = _order.Transaction = _link.Transaction = transaction;
        var written = 0;
        foreach (var (at, fill) in fills.Select(f => (f.At.UtcTicks, f.Fill)))
        {
            var before = _orders[fill.Key.Order.Value];
            var order = before.Order;
            var clientId = order.ClientOrderId.Value;
            var after = before with
            {
                Quantity = before.Quantity + fill.Size,
                Value = before.Value + (fill.Size * fill.Price),
                Links = before.Links + 1,
                Version = before.Version + 1,
            };
            Run(_fill, fill.Key.Order.Value, (long)fill.Key.Source, fill.Key.Key, "FILL", Text(fill.Size), Text(fill.Price), Text(fill.Commission),
                fill.Product?.Value, "BUY", fill.TradeId, null, clientId, at);
            written += Run(_order, Text(after.Quantity), Text(after.Value), Text(after.Quantity), Text(after.Value), (long)after.Links, after.Version,
                clientId, before.Version);
            Run(_link, clientId, (long)after.Links, fill.Key.Order.Value, "Entry", order.Intent.Snapshot?.Value, order.Intent.Product.Value, "Buy",
                Text(before.Quantity), Text(after.Quantity), Text(fill.Price), Text(0m), "ExchangeOrderId", fill.Key.Key, null, null, null, at);
            _orders[fill.Key.Order.Value] = after;
        }
        transaction.Commit();
        return written;
    }

    public void Dispose()
    {
        _fill.Dispose();
        _order.Dispose();
        _link.Dispose();
        _connection.Dispose();
    }

    /// <summary>What the floor keeps of an order: its REST ledger (which is also what it links), link count and version.</summary>
    private sealed record Ledger(OrderRecord Order, decimal Quantity, decimal Value, int Links, long Version);

    private static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static int Run(SqliteCommand command, params object?[] values)
    {
        for (var i = 0; i < values.Length; i++)
        {
            command.Parameters[i].Value = values[i] ?? DBNull.Value;
        }
        return command.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, int parameters)
    {
        var command = _connection.CreateCommand();
        command.CommandText = sql;
        for (var i = 1; i <= parameters; i++)
        {
            command.Parameters.Add(new SqliteParameter("$" + i.ToString(CultureInfo.InvariantCulture), null));
        }
        command.Prepare();
        return command;
    }
}
