namespace Linkage.Engine;

/// <summary>
/// A quantity, value and fee triple as one source reports it for one order, cumulative.
/// Invariant: all three non-negative.
/// </summary>
public readonly record struct Executed(decimal Quantity, decimal Value, decimal Fees)
{
    /// <summary>Nothing executed.</summary>
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
    /// <summary>Our client order id: the record's key, minted from the intent before the order is sent.</summary>
    public required ClientOrderId ClientOrderId { get; init; }
    /// <summary>The intent, as staged.</summary>
    public required Intent Intent { get; init; }

    /// <summary>When the intent was staged (the input's time).</summary>
    public required DateTimeOffset StagedAt { get; init; }

    /// <summary>The exchange's order id once known; never rebound.</summary>
    public ExchangeOrderId? ExchangeOrderId { get; init; }
    /// <summary>What is known of the create-order request's outcome.</summary>
    public PlacementState Placement { get; init; } = PlacementState.Staged;
    /// <summary>The exchange's failure reason, when it refused the order.</summary>
    public string? RejectReason { get; init; }
    /// <summary>The order's status as last reported.</summary>
    public OrderStatus Status { get; init; } = OrderStatus.Unknown;
    /// <summary>When the order turned terminal (retention counts from here).</summary>
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

    /// <summary>Optimistic-concurrency version, 1 when staged, one more at every write.</summary>
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
    /// <summary>Our order the quantity belongs to.</summary>
    public required ClientOrderId ClientOrderId { get; init; }
    /// <summary>The exchange's order id.</summary>
    public required ExchangeOrderId ExchangeOrderId { get; init; }
    /// <summary>The link's number among the order's links, from 1.</summary>
    public required int Sequence { get; init; }
    /// <summary>Entry or exit, from the intent.</summary>
    public required IntentKind Kind { get; init; }
    /// <summary>The decision behind the order (the intent's snapshot); null for exits.</summary>
    public SnapshotId? Snapshot { get; init; }
    /// <summary>The product.</summary>
    public required ProductId Product { get; init; }
    /// <summary>The side.</summary>
    public required Side Side { get; init; }
    /// <summary>The order's linked quantity before this link.</summary>
    public required decimal From { get; init; }
    /// <summary>The order's linked quantity after this link.</summary>
    public required decimal To { get; init; }

    /// <summary>Price of this increment (value increase over quantity increase).</summary>
    public required decimal Price { get; init; }

    /// <summary>The fee of the linked quantity, in quote currency.</summary>
    public required decimal Fee { get; init; }
    /// <summary>Which source's report made the link (feed, REST fills, legacy matches, reconciliation).</summary>
    public required LinkProvenance Provenance { get; init; }

    /// <summary>The key of the fill that caused it: <c>entry_id</c>, legacy trade, or the synthetic <c>{order_id}-{cumulative}</c>.</summary>
    public required string SourceKey { get; init; }

    /// <summary>The intent's buy score, copied so the link reads alone.</summary>
    public decimal? BuyScore { get; init; }
    /// <summary>The intent's sell score, copied so the link reads alone.</summary>
    public decimal? SellScore { get; init; }
    /// <summary>The intent's trigger, copied so the link reads alone.</summary>
    public string? Trigger { get; init; }
    /// <summary>When the link was made (the time of the input that made it).</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>The quantity this link covers (<see cref="To"/> minus <see cref="From"/>).</summary>
    public decimal Quantity => To - From;
}

/// <summary>A trade-level fill the store has seen (its key is kept beyond retention so duplicates never link twice).</summary>
public sealed record FillRecord
{
    /// <summary>The trade as its source reported it.</summary>
    public required TradeFill Fill { get; init; }
    /// <summary>Our order the trade belongs to; null for an external order's trade.</summary>
    public ClientOrderId? ClientOrderId { get; init; }
    /// <summary>When the trade was recorded.</summary>
    public required DateTimeOffset At { get; init; }

    /// <summary>True for REVERSAL, CORRECTION and SYNTHETIC rows: recorded as adjustments, not executed quantity.</summary>
    public bool IsAdjustment => Fill.TradeType != TradeType.Fill;
}

/// <summary>An exit fill's quantity allocated to one entry lot it closes.</summary>
public sealed record AllocationRecord
{
    /// <summary>The exit order whose fill this allocation places.</summary>
    public required ClientOrderId ExitClientOrderId { get; init; }
    /// <summary>The entry order (lot) the quantity closes.</summary>
    public required ClientOrderId EntryClientOrderId { get; init; }
    /// <summary>The allocation's number among the exit's allocations, from 1.</summary>
    public required int Sequence { get; init; }
    /// <summary>The entry's snapshot: the decision this exit closes.</summary>
    public SnapshotId? EntrySnapshot { get; init; }
    /// <summary>The product.</summary>
    public required ProductId Product { get; init; }
    /// <summary>Base quantity of the lot this allocation closes.</summary>
    public required decimal Quantity { get; init; }
    /// <summary>The exit fill's price.</summary>
    public required decimal ExitPrice { get; init; }
    /// <summary>The entry lot's average price.</summary>
    public required decimal EntryPrice { get; init; }

