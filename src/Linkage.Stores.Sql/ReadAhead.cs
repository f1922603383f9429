using System.Collections.Immutable;
using Linkage.Engine;

namespace Linkage.Stores.Sql;

/// <summary>
/// The ids of a read set's keys a store reads ahead in bulk: the exchange order ids (their orders, fill keys, parked
/// fills and external records), the client order ids, and the fill keys, as the ordinal strings the queries take.
/// </summary>
internal sealed record ReadAheadKeys(ImmutableArray<string> ExchangeOrderIds, ImmutableArray<string> ClientOrderIds, ImmutableArray<FillKey> FillKeys)
{
    public static ReadAheadKeys Of(ReadSetKeys keys) =>
        new([.. keys.ExchangeOrderIds.Select(id => id.Value)], [.. keys.ClientOrderIds.Select(id => id.Value)], keys.FillKeys);
}

/// <summary>
/// What a bulk read-ahead found for a set of exchange order ids: their orders, every fill key recorded for them, their
/// parked fills and their external records. Complete for the ids asked: an id without a row has none.
/// </summary>
internal sealed record BulkRows(
    IReadOnlyList<OrderRecord> Orders, IReadOnlyList<FillKey> FillKeys, IReadOnlyList<ParkedFill> Parked, IReadOnlyList<ExternalOrderRecord> Externals);

/// <summary>
/// The committed state a burst of inputs reads, fetched together (<see cref="ReadAheadKeys"/>): the orders with those
/// ids, which of the burst's fill keys are recorded, the parked fills and external records under those exchange order
/// ids, and the exits awaiting allocation in those orders' products. Each set is complete for the ids asked, so an id
/// missing from it is an id the database does not hold; anything else the engine asks is read from the store. The reads of one decision were never
/// one snapshot, and a write decided from a state that moved meanwhile is a version or key conflict, so deciding a
/// burst from one read is exactly as safe as deciding each input from its own reads.
/// </summary>
internal sealed class ReadAheadView : ILinkageStoreView
{
    private readonly ILinkageStoreView _store;
    private readonly HashSet<string> _exchangeIds;
    private readonly HashSet<string> _clientIds;
    private readonly Dictionary<string, OrderRecord> _byClientId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OrderRecord> _byExchangeId = new(StringComparer.Ordinal);
    private readonly HashSet<FillKey> _askedKeys;
    private readonly HashSet<FillKey> _seenKeys;
    private readonly Dictionary<string, ImmutableArray<ParkedFill>> _parked;
    private readonly Dictionary<string, ExternalOrderRecord> _externals;
    private readonly Dictionary<string, ImmutableArray<OrderRecord>> _exits;

    public ReadAheadView(
        ILinkageStoreView store,
        ReadAheadKeys keys,
        IEnumerable<OrderRecord> orders,
        IEnumerable<FillKey> seenKeys,
        IEnumerable<ParkedFill> parked,
        IEnumerable<ExternalOrderRecord> externals,
        IEnumerable<OrderRecord> exitsAwaiting)
    {
        _store = store;
        _exchangeIds = new(keys.ExchangeOrderIds, StringComparer.Ordinal);
        _clientIds = new(keys.ClientOrderIds, StringComparer.Ordinal);
        _askedKeys = [.. keys.FillKeys];
        _seenKeys = [.. seenKeys];
        var products = new HashSet<string>(StringComparer.Ordinal);
        foreach (var order in orders)
        {
            _byClientId[order.ClientOrderId.Value] = order;
            if (order.ExchangeOrderId is { } exchangeId)
            {
                _byExchangeId[exchangeId.Value] = order;
            }
            products.Add(order.Intent.Product.Value);
        }
        _parked = parked.GroupBy(p => p.ExchangeOrderId.Value, StringComparer.Ordinal).ToDictionary(
            g => g.Key,
            g => g.OrderBy(p => p.ParkedAt).ThenBy(p => p.Key, StringComparer.Ordinal).ToImmutableArray(),
            StringComparer.Ordinal);
        _externals = externals.ToDictionary(e => e.ExchangeOrderId.Value, StringComparer.Ordinal);
        var exits = exitsAwaiting.ToLookup(o => o.Intent.Product.Value, StringComparer.Ordinal);
        _exits = products.ToDictionary(
            p => p,
            p => exits[p].OrderBy(o => o.StagedAt).ThenBy(o => o.ClientOrderId.Value, StringComparer.Ordinal).ToImmutableArray(),
            StringComparer.Ordinal);
    }

    public int ParkedCount => _store.ParkedCount;

    public OrderRecord? FindByClientOrderId(ClientOrderId id) =>
        _byClientId.TryGetValue(id.Value, out var order) ? order
        : _clientIds.Contains(id.Value) ? null
        : _store.FindByClientOrderId(id);

    public OrderRecord? FindByExchangeOrderId(ExchangeOrderId id) =>
        _byExchangeId.TryGetValue(id.Value, out var order) ? order
        : _exchangeIds.Contains(id.Value) ? null
        : _store.FindByExchangeOrderId(id);

    public bool IsFillKeySeen(FillKey key) => _askedKeys.Contains(key) ? _seenKeys.Contains(key) : _store.IsFillKeySeen(key);

    public ImmutableArray<ParkedFill> ParkedFor(ExchangeOrderId id) =>
        _parked.TryGetValue(id.Value, out var fills) ? fills
        : _exchangeIds.Contains(id.Value) ? []
        : _store.ParkedFor(id);

    public ExternalOrderRecord? FindExternal(ExchangeOrderId id) =>
        _externals.TryGetValue(id.Value, out var external) ? external
        : _exchangeIds.Contains(id.Value) ? null
        : _store.FindExternal(id);

    public ImmutableArray<OrderRecord> OpenEntryLots(ProductId product) => _store.OpenEntryLots(product);

    public ImmutableArray<OrderRecord> ExitsAwaitingAllocation(ProductId product) =>
        _exits.TryGetValue(product.Value, out var exits) ? exits : _store.ExitsAwaitingAllocation(product);

    public ImmutableArray<OrderRecord> TerminalBefore(DateTimeOffset cutoff, int max) => _store.TerminalBefore(cutoff, max);
}
