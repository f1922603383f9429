using System.Collections.Immutable;
using System.Globalization;

namespace Linkage.Engine;

/// <summary>
/// The reference <see cref="ILinkageStore"/>: everything in memory, nothing kept across a restart (<see cref="IsDurable"/>
/// is false). The SQL stores are checked against it, so it states the port's semantics as plainly as it can and does
/// nothing else: a batch applies wholly or not at all; an order write applies only over the version it was decided
/// from (an insert only where no order exists); an exchange order id is bound to one client order id forever and an
/// order once bound is never unbound; a fill key is recorded once; a fill is parked once under its key and taken out
/// only while parked; an external order is written only over the version it was decided from; every read-out is in its
/// documented stable order.
/// </summary>
/// <remarks>
/// State is dictionaries keyed by the records' ids and lists in the order things were appended. The reads the engine
/// and the host make for every input or tick (open lots, exits awaiting allocation, orders in flight, terminal orders)
/// come from three sorted sets of order keys, as a SQL store's come from its indexes: <see cref="Write"/>, the one place
/// an order is written, moves an order's keys between them by the predicates each read documents, so no read scans
/// every order ever staged (that made a simulated day quadratic, ADR 0007). The model tests check every such read
/// against its definition computed by a scan. A batch is first staged into a <see cref="Transaction"/> that checks each
/// decision against the committed state plus the decisions staged before it, and is committed only if none conflicts.
/// Thread safety: every member takes one lock, so each call is atomic and sees only committed batches.
/// </remarks>
public sealed class MemoryStore : ILinkageStore
{
    /// <summary>Orders an index keeps by a time, then by client order id (ordinal).</summary>
    private static readonly Comparer<(DateTimeOffset At, string ClientId)> ByTimeThenId =
        Comparer<(DateTimeOffset At, string ClientId)>.Create(static (a, b) => a.At.CompareTo(b.At) is var byTime and not 0 ? byTime : string.CompareOrdinal(a.ClientId, b.ClientId));

    private readonly Lock _gate = new();
    private readonly Dictionary<string, OrderRecord> _orders = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _clientIdByExchangeId = new(StringComparer.Ordinal);
    private readonly Dictionary<FillKey, FillRecord> _fills = [];
    private readonly Dictionary<(string Order, string Key), ParkedFill> _parked = [];
    private readonly Dictionary<string, ExternalOrderRecord> _externals = new(StringComparer.Ordinal);
    private readonly List<LinkRecord> _links = [];
    private readonly List<AllocationRecord> _allocations = [];
    private readonly List<QuarantineRecord> _quarantine = [];
    private readonly List<AlertRecord> _alerts = [];

    // Indexes of _orders: for each read the engine or the host makes per input or per tick, the keys of the orders that
    // read returns, in its order; the read looks the records up in _orders. Only Write changes them, by the predicates
    // the reads document: open lots and exits awaiting allocation by kind and product (IsOpen), by staging time; orders
    // in flight (not IsSettled), by client order id; orders retention may purge (IsRetained), by terminal time.
    private readonly Dictionary<(IntentKind Kind, ProductId Product), SortedSet<(DateTimeOffset StagedAt, string ClientId)>> _open = [];
    private readonly SortedSet<string> _inFlight = new(StringComparer.Ordinal);
    private readonly SortedSet<(DateTimeOffset TerminalAt, string ClientId)> _retained = new(ByTimeThenId);

    /// <inheritdoc />
    public string Name => "memory";

    /// <inheritdoc />
    public bool IsDurable => false;

    /// <inheritdoc />
    public int ParkedCount => Locked<int>(() => _parked.Count);

    /// <inheritdoc />
    public OrderRecord? FindByClientOrderId(ClientOrderId id) => Locked<OrderRecord?>(() => id.Value is { } key ? _orders.GetValueOrDefault(key) : null);

    /// <inheritdoc />
    public OrderRecord? FindByExchangeOrderId(ExchangeOrderId id) =>
        Locked<OrderRecord?>(() => id.Value is { } key && _clientIdByExchangeId.TryGetValue(key, out var clientId) ? _orders[clientId] : null);

    /// <inheritdoc />
    public bool IsFillKeySeen(FillKey key) => Locked<bool>(() => _fills.ContainsKey(key));

    /// <inheritdoc />
    public ImmutableArray<ParkedFill> ParkedFor(ExchangeOrderId id) =>
        Locked<ImmutableArray<ParkedFill>>(() => _parked.Values.Where(p => p.ExchangeOrderId == id).OrderBy(p => p.ParkedAt).ThenBy(p => p.Key, StringComparer.Ordinal).ToImmutableArray());

