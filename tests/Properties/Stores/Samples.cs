using System.Collections.Immutable;
using Linkage.Engine;

namespace Linkage.Properties.Stores;

/// <summary>Records and batches for store tests: plausible values, every field set, one line to vary what a test is about.</summary>
internal static class Samples
{
    public static readonly DateTimeOffset T0 = new(2025, 3, 14, 15, 9, 21, TimeSpan.Zero);

    /// <summary>Strings that break naive SQL or encodings; every free-text field must store and return them verbatim.</summary>
    public static readonly ImmutableArray<string> Hostile =
    [
        "'); DROP TABLE order_metadata_staging;--",
        "\"quoted\" and 'single' and `back` and \\backslash\\",
        "Robert'); DELETE FROM fill_keys; --",
        "naïve café ü 日本語 עברית 🚀 e\u0301",
        "line\nbreak\ttab\r\nend",
        "%_ LIKE wildcards [brackets] $1 @p :name ?",
    ];

    public static DateTimeOffset At(int seconds) => T0.AddSeconds(seconds);

    public static ClientOrderId Coid(string value) => ClientOrderId.From(value);

    public static ExchangeOrderId Eoid(string value) => ExchangeOrderId.From(value);

    public static Intent Entry(string product = "BTC-USD", string snapshot = "b042c0bb-6184-4d40-aa65-2f7c8d83a243") => new()
    {
        Kind = IntentKind.Entry,
        Product = ProductId.From(product),
        Side = Side.Buy,
        Size = 0.00200000m,
        Price = 50000.01m,
        Snapshot = SnapshotId.From(snapshot),
        BuyScore = 75.3m,
        SellScore = null,
        Trigger = "roc_momo",
        IndicatorsJson = """{"macd":1.25,"rsi":31.0}""",
        IndicatorsFired = 2,
        DecidedAt = T0,
    };

    public static Intent Exit(string product = "BTC-USD", params string[] closes) => new()
    {
        Kind = IntentKind.Exit,
        Product = ProductId.From(product),
        Side = Side.Sell,
        Size = null,
        SellScore = 12.5m,
        Trigger = "take_profit",
        Closes = [.. closes.Select(Coid)],
        DecidedAt = T0,
    };

    /// <summary>A freshly staged order (version 1), as <see cref="IntentStaged"/> writes it.</summary>
    public static OrderRecord Staged(string coid, int stagedSecond = 0, Intent? intent = null) => new()
    {
        ClientOrderId = Coid(coid),
        Intent = intent ?? Entry(),
        StagedAt = At(stagedSecond),
    };

    /// <summary>The order's next state: <paramref name="change"/> applied and the version one up, as the engine writes it.</summary>
    public static OrderRecord Next(OrderRecord order, Func<OrderRecord, OrderRecord> change) => change(order) with { Version = order.Version + 1 };

    /// <summary>The order bound to <paramref name="eoid"/> and accepted.</summary>
    public static OrderRecord Bound(OrderRecord order, string eoid) =>
        Next(order, o => o with { ExchangeOrderId = Eoid(eoid), Placement = PlacementState.Accepted, Status = OrderStatus.Open });

    /// <summary>The order with <paramref name="quantity"/> more linked at <paramref name="price"/>, and the link that records it.</summary>
    public static (OrderRecord Order, LinkRecord Link) LinkMore(OrderRecord order, decimal quantity, decimal price, string sourceKey, int second = 1)
    {
        var from = order.Linked.Quantity;
        var linked = new Executed(from + quantity, order.Linked.Value + (quantity * price), order.Linked.Fees + 0.01m);
        var next = Next(order, o => o with
        {
            Feed = linked,
            FeedLinkable = linked,
            Linked = linked,
            LinkCount = o.LinkCount + 1,
            ExchangeFilledQuantity = linked.Quantity,
        });
        var link = new LinkRecord
        {
            ClientOrderId = order.ClientOrderId,
            ExchangeOrderId = order.ExchangeOrderId ?? throw new ArgumentException("link an order that is bound", nameof(order)),
            Sequence = next.LinkCount,
            Kind = order.Intent.Kind,
            Snapshot = order.Intent.Snapshot,
            Product = order.Intent.Product,
            Side = order.Intent.Side,
            From = from,
            To = from + quantity,
            Price = price,
            Fee = 0.01m,
            Provenance = LinkProvenance.ClientOrderId,
            SourceKey = sourceKey,
            BuyScore = order.Intent.BuyScore,
            SellScore = order.Intent.SellScore,
            Trigger = order.Intent.Trigger,
            At = At(second),
        };
        return (next, link);
    }

