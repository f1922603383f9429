using System.Collections.Immutable;
using Linkage.Engine;

namespace Linkage.Stores.Sql;

/// <summary>
/// One row of a result, read by column name and logical type. Each store adapts its driver's reader (SQLite parses
/// decimal text and ticks; PostgreSQL reads <c>numeric</c> and <c>timestamptz</c>), so the record mapping is shared.
/// A null column reads as null; a non-null one of the wrong shape throws (the schema is ours, so that is corruption).
/// </summary>
internal interface IRow
{
    string? Text(string column);

    long? Integer(string column);

    decimal? Decimal(string column);

    DateTimeOffset? Time(string column);

    bool Flag(string column);

    string? Payload(string column);
}

/// <summary>Builds records from rows of the tables in <see cref="Tables"/>; the inverse of their column getters.</summary>
internal static class Rows
{
    public static OrderRecord Order(IRow r) => new()
    {
        ClientOrderId = ClientOrderId.From(Required(r, "client_order_id")),
        ExchangeOrderId = OptionalExchangeOrderId(r, "exchange_order_id"),
        Intent = new Intent
        {
            Kind = Enum<IntentKind>(r, "kind"),
            Product = ProductId.From(Required(r, "product_id")),
            Side = Enum<Side>(r, "side"),
            Size = r.Decimal("size"),
            Price = r.Decimal("price"),
            Snapshot = OptionalSnapshot(r, "snapshot_id"),
            BuyScore = r.Decimal("buy_score"),
            SellScore = r.Decimal("sell_score"),
            Trigger = r.Text("trigger_type"),
            IndicatorsJson = r.Text("indicators_json"),
            IndicatorsFired = (int?)r.Integer("indicators_fired"),
            Closes = SplitCloses(Required(r, "closes")),
            DecidedAt = RequiredTime(r, "decided_at"),
            ClientOrderId = r.Text("intent_client_order_id") is { } own ? ClientOrderId.From(own) : null,
            PlacedByCaller = r.Flag("placed_by_caller"),
            Bracket = r.Decimal("take_profit_price") is { } takeProfit && r.Decimal("stop_loss_price") is { } stopLoss
                ? new Bracket(takeProfit, stopLoss)
                : null,
            BracketOf = r.Text("bracket_of") is { } parent ? ClientOrderId.From(parent) : null,
        },
        StagedAt = RequiredTime(r, "staged_at"),
        Placement = Enum<PlacementState>(r, "placement"),
        RejectReason = r.Text("reject_reason"),
        Status = Enum<OrderStatus>(r, "status"),
        TerminalAt = r.Time("terminal_at"),
        Feed = Ledger(r, "feed"),
        FeedLinkable = Ledger(r, "feed_linkable"),
        Rest = Ledger(r, "rest"),
        Matches = Ledger(r, "matches"),
        Linked = Ledger(r, "linked"),
        ExchangeFilledQuantity = r.Decimal("exchange_filled_quantity"),
        LinkCount = (int)RequiredInteger(r, "link_count"),
        Allocated = RequiredDecimal(r, "allocated"),
        IntentPurged = r.Flag("intent_purged"),
        Version = RequiredInteger(r, "version"),
    };

    public static LinkRecord Link(IRow r) => new()
    {
        ClientOrderId = ClientOrderId.From(Required(r, "client_order_id")),
        Sequence = (int)RequiredInteger(r, "sequence_no"),
        ExchangeOrderId = ExchangeOrderId.From(Required(r, "exchange_order_id")),
        Kind = Enum<IntentKind>(r, "kind"),
        Snapshot = OptionalSnapshot(r, "snapshot_id"),
        Product = ProductId.From(Required(r, "product_id")),
        Side = Enum<Side>(r, "side"),
        From = RequiredDecimal(r, "from_quantity"),
        To = RequiredDecimal(r, "to_quantity"),
        Price = RequiredDecimal(r, "price"),
        Fee = RequiredDecimal(r, "fee"),
        Provenance = Enum<LinkProvenance>(r, "provenance"),
        SourceKey = Required(r, "source_key"),
        BuyScore = r.Decimal("buy_score"),
        SellScore = r.Decimal("sell_score"),
        Trigger = r.Text("trigger_type"),
        At = RequiredTime(r, "linked_at"),
    };

