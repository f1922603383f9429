using System.Collections.Immutable;

namespace Linkage.Engine;

/// <summary>
/// The engine's view while it decides one input: the committed state plus every decision already made for the same
/// batch. Decisions later in a batch (an unparked fill re-decided after a binding, an exit allocated after its link)
/// must see the earlier ones, exactly as the store will when it applies the batch in order.
/// </summary>
/// <remarks>
/// <see cref="Apply"/> mirrors what a store does with each decision, without the version checks (the engine produces
/// consistent versions itself). Lists are merged from committed and pending entries and sorted by the same stable keys
/// the port documents, so no hash order leaks into a decision. Not thread safe: each <see cref="Decider"/> has one,
/// <see cref="Reset"/> for every call of the engine.
/// </remarks>
internal sealed class PendingView
{
    private ReadSet? _committed;

    // Most inputs write one order and record one fill key, and what is pending lives for one call of the engine, so
    // the first order and the first key are kept in fields and the collections are made only for a second one (or on
    // first use): collections allocated per fill were a large share of the cost of deciding it.
    private OrderRecord? _onlyOrder;
    private Dictionary<string, OrderRecord>? _orders;
    private Dictionary<string, string>? _clientIdByExchangeId;
    private FillKey? _onlyFillKey;
    private HashSet<FillKey>? _fillKeys;
    private Dictionary<(string Order, string Key), ParkedFill>? _parkedAdded;
    private HashSet<(string Order, string Key)>? _parkedRemoved;
    private Dictionary<string, ExternalOrderRecord>? _externals;

    /// <summary>The committed state this call of the engine reads: the read set fetched before it, nothing else.</summary>
    private ReadSet Committed => _committed ?? throw new InvalidOperationException("a pending view was read outside a call of the engine");

    public OrderRecord? FindByClientOrderId(ClientOrderId id) => Pending(id.Value) ?? Committed.FindByClientOrderId(id);

    public OrderRecord? FindByExchangeOrderId(ExchangeOrderId id)
    {
        if (PendingBoundTo(id) is { } pending)
        {
            return pending;
        }
        var found = Committed.FindByExchangeOrderId(id);
        return found is not null ? Pending(found.ClientOrderId.Value) ?? found : null;
    }

    public bool IsFillKeySeen(FillKey key) =>
        (_fillKeys is not null ? _fillKeys.Contains(key) : _onlyFillKey == key) || Committed.IsFillKeySeen(key);

    public ImmutableArray<ParkedFill> ParkedFor(ExchangeOrderId id)
    {
        var fromCommitted = Committed.ParkedFor(id);
        if (_parkedAdded is null && _parkedRemoved is null)
        {
            return fromCommitted;
        }
        return
        [
            .. fromCommitted.Where(p => _parkedRemoved is null || !_parkedRemoved.Contains((id.Value, p.Key)))
                .Concat(_parkedAdded?.Values.Where(p => p.ExchangeOrderId == id) ?? [])
                .OrderBy(p => p.ParkedAt).ThenBy(p => p.Key, StringComparer.Ordinal),
        ];
    }

    public int ParkedCount => Committed.ParkedCount + (_parkedAdded?.Count ?? 0) - (_parkedRemoved?.Count ?? 0);

    public ExternalOrderRecord? FindExternal(ExchangeOrderId id) =>
        _externals is not null && _externals.TryGetValue(id.Value, out var pending) ? pending : Committed.FindExternal(id);

    // The filters are static lambdas with their argument passed alongside: no closure is allocated per read.
    public ImmutableArray<OrderRecord> OpenEntryLots(ProductId product) =>
        Merge(Committed.OpenEntryLots(product), product, static (o, product) => o.Intent.Kind == IntentKind.Entry && o.Intent.Product == product && o.Open > 0m);

    public ImmutableArray<OrderRecord> ExitsAwaitingAllocation(ProductId product) =>
        Merge(Committed.ExitsAwaitingAllocation(product), product, static (o, product) => o.Intent.Kind == IntentKind.Exit && o.Intent.Product == product && o.Open > 0m);

    public ImmutableArray<OrderRecord> TerminalBefore(DateTimeOffset cutoff, int max) =>
    [
        .. Merge(Committed.TerminalBefore(cutoff, max), cutoff, static (o, cutoff) => o.TerminalAt is { } at && at <= cutoff && !o.IntentPurged)
            .OrderBy(o => o.TerminalAt).ThenBy(o => o.ClientOrderId.Value, StringComparer.Ordinal).Take(max),
    ];

    /// <summary>Forgets everything pending and reads <paramref name="state"/> from now on (nothing, between calls).</summary>
    public void Reset(ReadSet? state)
    {
        _committed = state;
        _onlyOrder = null;
        _orders = null;
        _clientIdByExchangeId = null;
        _onlyFillKey = null;
        _fillKeys = null;
        _parkedAdded = null;
        _parkedRemoved = null;
        _externals = null;
    }

