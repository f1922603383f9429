namespace Linkage.Engine;

/// <summary>
/// A quantity, value and fee triple as one source reports it for one order, cumulative.
/// Invariant: all three non-negative.
/// </summary>
public readonly record struct Executed(decimal Quantity, decimal Value, decimal Fees)
{
    public static readonly Executed None = new(0m, 0m, 0m);

    /// <summary>Average price, or null when nothing executed.</summary>
    public decimal? AveragePrice => Quantity == 0m ? null : Value / Quantity;
}

/// <summary>
/// Everything the store keeps about one bot order, keyed by client order id: the staged intent, its binding to the
/// exchange order, its status and its fill ledger. Immutable; every change produces a new record with
/// <see cref="Version"/> one higher, which the store uses for optimistic concurrency between engine instances.
/// </summary>
/// <remarks>
/// The ledger keeps what each source says was executed, cumulatively: the feed's last cumulative state
/// (<see cref="Feed"/>, a snapshot sets it as a baseline), the sum of distinct REST fill rows (<see cref="Rest"/>) and
/// the sum of distinct legacy matches (<see cref="Matches"/>). Each is a lower bound of what the exchange executed, so
/// the linked quantity is the largest of the linkable ones and can never exceed the executed quantity; no quantity is
/// counted twice because sources are never added together.
/// Invariants: <c>Linked.Quantity &lt;= max(Feed, Rest, Matches)</c>; <c>Allocated &lt;= Linked.Quantity</c>.
/// </remarks>
public sealed record OrderRecord
{
    public required ClientOrderId ClientOrderId { get; init; }
    public required Intent Intent { get; init; }

    /// <summary>When the intent was staged (the input's time).</summary>
    public required DateTimeOffset StagedAt { get; init; }

    public ExchangeOrderId? ExchangeOrderId { get; init; }
    public PlacementState Placement { get; init; } = PlacementState.Staged;
    public string? RejectReason { get; init; }
    public OrderStatus Status { get; init; } = OrderStatus.Unknown;
    public DateTimeOffset? TerminalAt { get; init; }

    /// <summary>The feed's last cumulative state (updates and snapshots).</summary>
    public Executed Feed { get; init; } = Executed.None;

    /// <summary>The part of <see cref="Feed"/> that came from update events (linkable); snapshots only move <see cref="Feed"/>.</summary>
    public Executed FeedLinkable { get; init; } = Executed.None;

    /// <summary>Sum of distinct REST List Fills rows of type FILL.</summary>
    public Executed Rest { get; init; } = Executed.None;

    /// <summary>Sum of distinct legacy matches.</summary>
    public Executed Matches { get; init; } = Executed.None;

    /// <summary>What is linked to this order's intent.</summary>
    public Executed Linked { get; init; } = Executed.None;

    /// <summary>The exchange's own executed quantity as last reported by REST or the feed, for the quantities-agree check.</summary>
    public decimal? ExchangeFilledQuantity { get; init; }

    /// <summary>Number of link records written for this order.</summary>
    public int LinkCount { get; init; }

    /// <summary>Entries: quantity closed by exits. Exits: quantity allocated to entry lots.</summary>
    public decimal Allocated { get; init; }

    /// <summary>Retention removed the intent's bulky metadata; the binding and ledger stay so dedupe still works.</summary>
    public bool IntentPurged { get; init; }

    public long Version { get; init; } = 1;

    /// <summary>Entries: linked quantity not yet closed by exits. Exits: linked quantity not yet allocated.</summary>
    public decimal Open => Linked.Quantity - Allocated;
}

/// <summary>
/// One link: a quantity of an order tied to the intent that created it. Links of one order are numbered from 1 and
/// cover consecutive ranges of its linked quantity (<see cref="From"/> exclusive to <see cref="To"/> inclusive).
/// </summary>
public sealed record LinkRecord
{
    public required ClientOrderId ClientOrderId { get; init; }
    public required ExchangeOrderId ExchangeOrderId { get; init; }
    public required int Sequence { get; init; }
    public required IntentKind Kind { get; init; }
    public SnapshotId? Snapshot { get; init; }
    public required ProductId Product { get; init; }
    public required Side Side { get; init; }
    public required decimal From { get; init; }
    public required decimal To { get; init; }

    /// <summary>Price of this increment (value increase over quantity increase).</summary>
    public required decimal Price { get; init; }

    public required decimal Fee { get; init; }
    public required LinkProvenance Provenance { get; init; }

    /// <summary>The key of the fill that caused it: <c>entry_id</c>, legacy trade, or the synthetic <c>{order_id}-{cumulative}</c>.</summary>
    public required string SourceKey { get; init; }

