namespace Linkage.Engine;

/// <summary>Order side.</summary>
public enum Side
{
    /// <summary>Buy the base currency.</summary>
    Buy,
    /// <summary>Sell the base currency.</summary>
    Sell,
}

/// <summary>Whether an intent opens a position (from the strategy, with a snapshot) or closes one (from the position monitor).</summary>
public enum IntentKind
{
    /// <summary>Opens a position: the strategy's decision, with a snapshot.</summary>
    Entry,
    /// <summary>Closes a position: the position monitor's decision (take profit, stop loss, ...).</summary>
    Exit,
}

/// <summary>
/// What the strategy decided, with its reasons. Immutable. An entry carries a <see cref="Snapshot"/>; an exit has none
/// and may name the entry orders it <see cref="Closes"/>. <see cref="DecidedAt"/> is the strategy's own timestamp from
/// the payload (not the time the webhook received it), so a re-delivered payload is the same intent.
/// </summary>
public sealed record Intent
{
    /// <summary>Entry or exit.</summary>
    public required IntentKind Kind { get; init; }
    /// <summary>The product to trade.</summary>
    public required ProductId Product { get; init; }
    /// <summary>Buy or sell.</summary>
    public required Side Side { get; init; }

    /// <summary>Base size; null for an exit that sells the whole open position (the host sizes the order).</summary>
    public decimal? Size { get; init; }

    /// <summary>Limit price; null for a market order.</summary>
    public decimal? Price { get; init; }

    /// <summary>The strategy decision behind an entry; null for exits.</summary>
    public SnapshotId? Snapshot { get; init; }

    /// <summary>The strategy's buy score at the decision, when it has one.</summary>
    public decimal? BuyScore { get; init; }
    /// <summary>The strategy's sell score at the decision, when it has one.</summary>
    public decimal? SellScore { get; init; }
    /// <summary>What fired the decision (<c>roc_momo</c>, <c>take_profit</c>, ...).</summary>
    public string? Trigger { get; init; }

    /// <summary>The indicator breakdown as canonical JSON (keys sorted), or null.</summary>
    public string? IndicatorsJson { get; init; }

    /// <summary>How many indicators fired, when the strategy says.</summary>
    public int? IndicatorsFired { get; init; }

    /// <summary>For exits: the entry orders this exit closes, in the order to close them. Empty: oldest open lots first.</summary>
    public EquatableArray<ClientOrderId> Closes { get; init; } = [];

    /// <summary>The strategy's own timestamp of the decision (part of the intent's identity).</summary>
    public required DateTimeOffset DecidedAt { get; init; }

    /// <summary>A client order id minted elsewhere (for example by another webhook, in a capture). Null: the engine mints one.</summary>
    public ClientOrderId? ClientOrderId { get; init; }

    /// <summary>
    /// Whether the caller places the order itself (it staged the intent to learn the client order id to put on its own
    /// create-order). A host never sends a create-order for such an intent, not even to reconcile: it waits for the
    /// exchange to report the order. False: the host places it.
    /// </summary>
    public bool PlacedByCaller { get; init; }

    /// <summary>
    /// An entry's attached take-profit / stop-loss order (Coinbase's <c>attached_order_configuration</c>, only
    /// <c>trigger_bracket_gtc</c>): the exchange creates it with the entry, with the entry's size, on the other side.
    /// On the child order's own intent (<see cref="BracketOf"/> set) it is the parent's bracket. Null: no bracket.
    /// </summary>
    public Bracket? Bracket { get; init; }

    /// <summary>
    /// Set only on the intent the engine derives for an attached bracket order: the entry (parent) whose bracket it is.
    /// Such an intent is an exit closing exactly that entry, carrying the entry's snapshot, scores and trigger; it is
    /// never sent by a host (the exchange created the order). Null on every intent a strategy sends.
    /// </summary>
    public ClientOrderId? BracketOf { get; init; }
}

/// <summary>
/// The two legs of an attached bracket: the take-profit limit price (<c>limit_price</c>) and the stop-loss trigger price
/// (<c>stop_trigger_price</c>). Invariant (checked by <see cref="Validation.Intent"/>): both positive; for a BUY entry
/// the take profit is above the stop loss, for a SELL entry below.
/// </summary>
/// <param name="TakeProfit">The child's limit price: a fill at it or better is the take-profit leg.</param>
/// <param name="StopLoss">The child's stop trigger price: a fill after the stop triggered is the stop-loss leg.</param>
public sealed record Bracket(decimal TakeProfit, decimal StopLoss)
{
    /// <summary>The exit trigger recorded for a take-profit fill.</summary>
    public const string TakeProfitTrigger = "take_profit";

    /// <summary>The exit trigger recorded for a stop-loss fill.</summary>
    public const string StopLossTrigger = "stop_loss";

