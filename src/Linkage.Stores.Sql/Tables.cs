using System.Collections.Immutable;
using Linkage.Engine;

namespace Linkage.Stores.Sql;

/// <summary>
/// The tables both SQL stores keep, with how each record becomes a row. Column names match the migrations of both
/// dialects (<c>Migrations/*.sql</c> in each store); the conformance suite fails if they drift. Enums are stored by name
/// (readable in SQL, and reordering an enum cannot change stored meaning), except the fill source, which is part of the
/// fill key and is ordered by its enum value as the port's <see cref="ILinkageStore.Fills"/> requires.
/// </summary>
internal static class Tables
{
    /// <summary>
    /// Bot orders keyed by client order id: the seed's <c>order_metadata_staging</c>, evolved to hold the whole
    /// <see cref="OrderRecord"/> (intent, binding, status, ledger, version).
    /// </summary>
    public static readonly Table<OrderRecord> Orders = new(
        "order_metadata_staging",
        ["client_order_id"],
        [
            Column<OrderRecord>.Of("client_order_id", ColumnKind.Text, r => r.ClientOrderId.Value),
            Column<OrderRecord>.Of("exchange_order_id", ColumnKind.Text, r => r.ExchangeOrderId?.Value),
            Column<OrderRecord>.Of("kind", ColumnKind.Text, r => r.Intent.Kind.ToString()),
            Column<OrderRecord>.Of("product_id", ColumnKind.Text, r => r.Intent.Product.Value),
            Column<OrderRecord>.Of("side", ColumnKind.Text, r => r.Intent.Side.ToString()),
            Column<OrderRecord>.Of("size", ColumnKind.Decimal, r => r.Intent.Size),
            Column<OrderRecord>.Of("price", ColumnKind.Decimal, r => r.Intent.Price),
            Column<OrderRecord>.Of("snapshot_id", ColumnKind.Text, r => r.Intent.Snapshot?.Value),
            Column<OrderRecord>.Of("buy_score", ColumnKind.Decimal, r => r.Intent.BuyScore),
            Column<OrderRecord>.Of("sell_score", ColumnKind.Decimal, r => r.Intent.SellScore),
            Column<OrderRecord>.Of("trigger_type", ColumnKind.Text, r => r.Intent.Trigger),
            Column<OrderRecord>.Of("indicators_json", ColumnKind.Text, r => r.Intent.IndicatorsJson),
            Column<OrderRecord>.Of("indicators_fired", ColumnKind.Integer, r => r.Intent.IndicatorsFired),
            Column<OrderRecord>.Of("closes", ColumnKind.Text, r => JoinCloses(r.Intent.Closes)),
            Column<OrderRecord>.Of("decided_at", ColumnKind.Time, r => r.Intent.DecidedAt),
            Column<OrderRecord>.Of("intent_client_order_id", ColumnKind.Text, r => r.Intent.ClientOrderId?.Value),

            // Whether the caller places the order itself (migration 0003 on SQLite, 0004 on PostgreSQL): a host that
            // restarts must still know never to send a create-order for it.
            Column<OrderRecord>.Of("placed_by_caller", ColumnKind.Flag, r => r.Intent.PlacedByCaller),

            // An entry's attached bracket and, on the child order the exchange created for it, the parent's client
            // order id (migration 0006 on SQLite, 0007 on PostgreSQL).
            Column<OrderRecord>.Of("take_profit_price", ColumnKind.Decimal, r => r.Intent.Bracket?.TakeProfit),
            Column<OrderRecord>.Of("stop_loss_price", ColumnKind.Decimal, r => r.Intent.Bracket?.StopLoss),
            Column<OrderRecord>.Of("bracket_of", ColumnKind.Text, r => r.Intent.BracketOf?.Value),
            Column<OrderRecord>.Of("staged_at", ColumnKind.Time, r => r.StagedAt),
            Column<OrderRecord>.Of("placement", ColumnKind.Text, r => r.Placement.ToString()),
            Column<OrderRecord>.Of("reject_reason", ColumnKind.Text, r => r.RejectReason),
            Column<OrderRecord>.Of("status", ColumnKind.Text, r => r.Status.ToString()),
            Column<OrderRecord>.Of("terminal_at", ColumnKind.Time, r => r.TerminalAt),
            .. Ledger("feed", r => r.Feed),
            .. Ledger("feed_linkable", r => r.FeedLinkable),
            .. Ledger("rest", r => r.Rest),
            .. Ledger("matches", r => r.Matches),
            .. Ledger("linked", r => r.Linked),
            Column<OrderRecord>.Of("exchange_filled_quantity", ColumnKind.Decimal, r => r.ExchangeFilledQuantity),
            Column<OrderRecord>.Of("link_count", ColumnKind.Integer, r => r.LinkCount),
            Column<OrderRecord>.Of("allocated", ColumnKind.Decimal, r => r.Allocated),

            // Derived from the record (Open > 0) so OpenEntryLots and ExitsAwaitingAllocation filter in SQL: SQLite keeps
            // decimals as text, which it cannot compare as numbers.
            Column<OrderRecord>.Of("has_open", ColumnKind.Flag, r => r.Open > 0m),
            Column<OrderRecord>.Of("intent_purged", ColumnKind.Flag, r => r.IntentPurged),

            // Derived from the record (not settled) so the host's in-flight query reads a small partial index instead of
            // every order ever placed (migration 0002 on SQLite, 0003 on PostgreSQL).
            Column<OrderRecord>.Of("in_flight", ColumnKind.Flag, r => !r.IsSettled()),
            Column<OrderRecord>.Of("version", ColumnKind.Integer, r => r.Version),
        ],
        setOnce: ["exchange_order_id"]);

