using System.Collections.Immutable;

namespace Linkage.Engine;

/// <summary>
/// What the engine reads, fetched into a <see cref="ReadSet"/> before deciding (<see cref="Read"/>). Implementations
/// answer from committed state only. Every list is returned in a stable order (documented per member), never in hash order.
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

    /// <summary>
    /// The read set of <paramref name="keys"/>: everything deciding the inputs they were derived from reads, fetched
    /// now, as an immutable in-memory answer (<see cref="ReadSet"/>). By default the generic fetch over the point reads
    /// above (<see cref="ReadSet.Fetch"/>); a store that can read in bulk (the SQL stores) fetches the same answer in
    /// fewer round trips. The only store I/O of deciding: <see cref="LinkageEngine.Decide(ReadSet, EngineInput, DecisionContext?)"/> reads the set alone.
    /// </summary>
    ReadSet Read(ReadSetKeys keys) => ReadSet.Fetch(this, keys);
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
/// One page of links in serial order, the answer of <see cref="ILinkageStore.LinksAfter"/>. To read every link once,
/// start from 0 and ask again with <see cref="Next"/> while <see cref="More"/>; then ask again later with the same
/// <see cref="Next"/> for the links written since.
/// </summary>
/// <param name="Links">The links whose serial is above the cursor asked for, in serial order, at most the limit asked for.</param>
/// <param name="Next">
/// The serial of the page's last link: the cursor to ask for the next page with. For an empty page, the cursor that was
/// asked for (nothing was skipped).
/// </param>
/// <param name="More">Whether a link with a serial above <paramref name="Next"/> existed when the page was read.</param>
public sealed record LinkPage(EquatableArray<LinkRecord> Links, long Next, bool More)
{
    /// <summary>
    /// The page after <paramref name="after"/> of links whose serials are their 1-based positions in
    /// <paramref name="inSerialOrder"/> (the reference store's insertion order, or the default's order).
    /// </summary>
    internal static LinkPage Of(IReadOnlyList<LinkRecord> inSerialOrder, long after, int limit)
    {
        Check(after, limit);
        var first = (int)Math.Min(after, inSerialOrder.Count);
        var count = Math.Min(limit, inSerialOrder.Count - first);
        var links = new LinkRecord[count];
        for (var i = 0; i < count; i++)
        {
            links[i] = inSerialOrder[first + i];
        }
        return new LinkPage([.. links], count == 0 ? after : first + count, first + count < inSerialOrder.Count);
    }

    /// <summary>Refuses a negative cursor or a limit below 1 (a programmer's error, or a request the caller should have refused).</summary>
    internal static void Check(long after, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
    }
}

/// <summary>Everything recorded about one of our orders, as <see cref="ILinkageStore.Detail"/> reads it at one moment.</summary>
/// <param name="Order">The order record: intent, binding, status, ledgers.</param>
/// <param name="Links">Its links, by sequence.</param>
/// <param name="Fills">The trade-level fills recorded under its exchange order id (none while it is unbound), by source, then key.</param>
/// <param name="Allocations">The exit allocations that name it, as the exit or as the entry lot, by exit client order id, then sequence.</param>
public sealed record OrderDetail(
    OrderRecord Order, EquatableArray<LinkRecord> Links, EquatableArray<FillRecord> Fills, EquatableArray<AllocationRecord> Allocations);

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

    /// <summary>
    /// Up to <paramref name="limit"/> links whose serial is above <paramref name="after"/> (0: from the first), in serial
    /// order, with the cursor of the next page: a reader (a daemon's HTTP API, an exporter) pages through every link
    /// exactly once, and then through the links written since, however many are written between its pages.
    /// </summary>
    /// <remarks>
    /// <para>
    /// A link's serial is a positive number the store assigns when it records the link: the reference store its
    /// insertion index from 1, SQLite the link row's integer key, PostgreSQL an identity column. Serials only grow, so the
    /// order only grows at its end; they may have gaps (a rolled-back write, on PostgreSQL), and a gap is not a missing
    /// link. An implementation must make a link visible only once every link with a lower serial is (or will never
    /// exist), or a pager past it would skip them.
    /// </para>
    /// <para>
    /// PostgreSQL hands out identity values when a row is inserted, not when its transaction commits, so two writers
    /// (two engines on one database, or one engine's concurrent calls) could commit a lower serial after a higher one is
    /// visible. The PostgreSQL store prevents it: a transaction that writes links takes a transaction-level advisory
    /// lock (one per schema) before its first statement and holds it until it commits, so link-writing transactions
    /// commit in serial order; transactions that write no link never wait for it, and with one engine it is never
    /// contended. A pager needs no grace period or re-read.
    /// </para>
    /// <para>
    /// The default implementation, for a store that does not override it, numbers <see cref="Links"/> in the order of
    /// their time, client order id and sequence; that order only grows at the end while links are written in time order,
    /// which a store that shares its database with several writers cannot promise: such a store must override it (every
    /// store of this project does, from an index).
    /// </para>
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="after"/> is negative or <paramref name="limit"/> below 1.</exception>
    LinkPage LinksAfter(long after, int limit) =>
        LinkPage.Of([.. Links().OrderBy(l => l.At).ThenBy(l => l.ClientOrderId.Value, StringComparer.Ordinal).ThenBy(l => l.Sequence)], after, limit);

    /// <summary>
    /// The order with client order id <paramref name="id"/> with its links, its fills and the exit allocations that
    /// name it (<see cref="OrderDetail"/>), all as of one moment; null when there is no such order. The shipped stores
    /// read it under one lock (the reference store) or in one read transaction from their indexes (the SQL stores). The
    /// default implementation filters the full read-outs, one after the other, so a batch committed between them may
    /// show in some parts only.
    /// </summary>
    OrderDetail? Detail(ClientOrderId id)
    {
        if (FindByClientOrderId(id) is not { } order)
        {
            return null;
        }
        var exchangeId = order.ExchangeOrderId;
        return new OrderDetail(
            order,
            [.. Links().Where(l => l.ClientOrderId == id)],
            [.. Fills().Where(f => exchangeId is not null && f.Fill.Key.Order == exchangeId.Value)],
            [.. Allocations().Where(a => a.ExitClientOrderId == id || a.EntryClientOrderId == id)]);
    }
}
