using System.Collections.Immutable;
using Linkage.Engine;

namespace Linkage.Stores.Sql;

/// <summary>
/// What the engine read from a SQL store, kept so the next read of the same thing costs a dictionary lookup instead
/// of a query. It is only ever used under the store's lock and only while it is known to be exact: the store clears it
/// whenever another connection committed anything (SQLite's <c>PRAGMA data_version</c>), whenever a write's outcome is
/// unknown (an exception), and when it grows past its bounds; its own committed batches are folded in by
/// <see cref="Applied"/>, exactly as the database applied them. So every answer equals what a query would return now.
/// </summary>
/// <remarks>
/// Absence is cached too ("no order has this exchange id"): that is what makes a fill for a known order cost no query.
/// Fill keys are cached per exchange order: the first question about an order loads all of its keys, after which a
/// key missing from the set is a key the database does not hold. Records are kept as the database returns them
/// (times in UTC), so a cached answer and a queried one cannot differ even in a time's offset.
/// Not thread safe: the store's lock guards it.
/// </remarks>
internal sealed class ReadCache
{
    /// <summary>Most orders, externals, parked lists and order lists cached before everything is dropped and read again.</summary>
    public const int EntriesMax = 200_000;

    /// <summary>Most fill keys cached before everything is dropped and read again.</summary>
    public const int FillKeysMax = 1_000_000;

