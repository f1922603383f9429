using System.Collections.Immutable;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Linkage.Engine;

/// <summary>
/// The reference <see cref="ILinkageStore"/>: everything in memory, nothing kept across a restart (<see cref="IsDurable"/>
/// is false). The SQL stores are checked against it, so it implements the port's documented semantics exactly:
/// a batch applies wholly or not at all; an order write applies only over the version it was decided from (an insert
/// only where no order exists); a fill key, parked key or external order is inserted once; an exchange order id is
/// bound to one client order id forever; every read-out is in its documented stable order.
/// </summary>
/// <remarks>
/// Thread safety: every member takes one lock, so each call is atomic and sees only committed batches.
/// Indexes (open entry lots and exits awaiting allocation per product, terminal orders not purged) are kept sorted so
/// the engine's reads cost a lookup, not a scan.
/// </remarks>
public sealed partial class MemoryStore : ILinkageStore
{
    private readonly Lock gate = new();
    private readonly Dictionary<string, StoredOrder> orders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> clientIdByExchangeId = new(StringComparer.Ordinal);
    private readonly TextArena text = new();
    private readonly HashSet<StoredKey> fillKeys = new(StoredKeyComparer.Instance);
    private readonly Log<StoredFill> fills = new();
    private readonly Dictionary<(string Order, string Key), ParkedFill> parked = [];
    private readonly Dictionary<string, SortedSet<string>> parkedKeysByOrder = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExternalOrderRecord> externals = new(StringComparer.Ordinal);
    private readonly Log<StoredLink> links = new();
    private readonly List<AllocationRecord> allocations = [];
    private readonly List<QuarantineRecord> quarantine = [];
    private readonly List<AlertRecord> alerts = [];
    private readonly Dictionary<string, SortedSet<OrderKey>> openEntryLots = new(StringComparer.Ordinal);
    private readonly Dictionary<string, SortedSet<OrderKey>> exitsAwaiting = new(StringComparer.Ordinal);
    private readonly SortedSet<OrderKey> terminalNotPurged = new(OrderKey.Comparer);

    // One transaction for every batch, emptied after each: Apply holds the lock, so no two batches use it at once, and
    // its collections, once made, serve every later batch instead of being allocated per fill.
    private Transaction? transaction;

    /// <inheritdoc />
    public string Name => "memory";

    /// <inheritdoc />
    public bool IsDurable => false;

    /// <inheritdoc />
    public int ParkedCount
    {
        get
        {
            lock (gate)
            {
                return parked.Count;
            }
        }
    }

    /// <inheritdoc />
    public OrderRecord? FindByClientOrderId(ClientOrderId id)
    {
        lock (gate)
        {
            return id.Value is { } key ? Find(key) : null;
        }
    }

    /// <inheritdoc />
    public OrderRecord? FindByExchangeOrderId(ExchangeOrderId id)
    {
        lock (gate)
        {
            return id.Value is { } key && clientIdByExchangeId.TryGetValue(key, out var clientId) ? Find(clientId) : null;
        }
    }

    /// <inheritdoc />
    public bool IsFillKeySeen(FillKey key)
    {
        lock (gate)
        {
            return fillKeys.Contains(StoredKey.Probe(key));
        }
    }

    /// <inheritdoc />
    public ImmutableArray<ParkedFill> ParkedFor(ExchangeOrderId id)
    {
        lock (gate)
        {
            if (id.Value is null || !parkedKeysByOrder.TryGetValue(id.Value, out var keys))
            {
                return [];
            }
            return [.. keys.Select(k => parked[(id.Value, k)]).OrderBy(p => p.ParkedAt).ThenBy(p => p.Key, StringComparer.Ordinal)];
        }
    }

