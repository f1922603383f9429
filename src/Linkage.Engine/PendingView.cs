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
    private ReadSet? committed;

    // Most inputs write one order and record one fill key, and what is pending lives for one call of the engine, so
    // the first order and the first key are kept in fields and the collections are made only for a second one (or on
    // first use): collections allocated per fill were a large share of the cost of deciding it.
    private OrderRecord? onlyOrder;
    private Dictionary<string, OrderRecord>? orders;
    private Dictionary<string, string>? clientIdByExchangeId;
    private FillKey? onlyFillKey;
    private HashSet<FillKey>? fillKeys;
    private Dictionary<(string Order, string Key), ParkedFill>? parkedAdded;
    private HashSet<(string Order, string Key)>? parkedRemoved;
    private Dictionary<string, ExternalOrderRecord>? externals;

    /// <summary>The committed state this call of the engine reads: the read set fetched before it, nothing else.</summary>
    private ReadSet Committed => committed ?? throw new InvalidOperationException("a pending view was read outside a call of the engine");

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
        (fillKeys is not null ? fillKeys.Contains(key) : onlyFillKey == key) || Committed.IsFillKeySeen(key);

    public ImmutableArray<ParkedFill> ParkedFor(ExchangeOrderId id)
    {
        var fromCommitted = Committed.ParkedFor(id);
        if (parkedAdded is null && parkedRemoved is null)
        {
            return fromCommitted;
        }
        return
        [
            .. fromCommitted.Where(p => parkedRemoved is null || !parkedRemoved.Contains((id.Value, p.Key)))
                .Concat(parkedAdded?.Values.Where(p => p.ExchangeOrderId == id) ?? [])
                .OrderBy(p => p.ParkedAt).ThenBy(p => p.Key, StringComparer.Ordinal),
        ];
    }

    public int ParkedCount => Committed.ParkedCount + (parkedAdded?.Count ?? 0) - (parkedRemoved?.Count ?? 0);

    public ExternalOrderRecord? FindExternal(ExchangeOrderId id) =>
        externals is not null && externals.TryGetValue(id.Value, out var pending) ? pending : Committed.FindExternal(id);

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
        committed = state;
        onlyOrder = null;
        orders = null;
        clientIdByExchangeId = null;
        onlyFillKey = null;
        fillKeys = null;
        parkedAdded = null;
        parkedRemoved = null;
        externals = null;
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
                parkedRemoved?.Remove((parked.Fill.ExchangeOrderId.Value, parked.Fill.Key));
                (parkedAdded ??= [])[(parked.Fill.ExchangeOrderId.Value, parked.Fill.Key)] = parked.Fill;
                break;
            case FillUnparked unparked:
                if (parkedAdded is null || !parkedAdded.Remove((unparked.ExchangeOrderId.Value, unparked.Key)))
                {
                    (parkedRemoved ??= []).Add((unparked.ExchangeOrderId.Value, unparked.Key));
                }
                break;
            case ExternalRecorded external:
                (externals ??= new(StringComparer.Ordinal))[external.Order.ExchangeOrderId.Value] = external.Order;
                break;
            default:
                // Duplicates, rejections and alerts change nothing the engine reads.
                break;
        }
    }

    private OrderRecord? Pending(string clientId) =>
        orders is not null ? orders.GetValueOrDefault(clientId)
        : onlyOrder is not null && string.Equals(onlyOrder.ClientOrderId.Value, clientId, StringComparison.Ordinal) ? onlyOrder
        : null;

    private OrderRecord? PendingBoundTo(ExchangeOrderId id) =>
        orders is not null
            ? clientIdByExchangeId!.TryGetValue(id.Value, out var clientId) ? orders[clientId] : null
            : onlyOrder?.ExchangeOrderId == id ? onlyOrder : null;

    private void Put(OrderRecord order)
    {
        if (orders is null)
        {
            if (onlyOrder is null || onlyOrder.ClientOrderId == order.ClientOrderId)
            {
                onlyOrder = order;
                return;
            }
            orders = new(StringComparer.Ordinal);
            clientIdByExchangeId = new(StringComparer.Ordinal);
            Index(onlyOrder);
            onlyOrder = null;
        }
        Index(order);
    }

    private void Index(OrderRecord order)
    {
        orders![order.ClientOrderId.Value] = order;
        if (order.ExchangeOrderId is { } exchangeId)
        {
            clientIdByExchangeId![exchangeId.Value] = order.ClientOrderId.Value;
        }
    }

    private void AddFillKey(FillKey key)
    {
        if (fillKeys is null)
        {
            if (onlyFillKey is not { } only)
            {
                onlyFillKey = key;
                return;
            }
            fillKeys = [only];
        }
        fillKeys.Add(key);
    }

    /// <summary>Whether any pending order qualifies.</summary>
    private bool AnyPending<TArgument>(TArgument argument, Func<OrderRecord, TArgument, bool> qualifies)
    {
        if (orders is null)
        {
            return onlyOrder is not null && qualifies(onlyOrder, argument);
        }
        foreach (var order in orders.Values)
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
        if (orders is null && onlyOrder is null)
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
        foreach (var order in orders is not null ? orders.Values : (IEnumerable<OrderRecord>)[onlyOrder!])
        {
            merged[order.ClientOrderId.Value] = order;
        }
        return [.. merged.Values.Where(o => qualifies(o, argument)).OrderBy(o => o.StagedAt).ThenBy(o => o.ClientOrderId.Value, StringComparer.Ordinal)];
    }
}
