namespace Linkage.Engine;

/// <summary>
/// Everything the engine reacts to. Each input carries its own time (<see cref="At"/>): the engine reads no clock.
/// Inputs are produced by the host from real message formats (see <c>Linkage.Coinbase</c>) or by tests.
/// </summary>
public abstract record EngineInput(DateTimeOffset At)
{
    /// <summary>Where the input came from (a capture line, a scenario step, a connection), for quarantine and alerts. Optional.</summary>
    public string? Origin { get; init; }
}

/// <summary>The strategy's webhook delivered an intent. Re-delivery of the same intent stages nothing new.</summary>
public sealed record IntentReceived(DateTimeOffset At, Intent Intent) : EngineInput(At);

/// <summary>The outcome of a create-order request for a staged intent.</summary>
public enum PlacementResult
{
    /// <summary>The exchange created the order (<c>success: true</c>, an order id).</summary>
    Accepted,
    /// <summary>The exchange refused it (<c>success: false</c>, a failure reason); no order exists.</summary>
    Rejected,

    /// <summary>The request timed out: the order may or may not exist.</summary>
    Unknown,
}

/// <summary>The create-order response (or its absence, for <see cref="PlacementResult.Unknown"/>).</summary>
public sealed record PlacementOutcome(
    DateTimeOffset At,
    ClientOrderId ClientOrderId,
    PlacementResult Result,
    ExchangeOrderId? ExchangeOrderId = null,
    string? RejectReason = null) : EngineInput(At)
{
    /// <summary>
    /// <c>success_response.attached_order_id</c>: the exchange id of the bracket order Coinbase created with this one
    /// (its <c>attached_order_configuration</c>); null when the order has none.
    /// </summary>
    public ExchangeOrderId? AttachedExchangeOrderId { get; init; }
}

/// <summary>An order's cumulative state from the feed or REST; see <see cref="OrderStateSource"/> for what may link.</summary>
public sealed record OrderUpdate(DateTimeOffset At, OrderState Order, OrderStateSource Source) : EngineInput(At)
{
    /// <summary>True when this state came from reconciliation (REST), so links it causes are marked so.</summary>
    public bool FromReconciliation { get; init; }
}

/// <summary>A trade-level fill (REST List Fills row or legacy <c>match</c>).</summary>
public sealed record TradeFillReceived(DateTimeOffset At, TradeFill Fill) : EngineInput(At)
{
    /// <summary>True when the row came from reconciliation (List Fills after a gap, reconnect or restart).</summary>
    public bool FromReconciliation { get; init; }
}

/// <summary>
/// Reconciliation asked the exchange about an order and learned it is not ours (Get Order returned a client order id
/// we never staged) or does not exist. Parked fills for it become external.
/// </summary>
public sealed record OrderNotOurs(DateTimeOffset At, ExchangeOrderId ExchangeOrderId, ClientOrderId? ClientOrderId) : EngineInput(At);

/// <summary>Time passes: retention runs. Hosts send one periodically.</summary>
public sealed record Tick(DateTimeOffset At) : EngineInput(At);

/// <summary>A message that could not be parsed or failed validation at the edge; the engine quarantines it with its reason.</summary>
public sealed record MalformedInput(DateTimeOffset At, string Kind, string Reason, string RawPayload) : EngineInput(At)
{
    /// <summary>The field or key at fault, when known.</summary>
    public string? Field { get; init; }

    /// <summary>1-based line in the capture or scenario file, when known.</summary>
    public int? Line { get; init; }
}