    public static OrderRecord Terminal(OrderRecord order, int second) =>
        Next(order, o => o with { Status = OrderStatus.Filled, TerminalAt = At(second) });

    public static FillRecord Fill(string eoid, string key, FillSource source = FillSource.RestFills, string? coid = null) => new()
    {
        Fill = new TradeFill
        {
            Key = new FillKey(Eoid(eoid), source, key),
            TradeType = TradeType.Fill,
            Size = 0.00100000m,
            Price = 50000.01m,
            Commission = 0.0600000000m,
            Product = ProductId.From("BTC-USD"),
            Side = Side.Buy,
            TradeId = "tr-" + key,
            TradeTime = At(2),
        },
        ClientOrderId = coid is null ? null : Coid(coid),
        At = At(3),
    };

    public static ParkedFill Parked(string eoid, string key, int second = 5, EngineInput? input = null) => new()
    {
        ExchangeOrderId = Eoid(eoid),
        Key = key,
        Input = input ?? new TradeFillReceived(At(second), Fill(eoid, key).Fill) { FromReconciliation = true, Origin = "ws:1" },
        ParkedAt = At(second),
    };

    public static ExternalOrderRecord External(string eoid, long version = 1, decimal observed = 0m) => new()
    {
        ExchangeOrderId = Eoid(eoid),
        ClientOrderId = Coid("manual-1"),
        Product = ProductId.From("ETH-USD"),
        ObservedQuantity = observed,
        ExchangeCumulative = observed + 1.5m,
        Baseline = 1.5m,
        Trades = 1,
        FirstSeenAt = At(4),
        Version = version,
    };

    public static QuarantineRecord Rejected(string reason, int second = 6) => new()
    {
        At = At(second),
        Kind = "ws.user",
        Reason = reason,
        Field = "events[0].orders[0].cumulative_quantity",
        Line = 23,
        Origin = "capture.jsonl",
        RawPayload = """{"channel":"user","events":[{"orders":[{"cumulative_quantity":"-1"}]}]}""",
    };

    public static AlertRecord Alert(string detail, int second = 7) => new()
    {
        At = At(second),
        Kind = AlertKind.OrphanedOrder,
        Detail = detail,
        ClientOrderId = Coid("lk-0123456789abcdef0123456789abcdef"),
        ExchangeOrderId = Eoid("a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b"),
    };

    public static AllocationRecord Allocation(OrderRecord exit, OrderRecord entry, int sequence, decimal quantity) => new()
    {
        ExitClientOrderId = exit.ClientOrderId,
        EntryClientOrderId = entry.ClientOrderId,
        Sequence = sequence,
        EntrySnapshot = entry.Intent.Snapshot,
        Product = entry.Intent.Product,
        Quantity = quantity,
        ExitPrice = 51000m,
        EntryPrice = 50000.01m,
        RealizedPnl = (51000m - 50000.01m) * quantity,
        ExitTrigger = exit.Intent.Trigger,
        SellScore = exit.Intent.SellScore,
        At = At(9),
    };

    public static DecisionBatch Batch(params Decision[] decisions) => new(new Tick(At(10)), [.. decisions]);
}