    /// <summary>Links: the seed's <c>trade_strategy_link</c>, one row per linked quantity range of an order.</summary>
    public static readonly Table<LinkRecord> Links = new(
        "trade_strategy_link",
        ["client_order_id", "sequence_no"],
        [
            new("client_order_id", ColumnKind.Text, r => r.ClientOrderId.Value),
            new("sequence_no", ColumnKind.Integer, r => r.Sequence),
            new("exchange_order_id", ColumnKind.Text, r => r.ExchangeOrderId.Value),
            new("kind", ColumnKind.Text, r => r.Kind.ToString()),
            new("snapshot_id", ColumnKind.Text, r => r.Snapshot?.Value),
            new("product_id", ColumnKind.Text, r => r.Product.Value),
            new("side", ColumnKind.Text, r => r.Side.ToString()),
            new("from_quantity", ColumnKind.Decimal, r => r.From),
            new("to_quantity", ColumnKind.Decimal, r => r.To),
            new("price", ColumnKind.Decimal, r => r.Price),
            new("fee", ColumnKind.Decimal, r => r.Fee),
            new("provenance", ColumnKind.Text, r => r.Provenance.ToString()),
            new("source_key", ColumnKind.Text, r => r.SourceKey),
            new("buy_score", ColumnKind.Decimal, r => r.BuyScore),
            new("sell_score", ColumnKind.Decimal, r => r.SellScore),
            new("trigger_type", ColumnKind.Text, r => r.Trigger),
            new("linked_at", ColumnKind.Time, r => r.At),
        ]);

    /// <summary>
    /// The serial of a link (<see cref="ILinkageStore.LinksAfter"/>), numbered by the database as links are inserted:
    /// SQLite's integer primary key, PostgreSQL's identity (migration 0004 on SQLite, 0005 on PostgreSQL). No record
    /// holds it, so no statement writes it.
    /// </summary>
    public static readonly NamedColumn LinkSerial = new("serial");

    /// <summary>Trade-level fills by their idempotency key; never purged, so a duplicate can never link twice.</summary>
    public static readonly Table<FillRecord> Fills = new(
        "fill_keys",
        ["exchange_order_id", "source", "fill_key"],
        [
            new("exchange_order_id", ColumnKind.Text, r => r.Fill.Key.Order.Value),
            new("source", ColumnKind.Integer, r => (long)r.Fill.Key.Source),
            new("fill_key", ColumnKind.Text, r => r.Fill.Key.Key),
            new("trade_type", ColumnKind.Text, r => r.Fill.TradeType.ToString()),
            new("size", ColumnKind.Decimal, r => r.Fill.Size),
            new("price", ColumnKind.Decimal, r => r.Fill.Price),
            new("commission", ColumnKind.Decimal, r => r.Fill.Commission),
            new("product_id", ColumnKind.Text, r => r.Fill.Product?.Value),
            new("side", ColumnKind.Text, r => r.Fill.Side?.ToString()),
            new("trade_id", ColumnKind.Text, r => r.Fill.TradeId),
            new("trade_time", ColumnKind.Time, r => r.Fill.TradeTime),
            new("client_order_id", ColumnKind.Text, r => r.ClientOrderId?.Value),
            new("recorded_at", ColumnKind.Time, r => r.At),
        ]);