    /// <inheritdoc />
    public ExternalOrderRecord? FindExternal(ExchangeOrderId id)
    {
        lock (gate)
        {
            return id.Value is { } key && externals.TryGetValue(key, out var external) ? external : null;
        }
    }

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> OpenEntryLots(ProductId product) => Indexed(openEntryLots, product);

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> ExitsAwaitingAllocation(ProductId product) => Indexed(exitsAwaiting, product);

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> TerminalBefore(DateTimeOffset cutoff, int max)
    {
        lock (gate)
        {
            return [.. terminalNotPurged.TakeWhile(k => k.At <= cutoff).Take(max).Select(k => Find(k.ClientId)!)];
        }
    }

    /// <inheritdoc />
    public ApplyResult Apply(DecisionBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (gate)
        {
            var staging = transaction ??= new Transaction(this);
            try
            {
                foreach (var decision in batch.Decisions)
                {
                    if (staging.Stage(decision) is { } conflict)
                    {
                        return ApplyResult.Conflict(conflict);
                    }
                }
                staging.Commit();
                return ApplyResult.Applied;
            }
            finally
            {
                staging.Clear();
            }
        }
    }

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> InFlightOrders() =>
        [.. Orders().Where(o => !o.IsSettled()).OrderBy(o => o.ClientOrderId.Value, StringComparer.Ordinal)];

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> TerminalSince(DateTimeOffset since) =>
        [.. Orders().Where(o => o.TerminalAt >= since && !o.IntentPurged).OrderBy(o => o.ClientOrderId.Value, StringComparer.Ordinal)];

    /// <inheritdoc />
    public ImmutableArray<ExchangeOrderId> ParkedOrderIds() =>
        [.. Parked().Select(p => p.ExchangeOrderId).Distinct().OrderBy(id => id.Value, StringComparer.Ordinal)];

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> Orders()
    {
        lock (gate)
        {
            return [.. orders.Values.Select(o => o.ToRecord()).OrderBy(o => o.StagedAt).ThenBy(o => o.ClientOrderId.Value, StringComparer.Ordinal)];
        }
    }

    /// <inheritdoc />
    public ImmutableArray<LinkRecord> Links()
    {
        lock (gate)
        {
            return [.. links.Values().Select(l => l.ToRecord()).OrderBy(l => l.ClientOrderId.Value, StringComparer.Ordinal).ThenBy(l => l.Sequence)];
        }
    }

    /// <inheritdoc />
    public ImmutableArray<FillRecord> Fills()
    {
        lock (gate)
        {
            return
            [
                .. fills.Values().Select(f => f.ToRecord()).OrderBy(f => f.Fill.Key.Order.Value, StringComparer.Ordinal)
                    .ThenBy(f => f.Fill.Key.Source).ThenBy(f => f.Fill.Key.Key, StringComparer.Ordinal),
            ];
        }
    }

    /// <inheritdoc />
    public ImmutableArray<AllocationRecord> Allocations()
    {
        lock (gate)
        {
            return [.. allocations.OrderBy(a => a.ExitClientOrderId.Value, StringComparer.Ordinal).ThenBy(a => a.Sequence)];
        }
    }

    /// <inheritdoc />
    public ImmutableArray<ParkedFill> Parked()
    {
        lock (gate)
        {
            return
            [
                .. parked.Values.OrderBy(p => p.ExchangeOrderId.Value, StringComparer.Ordinal)
                    .ThenBy(p => p.Key, StringComparer.Ordinal),
            ];
        }
    }

    /// <inheritdoc />
    public ImmutableArray<ExternalOrderRecord> ExternalOrders()
    {
        lock (gate)
        {
            return [.. externals.Values.OrderBy(e => e.ExchangeOrderId.Value, StringComparer.Ordinal)];
        }
    }

    /// <inheritdoc />
    public ImmutableArray<QuarantineRecord> Quarantine()
    {
        lock (gate)
        {
            return [.. quarantine];
        }
    }

    /// <inheritdoc />
    public ImmutableArray<AlertRecord> Alerts()
    {
        lock (gate)
        {
            return [.. alerts];
        }
    }

