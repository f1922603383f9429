using System.Collections.Immutable;
using Linkage.Engine;

namespace Linkage.Coinbase;

/// <summary>
/// A create-order request body (<c>POST /api/v3/brokerage/orders</c>). <see cref="ConfigurationKind"/> is the single key
/// of <c>order_configuration</c> (for example <c>limit_limit_gtc</c>); sizes and prices come from its object.
/// </summary>
public sealed record CreateOrderRequest
{
    public required ClientOrderId ClientOrderId { get; init; }
    public required ProductId Product { get; init; }
    public required Side Side { get; init; }
    public required string ConfigurationKind { get; init; }
    public decimal? BaseSize { get; init; }
    public decimal? QuoteSize { get; init; }
    public decimal? LimitPrice { get; init; }
    public bool? PostOnly { get; init; }

    /// <summary>
    /// <c>attached_order_configuration.trigger_bracket_gtc</c>: the take-profit <c>limit_price</c> and stop-loss
    /// <c>stop_trigger_price</c> of the order Coinbase attaches to this one; null when the request has none.
    /// </summary>
    public Bracket? Bracket { get; init; }
}

/// <summary>Which shape a create-order response had.</summary>
public enum CreateOrderResponseKind
{
    /// <summary><c>success: true</c> with a <c>success_response</c>: the order exists.</summary>
    Success,

    /// <summary><c>success: false</c> with an <c>error_response</c>: no order was created.</summary>
    Failure,

    /// <summary>The capture's <c>{"timeout": true, "client_order_id": ...}</c>: the request's outcome is unknown.</summary>
    Timeout,

    /// <summary>A non-200 gRPC-style body <c>{"error", "code", "message"}</c>: the outcome is unknown (a server error may follow a placement).</summary>
    HttpError,
}

/// <summary>
/// A create-order response. Only the fields of the current API are read: the top-level <c>order_id</c> and
/// <c>failure_reason</c> were removed in 2024 and are ignored if present.
/// </summary>
public sealed record CreateOrderResponse
{
    public required CreateOrderResponseKind Kind { get; init; }

    /// <summary>The client order id the response names (<c>success_response</c> or the timeout record); failures carry none.</summary>
    public ClientOrderId? ClientOrderId { get; init; }

    public ExchangeOrderId? ExchangeOrderId { get; init; }
    public ProductId? Product { get; init; }
    public Side? Side { get; init; }

    /// <summary><c>success_response.attached_order_id</c>: the bracket order created with this one; null when none (absent or empty).</summary>
    public ExchangeOrderId? AttachedOrderId { get; init; }

    /// <summary><c>error_response.error</c> (deprecated) or the gRPC body's <c>error</c>.</summary>
    public string? Error { get; init; }

    public string? Message { get; init; }
    public string? NewOrderFailureReason { get; init; }
    public string? PreviewFailureReason { get; init; }

    /// <summary>The reason to record for a failure: the most specific of the failure fields.</summary>
    public string? FailureReason => NewOrderFailureReason ?? Error ?? PreviewFailureReason ?? Message;
}

/// <summary>A message from the WebSocket feed: an Advanced Trade envelope or a legacy Exchange flat message.</summary>
public abstract record FeedMessage;

/// <summary>
/// An Advanced Trade envelope. <see cref="SequenceNum"/> is one counter per connection shared by all its channels;
/// <see cref="ClientId"/> is null when the field was absent and may be empty.
/// </summary>
public abstract record AdvancedTradeMessage(string Channel, string? ClientId, DateTimeOffset Timestamp, long SequenceNum) : FeedMessage;

/// <summary>Event type inside a <c>user</c> channel message.</summary>
public enum UserEventType
{
    /// <summary>The state of open orders after subscribing: a baseline, never fills.</summary>
    Snapshot,

    /// <summary>A change of one or more orders: cumulative quantity increases are fills.</summary>
    Update,
}

/// <summary>One event of the <c>user</c> channel with its orders, in message order.</summary>
public sealed record UserEvent(UserEventType Type, ImmutableArray<OrderReport> Orders);

/// <summary>A <c>user</c> channel message.</summary>
public sealed record UserChannelMessage(string? ClientId, DateTimeOffset Timestamp, long SequenceNum, ImmutableArray<UserEvent> Events)
    : AdvancedTradeMessage("user", ClientId, Timestamp, SequenceNum);

/// <summary>A <c>heartbeats</c> channel message. <see cref="Counter"/> is read from an integer or a numeric string.</summary>
public sealed record HeartbeatMessage(string? ClientId, DateTimeOffset Timestamp, long SequenceNum, long Counter, string? CurrentTime)
    : AdvancedTradeMessage("heartbeats", ClientId, Timestamp, SequenceNum);

/// <summary>A <c>subscriptions</c> confirmation; <see cref="Channels"/> are the subscribed channel names, sorted ordinally.</summary>
public sealed record SubscriptionsMessage(string? ClientId, DateTimeOffset Timestamp, long SequenceNum, ImmutableArray<string> Channels)
    : AdvancedTradeMessage("subscriptions", ClientId, Timestamp, SequenceNum);

/// <summary>
/// A message of a channel this reader does not interpret (for example <c>ticker</c>). It is still returned, because its
/// <see cref="AdvancedTradeMessage.SequenceNum"/> belongs to the connection's counter and must reach the sequence tracker.
/// </summary>
public sealed record OtherChannelMessage(string Channel, string? ClientId, DateTimeOffset Timestamp, long SequenceNum)
    : AdvancedTradeMessage(Channel, ClientId, Timestamp, SequenceNum);