    /// <summary>
    /// Which leg of a child on <paramref name="childSide"/> executed at <paramref name="price"/>: the take-profit leg
    /// fills at its limit price or better (at or above it for a SELL child, at or below for a BUY child); any other
    /// price can only be the stop-loss leg, whose stop-limit order fills at or beyond the stop.
    /// </summary>
    public string LegAt(Side childSide, decimal price) =>
        (childSide == Side.Sell ? price >= TakeProfit : price <= TakeProfit) ? TakeProfitTrigger : StopLossTrigger;
}

/// <summary>Order status as the exchange reports it (WebSocket and REST sets merged).</summary>
public enum OrderStatus
{
    /// <summary>Nothing heard from the exchange yet.</summary>
    Unknown,
    /// <summary>Accepted, not yet on the book.</summary>
    Pending,
    /// <summary>On the book, possibly partly filled.</summary>
    Open,
    /// <summary>Wholly executed (terminal).</summary>
    Filled,
    /// <summary>A cancel was asked and is not done yet: fills can still arrive.</summary>
    CancelQueued,
    /// <summary>Cancelled, possibly after partial fills (terminal).</summary>
    Cancelled,
    /// <summary>Expired (GTD or IOC), possibly after partial fills (terminal).</summary>
    Expired,
    /// <summary>Failed after creation (terminal).</summary>
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
    /// <summary>The exchange's order id (always present).</summary>
    public required ExchangeOrderId ExchangeOrderId { get; init; }
    /// <summary>The client order id the order was created with, when the message carries it.</summary>
    public ClientOrderId? ClientOrderId { get; init; }
    /// <summary>The product, when the message carries it.</summary>
    public ProductId? Product { get; init; }
    /// <summary>The side, when the message carries it.</summary>
    public Side? Side { get; init; }
    /// <summary>The order's status, when the message carries it.</summary>
    public OrderStatus? Status { get; init; }
    /// <summary>Base quantity executed so far (cumulative, never an increment).</summary>
    public decimal? CumulativeQuantity { get; init; }
    /// <summary>Base quantity still open.</summary>
    public decimal? LeavesQuantity { get; init; }
    /// <summary>Average price of what executed.</summary>
    public decimal? AveragePrice { get; init; }
    /// <summary>Quote value of what executed (quantity times price, summed).</summary>
    public decimal? FilledValue { get; init; }
    /// <summary>Fees charged so far, in quote currency.</summary>
    public decimal? TotalFees { get; init; }
    /// <summary>How many trades executed so far.</summary>
    public int? NumberOfFills { get; init; }

    /// <summary>The order's base size, where the message carries it.</summary>
    public decimal? OrderSize { get; init; }

    /// <summary>
    /// REST <c>originating_order_id</c>: on an attached (bracket) order, the exchange id of the order it is attached to.
    /// Null when absent or empty.
    /// </summary>
    public ExchangeOrderId? OriginatingOrderId { get; init; }

    /// <summary>REST <c>attached_order_id</c>: on an order placed with a bracket, the exchange id of its attached order.</summary>
    public ExchangeOrderId? AttachedOrderId { get; init; }
}

/// <summary>REST List Fills <c>trade_type</c>. Only <see cref="Fill"/> rows add executed quantity; the others are adjustments.</summary>
public enum TradeType
{
    /// <summary>An ordinary execution.</summary>
    Fill,
    /// <summary>Reverses an earlier execution (List Fills <c>REVERSAL</c>).</summary>
    Reversal,
    /// <summary>Corrects an earlier execution (List Fills <c>CORRECTION</c>).</summary>
    Correction,
    /// <summary>An execution the exchange made up for accounting (List Fills <c>SYNTHETIC</c>).</summary>
    Synthetic,
}

/// <summary>
/// One trade-level execution: a REST List Fills row or a legacy <c>match</c>. <see cref="Size"/> is in base currency
/// (the parser converts <c>size_in_quote</c> rows). Invariant: size and price positive, commission non-negative.
/// </summary>
public sealed record TradeFill
{
    /// <summary>The fill's idempotency key: its order, its source and the source's own id.</summary>
    public required FillKey Key { get; init; }
    /// <summary>What kind of row this is (an ordinary fill, or an adjustment).</summary>
    public required TradeType TradeType { get; init; }
    /// <summary>Base quantity executed by this trade.</summary>
    public required decimal Size { get; init; }
    /// <summary>The trade's price.</summary>
    public required decimal Price { get; init; }
    /// <summary>The fee charged for this trade, in quote currency.</summary>
    public decimal Commission { get; init; }
    /// <summary>The product, when the source carries it.</summary>
    public ProductId? Product { get; init; }
    /// <summary>The side, when the source carries it.</summary>
    public Side? Side { get; init; }

    /// <summary>The legacy <c>trade_id</c> or REST <c>trade_id</c> (not unique for adjustments), for reports.</summary>
    public string? TradeId { get; init; }

    /// <summary>When the trade executed, as the exchange reports it.</summary>
    public DateTimeOffset? TradeTime { get; init; }

    /// <summary>The exchange order this fill belongs to (same as <c>Key.Order</c>).</summary>
    public ExchangeOrderId ExchangeOrderId => Key.Order;
}