    public static FillRecord Fill(IRow r) => new()
    {
        Fill = new TradeFill
        {
            Key = new FillKey(
                ExchangeOrderId.From(Required(r, "exchange_order_id")),
                (FillSource)RequiredInteger(r, "source"),
                Required(r, "fill_key")),
            TradeType = Enum<TradeType>(r, "trade_type"),
            Size = RequiredDecimal(r, "size"),
            Price = RequiredDecimal(r, "price"),
            Commission = RequiredDecimal(r, "commission"),
            Product = r.Text("product_id") is { } product ? ProductId.From(product) : null,
            Side = r.Text("side") is { } side ? Invariant.ParseEnum<Side>(side) : null,
            TradeId = r.Text("trade_id"),
            TradeTime = r.Time("trade_time"),
        },
        ClientOrderId = r.Text("client_order_id") is { } id ? ClientOrderId.From(id) : null,
        At = RequiredTime(r, "recorded_at"),
    };

    public static AllocationRecord Allocation(IRow r) => new()
    {
        ExitClientOrderId = ClientOrderId.From(Required(r, "exit_client_order_id")),
        Sequence = (int)RequiredInteger(r, "sequence_no"),
        EntryClientOrderId = ClientOrderId.From(Required(r, "entry_client_order_id")),
        EntrySnapshot = OptionalSnapshot(r, "entry_snapshot_id"),
        Product = ProductId.From(Required(r, "product_id")),
        Quantity = RequiredDecimal(r, "quantity"),
        ExitPrice = RequiredDecimal(r, "exit_price"),
        EntryPrice = RequiredDecimal(r, "entry_price"),
        RealizedPnl = RequiredDecimal(r, "realized_pnl"),
        ExitTrigger = r.Text("exit_trigger"),
        SellScore = r.Decimal("sell_score"),
        At = RequiredTime(r, "allocated_at"),
    };

    public static ParkedFill Parked(IRow r) => new()
    {
        ExchangeOrderId = ExchangeOrderId.From(Required(r, "exchange_order_id")),
        Key = Required(r, "parked_key"),
        Input = EngineInputJson.Read(Required(r, "input_json")),
        ParkedAt = RequiredTime(r, "parked_at"),
    };

    public static ExternalOrderRecord External(IRow r) => new()
    {
        ExchangeOrderId = ExchangeOrderId.From(Required(r, "exchange_order_id")),
        ClientOrderId = r.Text("client_order_id") is { } id ? ClientOrderId.From(id) : null,
        Product = r.Text("product_id") is { } product ? ProductId.From(product) : null,
        ObservedQuantity = RequiredDecimal(r, "observed_quantity"),
        ExchangeCumulative = RequiredDecimal(r, "exchange_cumulative"),
        Baseline = r.Decimal("baseline"),
        Trades = (int)RequiredInteger(r, "trades"),
        TradedQuantity = RequiredDecimal(r, "traded_quantity"),
        MatchedQuantity = RequiredDecimal(r, "matched_quantity"),
        FirstSeenAt = RequiredTime(r, "first_seen_at"),
        Version = RequiredInteger(r, "version"),
    };

    public static QuarantineRecord Quarantine(IRow r) => new()
    {
        At = RequiredTime(r, "rejected_at"),
        Kind = Required(r, "kind"),
        Reason = Required(r, "reason"),
        Field = r.Text("field"),
        Line = (int?)r.Integer("line_no"),
        Origin = r.Text("origin"),
        RawPayload = r.Payload("raw_payload") ?? throw Missing("raw_payload"),
    };

    public static AlertRecord Alert(IRow r) => new()
    {
        At = RequiredTime(r, "raised_at"),
        Kind = Enum<AlertKind>(r, "kind"),
        Detail = Required(r, "detail"),
        ClientOrderId = r.Text("client_order_id") is { } id ? ClientOrderId.From(id) : null,
        ExchangeOrderId = OptionalExchangeOrderId(r, "exchange_order_id"),
    };