    /// <inheritdoc />
    public ExternalOrderRecord? FindExternal(ExchangeOrderId id) => Locked<ExternalOrderRecord?>(() => id.Value is { } key ? _externals.GetValueOrDefault(key) : null);

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> OpenEntryLots(ProductId product) => OpenOrders(IntentKind.Entry, product);

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> ExitsAwaitingAllocation(ProductId product) => OpenOrders(IntentKind.Exit, product);

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> TerminalBefore(DateTimeOffset cutoff, int max) =>
        Locked<ImmutableArray<OrderRecord>>(() => _retained.TakeWhile(k => k.TerminalAt <= cutoff).Take(max).Select(k => _orders[k.ClientId]).ToImmutableArray());

    /// <inheritdoc />
    public ApplyResult Apply(DecisionBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        lock (_gate)
        {
            var transaction = new Transaction(this);
            foreach (var decision in batch.Decisions)
            {
                if (transaction.Stage(decision) is { } conflict)
                {
                    return ApplyResult.Conflict(conflict);
                }
            }
            transaction.Commit();
            return ApplyResult.Applied;
        }
    }

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> InFlightOrders() => Locked<ImmutableArray<OrderRecord>>(() => _inFlight.Select(id => _orders[id]).ToImmutableArray());

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> TerminalSince(DateTimeOffset since) =>
        Locked<ImmutableArray<OrderRecord>>(() => _retained.Reverse().TakeWhile(k => k.TerminalAt >= since).Select(k => _orders[k.ClientId])
            .OrderBy(o => o.ClientOrderId.Value, StringComparer.Ordinal).ToImmutableArray());

    /// <inheritdoc />
    public ImmutableArray<ExchangeOrderId> ParkedOrderIds() =>
        Locked<ImmutableArray<ExchangeOrderId>>(() => _parked.Values.Select(p => p.ExchangeOrderId).Distinct().OrderBy(id => id.Value, StringComparer.Ordinal).ToImmutableArray());

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> Orders() =>
        Locked<ImmutableArray<OrderRecord>>(() => _orders.Values.OrderBy(o => o.StagedAt).ThenBy(o => o.ClientOrderId.Value, StringComparer.Ordinal).ToImmutableArray());

    /// <inheritdoc />
    public ImmutableArray<LinkRecord> Links() =>
        Locked<ImmutableArray<LinkRecord>>(() => _links.OrderBy(l => l.ClientOrderId.Value, StringComparer.Ordinal).ThenBy(l => l.Sequence).ToImmutableArray());

    /// <inheritdoc />
    public ImmutableArray<FillRecord> Fills() =>
        Locked<ImmutableArray<FillRecord>>(() => _fills.Values.OrderBy(f => f.Fill.Key.Order.Value, StringComparer.Ordinal)
            .ThenBy(f => f.Fill.Key.Source).ThenBy(f => f.Fill.Key.Key, StringComparer.Ordinal).ToImmutableArray());

    /// <inheritdoc />
    public ImmutableArray<AllocationRecord> Allocations() =>
        Locked<ImmutableArray<AllocationRecord>>(() => _allocations.OrderBy(a => a.ExitClientOrderId.Value, StringComparer.Ordinal).ThenBy(a => a.Sequence).ToImmutableArray());

    /// <inheritdoc />
    public ImmutableArray<ParkedFill> Parked() =>
        Locked<ImmutableArray<ParkedFill>>(() => _parked.Values.OrderBy(p => p.ExchangeOrderId.Value, StringComparer.Ordinal).ThenBy(p => p.Key, StringComparer.Ordinal).ToImmutableArray());

    /// <inheritdoc />
    public ImmutableArray<ExternalOrderRecord> ExternalOrders() =>
        Locked<ImmutableArray<ExternalOrderRecord>>(() => _externals.Values.OrderBy(e => e.ExchangeOrderId.Value, StringComparer.Ordinal).ToImmutableArray());

    /// <inheritdoc />
    /// <remarks>A link's serial is its index in the order links were appended, from 1 (links are never removed).</remarks>
    public LinkPage LinksAfter(long after, int limit)
    {
        LinkPage.Check(after, limit);
        return Locked<LinkPage>(() => LinkPage.Of(_links, after, limit));
    }

    /// <inheritdoc />
    public OrderDetail? Detail(ClientOrderId id) => Locked<OrderDetail?>(() =>
    {
        if (id.Value is not { } key || !_orders.TryGetValue(key, out var order))
        {
            return null;
        }
        var exchangeId = order.ExchangeOrderId;
        return new OrderDetail(
            order,
            [.. _links.Where(l => l.ClientOrderId == id).OrderBy(l => l.Sequence)],
            [.. _fills.Values.Where(f => exchangeId is not null && f.Fill.Key.Order == exchangeId.Value)
                .OrderBy(f => f.Fill.Key.Source).ThenBy(f => f.Fill.Key.Key, StringComparer.Ordinal)],
            [.. _allocations.Where(a => a.ExitClientOrderId == id || a.EntryClientOrderId == id)
                .OrderBy(a => a.ExitClientOrderId.Value, StringComparer.Ordinal).ThenBy(a => a.Sequence)]);
    });