/// <summary>A legacy Exchange feed message. <see cref="Sequence"/> is per product, and on the user channel it skips numbers by design.</summary>
public abstract record LegacyMessage(DateTimeOffset? Time, long? Sequence) : FeedMessage;

/// <summary>Legacy <c>received</c>: the matching engine took the order. <see cref="ClientOrderId"/> is present only for our own orders.</summary>
public sealed record LegacyReceived(
    DateTimeOffset? Time, ProductId? Product, long? Sequence,
    ExchangeOrderId OrderId, ClientOrderId? ClientOrderId, Side Side, string? OrderType,
    decimal? Size, decimal? Price, decimal? Funds) : LegacyMessage(Time, Sequence);

/// <summary>Legacy <c>open</c>: the order rests on the book.</summary>
public sealed record LegacyOpen(
    DateTimeOffset? Time, ProductId? Product, long? Sequence,
    ExchangeOrderId OrderId, Side? Side, decimal? Price, decimal? RemainingSize) : LegacyMessage(Time, Sequence);

/// <summary>Which order(s) of a legacy <c>match</c> belong to the authenticated user.</summary>
public enum MatchRole
{
    Maker,
    Taker,

    /// <summary>Both (a self-trade): both orders are ours.</summary>
    Both,
}

/// <summary>
/// Legacy <c>match</c>: one trade. <see cref="MakerSide"/> is the maker's side as the feed reports it; <see cref="OurRole"/>
/// is decided from <c>maker_user_id</c> / <c>taker_user_id</c> (maker when neither is present).
/// </summary>
public sealed record LegacyMatch(
    DateTimeOffset? Time, ProductId Product, long? Sequence,
    long TradeId, ExchangeOrderId MakerOrderId, ExchangeOrderId TakerOrderId, Side MakerSide,
    decimal Size, decimal Price, MatchRole OurRole, decimal? MakerFeeRate, decimal? TakerFeeRate)
    : LegacyMessage(Time, Sequence);

/// <summary>Legacy <c>done</c>: no more messages for the order. <see cref="Reason"/> is <c>filled</c> or <c>canceled</c>.</summary>
public sealed record LegacyDone(
    DateTimeOffset? Time, ProductId? Product, long? Sequence,
    ExchangeOrderId OrderId, string Reason, Side? Side, decimal? RemainingSize, string? CancelReason)
    : LegacyMessage(Time, Sequence)
{
    /// <summary>The terminal status the reason stands for.</summary>
    public OrderStatus Status => string.Equals(Reason, "filled", StringComparison.OrdinalIgnoreCase) ? OrderStatus.Filled : OrderStatus.Cancelled;
}

/// <summary>Legacy <c>change</c>: self-trade prevention or a modify changed the order's size or price.</summary>
public sealed record LegacyChange(
    DateTimeOffset? Time, ProductId? Product, long? Sequence,
    ExchangeOrderId OrderId, decimal? OldSize, decimal? NewSize, decimal? OldPrice, decimal? NewPrice, string? Reason)
    : LegacyMessage(Time, Sequence);

/// <summary>A legacy message type that carries nothing for linkage (<c>subscriptions</c>, <c>heartbeat</c>, <c>error</c>, ...).</summary>
public sealed record LegacyOther(string Type) : LegacyMessage(null, null);

/// <summary>
/// One order as a WebSocket update or a REST order reported it: the engine's <see cref="State"/> plus the fields that only
/// reports and checks need. <see cref="OrderType"/> is normalised to upper case with underscores (<c>"Stop Limit"</c>
/// reads as <c>STOP_LIMIT</c>).
/// </summary>
public sealed record OrderReport
{
    public required OrderState State { get; init; }
    public string? OrderType { get; init; }
    public decimal? LimitPrice { get; init; }
    public bool? PostOnly { get; init; }
    public string? RejectReason { get; init; }
    public string? CancelReason { get; init; }

    /// <summary>The stop price: <c>stop_trigger_price</c> of a bracket or <c>stop_price</c> of a stop-limit (REST configuration, or the WebSocket's <c>stop_price</c>).</summary>
    public decimal? StopPrice { get; init; }

    /// <summary>The WebSocket's and REST's <c>trigger_status</c> (<c>STOP_PENDING</c>, <c>STOP_TRIGGERED</c>, <c>INVALID_ORDER_TYPE</c>, ...), normalised like <see cref="OrderType"/>.</summary>
    public string? TriggerStatus { get; init; }

    /// <summary><c>creation_time</c> (WebSocket) or <c>created_time</c> (REST); null when absent or <c>0001-01-01T00:00:00Z</c>.</summary>
    public DateTimeOffset? CreatedAt { get; init; }

    /// <summary>REST only: whether the order was sized in quote currency.</summary>
    public bool? SizeInQuote { get; init; }
}

/// <summary>One REST List Fills row: the engine's <see cref="Fill"/> plus the fields reconciliation and reports use.</summary>
public sealed record RestFill
{
    public required TradeFill Fill { get; init; }

    /// <summary>When the fill was posted: the ordering key for "fills since".</summary>
    public DateTimeOffset? SequenceTimestamp { get; init; }

    public string? LiquidityIndicator { get; init; }

    /// <summary>Whether the row's <c>size</c> was in quote currency (the fill's size was converted to base).</summary>
    public bool SizeInQuote { get; init; }
}

/// <summary>One page of REST List Fills. An empty or absent <see cref="Cursor"/> means this is the last page.</summary>
public sealed record FillsPage(ImmutableArray<RestFill> Fills, string? Cursor)
{
    public bool IsLastPage => string.IsNullOrEmpty(Cursor);
}

/// <summary>One page of REST List Orders.</summary>
public sealed record OrdersPage(ImmutableArray<OrderReport> Orders, bool HasNext, string? Cursor);