    /// <summary>A fill's whole key (a row with its <c>exchange_order_id</c>, <c>source</c> and <c>fill_key</c>).</summary>
    public static FillKey FillKey(IRow r) =>
        new(ExchangeOrderId.From(Required(r, "exchange_order_id")), (FillSource)RequiredInteger(r, "source"), Required(r, "fill_key"));

    /// <summary>A fill's key within its exchange order (a <see cref="Queries.FillKeysOf"/> row).</summary>
    public static (FillSource Source, string Key) FillKeyOf(IRow r) => ((FillSource)RequiredInteger(r, "source"), Required(r, "fill_key"));

    /// <summary>The <c>exchange_order_id</c> column alone.</summary>
    public static ExchangeOrderId ExchangeOrderIdOf(IRow r) => ExchangeOrderId.From(Required(r, "exchange_order_id"));

    /// <summary>A <c>COUNT(*) AS n</c> result.</summary>
    public static long Count(IRow r) => RequiredInteger(r, "n");

    private static Executed Ledger(IRow r, string prefix) => new(
        RequiredDecimal(r, $"{prefix}_quantity"),
        RequiredDecimal(r, $"{prefix}_value"),
        RequiredDecimal(r, $"{prefix}_fees"));

    private static ImmutableArray<ClientOrderId> SplitCloses(string text) =>
        text.Length == 0 ? [] : [.. text.Split(',').Select(ClientOrderId.From)];

    private static ExchangeOrderId? OptionalExchangeOrderId(IRow r, string column) =>
        r.Text(column) is { } id ? ExchangeOrderId.From(id) : null;

    private static SnapshotId? OptionalSnapshot(IRow r, string column) => r.Text(column) is { } id ? SnapshotId.From(id) : null;

    private static T Enum<T>(IRow r, string column)
        where T : struct, Enum => Invariant.ParseEnum<T>(Required(r, column));

    private static string Required(IRow r, string column) => r.Text(column) ?? throw Missing(column);

    private static decimal RequiredDecimal(IRow r, string column) => r.Decimal(column) ?? throw Missing(column);

    private static long RequiredInteger(IRow r, string column) => r.Integer(column) ?? throw Missing(column);

    private static DateTimeOffset RequiredTime(IRow r, string column) => r.Time(column) ?? throw Missing(column);

    private static InvalidDataException Missing(string column) => new($"column {column} is null in a row that requires it");
}

/// <summary>
/// An <see cref="IRow"/> over an ADO.NET reader: column names are looked up once per result; text, integers and flags
/// read the same in both databases, and each store says how it keeps decimals, times and payloads.
/// </summary>
internal abstract class DbRow : IRow
{
    private readonly Dictionary<string, int> _ordinals;

    protected DbRow(System.Data.Common.DbDataReader reader)
        : this(reader, OrdinalsOf(reader))
    {
    }

    /// <summary>A row over <paramref name="reader"/> whose column ordinals the caller already knows (a prepared query's, reused).</summary>
    protected DbRow(System.Data.Common.DbDataReader reader, Dictionary<string, int> ordinals)
    {
        Reader = reader;
        _ordinals = ordinals;
    }

    protected System.Data.Common.DbDataReader Reader { get; }

    /// <summary>The ordinal of every column of the reader's result, by name.</summary>
    public static Dictionary<string, int> OrdinalsOf(System.Data.Common.DbDataReader reader)
    {
        var ordinals = new Dictionary<string, int>(reader.FieldCount, StringComparer.Ordinal);
        for (var i = 0; i < reader.FieldCount; i++)
        {
            ordinals[reader.GetName(i)] = i;
        }
        return ordinals;
    }

    public string? Text(string column) => IsNull(column, out var i) ? null : Reader.GetString(i);

    public long? Integer(string column) => IsNull(column, out var i) ? null : Reader.GetInt64(i);

    public bool Flag(string column) => IsNull(column, out var i) ? throw new InvalidDataException($"flag {column} is null") : Reader.GetBoolean(i);

    public abstract decimal? Decimal(string column);

    public abstract DateTimeOffset? Time(string column);

    public abstract string? Payload(string column);

    /// <summary>Whether the column is null; its ordinal either way.</summary>
    protected bool IsNull(string column, out int ordinal)
    {
        ordinal = _ordinals[column];
        return Reader.IsDBNull(ordinal);
    }
}