    /// <summary>Reflects one decision, as the store will when it applies the batch.</summary>
    public void Apply(Decision decision)
    {
        switch (decision)
        {
            case ExitAllocated allocated:
                Put(allocated.Order);
                Put(allocated.Entry);
                break;
            case OrderDecision written:
                Put(written.Order);
                break;
            case FillRecorded recorded:
                AddFillKey(recorded.Fill.Fill.Key);
                break;
            case FillParked parked:
                // A committed fill unparked earlier in the call stays hidden: the store replaces it with this one.
                (_parkedAdded ??= [])[(parked.Fill.ExchangeOrderId.Value, parked.Fill.Key)] = parked.Fill;
                break;
            case FillUnparked unparked:
                if (_parkedAdded is null || !_parkedAdded.Remove((unparked.ExchangeOrderId.Value, unparked.Key)))
                {
                    (_parkedRemoved ??= []).Add((unparked.ExchangeOrderId.Value, unparked.Key));
                }
                break;
            case ExternalRecorded external:
                (_externals ??= new(StringComparer.Ordinal))[external.Order.ExchangeOrderId.Value] = external.Order;
                break;
            default:
                // Duplicates, rejections and alerts change nothing the engine reads.
                break;
        }
    }

    private OrderRecord? Pending(string clientId) =>
        _orders is not null ? _orders.GetValueOrDefault(clientId)
        : _onlyOrder is not null && string.Equals(_onlyOrder.ClientOrderId.Value, clientId, StringComparison.Ordinal) ? _onlyOrder
        : null;

    private OrderRecord? PendingBoundTo(ExchangeOrderId id) =>
        _orders is not null
            ? _clientIdByExchangeId!.TryGetValue(id.Value, out var clientId) ? _orders[clientId] : null
            : _onlyOrder?.ExchangeOrderId == id ? _onlyOrder : null;

    private void Put(OrderRecord order)
    {
        if (_orders is null)
        {
            if (_onlyOrder is null || _onlyOrder.ClientOrderId == order.ClientOrderId)
            {
                _onlyOrder = order;
                return;
            }
            _orders = new(StringComparer.Ordinal);
            _clientIdByExchangeId = new(StringComparer.Ordinal);
            Index(_onlyOrder);
            _onlyOrder = null;
        }
        Index(order);
    }

    private void Index(OrderRecord order)
    {
        _orders![order.ClientOrderId.Value] = order;
        if (order.ExchangeOrderId is { } exchangeId)
        {
            _clientIdByExchangeId![exchangeId.Value] = order.ClientOrderId.Value;
        }
    }

    private void AddFillKey(FillKey key)
    {
        if (_fillKeys is null)
        {
            if (_onlyFillKey is not { } only)
            {
                _onlyFillKey = key;
                return;
            }
            _fillKeys = [only];
        }
        _fillKeys.Add(key);
    }

    /// <summary>Whether any pending order qualifies.</summary>
    private bool AnyPending<TArgument>(TArgument argument, Func<OrderRecord, TArgument, bool> qualifies)
    {
        if (_orders is null)
        {
            return _onlyOrder is not null && qualifies(_onlyOrder, argument);
        }
        foreach (var order in _orders.Values)
        {
            if (qualifies(order, argument))
            {
                return true;
            }
        }
        return false;
    }

    /// <summary>
    /// Committed orders replaced by their pending versions, plus pending orders that now qualify, filtered and sorted
    /// oldest first (<c>StagedAt</c>, then client order id, ordinal).
    /// </summary>
    private ImmutableArray<OrderRecord> Merge<TArgument>(ImmutableArray<OrderRecord> fromCommitted, TArgument argument, Func<OrderRecord, TArgument, bool> qualifies)
    {
        if (_orders is null && _onlyOrder is null)
        {
            // Nothing pending: the committed list is already filtered and in order.
            return fromCommitted;
        }
        if (fromCommitted.IsEmpty && !AnyPending(argument, qualifies))
        {
            // The common case after a link on an entry: no exit waits, and the pending order is no exit.
            return [];
        }
        var merged = new Dictionary<string, OrderRecord>(StringComparer.Ordinal);
        foreach (var order in fromCommitted)
        {
            merged[order.ClientOrderId.Value] = order;
        }
        foreach (var order in _orders is not null ? _orders.Values : (IEnumerable<OrderRecord>)[_onlyOrder!])
        {
            merged[order.ClientOrderId.Value] = order;
        }
        return [.. merged.Values.Where(o => qualifies(o, argument)).OrderBy(o => o.StagedAt).ThenBy(o => o.ClientOrderId.Value, StringComparer.Ordinal)];
    }
}
