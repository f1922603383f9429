namespace Linkage.Engine;

/// <summary>Order side.</summary>
public enum Side
{
    Buy,
    Sell,
}

/// <summary>Whether an intent opens a position (from the strategy, with a snapshot) or closes one (from the position monitor).</summary>
public enum IntentKind
{
    Entry,
    Exit,
}

/// <summary>
/// What the strategy decided, with its reasons. Immutable. An entry carries a <see cref="Snapshot"/>; an exit has none
/// and may name the entry orders it <see cref="Closes"/>. <see cref="DecidedAt"/> is the strategy's own timestamp from
/// the payload (not the time the webhook received it), so a re-delivered payload is the same intent.
/// </summary>
public sealed record Intent
{
    public required IntentKind Kind { get; init; }
    public required ProductId Product { get; init; }
    public required Side Side { get; init; }

    /// <summary>Base size; null for an exit that sells the whole open position (the host sizes the order).</summary>
    public decimal? Size { get; init; }

    /// <summary>Limit price; null for a market order.</summary>
    public decimal? Price { get; init; }

    /// <summary>The strategy decision behind an entry; null for exits.</summary>
    public SnapshotId? Snapshot { get; init; }

    public decimal? BuyScore { get; init; }
    public decimal? SellScore { get; init; }
    public string? Trigger { get; init; }

    /// <summary>The indicator breakdown as canonical JSON (keys sorted), or null.</summary>
    public string? IndicatorsJson { get; init; }

    public int? IndicatorsFired { get; init; }

    /// <summary>For exits: the entry orders this exit closes, in the order to close them. Empty: oldest open lots first.</summary>
    public EquatableArray<ClientOrderId> Closes { get; init; } = [];

    public required DateTimeOffset DecidedAt { get; init; }

    /// <summary>A client order id minted elsewhere (for example by another webhook, in a capture). Null: the engine mints one.</summary>
    public ClientOrderId? ClientOrderId { get; init; }
}

/// <summary>Order status as the exchange reports it (WebSocket and REST sets merged).</summary>
public enum OrderStatus
{
    /// <summary>Nothing heard from the exchange yet.</summary>
    Unknown,
    Pending,
    Open,
    Filled,
    CancelQueued,
    Cancelled,
    Expired,
    Failed,
}

/// <summary>Helpers over <see cref="OrderStatus"/>.</summary>
public static class OrderStatusExtensions
{
    /// <summary>FILLED, CANCELLED, EXPIRED and FAILED end an order; later messages about it are still absorbed.</summary>
    public static bool IsTerminal(this OrderStatus status) =>
        status is OrderStatus.Filled or OrderStatus.Cancelled or OrderStatus.Expired or OrderStatus.Failed;
}

/// <summary>What we know of the create-order request's outcome.</summary>
public enum PlacementState
{
    /// <summary>Staged (write-ahead); the order may be sent, or may have been.</summary>
    Staged,

    /// <summary>The exchange accepted it (response, feed update or reconciliation bound the exchange order id).</summary>
    Accepted,

    /// <summary>The exchange refused it: no order exists and no fill may ever link to it.</summary>
    Rejected,

    /// <summary>The request timed out; pending until a feed message, a retry with the same client id, or reconciliation says.</summary>
    Unknown,
}

/// <summary>How a link was made: what tied the fill to the order's intent.</summary>
public enum LinkProvenance
{
    /// <summary>The fill's message carried our client order id (Advanced Trade order update).</summary>
    ClientOrderId,

    /// <summary>The fill carried only the exchange order id, bound earlier (REST response, feed update, legacy received).</summary>
    ExchangeOrderId,

    /// <summary>The fill was found by reconciliation (REST List Fills / Get Order after a gap, reconnect or restart).</summary>
    Reconciliation,
}

/// <summary>Where an order's state came from; decides whether its cumulative quantity may be linked.</summary>
public enum OrderStateSource
{
    /// <summary>Advanced Trade <c>user</c> channel event of type <c>update</c>: cumulative quantity increases are fills.</summary>
    FeedUpdate,

    /// <summary>Advanced Trade <c>user</c> channel event of type <c>snapshot</c>: a baseline, never fills.</summary>
    FeedSnapshot,

    /// <summary>REST Get Order or List Orders (reconciliation): binds ids and status; its <c>filled_size</c> is a baseline, never fills.</summary>
    RestOrder,

    /// <summary>Legacy feed <c>received</c>: binds <c>client_oid</c> to the exchange order id; no quantities.</summary>
    LegacyReceived,

    /// <summary>Legacy feed <c>done</c>: terminal status; no quantities.</summary>
    LegacyDone,
}

/// <summary>
/// One order's state as a message reported it. Quantities are cumulative for the order (never increments); a field the
/// source does not carry is null. Invariant (checked by parsers and again by the engine): quantities are non-negative.
/// </summary>
public sealed record OrderState
{
    public required ExchangeOrderId ExchangeOrderId { get; init; }
    public ClientOrderId? ClientOrderId { get; init; }
    public ProductId? Product { get; init; }
    public Side? Side { get; init; }
    public OrderStatus? Status { get; init; }
    public decimal? CumulativeQuantity { get; init; }
    public decimal? LeavesQuantity { get; init; }
    public decimal? AveragePrice { get; init; }
    public decimal? FilledValue { get; init; }
    public decimal? TotalFees { get; init; }
    public int? NumberOfFills { get; init; }

    /// <summary>The order's base size, where the message carries it.</summary>
    public decimal? OrderSize { get; init; }
}

/// <summary>REST List Fills <c>trade_type</c>. Only <see cref="Fill"/> rows add executed quantity; the others are adjustments.</summary>
public enum TradeType
{
    Fill,
    Reversal,
    Correction,
    Synthetic,
}

/// <summary>
/// One trade-level execution: a REST List Fills row or a legacy <c>match</c>. <see cref="Size"/> is in base currency
/// (the parser converts <c>size_in_quote</c> rows). Invariant: size and price positive, commission non-negative.
/// </summary>
public sealed record TradeFill
{
    public required FillKey Key { get; init; }
    public required TradeType TradeType { get; init; }
    public required decimal Size { get; init; }
    public required decimal Price { get; init; }
    public decimal Commission { get; init; }
    public ProductId? Product { get; init; }
    public Side? Side { get; init; }

    /// <summary>The legacy <c>trade_id</c> or REST <c>trade_id</c> (not unique for adjustments), for reports.</summary>
    public string? TradeId { get; init; }

    public DateTimeOffset? TradeTime { get; init; }

    /// <summary>The exchange order this fill belongs to (same as <c>Key.Order</c>).</summary>
    public ExchangeOrderId ExchangeOrderId => Key.Order;
}