    /// <inheritdoc />
    public ImmutableArray<QuarantineRecord> Quarantine() => Locked<ImmutableArray<QuarantineRecord>>(() => _quarantine.ToImmutableArray());

    /// <inheritdoc />
    public ImmutableArray<AlertRecord> Alerts() => Locked<ImmutableArray<AlertRecord>>(() => _alerts.ToImmutableArray());

    /// <summary>Nothing to release: the state lives as long as the object.</summary>
    public void Dispose()
    {
    }

    /// <summary>Orders of the kind and product with linked quantity not yet allocated (<see cref="OrderRecord.Open"/> positive), oldest first.</summary>
    private ImmutableArray<OrderRecord> OpenOrders(IntentKind kind, ProductId product) =>
        Locked<ImmutableArray<OrderRecord>>(() => _open.TryGetValue((kind, product), out var keys) ? keys.Select(k => _orders[k.ClientId]).ToImmutableArray() : []);

    /// <summary>Whether the order is one of its kind and product's open orders (<see cref="OpenOrders"/>).</summary>
    private static bool IsOpen(OrderRecord order) => order.Open > 0m;

    /// <summary>Whether retention may still purge the order: terminal, its intent not yet purged (<see cref="TerminalBefore"/>, <see cref="TerminalSince"/>).</summary>
    private static bool IsRetained(OrderRecord order) => order.TerminalAt is not null && !order.IntentPurged;

    /// <summary>Writes an order and moves its keys out of the indexes its previous state was in and into those its new state belongs in.</summary>
    private void Write(OrderRecord order)
    {
        var clientId = order.ClientOrderId.Value;
        if (_orders.TryGetValue(clientId, out var before))
        {
            if (IsOpen(before))
            {
                _open[(before.Intent.Kind, before.Intent.Product)].Remove((before.StagedAt, clientId));
            }
            _inFlight.Remove(clientId);
            if (IsRetained(before))
            {
                _retained.Remove((before.TerminalAt!.Value, clientId));
            }
        }
        _orders[clientId] = order;
        if (IsOpen(order))
        {
            var key = (order.Intent.Kind, order.Intent.Product);
            if (!_open.TryGetValue(key, out var open))
            {
                _open[key] = open = new SortedSet<(DateTimeOffset StagedAt, string ClientId)>(ByTimeThenId);
            }
            open.Add((order.StagedAt, clientId));
        }
        if (!order.IsSettled())
        {
            _inFlight.Add(clientId);
        }
        if (IsRetained(order))
        {
            _retained.Add((order.TerminalAt!.Value, clientId));
        }
    }

    /// <summary>Reads under the lock, so a read never sees half of a batch.</summary>
    /// <remarks>
    /// Callers name <typeparamref name="T"/>: Stryker.NET's instrumented lambdas cannot always be inferred, and one
    /// such compile error made it drop every mutant of this file (<c>docs/mutation.md</c>).
    /// </remarks>
    private T Locked<T>(Func<T> read)
    {
        lock (_gate)
        {
            return read();
        }
    }

    /// <summary>
    /// One batch being applied: every decision is checked against the committed state plus the decisions staged before
    /// it, and nothing touches the committed state until <see cref="Commit"/>, so a conflict leaves nothing applied.
    /// Called only under the store's lock.
    /// </summary>
    private sealed class Transaction(MemoryStore store)
    {
        private readonly Dictionary<string, OrderRecord> _orders = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _clientIdByExchangeId = new(StringComparer.Ordinal);
        private readonly Dictionary<FillKey, FillRecord> _fills = [];

        // A parked fill staged as null is one this batch takes out.
        private readonly Dictionary<(string Order, string Key), ParkedFill?> _parked = [];
        private readonly Dictionary<string, ExternalOrderRecord> _externals = new(StringComparer.Ordinal);
        private readonly List<LinkRecord> _links = [];
        private readonly List<AllocationRecord> _allocations = [];
        private readonly List<QuarantineRecord> _quarantine = [];
        private readonly List<AlertRecord> _alerts = [];