    /// <summary>Nothing to release: the state lives as long as the object.</summary>
    public void Dispose()
    {
    }

    private ImmutableArray<OrderRecord> Indexed(Dictionary<string, SortedSet<OrderKey>> index, ProductId product)
    {
        lock (gate)
        {
            return product.Value is { } key && index.TryGetValue(key, out var set) ? [.. set.Select(k => Find(k.ClientId)!)] : [];
        }
    }

    /// <summary>The order's state as a record (made afresh: the store keeps it as an inline value), or null.</summary>
    private OrderRecord? Find(string clientId)
    {
        ref readonly var stored = ref CollectionsMarshal.GetValueRefOrNullRef(orders, clientId);
        return Unsafe.IsNullRef(in stored) ? null : stored.ToRecord();
    }

    /// <summary>
    /// Moves an order's index entries from its previous state to its new one. A fill changes an order's ledger but
    /// rarely whether it is open or terminal, so an entry that stays where it was is not removed and added again.
    /// </summary>
    private void Reindex(IndexKeys? previous, IndexKeys order)
    {
        if (previous == order)
        {
            return;
        }
        if (previous is { } replaced)
        {
            Index(replaced, add: false);
        }
        Index(order, add: true);
    }

    private void Index(IndexKeys order, bool add)
    {
        var key = new OrderKey(order.StagedAt, order.ClientId);
        if (order.Open)
        {
            var index = order.Kind == IntentKind.Entry ? openEntryLots : exitsAwaiting;
            if (!index.TryGetValue(order.Product, out var set))
            {
                set = new SortedSet<OrderKey>(OrderKey.Comparer);
                index[order.Product] = set;
            }
            Change(set, key, add);
        }
        if (order.TerminalAt is { } terminalAt && !order.IntentPurged)
        {
            Change(terminalNotPurged, key with { At = terminalAt }, add);
        }
    }

    private static void Change(SortedSet<OrderKey> set, OrderKey key, bool add)
    {
        if (add)
        {
            set.Add(key);
        }
        else
        {
            set.Remove(key);
        }
    }

    /// <summary>An order's place in a sorted index: a time, then its client order id (ordinal).</summary>
    private readonly record struct OrderKey(DateTimeOffset At, string ClientId)
    {
        public static readonly IComparer<OrderKey> Comparer = Comparer<OrderKey>.Create((a, b) =>
        {
            var byTime = a.At.CompareTo(b.At);
            return byTime != 0 ? byTime : string.CompareOrdinal(a.ClientId, b.ClientId);
        });
    }

    /// <summary>
    /// One batch being applied: every decision is checked against the committed state plus the decisions staged before
    /// it, and nothing touches the committed state until <see cref="Commit"/>, so a conflict leaves nothing applied.
    /// The store keeps one and empties it after each batch (<see cref="Clear"/>).
    /// </summary>
    private sealed class Transaction(MemoryStore store)
    {
        // Created on first use (a batch touches one or two of these) and then kept for the next batches. Each is a
        // list underneath, so emptying one costs what the batch staged, not the most any batch ever staged.
        private Staged<string, OrderRecord>? orders;
        private Staged<string, string>? clientIdByExchangeId;
        private Staged<FillKey, FillRecord>? fills;
        private Staged<(string Order, string Key), ParkedFill?>? parked;
        private Staged<string, ExternalOrderRecord>? externals;
        private List<LinkRecord>? links;
        private List<AllocationRecord>? allocations;
        private List<QuarantineRecord>? quarantine;
        private List<AlertRecord>? alerts;