    /// <summary>Exit fills allocated to the entry lots they close.</summary>
    public static readonly Table<AllocationRecord> Allocations = new(
        "exit_allocations",
        ["exit_client_order_id", "sequence_no"],
        [
            new("exit_client_order_id", ColumnKind.Text, r => r.ExitClientOrderId.Value),
            new("sequence_no", ColumnKind.Integer, r => r.Sequence),
            new("entry_client_order_id", ColumnKind.Text, r => r.EntryClientOrderId.Value),
            new("entry_snapshot_id", ColumnKind.Text, r => r.EntrySnapshot?.Value),
            new("product_id", ColumnKind.Text, r => r.Product.Value),
            new("quantity", ColumnKind.Decimal, r => r.Quantity),
            new("exit_price", ColumnKind.Decimal, r => r.ExitPrice),
            new("entry_price", ColumnKind.Decimal, r => r.EntryPrice),
            new("realized_pnl", ColumnKind.Decimal, r => r.RealizedPnl),
            new("exit_trigger", ColumnKind.Text, r => r.ExitTrigger),
            new("sell_score", ColumnKind.Decimal, r => r.SellScore),
            new("allocated_at", ColumnKind.Time, r => r.At),
        ]);

    /// <summary>Fills waiting for their order's identity, with the whole input serialized by <see cref="EngineInputJson"/>.</summary>
    public static readonly Table<ParkedFill> Parked = new(
        "parked_fills",
        ["exchange_order_id", "parked_key"],
        [
            new("exchange_order_id", ColumnKind.Text, r => r.ExchangeOrderId.Value),
            new("parked_key", ColumnKind.Text, r => r.Key),
            new("input_json", ColumnKind.Text, r => EngineInputJson.Write(r.Input)),
            new("parked_at", ColumnKind.Time, r => r.ParkedAt),
        ]);

    /// <summary>Orders the bot did not place.</summary>
    public static readonly Table<ExternalOrderRecord> External = new(
        "external_orders",
        ["exchange_order_id"],
        [
            new("exchange_order_id", ColumnKind.Text, r => r.ExchangeOrderId.Value),
            new("client_order_id", ColumnKind.Text, r => r.ClientOrderId?.Value),
            new("product_id", ColumnKind.Text, r => r.Product?.Value),
            new("observed_quantity", ColumnKind.Decimal, r => r.ObservedQuantity),
            new("exchange_cumulative", ColumnKind.Decimal, r => r.ExchangeCumulative),
            new("baseline", ColumnKind.Decimal, r => r.Baseline),
            new("trades", ColumnKind.Integer, r => r.Trades),
            new("traded_quantity", ColumnKind.Decimal, r => r.TradedQuantity),
            new("matched_quantity", ColumnKind.Decimal, r => r.MatchedQuantity),
            new("first_seen_at", ColumnKind.Time, r => r.FirstSeenAt),
            new("version", ColumnKind.Integer, r => r.Version),
        ]);

    /// <summary>Rejected inputs, appended; the database numbers them (<c>id</c>) in the order they were written.</summary>
    public static readonly Table<QuarantineRecord> Quarantine = new(
        "quarantine",
        new NamedColumn("id"),
        [
            new("rejected_at", ColumnKind.Time, r => r.At),
            new("kind", ColumnKind.Text, r => r.Kind),
            new("reason", ColumnKind.Text, r => r.Reason),
            new("field", ColumnKind.Text, r => r.Field),
            new("line_no", ColumnKind.Integer, r => r.Line),
            new("origin", ColumnKind.Text, r => r.Origin),
            new("raw_payload", ColumnKind.Payload, r => r.RawPayload),
        ]);

    /// <summary>Alerts, appended; the database numbers them (<c>id</c>) in the order they were written.</summary>
    public static readonly Table<AlertRecord> Alerts = new(
        "alerts",
        new NamedColumn("id"),
        [
            new("raised_at", ColumnKind.Time, r => r.At),
            new("kind", ColumnKind.Text, r => r.Kind.ToString()),
            new("detail", ColumnKind.Text, r => r.Detail),
            new("client_order_id", ColumnKind.Text, r => r.ClientOrderId?.Value),
            new("exchange_order_id", ColumnKind.Text, r => r.ExchangeOrderId?.Value),
        ]);

    /// <summary>The three columns of an <see cref="Executed"/> ledger entry: <c>{prefix}_quantity</c>, <c>_value</c>, <c>_fees</c>.</summary>
    private static IEnumerable<Column<OrderRecord>> Ledger(string prefix, Func<OrderRecord, Executed> get) =>
    [
        Column<OrderRecord>.Of($"{prefix}_quantity", ColumnKind.Decimal, r => get(r).Quantity),
        Column<OrderRecord>.Of($"{prefix}_value", ColumnKind.Decimal, r => get(r).Value),
        Column<OrderRecord>.Of($"{prefix}_fees", ColumnKind.Decimal, r => get(r).Fees),
    ];

    /// <summary>Client order ids are <c>[A-Za-z0-9-]</c>, so a comma separates them unambiguously.</summary>
    private static string JoinCloses(ImmutableArray<ClientOrderId> closes) => string.Join(',', closes.Select(c => c.Value));
}