        /// <summary>Stages one decision; returns why it conflicts, or null.</summary>
        public string? Stage(Decision decision)
        {
            switch (decision)
            {
                case IntentStaged staged:
                    return Order(staged.Order, insert: true);
                case ExitAllocated allocated:
                    return Order(allocated.Order, insert: false) ?? Order(allocated.Entry, insert: false) ?? Append(_allocations, allocated.Allocation);
                case Linked linked:
                    return Order(linked.Order, insert: false) ?? Append(_links, linked.Link);
                case OrderDecision written:
                    return Order(written.Order, insert: false);
                case FillRecorded recorded:
                    var key = recorded.Fill.Fill.Key;
                    if (_fills.ContainsKey(key) || store._fills.ContainsKey(key))
                    {
                        return $"fill {key} is already recorded";
                    }
                    _fills[key] = recorded.Fill;
                    return null;
                case FillParked parking:
                    var parkedKey = (parking.Fill.ExchangeOrderId.Value, parking.Fill.Key);
                    if (IsParked(parkedKey))
                    {
                        return $"fill {parkedKey.Value}/{parkedKey.Key} is already parked";
                    }
                    _parked[parkedKey] = parking.Fill;
                    return null;
                case FillUnparked unparking:
                    var unparkedKey = (unparking.ExchangeOrderId.Value, unparking.Key);
                    if (!IsParked(unparkedKey))
                    {
                        return $"fill {unparkedKey.Value}/{unparkedKey.Key} is not parked (another writer released it)";
                    }
                    _parked[unparkedKey] = null;
                    return null;
                case ExternalRecorded external:
                    return External(external.Order);
                case InputRejected rejected:
                    return Append(_quarantine, rejected.Record);
                case AlertRaised raised:
                    return Append(_alerts, raised.Alert);
                default:
                    // DuplicateIgnored writes nothing.
                    return null;
            }
        }

        /// <summary>Writes everything staged into the store (nothing can conflict any more).</summary>
        public void Commit()
        {
            foreach (var order in _orders.Values)
            {
                store.Write(order);
            }
            foreach (var (exchangeId, clientId) in _clientIdByExchangeId)
            {
                store._clientIdByExchangeId[exchangeId] = clientId;
            }
            foreach (var (key, fill) in _fills)
            {
                store._fills.Add(key, fill);
            }
            foreach (var (key, fill) in _parked)
            {
                if (fill is null)
                {
                    store._parked.Remove(key);
                }
                else
                {
                    store._parked[key] = fill;
                }
            }
            foreach (var (exchangeId, external) in _externals)
            {
                store._externals[exchangeId] = external;
            }
            store._links.AddRange(_links);
            store._allocations.AddRange(_allocations);
            store._quarantine.AddRange(_quarantine);
            store._alerts.AddRange(_alerts);
        }

        /// <summary>Stages an appended record; appends never conflict, so it returns no conflict (and chains after a check with <c>??</c>).</summary>
        private static string? Append<T>(List<T> staged, T record)
        {
            staged.Add(record);
            return null;
        }

        private bool IsParked((string Order, string Key) key) =>
            _parked.TryGetValue(key, out var staged) ? staged is not null : store._parked.ContainsKey(key);

        /// <summary>Stages an order's new state if it is written over the version it was decided from and keeps its binding.</summary>
        private string? Order(OrderRecord order, bool insert)
        {
            var clientId = order.ClientOrderId.Value;
            var current = _orders.TryGetValue(clientId, out var staged) ? staged : store._orders.GetValueOrDefault(clientId);
            var version = current?.Version;
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
            var boundTo = current?.ExchangeOrderId;
            if (order.ExchangeOrderId is { } exchangeId && boundTo != exchangeId)
            {
                // A new binding: the order must be unbound, and the exchange id bound to no other order.
                if (boundTo is { } bound)
                {
                    return $"client order {clientId} is bound to exchange order {bound}, not {exchangeId}";
                }
                var holder = _clientIdByExchangeId.TryGetValue(exchangeId.Value, out var stagedHolder)
                    ? stagedHolder
                    : store._clientIdByExchangeId.GetValueOrDefault(exchangeId.Value);
                if (holder is not null && !string.Equals(holder, clientId, StringComparison.Ordinal))
                {
                    return $"exchange order {exchangeId} is bound to client order {holder}";
                }
                _clientIdByExchangeId[exchangeId.Value] = clientId;
            }
            else if (order.ExchangeOrderId is null && boundTo is { } kept)
            {
                return $"client order {clientId} is bound to exchange order {kept}; a write may not unbind it";
            }
            _orders[clientId] = order;
            return null;
        }

        /// <summary>Stages an external order's new state if it is written over the version it was decided from.</summary>
        private string? External(ExternalOrderRecord external)
        {
            var exchangeId = external.ExchangeOrderId.Value;
            var current = _externals.TryGetValue(exchangeId, out var staged) ? staged : store._externals.GetValueOrDefault(exchangeId);
            var expected = current?.Version ?? 0;
            if (external.Version != expected + 1)
            {
                return $"external order {exchangeId} is at version {expected}, the write expects {external.Version - 1}";
            }
            _externals[exchangeId] = external;
            return null;
        }
    }
}