        /// <summary>Stages one decision; returns why it conflicts, or null.</summary>
        public string? Stage(Decision decision)
        {
            switch (decision)
            {
                case IntentStaged staged:
                    return Order(staged.Order, insert: true);
                case ExitAllocated allocated:
                    var conflict = Order(allocated.Order, insert: false) ?? Order(allocated.Entry, insert: false);
                    if (conflict is null)
                    {
                        (allocations ??= []).Add(allocated.Allocation);
                    }
                    return conflict;
                case Linked linked:
                    var linkConflict = Order(linked.Order, insert: false);
                    if (linkConflict is null)
                    {
                        (links ??= []).Add(linked.Link);
                    }
                    return linkConflict;
                case OrderDecision written:
                    return Order(written.Order, insert: false);
                case FillRecorded recorded:
                    var key = recorded.Fill.Fill.Key;
                    if ((fills is not null && fills.TryGetValue(key, out _)) || store.fillKeys.Contains(StoredKey.Probe(key)))
                    {
                        return $"fill {key} is already recorded";
                    }
                    (fills ??= new(EqualityComparer<FillKey>.Default)).Set(key, recorded.Fill);
                    return null;
                case FillParked parking:
                    var parkedKey = (parking.Fill.ExchangeOrderId.Value, parking.Fill.Key);
                    if (IsParked(parkedKey))
                    {
                        return $"fill {parkedKey.Value}/{parkedKey.Key} is already parked";
                    }
                    (parked ??= new(EqualityComparer<(string, string)>.Default)).Set(parkedKey, parking.Fill);
                    return null;
                case FillUnparked unparking:
                    var unparkedKey = (unparking.ExchangeOrderId.Value, unparking.Key);
                    if (!IsParked(unparkedKey))
                    {
                        return $"fill {unparkedKey.Value}/{unparkedKey.Key} is not parked (another writer released it)";
                    }
                    (parked ??= new(EqualityComparer<(string, string)>.Default)).Set(unparkedKey, null);
                    return null;
                case ExternalRecorded external:
                    return External(external.Order);
                case InputRejected rejected:
                    (quarantine ??= []).Add(rejected.Record);
                    return null;
                case AlertRaised raised:
                    (alerts ??= []).Add(raised.Alert);
                    return null;
                default:
                    return null;
            }
        }

        public void Commit()
        {
            if (orders is not null)
            {
                foreach (var (_, order) in orders.Entries)
                {
                    ref var stored = ref CollectionsMarshal.GetValueRefOrAddDefault(store.orders, order.ClientOrderId.Value, out var existed);
                    IndexKeys? previous = existed ? stored.Keys : null;
                    stored = new StoredOrder(order);
                    store.Reindex(previous, stored.Keys);
                }
            }
            if (clientIdByExchangeId is not null)
            {
                foreach (var (exchangeId, clientId) in clientIdByExchangeId.Entries)
                {
                    store.clientIdByExchangeId[exchangeId] = clientId;
                }
            }
            if (fills is not null)
            {
                foreach (var (key, fill) in fills.Entries)
                {
                    var stored = new StoredKey(key.Order, key.Source, store.text.Append(key.Key));
                    store.fillKeys.Add(stored);
                    store.fills.Add(new StoredFill(stored, fill, store.text));
                }
            }
            if (parked is not null)
            {
                CommitParked(parked);
            }
            if (externals is not null)
            {
                foreach (var (exchangeId, external) in externals.Entries)
                {
                    store.externals[exchangeId] = external;
                }
            }
            if (links is not null)
            {
                foreach (var link in links)
                {
                    store.links.Add(new StoredLink(link, store.text));
                }
            }
            AddTo(store.allocations, allocations);
            AddTo(store.quarantine, quarantine);
            AddTo(store.alerts, alerts);
        }

        /// <summary>Empties the transaction for the next batch, committed or not.</summary>
        public void Clear()
        {
            orders?.Clear();
            clientIdByExchangeId?.Clear();
            fills?.Clear();
            parked?.Clear();
            externals?.Clear();
            links?.Clear();
            allocations?.Clear();
            quarantine?.Clear();
            alerts?.Clear();
        }

