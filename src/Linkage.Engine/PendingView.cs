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
/// the port documents, so no hash order leaks into a decision. Not thread safe: one instance per <c>Decide</c> call.
/// </remarks>
internal sealed class PendingView(ILinkageStoreView committed) : ILinkageStoreView
{
    // Created on first use: most inputs touch one order and one fill key, and a view lives for one Decide call, so
    // empty collections allocated up front were a large share of the cost of deciding a fill.
    private Dictionary<string, OrderRecord>? orders;
    private Dictionary<string, string>? clientIdByExchangeId;
    private HashSet<FillKey>? fillKeys;
    private Dictionary<(string Order, string Key), ParkedFill>? parkedAdded;
    private HashSet<(string Order, string Key)>? parkedRemoved;
    private Dictionary<string, ExternalOrderRecord>? externals;

    public OrderRecord? FindByClientOrderId(ClientOrderId id) =>
        orders is not null && orders.TryGetValue(id.Value, out var pending) ? pending : committed.FindByClientOrderId(id);

    public OrderRecord? FindByExchangeOrderId(ExchangeOrderId id)
    {
        if (clientIdByExchangeId is not null && clientIdByExchangeId.TryGetValue(id.Value, out var clientId))
        {
            return orders![clientId];
        }
        var found = committed.FindByExchangeOrderId(id);
        return found is not null && orders is not null && orders.TryGetValue(found.ClientOrderId.Value, out var pending) ? pending : found;
    }

    public bool IsFillKeySeen(FillKey key) => (fillKeys is not null && fillKeys.Contains(key)) || committed.IsFillKeySeen(key);

    public ImmutableArray<ParkedFill> ParkedFor(ExchangeOrderId id)
    {
        var fromCommitted = committed.ParkedFor(id);
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

    public int ParkedCount => committed.ParkedCount + (parkedAdded?.Count ?? 0) - (parkedRemoved?.Count ?? 0);

    public ExternalOrderRecord? FindExternal(ExchangeOrderId id) =>
        externals is not null && externals.TryGetValue(id.Value, out var pending) ? pending : committed.FindExternal(id);

    public ImmutableArray<OrderRecord> OpenEntryLots(ProductId product) =>
        Merge(committed.OpenEntryLots(product), o => o.Intent.Kind == IntentKind.Entry && o.Intent.Product == product && o.Open > 0m);

    public ImmutableArray<OrderRecord> ExitsAwaitingAllocation(ProductId product) =>
        Merge(committed.ExitsAwaitingAllocation(product), o => o.Intent.Kind == IntentKind.Exit && o.Intent.Product == product && o.Open > 0m);

    public ImmutableArray<OrderRecord> TerminalBefore(DateTimeOffset cutoff, int max) =>
    [
        .. Merge(committed.TerminalBefore(cutoff, max), o => o.TerminalAt is { } at && at <= cutoff && !o.IntentPurged)
            .OrderBy(o => o.TerminalAt).ThenBy(o => o.ClientOrderId.Value, StringComparer.Ordinal).Take(max),
    ];

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
                (fillKeys ??= []).Add(recorded.Fill.Fill.Key);
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

    private void Put(OrderRecord order)
    {
        (orders ??= new(StringComparer.Ordinal))[order.ClientOrderId.Value] = order;
        if (order.ExchangeOrderId is { } exchangeId)
        {
            (clientIdByExchangeId ??= new(StringComparer.Ordinal))[exchangeId.Value] = order.ClientOrderId.Value;
        }
    }

    /// <summary>
    /// Committed orders replaced by their pending versions, plus pending orders that now qualify, filtered and sorted
    /// oldest first (<c>StagedAt</c>, then client order id, ordinal).
    /// </summary>
    private ImmutableArray<OrderRecord> Merge(ImmutableArray<OrderRecord> fromCommitted, Func<OrderRecord, bool> qualifies)
    {
        if (orders is null)
        {
            // Nothing pending: the committed list is already filtered and in order.
            return fromCommitted;
        }
        if (fromCommitted.IsEmpty && !orders.Values.Any(qualifies))
        {
            // The common case after a link on an entry: no exit waits, and the pending order is no exit.
            return [];
        }
        var merged = new Dictionary<string, OrderRecord>(StringComparer.Ordinal);
        foreach (var order in fromCommitted)
        {
            merged[order.ClientOrderId.Value] = order;
        }
        foreach (var (clientId, order) in orders)
        {
            merged[clientId] = order;
        }
        return [.. merged.Values.Where(qualifies).OrderBy(o => o.StagedAt).ThenBy(o => o.ClientOrderId.Value, StringComparer.Ordinal)];
    }
}
