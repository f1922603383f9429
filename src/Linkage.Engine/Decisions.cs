using System.Collections.Immutable;

namespace Linkage.Engine;

/// <summary>
/// What the engine decided about one input. Decisions are data: a store applies a whole <see cref="DecisionBatch"/> in
/// one transaction, and hosts, metrics and reports read them. Expected outcomes (a duplicate, a parked fill, a rejected
/// input) are decisions, never exceptions.
/// </summary>
public abstract record Decision;

/// <summary>
/// A decision that writes one order's new state. <c>Order.Version</c> is one above the version the engine read; the
/// store applies it only if the stored version is still <c>Order.Version - 1</c> (or, for a new order, absent),
/// otherwise the whole batch is a <see cref="ApplyStatus.Conflict"/> and the host decides the input again.
/// </summary>
public abstract record OrderDecision(OrderRecord Order) : Decision;

/// <summary>The intent was staged (write-ahead, before the order may be sent). Version 1: the store inserts it.</summary>
public sealed record IntentStaged(OrderRecord Order) : OrderDecision(Order);

/// <summary>The exchange order id was bound to the client order id (from the response, a feed update or reconciliation).</summary>
public sealed record OrderBound(OrderRecord Order, LinkProvenance BoundBy) : OrderDecision(Order);

/// <summary>The placement's outcome or the order's status changed (accepted without id yet, rejected, unknown, terminal, ...).</summary>
public sealed record OrderStatusChanged(OrderRecord Order, string Reason) : OrderDecision(Order);

/// <summary>The order's ledger moved (a source reported more executed quantity) without a new link (e.g. a snapshot baseline).</summary>
public sealed record LedgerUpdated(OrderRecord Order) : OrderDecision(Order);

/// <summary>A quantity of the order was linked to its intent. <c>Order</c> is the order after the link.</summary>
public sealed record Linked(OrderRecord Order, LinkRecord Link) : OrderDecision(Order);

/// <summary>Retention removed the intent's metadata; binding, ledger and fill keys stay.</summary>
public sealed record IntentPurged(OrderRecord Order) : OrderDecision(Order);

/// <summary>An exit's quantity was allocated to an entry lot. Both orders' new states are written (the exit as <c>Order</c>).</summary>
public sealed record ExitAllocated(OrderRecord Order, OrderRecord Entry, AllocationRecord Allocation) : OrderDecision(Order);

/// <summary>A trade-level fill key was recorded (insert; a second insert of the same key is a conflict).</summary>
public sealed record FillRecorded(FillRecord Fill) : Decision;

/// <summary>The fill waits for its order's identity.</summary>
public sealed record FillParked(ParkedFill Fill) : Decision;

/// <summary>A parked fill was taken out (its order became known, or was classified external).</summary>
public sealed record FillUnparked(ExchangeOrderId ExchangeOrderId, string Key) : Decision;

/// <summary>An order was recorded or updated as external (not ours): its fills are never linked.</summary>
public sealed record ExternalRecorded(ExternalOrderRecord Order) : Decision;

/// <summary>What a duplicate or stale input was recognised as.</summary>
public enum DuplicateKind
{
    /// <summary>The same intent delivered again (an HTTP retry): no second order, no second intent.</summary>
    Intent,

    /// <summary>A cumulative quantity equal to or below what the feed already reported.</summary>
    StaleCumulative,

    /// <summary>A trade-level fill key already recorded.</summary>
    FillKey,

    /// <summary>A placement outcome already known.</summary>
    Placement,

    /// <summary>A fill already parked under the same key.</summary>
    Parked,
}

/// <summary>The input repeated what the store already knows; nothing is written.</summary>
public sealed record DuplicateIgnored(DuplicateKind Kind, string Key) : Decision;

/// <summary>The input was refused; it is kept in quarantine with its reason. The engine's state is otherwise unchanged.</summary>
public sealed record InputRejected(QuarantineRecord Record) : Decision;

/// <summary>Something an operator should look at; processing goes on.</summary>
public sealed record AlertRaised(AlertRecord Alert) : Decision;

/// <summary>The decisions for one input, applied by a store atomically.</summary>
public sealed record DecisionBatch(EngineInput Input, ImmutableArray<Decision> Decisions)
{
    /// <summary>Whether the batch writes anything (a batch of only <see cref="DuplicateIgnored"/> does not).</summary>
    public bool HasWrites => Decisions.Any(d => d is not DuplicateIgnored);
}