    public decimal? BuyScore { get; init; }
    public decimal? SellScore { get; init; }
    public string? Trigger { get; init; }
    public required DateTimeOffset At { get; init; }

    public decimal Quantity => To - From;
}

/// <summary>A trade-level fill the store has seen (its key is kept beyond retention so duplicates never link twice).</summary>
public sealed record FillRecord
{
    public required TradeFill Fill { get; init; }
    public ClientOrderId? ClientOrderId { get; init; }
    public required DateTimeOffset At { get; init; }

    /// <summary>True for REVERSAL, CORRECTION and SYNTHETIC rows: recorded as adjustments, not executed quantity.</summary>
    public bool IsAdjustment => Fill.TradeType != TradeType.Fill;
}

/// <summary>An exit fill's quantity allocated to one entry lot it closes.</summary>
public sealed record AllocationRecord
{
    public required ClientOrderId ExitClientOrderId { get; init; }
    public required ClientOrderId EntryClientOrderId { get; init; }
    public required int Sequence { get; init; }
    public SnapshotId? EntrySnapshot { get; init; }
    public required ProductId Product { get; init; }
    public required decimal Quantity { get; init; }
    public required decimal ExitPrice { get; init; }
    public required decimal EntryPrice { get; init; }

    /// <summary>Gross realized PnL in quote currency: (exit price − entry price) × quantity for a long entry, negated for a short.</summary>
    public required decimal RealizedPnl { get; init; }

    public string? ExitTrigger { get; init; }
    public decimal? SellScore { get; init; }
    public required DateTimeOffset At { get; init; }
}

/// <summary>A fill (or order update) waiting for its order's identity. Kept until bound, classified external, or purged.</summary>
public sealed record ParkedFill
{
    public required ExchangeOrderId ExchangeOrderId { get; init; }

    /// <summary>Unique key of the parked input within its order (a fill key, or the synthetic <c>{order_id}-{cumulative}</c>).</summary>
    public required string Key { get; init; }

    /// <summary>The input to decide again once the binding is known.</summary>
    public required EngineInput Input { get; init; }

    public required DateTimeOffset ParkedAt { get; init; }
}

/// <summary>An order the bot did not place. Its fills are recorded here and never linked.</summary>
public sealed record ExternalOrderRecord
{
    public required ExchangeOrderId ExchangeOrderId { get; init; }
    public ClientOrderId? ClientOrderId { get; init; }
    public ProductId? Product { get; init; }

    /// <summary>Quantity seen filling after observation began (snapshots are a baseline, not fills).</summary>
    public decimal ObservedQuantity { get; init; }

    /// <summary>The exchange's cumulative quantity as last reported.</summary>
    public decimal ExchangeCumulative { get; init; }

    /// <summary>Feed baseline (first cumulative seen), so observed quantity excludes what happened before observation.</summary>
    public decimal? Baseline { get; init; }

    /// <summary>Trade-level fill keys recorded for it.</summary>
    public int Trades { get; init; }

    public required DateTimeOffset FirstSeenAt { get; init; }
    public long Version { get; init; } = 1;
}

/// <summary>An input the engine refused, kept with its raw payload and the reason naming the field.</summary>
public sealed record QuarantineRecord
{
    public required DateTimeOffset At { get; init; }
    public required string Kind { get; init; }
    public required string Reason { get; init; }
    public string? Field { get; init; }
    public int? Line { get; init; }
    public string? Origin { get; init; }
    public required string RawPayload { get; init; }
}

/// <summary>Kinds of alert; each is something an operator should look at, none stops processing.</summary>
public enum AlertKind
{
    /// <summary>An exchange order id arrived with a client order id different from the one it is bound to.</summary>
    ConflictingBinding,

    /// <summary>A fill names our prefix but no staged intent exists (lost by a volatile store, or another instance's).</summary>
    OrphanedOrder,

    /// <summary>The parked-fills bound was reached.</summary>
    ParkedFillsFull,

    /// <summary>A fill arrived for an order the exchange rejected.</summary>
    FillForRejectedOrder,

    /// <summary>An exit filled more than the open entry lots it may close; the rest waits for lots.</summary>
    ExitExceedsOpenLots,

    /// <summary>Linked quantity disagrees with what the exchange reports executed.</summary>
    QuantityMismatch,

    /// <summary>The engine failed on an input (a bug); the input was quarantined and processing went on.</summary>
    InternalError,
}

/// <summary>An alert raised by the engine.</summary>
public sealed record AlertRecord
{
    public required DateTimeOffset At { get; init; }
    public required AlertKind Kind { get; init; }
    public required string Detail { get; init; }
    public ClientOrderId? ClientOrderId { get; init; }
    public ExchangeOrderId? ExchangeOrderId { get; init; }
}