        private void CommitParked(Staged<(string Order, string Key), ParkedFill?> staged)
        {
            foreach (var (key, fill) in staged.Entries)
            {
                if (fill is null)
                {
                    store.parked.Remove(key);
                    if (store.parkedKeysByOrder.TryGetValue(key.Order, out var remaining) && remaining.Remove(key.Key) && remaining.Count == 0)
                    {
                        store.parkedKeysByOrder.Remove(key.Order);
                    }
                }
                else
                {
                    store.parked[key] = fill;
                    if (!store.parkedKeysByOrder.TryGetValue(key.Order, out var keys))
                    {
                        keys = new SortedSet<string>(StringComparer.Ordinal);
                        store.parkedKeysByOrder[key.Order] = keys;
                    }
                    keys.Add(key.Key);
                }
            }
        }

        private static void AddTo<T>(List<T> committed, List<T>? staged)
        {
            if (staged is not null)
            {
                committed.AddRange(staged);
            }
        }

        private bool IsParked((string Order, string Key) key) =>
            parked is not null && parked.TryGetValue(key, out var staged) ? staged is not null : store.parked.ContainsKey(key);

        private string? Order(OrderRecord order, bool insert)
        {
            var clientId = order.ClientOrderId.Value;
            var (version, boundTo) = Current(clientId);
            if (insert)
            {
                if (version is not null || order.Version != 1)
                {
                    return $"client order {clientId} is already staged (version {version})";
                }
            }
            else if (version is null || version != order.Version - 1)
            {
                return $"client order {clientId} is at version {version?.ToString(CultureInfo.InvariantCulture) ?? "none"}, the write expects {order.Version - 1}";
            }
            // An order that stays bound to the id it had needs no binding check: the id already maps to it.
            if (order.ExchangeOrderId is { } exchangeId)
            {
                if (boundTo == exchangeId)
                {
                    (orders ??= new(StringComparer.Ordinal)).Set(clientId, order);
                    return null;
                }
                if (boundTo is { } bound)
                {
                    return $"client order {clientId} is bound to exchange order {bound}, not {exchangeId}";
                }
                var holder = clientIdByExchangeId is not null && clientIdByExchangeId.TryGetValue(exchangeId.Value, out var stagedHolder)
                    ? stagedHolder
                    : store.clientIdByExchangeId.GetValueOrDefault(exchangeId.Value);
                if (holder is not null && !string.Equals(holder, clientId, StringComparison.Ordinal))
                {
                    return $"exchange order {exchangeId} is bound to client order {holder}";
                }
                (clientIdByExchangeId ??= new(StringComparer.Ordinal)).Set(exchangeId.Value, clientId);
            }
            else if (boundTo is { } kept)
            {
                return $"client order {clientId} is bound to exchange order {kept}; a write may not unbind it";
            }
            (orders ??= new(StringComparer.Ordinal)).Set(clientId, order);
            return null;
        }

        /// <summary>The order's version and binding as staged in this batch, else as committed; a null version when there is no such order.</summary>
        private (long? Version, ExchangeOrderId? Bound) Current(string clientId)
        {
            if (orders is not null && orders.TryGetValue(clientId, out var staged))
            {
                return (staged.Version, staged.ExchangeOrderId);
            }
            ref readonly var stored = ref CollectionsMarshal.GetValueRefOrNullRef(store.orders, clientId);
            return Unsafe.IsNullRef(in stored) ? (null, null) : (stored.Version, stored.ExchangeOrderId);
        }

        private string? External(ExternalOrderRecord external)
        {
            var exchangeId = external.ExchangeOrderId.Value;
            var current = externals is not null && externals.TryGetValue(exchangeId, out var staged) ? staged : store.externals.GetValueOrDefault(exchangeId);
            var expected = current?.Version ?? 0;
            if (external.Version != expected + 1)
            {
                return $"external order {exchangeId} is at version {expected}, the write expects {external.Version - 1}";
            }
            (externals ??= new(StringComparer.Ordinal)).Set(exchangeId, external);
            return null;
        }
    }
}