    /// <summary>Gross realized PnL in quote currency: (exit price − entry price) × quantity for a long entry, negated for a short.</summary>
    public required decimal RealizedPnl { get; init; }

    /// <summary>The exit's trigger (<c>take_profit</c>, <c>stop_loss</c>, ...).</summary>
    public string? ExitTrigger { get; init; }
    /// <summary>The exit intent's sell score.</summary>
    public decimal? SellScore { get; init; }
    /// <summary>When the allocation was made.</summary>
    public required DateTimeOffset At { get; init; }
}

/// <summary>A fill (or order update) waiting for its order's identity. Kept until bound, classified external, or purged.</summary>
public sealed record ParkedFill
{
    /// <summary>The exchange order the parked input is about.</summary>
    public required ExchangeOrderId ExchangeOrderId { get; init; }

    /// <summary>Unique key of the parked input within its order (a fill key, or the synthetic <c>{order_id}-{cumulative}</c>).</summary>
    public required string Key { get; init; }

    /// <summary>The input to decide again once the binding is known.</summary>
    public required EngineInput Input { get; init; }

    /// <summary>When it was parked.</summary>
    public required DateTimeOffset ParkedAt { get; init; }
}

/// <summary>An order the bot did not place. Its fills are recorded here and never linked.</summary>
public sealed record ExternalOrderRecord
{
    /// <summary>The exchange's order id.</summary>
    public required ExchangeOrderId ExchangeOrderId { get; init; }
    /// <summary>The client order id the other tool used, when known.</summary>
    public ClientOrderId? ClientOrderId { get; init; }
    /// <summary>The product, when known.</summary>
    public ProductId? Product { get; init; }

    /// <summary>
    /// Quantity seen filling after observation began (snapshots are a baseline, not fills): the larger of what the
    /// cumulative states say (<see cref="ExchangeCumulative"/> less <see cref="Baseline"/>) and what each source of trade
    /// rows says (<see cref="TradedQuantity"/>, <see cref="MatchedQuantity"/>: each row is a fill seen). Sources are never
    /// added together: a REST row restates a trade the feed's cumulative or a legacy match already counted.
    /// </summary>
    public decimal ObservedQuantity { get; init; }

    /// <summary>Sum of the distinct REST List Fills rows of type FILL recorded for it.</summary>
    public decimal TradedQuantity { get; init; }

    /// <summary>Sum of the distinct legacy feed matches recorded for it.</summary>
    public decimal MatchedQuantity { get; init; }

    /// <summary>The exchange's cumulative quantity as last reported.</summary>
    public decimal ExchangeCumulative { get; init; }

    /// <summary>Feed baseline (first cumulative seen), so observed quantity excludes what happened before observation.</summary>
    public decimal? Baseline { get; init; }

    /// <summary>Trade-level fill keys recorded for it.</summary>
    public int Trades { get; init; }

    /// <summary>When Linkage first heard of the order.</summary>
    public required DateTimeOffset FirstSeenAt { get; init; }
    /// <summary>Optimistic-concurrency version, 1 on insert.</summary>
    public long Version { get; init; } = 1;
}

/// <summary>An input the engine refused, kept with its raw payload and the reason naming the field.</summary>
public sealed record QuarantineRecord
{
    /// <summary>When the input was refused.</summary>
    public required DateTimeOffset At { get; init; }
    /// <summary>What kind of input it was (<c>ws</c>, <c>intent</c>, <c>fills</c>, ...).</summary>
    public required string Kind { get; init; }
    /// <summary>Why it was refused, naming the field.</summary>
    public required string Reason { get; init; }
    /// <summary>The path of the offending field, when one is to blame.</summary>
    public string? Field { get; init; }
    /// <summary>The line of the input in its file (a capture), when it came from one.</summary>
    public int? Line { get; init; }
    /// <summary>Where the input came from (<c>ws</c>, <c>rest:create</c>, <c>reconcile</c>, <c>webhook</c>, ...).</summary>
    public string? Origin { get; init; }
    /// <summary>The input as it arrived (cut at <see cref="Limits.QuarantinedPayloadLengthMax"/>).</summary>
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
    /// <summary>When the alert was raised.</summary>
    public required DateTimeOffset At { get; init; }
    /// <summary>What it is about.</summary>
    public required AlertKind Kind { get; init; }
    /// <summary>What happened, in words.</summary>
    public required string Detail { get; init; }
    /// <summary>The order it concerns, when one.</summary>
    public ClientOrderId? ClientOrderId { get; init; }
    /// <summary>The exchange order it concerns, when one.</summary>
    public ExchangeOrderId? ExchangeOrderId { get; init; }
}
