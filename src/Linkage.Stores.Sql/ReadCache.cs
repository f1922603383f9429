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

    private readonly Dictionary<string, OrderRecord?> _byClientId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string?> _clientIdByExchangeId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, HashSet<(FillSource Source, string Key)>> _fillKeys = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ImmutableArray<ParkedFill>> _parked = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExternalOrderRecord?> _externals = new(StringComparer.Ordinal);
    private readonly Dictionary<(string Product, IntentKind Kind), ImmutableArray<OrderRecord>> _openOrders = [];
    private int? _parkedCount;
    private int _fillKeyCount;

    public void Clear()
    {
        _byClientId.Clear();
        _clientIdByExchangeId.Clear();
        _fillKeys.Clear();
        _parked.Clear();
        _externals.Clear();
        _openOrders.Clear();
        _parkedCount = null;
        _fillKeyCount = 0;
    }

    public bool TryOrder(ClientOrderId id, out OrderRecord? order) => _byClientId.TryGetValue(id.Value, out order);

    public bool TryOrder(ExchangeOrderId id, out OrderRecord? order)
    {
        order = null;
        return _clientIdByExchangeId.TryGetValue(id.Value, out var clientId) && (clientId is null || _byClientId.TryGetValue(clientId, out order));
    }

    /// <summary>Remembers the answer to "which order has client order id <paramref name="id"/>".</summary>
    public void Order(ClientOrderId id, OrderRecord? order)
    {
        if (order is null)
        {
            Bounded();
            _byClientId[id.Value] = null;
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
            _clientIdByExchangeId[id.Value] = null;
        }
        else
        {
            Put(order);
        }
    }

    /// <summary>Whether the key is known: null when the order's keys are not loaded yet.</summary>
    public bool? IsFillKeySeen(FillKey key) =>
        _fillKeys.TryGetValue(key.Order.Value, out var keys) ? keys.Contains((key.Source, key.Key)) : null;

    /// <summary>Remembers every fill key the database holds for one exchange order.</summary>
    public void FillKeys(ExchangeOrderId order, IEnumerable<(FillSource Source, string Key)> keys)
    {
        var set = new HashSet<(FillSource Source, string Key)>(keys);
        if (_fillKeyCount + set.Count > FillKeysMax)
        {
            Clear();
        }
        _fillKeys[order.Value] = set;
        _fillKeyCount += set.Count;
    }

    public bool TryParked(ExchangeOrderId id, out ImmutableArray<ParkedFill> fills) => _parked.TryGetValue(id.Value, out fills);

    public void Parked(ExchangeOrderId id, ImmutableArray<ParkedFill> fills)
    {
        Bounded();
        _parked[id.Value] = fills;
    }

    public int? ParkedCount
    {
        get => _parkedCount;
        set => _parkedCount = value;
    }

    public bool TryExternal(ExchangeOrderId id, out ExternalOrderRecord? external) => _externals.TryGetValue(id.Value, out external);

    public void External(ExchangeOrderId id, ExternalOrderRecord? external)
    {
        Bounded();
        _externals[id.Value] = external is null ? null : Utc(external);
    }

    public bool TryOpenOrders(ProductId product, IntentKind kind, out ImmutableArray<OrderRecord> orders) =>
        _openOrders.TryGetValue((product.Value, kind), out orders);

    public void OpenOrders(ProductId product, IntentKind kind, ImmutableArray<OrderRecord> orders)
    {
        Bounded();
        _openOrders[(product.Value, kind)] = orders;
    }

    /// <summary>Whether everything read by exchange order id <paramref name="exchangeId"/> is cached: its order (or its absence), all its fill keys, its parked fills, and its external record when no order holds it.</summary>
    public bool HoldsAllOf(string exchangeId) =>
        _clientIdByExchangeId.ContainsKey(exchangeId) && _fillKeys.ContainsKey(exchangeId) && _parked.ContainsKey(exchangeId)
        && (_clientIdByExchangeId[exchangeId] is not null || _externals.ContainsKey(exchangeId));

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
                    if (_fillKeys.TryGetValue(d.Fill.Fill.Key.Order.Value, out var keys) && keys.Add((d.Fill.Fill.Key.Source, d.Fill.Fill.Key.Key)))
                    {
                        _fillKeyCount++;
                    }
                    break;
                case FillParked d:
                    _parked.Remove(d.Fill.ExchangeOrderId.Value);
                    _parkedCount++;
                    break;
                case FillUnparked d:
                    _parked.Remove(d.ExchangeOrderId.Value);
                    _parkedCount--;
                    break;
                case ExternalRecorded d:
                    _externals[d.Order.ExchangeOrderId.Value] = Utc(d.Order);
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
        _openOrders.Remove((order.Intent.Product.Value, order.Intent.Kind));
    }

    private void Put(OrderRecord order)
    {
        Bounded();
        var stored = Utc(order);
        _byClientId[order.ClientOrderId.Value] = stored;
        if (order.ExchangeOrderId is { } exchangeId)
        {
            _clientIdByExchangeId[exchangeId.Value] = order.ClientOrderId.Value;
        }
    }

    /// <summary>Drops everything once the cache holds too much; it fills again from the reads that follow.</summary>
    private void Bounded()
    {
        if (_byClientId.Count + _clientIdByExchangeId.Count + _parked.Count + _externals.Count + _openOrders.Count >= EntriesMax)
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
