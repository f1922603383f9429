using System.Collections.Immutable;

namespace Linkage.Engine;

/// <summary>
/// What the engine reads while deciding. Implementations answer from committed state only. Every list is returned in a
/// stable order (documented per member), never in hash order.
/// </summary>
public interface ILinkageStoreView
{
    /// <summary>Our order with this client order id, or null.</summary>
    OrderRecord? FindByClientOrderId(ClientOrderId id);

    /// <summary>Our order bound to this exchange order id, or null.</summary>
    OrderRecord? FindByExchangeOrderId(ExchangeOrderId id);

    /// <summary>Whether a trade with this key was recorded (fill keys are never purged).</summary>
    bool IsFillKeySeen(FillKey key);

    /// <summary>Fills parked for the order, ordered by <c>ParkedAt</c>, then <c>Key</c> (ordinal).</summary>
    ImmutableArray<ParkedFill> ParkedFor(ExchangeOrderId id);

    /// <summary>How many fills are parked in all (for <see cref="Limits.ParkedFillsMax"/>).</summary>
    int ParkedCount { get; }

    /// <summary>The external order with this exchange order id, or null.</summary>
    ExternalOrderRecord? FindExternal(ExchangeOrderId id);

    /// <summary>Entry orders of the product whose <see cref="OrderRecord.Open"/> is positive, oldest first (<c>StagedAt</c>, then client order id, ordinal).</summary>
    ImmutableArray<OrderRecord> OpenEntryLots(ProductId product);

    /// <summary>Exit orders of the product with linked quantity not yet allocated, oldest first (<c>StagedAt</c>, then client order id).</summary>
    ImmutableArray<OrderRecord> ExitsAwaitingAllocation(ProductId product);

    /// <summary>Up to <paramref name="max"/> orders terminal at or before <paramref name="cutoff"/> whose intent is not purged, by <c>TerminalAt</c>, then client order id.</summary>
    ImmutableArray<OrderRecord> TerminalBefore(DateTimeOffset cutoff, int max);
}

/// <summary>
/// A view that hands out a view for the reads of one decision (<see cref="LinkageEngine.Decide"/> asks once per input).
/// A store that caches reads checks once, at the first read through that view, that its cache is current, instead of
/// before every read: the reads of one decision are then as fresh as the first, which the optimistic versions already
/// allow (reads outside a transaction are never one snapshot, and a write decided from an older version is a conflict).
/// Optional: a view that does not implement it is read directly.
/// </summary>
public interface IDecisionScopedView : ILinkageStoreView
{
    /// <summary>A view for one decision's reads; does no I/O itself (the first read does).</summary>
    ILinkageStoreView ForDecision();
}

/// <summary>Result of applying a batch.</summary>
public enum ApplyStatus
{
    /// <summary>Every decision was written, in one transaction.</summary>
    Applied,

    /// <summary>
    /// Another writer changed an order the batch read (version mismatch) or recorded the same fill key first. Nothing was
    /// written; decide the input again against the new state.
    /// </summary>
    Conflict,
}

/// <summary>The outcome of <see cref="ILinkageStore.Apply"/>.</summary>
public readonly record struct ApplyResult(ApplyStatus Status, string? Detail = null)
{
    /// <summary>The batch was written.</summary>
    public static readonly ApplyResult Applied = new(ApplyStatus.Applied);

    /// <summary>Nothing was written: another writer got there first (<paramref name="detail"/> says what).</summary>
    public static ApplyResult Conflict(string detail) => new(ApplyStatus.Conflict, detail);
}

/// <summary>
/// The store port: the engine's reads plus one transactional write of a decision batch, and the read-outs reports need.
/// A batch applies wholly or not at all; I/O failures throw (the host keeps the input and retries), version or key
/// conflicts return <see cref="ApplyStatus.Conflict"/>. Applying a batch whose decisions are all already reflected
/// (a retried commit that had in fact succeeded) must return Conflict or Applied without duplicating anything.
/// Implementations: in-memory (reference, volatile), SQLite (embedded default), PostgreSQL (shared by several engines).
/// Thread safety: every implementation may be called from several threads; each call is atomic.
/// </summary>
public interface ILinkageStore : ILinkageStoreView, IDisposable
{
    /// <summary>A short name: <c>memory</c>, <c>sqlite</c>, <c>postgres</c>.</summary>
    string Name { get; }

    /// <summary>Whether the store keeps its state across a process restart.</summary>
    bool IsDurable { get; }

    /// <summary>Writes the batch in one transaction, checking every version and fill key; see the interface's remarks.</summary>
    ApplyResult Apply(DecisionBatch batch);

    /// <summary>
    /// The orders still in flight (<see cref="OrderRecordExtensions.IsSettled"/> false: not refused, and not terminal
    /// with everything the exchange last reported executed linked), by client order id (ordinal). The host reconciles
    /// these; durable stores answer from an index of unsettled orders, so the cost does not grow with settled history.
    /// </summary>
    ImmutableArray<OrderRecord> InFlightOrders();

    /// <summary>
    /// Orders that turned terminal at or after <paramref name="since"/> and whose intent is not purged (retention purges
    /// it a day after the order turned terminal), by client order id (ordinal); durable stores read the retention index.
    /// </summary>
    ImmutableArray<OrderRecord> TerminalSince(DateTimeOffset since);

    /// <summary>The exchange order ids that have fills parked for want of their identity, each once, ordinal (at most <see cref="Limits.ParkedFillsMax"/>).</summary>
    ImmutableArray<ExchangeOrderId> ParkedOrderIds();

    /// <summary>Every order, by <c>StagedAt</c>, then client order id.</summary>
    ImmutableArray<OrderRecord> Orders();

    /// <summary>Every link, by client order id, then sequence.</summary>
    ImmutableArray<LinkRecord> Links();

    /// <summary>Every recorded trade-level fill, by exchange order id, then source, then key.</summary>
    ImmutableArray<FillRecord> Fills();

    /// <summary>Every exit allocation, by exit client order id, then sequence.</summary>
    ImmutableArray<AllocationRecord> Allocations();

    /// <summary>Every parked fill, by exchange order id, then key.</summary>
    ImmutableArray<ParkedFill> Parked();

    /// <summary>Every external order, by exchange order id.</summary>
    ImmutableArray<ExternalOrderRecord> ExternalOrders();

    /// <summary>Quarantined inputs, in the order they were rejected.</summary>
    ImmutableArray<QuarantineRecord> Quarantine();

    /// <summary>Alerts, in the order they were raised.</summary>
    ImmutableArray<AlertRecord> Alerts();
}