    private readonly Dictionary<string, OrderRecord?> byClientId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> clientIdByExchangeId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<(FillSource Source, string Key)>> fillKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImmutableArray<ParkedFill>> parked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExternalOrderRecord?> externals = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Product, IntentKind Kind), ImmutableArray<OrderRecord>> openOrders = [];
    private int? parkedCount;
    private int fillKeyCount;

    public void Clear()
    {
        byClientId.Clear();
        clientIdByExchangeId.Clear();
        fillKeys.Clear();
        parked.Clear();
        externals.Clear();
        openOrders.Clear();
        parkedCount = null;
        fillKeyCount = 0;
    }

    public bool TryOrder(ClientOrderId id, out OrderRecord? order) => byClientId.TryGetValue(id.Value, out order);

    public bool TryOrder(ExchangeOrderId id, out OrderRecord? order)
    {
        order = null;
        return clientIdByExchangeId.TryGetValue(id.Value, out var clientId) && (clientId is null || byClientId.TryGetValue(clientId, out order));
    }

    /// <summary>Remembers the answer to "which order has client order id <paramref name="id"/>".</summary>
    public void Order(ClientOrderId id, OrderRecord? order)
    {
        if (order is null)
        {
            Bounded();
            byClientId[id.Value] = null;
        }
        else
        {
            Put(order);
        }
    }

    /// <summary>Remembers the answer to "which order has exchange order id <paramref name="id"/>".</summary>
    public void Order(ExchangeOrderId id, OrderRecord? order)
    {
        if (order is null)
        {
            Bounded();
            clientIdByExchangeId[id.Value] = null;
        }
        else
        {
            Put(order);
        }
    }

    /// <summary>Whether the key is known: null when the order's keys are not loaded yet.</summary>
    public bool? IsFillKeySeen(FillKey key) =>
        fillKeys.TryGetValue(key.Order.Value, out var keys) ? keys.Contains((key.Source, key.Key)) : null;

    /// <summary>Remembers every fill key the database holds for one exchange order.</summary>
    public void FillKeys(ExchangeOrderId order, IEnumerable<(FillSource Source, string Key)> keys)
    {
        var set = new HashSet<(FillSource Source, string Key)>(keys);
        if (fillKeyCount + set.Count > FillKeysMax)
        {
            Clear();
        }
        fillKeys[order.Value] = set;
        fillKeyCount += set.Count;
    }

    public bool TryParked(ExchangeOrderId id, out ImmutableArray<ParkedFill> fills) => parked.TryGetValue(id.Value, out fills);

    public void Parked(ExchangeOrderId id, ImmutableArray<ParkedFill> fills)
    {
        Bounded();
        parked[id.Value] = fills;
    }

    public int? ParkedCount
    {
        get => parkedCount;
        set => parkedCount = value;
    }

    public bool TryExternal(ExchangeOrderId id, out ExternalOrderRecord? external) => externals.TryGetValue(id.Value, out external);

    public void External(ExchangeOrderId id, ExternalOrderRecord? external)
    {
        Bounded();
        externals[id.Value] = external is null ? null : Utc(external);
    }

    public bool TryOpenOrders(ProductId product, IntentKind kind, out ImmutableArray<OrderRecord> orders) =>
        openOrders.TryGetValue((product.Value, kind), out orders);

    public void OpenOrders(ProductId product, IntentKind kind, ImmutableArray<OrderRecord> orders)
    {
        Bounded();
        openOrders[(product.Value, kind)] = orders;
    }

    /// <summary>Whether everything read by exchange order id <paramref name="exchangeId"/> is cached: its order (or its absence), all its fill keys, its parked fills, and its external record when no order holds it.</summary>
    public bool HoldsAllOf(string exchangeId) =>
        clientIdByExchangeId.ContainsKey(exchangeId) && fillKeys.ContainsKey(exchangeId) && parked.ContainsKey(exchangeId)
        && (clientIdByExchangeId[exchangeId] is not null || externals.ContainsKey(exchangeId));

    /// <summary>Remembers what a bulk read found for <paramref name="exchangeIds"/>, including every absence (the rows are complete for those ids).</summary>
    public void Loaded(ImmutableArray<string> exchangeIds, BulkRows rows)
    {
        var orders = rows.Orders.Where(o => o.ExchangeOrderId is not null).ToDictionary(o => o.ExchangeOrderId!.Value.Value, StringComparer.Ordinal);
        var keys = rows.FillKeys.ToLookup(k => k.Order.Value, k => (k.Source, k.Key), StringComparer.Ordinal);
        var parkedFills = rows.Parked.ToLookup(p => p.ExchangeOrderId.Value, StringComparer.Ordinal);
        var externalOrders = rows.Externals.ToDictionary(e => e.ExchangeOrderId.Value, StringComparer.Ordinal);
        foreach (var id in exchangeIds)
        {
            var exchangeId = ExchangeOrderId.From(id);
            Order(exchangeId, orders.GetValueOrDefault(id));
            FillKeys(exchangeId, keys[id]);
            Parked(exchangeId, [.. parkedFills[id].OrderBy(p => p.ParkedAt).ThenBy(p => p.Key, StringComparer.Ordinal)]);
            External(exchangeId, externalOrders.GetValueOrDefault(id));
        }
    }

    /// <summary>Folds in a batch the database has committed, decision by decision, as the store's statements applied it.</summary>
    public void Applied(DecisionBatch batch)
    {
        foreach (var decision in batch.Decisions)
        {
            switch (decision)
            {
                case ExitAllocated d:
                    Written(d.Order);
                    Written(d.Entry);
                    break;
                case OrderDecision d:
                    Written(d.Order);
                    break;
                case FillRecorded d:
                    if (fillKeys.TryGetValue(d.Fill.Fill.Key.Order.Value, out var keys) && keys.Add((d.Fill.Fill.Key.Source, d.Fill.Fill.Key.Key)))
                    {
                        fillKeyCount++;
                    }
                    break;
                case FillParked d:
                    parked.Remove(d.Fill.ExchangeOrderId.Value);
                    parkedCount++;
                    break;
                case FillUnparked d:
                    parked.Remove(d.ExchangeOrderId.Value);
                    parkedCount--;
                    break;
                case ExternalRecorded d:
                    externals[d.Order.ExchangeOrderId.Value] = Utc(d.Order);
                    break;
                default:
                    // Quarantine records and alerts are never read back while deciding.
                    break;
            }
        }
    }

    /// <summary>An order's new committed state: its lookups see it, and the list of open orders it belongs to is read again.</summary>
    private void Written(OrderRecord order)
    {
        Put(order);
        openOrders.Remove((order.Intent.Product.Value, order.Intent.Kind));
    }

    private void Put(OrderRecord order)
    {
        Bounded();
        var stored = Utc(order);
        byClientId[order.ClientOrderId.Value] = stored;
        if (order.ExchangeOrderId is { } exchangeId)
        {
            clientIdByExchangeId[exchangeId.Value] = order.ClientOrderId.Value;
        }
    }

    /// <summary>Drops everything once the cache holds too much; it fills again from the reads that follow.</summary>
    private void Bounded()
    {
        if (byClientId.Count + clientIdByExchangeId.Count + parked.Count + externals.Count + openOrders.Count >= EntriesMax)
        {
            Clear();
        }
    }

    /// <summary>The order as the database returns it: every time in UTC (the same instants).</summary>
    private static OrderRecord Utc(OrderRecord order) =>
        order.StagedAt.Offset == TimeSpan.Zero && order.Intent.DecidedAt.Offset == TimeSpan.Zero && (order.TerminalAt?.Offset ?? TimeSpan.Zero) == TimeSpan.Zero
            ? order
            : order with
            {
                StagedAt = order.StagedAt.ToUniversalTime(),
                TerminalAt = order.TerminalAt?.ToUniversalTime(),
                Intent = order.Intent with { DecidedAt = order.Intent.DecidedAt.ToUniversalTime() },
            };

    private static ExternalOrderRecord Utc(ExternalOrderRecord external) =>
        external.FirstSeenAt.Offset == TimeSpan.Zero ? external : external with { FirstSeenAt = external.FirstSeenAt.ToUniversalTime() };
}
