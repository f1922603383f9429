using System.Collections.Immutable;

namespace Linkage.Engine;

/// <summary>
/// The committed state some inputs read, fetched before deciding them: an immutable, in-memory answer to exactly the
/// keys it was fetched for (<see cref="ReadSetKeys"/>, plus what those keys lead to: see <see cref="Fetch"/>).
/// <see cref="LinkageEngine.Decide(ReadSet, EngineInput, DecisionContext?)"/> reads nothing else, so deciding does no
/// I/O and cannot fail on a store. A read the set holds no answer for throws <see cref="ReadSetMiss"/> naming the key:
/// the caller fetches a larger set and decides again.
/// </summary>
/// <remarks>
/// Thread safety: immutable once fetched; any number of decisions may read one set at once. Lists are in the port's
/// stable orders, as the store returned them.
/// </remarks>
public sealed class ReadSet
{
    /// <summary>Lists of orders above this length are indexed by client order id when first searched.</summary>
    private const int ScanMax = 8;

    // Set while fetching (the constructor) and never after: the set is immutable once it is handed out.
    // Tables are structs held in place (no allocation for a table of one entry): never copy one.
    private Table<ClientOrderId, OrderRecord?> _clients;
    private Table<ExchangeOrderId, ExchangeEntry> _exchanges;
    private Table<FillKey, bool> _fillKeys;
    private Table<ExchangeOrderId, ExternalOrderRecord?> _externals;
    private Table<ProductId, ImmutableArray<OrderRecord>> _lots;
    private Table<ProductId, ImmutableArray<OrderRecord>> _exits;
    private readonly int? _parkedCount;
    private readonly RetentionPage? _retention;
    private readonly ImmutableArray<OrderRecord> _terminal = [];

    /// <summary>Whether an exchange order id fetched has neither an order nor an external record (an input about it may park).</summary>
    private bool _mayPark;

    /// <summary>The orders of the lists, by client order id; built at the first search of a long list.</summary>
    private Dictionary<ClientOrderId, OrderRecord>? _listed;

    /// <summary>Fetches the set (see <see cref="Fetch"/>); the store is not kept.</summary>
    private ReadSet(ILinkageStoreView store, ReadSetKeys keys)
    {
        Keys = keys;
        Add(store, keys);
        if (keys.ParkedCount || _mayPark)
        {
            _parkedCount = store.ParkedCount;
        }
        if (keys.Retention is { } page)
        {
            _retention = page;
            _terminal = store.TerminalBefore(page.Cutoff, page.Max);
        }
    }

    /// <summary>The keys this set was fetched for (what they led to is held too).</summary>
    public ReadSetKeys Keys { get; }

    /// <summary>How many fills are parked in all.</summary>
    public int ParkedCount => _parkedCount ?? throw Miss(static b => b.CountParked());

    /// <summary>
    /// Fetches the read set of <paramref name="keys"/> from <paramref name="store"/> through its point reads: the
    /// generic fetch, for any view (a store with a faster bulk read fetches over a view that answers from it). Besides
    /// the keys it follows what they lead to, so that reads which depend on what is read need no second fetch: for
    /// every order found by an id, the lists its link reads (an entry: the exits of its product awaiting allocation; an
    /// exit: the product's open entry lots, or the orders it names in <see cref="Intent.Closes"/>); for every parked
    /// fill found, the keys of its input (it is decided again when released); and the number of parked fills when an
    /// exchange order id has neither an order nor an external record (an input about it may park). The external record of
    /// an id an order holds is not read (the engine asks for it only while no order holds the id); asking for it anyway
    /// is a miss naming <see cref="ReadSetKeys.ExternalOrderIds"/>. The exits awaiting
    /// allocation that are found lead on to the lots they may close (an entry that links lets them allocate).
    /// </summary>
    /// <remarks>I/O: every read of <paramref name="store"/>; a failure propagates (it is the store's, never the decider's).</remarks>
    public static ReadSet Fetch(ILinkageStoreView store, ReadSetKeys keys)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(keys);
        return new ReadSet(store, keys);
    }

    /// <inheritdoc />
    public OrderRecord? FindByClientOrderId(ClientOrderId id)
    {
        if (_clients.TryGet(id, out var order))
        {
            return order;
        }
        return Listed(id) ?? throw Miss(b => b.Client(id));
    }

    /// <inheritdoc />
    public OrderRecord? FindByExchangeOrderId(ExchangeOrderId id) => Exchange(id).Order;

    /// <inheritdoc />
    public bool IsFillKeySeen(FillKey key) =>
        _fillKeys.TryGet(key, out var seen) ? seen : throw Miss(b => b.Fill(key));

    /// <summary>Fills parked for the order, ordered by <c>ParkedAt</c>, then <c>Key</c> (ordinal).</summary>
    public ImmutableArray<ParkedFill> ParkedFor(ExchangeOrderId id) => Exchange(id).Parked;

    /// <inheritdoc />
    public ExternalOrderRecord? FindExternal(ExchangeOrderId id)
    {
        if (Exchange(id) is { ExternalFetched: true } entry)
        {
            return entry.External;
        }
        return _externals.TryGet(id, out var external) ? external : throw Miss(b => b.External(id));
    }

    /// <summary>Entry orders of the product whose <see cref="OrderRecord.Open"/> is positive, oldest first.</summary>
    public ImmutableArray<OrderRecord> OpenEntryLots(ProductId product) =>
        _lots.TryGet(product, out var found) ? found : throw Miss(b => b.Lots(product));

    /// <summary>Exit orders of the product with linked quantity not yet allocated, oldest first.</summary>
    public ImmutableArray<OrderRecord> ExitsAwaitingAllocation(ProductId product) =>
        _exits.TryGet(product, out var found) ? found : throw Miss(b => b.Exits(product));

    /// <summary>
    /// Up to <paramref name="max"/> orders terminal at or before <paramref name="cutoff"/> whose intent is not purged, by
    /// <c>TerminalAt</c>, then client order id: answered from a fetched page with a cutoff at or after this one and at
    /// least as many orders (the answer is a prefix of it).
    /// </summary>
    public ImmutableArray<OrderRecord> TerminalBefore(DateTimeOffset cutoff, int max)
    {
        if (_retention is not { } page || page.Cutoff < cutoff || page.Max < max)
        {
            throw Miss(b => b.Retain(new RetentionPage(cutoff, max)));
        }
        return page.Cutoff == cutoff && page.Max == max
            ? _terminal
            : [.. _terminal.TakeWhile(o => o.TerminalAt <= cutoff).Take(max)];
    }

    private ExchangeEntry Exchange(ExchangeOrderId id) =>
        _exchanges.TryGet(id, out var entry) ? entry : throw Miss(b => b.Exchange(id));

    /// <summary>An order held by one of the fetched lists (a lot, a waiting exit, a retention candidate).</summary>
    private OrderRecord? Listed(ClientOrderId id)
    {
        var index = _listed;
        if (index is null)
        {
            var count = _terminal.Length;
            foreach (var list in Lists())
            {
                count += list.Length;
            }
            if (count <= ScanMax)
            {
                foreach (var list in Lists().Append(_terminal))
                {
                    foreach (var order in list)
                    {
                        if (order.ClientOrderId == id)
                        {
                            return order;
                        }
                    }
                }
                return null;
            }
            index = new Dictionary<ClientOrderId, OrderRecord>(count);
            foreach (var list in Lists().Append(_terminal))
            {
                foreach (var order in list)
                {
                    index.TryAdd(order.ClientOrderId, order);
                }
            }
            // Built from immutable lists: a racing builder makes an equal index, so either may win.
            _listed = index;
        }
        return index.GetValueOrDefault(id);
    }

    private IEnumerable<ImmutableArray<OrderRecord>> Lists() => _lots.Values.Concat(_exits.Values);

    private static ReadSetMiss Miss(Action<ReadSetKeys.Builder> key)
    {
        var builder = new ReadSetKeys.Builder();
        key(builder);
        return new ReadSetMiss(builder.Build());
    }

    /// <summary>What an exchange order id fetched: the order bound to it, the fills parked under it, its external record.</summary>
    private readonly record struct ExchangeEntry(OrderRecord? Order, ImmutableArray<ParkedFill> Parked, ExternalOrderRecord? External, bool ExternalFetched);

    // The generic fetch: point reads of a view, following what the keys lead to (see Fetch). Run by the constructor only.
    private void Add(ILinkageStoreView store, ReadSetKeys keys)
    {
        foreach (var id in keys.ClientOrderIds)
        {
            FetchClient(store, id);
        }
        foreach (var id in keys.ExchangeOrderIds)
        {
            FetchExchange(store, id);
        }
        foreach (var id in keys.ExternalOrderIds)
        {
            if (!_externals.Contains(id))
            {
                _externals.Add(id, store.FindExternal(id));
            }
        }
        foreach (var key in keys.FillKeys)
        {
            if (!_fillKeys.Contains(key))
            {
                _fillKeys.Add(key, store.IsFillKeySeen(key));
            }
        }
        foreach (var product in keys.EntryLotProducts)
        {
            FetchLots(store, product);
        }
        foreach (var product in keys.ExitProducts)
        {
            FetchExits(store, product);
        }
    }

    private void FetchClient(ILinkageStoreView store, ClientOrderId id)
    {
        if (_clients.Contains(id))
        {
            return;
        }
        var order = store.FindByClientOrderId(id);
        _clients.Add(id, order);
        Follow(store, order);
    }

    private void FetchExchange(ILinkageStoreView store, ExchangeOrderId id)
    {
        if (_exchanges.Contains(id))
        {
            return;
        }
        var order = store.FindByExchangeOrderId(id);
        var parked = store.ParkedFor(id);
        // The engine reads an id's external record only while no order holds the id; a bound id's is fetched if a miss asks.
        var external = order is null ? store.FindExternal(id) : null;
        _exchanges.Add(id, new(order, parked, external, ExternalFetched: order is null));
        _mayPark |= order is null && external is null;
        Follow(store, order);
        foreach (var fill in parked)
        {
            // A released parked input is decided again in the same batch: what it reads is read now.
            Add(store, ReadSetKeys.Of(fill.Input));
        }
    }

    private void FetchLots(ILinkageStoreView store, ProductId product)
    {
        if (!_lots.Contains(product))
        {
            _lots.Add(product, store.OpenEntryLots(product));
        }
    }

    private void FetchExits(ILinkageStoreView store, ProductId product)
    {
        if (_exits.Contains(product))
        {
            return;
        }
        var waiting = store.ExitsAwaitingAllocation(product);
        _exits.Add(product, waiting);

        // An entry that links lets these exits allocate: each reads the lots it closes.
        foreach (var exit in waiting)
        {
            FetchLotsOf(store, exit);
        }
    }

    /// <summary>What allocating <paramref name="exit"/> reads (<c>Decider.AllocateExit</c>): the orders it names, else the product's open entry lots.</summary>
    private void FetchLotsOf(ILinkageStoreView store, OrderRecord exit)
    {
        if (exit.Intent.Closes.IsDefaultOrEmpty)
        {
            FetchLots(store, exit.Intent.Product);
            return;
        }
        foreach (var lot in exit.Intent.Closes)
        {
            FetchClient(store, lot);
        }
    }

    /// <summary>What a link of <paramref name="order"/> reads after it (<c>Decider.AfterLink</c>).</summary>
    private void Follow(ILinkageStoreView store, OrderRecord? order)
    {
        if (order is null)
        {
            return;
        }
        if (order.Intent.Kind == IntentKind.Entry)
        {
            FetchExits(store, order.Intent.Product);
        }
        else
        {
            FetchLotsOf(store, order);
        }
    }
}

/// <summary>
/// A read the <see cref="ReadSet"/> holds no answer for: the derivation of the input's keys did not foresee it. Thrown
/// out of <see cref="LinkageEngine.Decide(ReadSet, EngineInput, DecisionContext?)"/> before any decision is returned;
/// the caller fetches <see cref="Missing"/> too and decides again (<see cref="ReadSetKeys.Union"/>).
/// </summary>
public sealed class ReadSetMiss : Exception
{
    /// <summary>A miss of the keys in <paramref name="missing"/>.</summary>
    public ReadSetMiss(ReadSetKeys missing)
        : base($"the read set holds no answer for {missing?.ToString() ?? "nothing"}; fetch it too and decide again")
    {
        Missing = missing ?? ReadSetKeys.Empty;
    }

    /// <summary>A miss that names no keys (for serializers; the engine always names them).</summary>
    public ReadSetMiss()
        : this(ReadSetKeys.Empty)
    {
    }

    /// <summary>A miss with a message and no keys.</summary>
    public ReadSetMiss(string message)
        : base(message)
    {
        Missing = ReadSetKeys.Empty;
    }

    /// <summary>A miss with a message and its cause, and no keys.</summary>
    public ReadSetMiss(string message, Exception inner)
        : base(message, inner)
    {
        Missing = ReadSetKeys.Empty;
    }

    /// <summary>The keys to fetch as well.</summary>
    public ReadSetKeys Missing { get; }
}

/// <summary>
/// A small map filled once and then only read: the first entry in fields (most read sets hold one of each), then a
/// linear search over a few more, a dictionary past that. Keys compare by value; no order of it reaches an output.
/// </summary>
/// <remarks>A mutable struct: keep it in a field and call it there; a copy would not see later entries.</remarks>
internal struct Table<TKey, TValue>
    where TKey : IEquatable<TKey>
{
    private const int ScanMax = 8;

    private TKey _firstKey;
    private TValue _firstValue;
    private TKey[]? _keys;
    private TValue[]? _values;
    private Dictionary<TKey, TValue>? _index;

    public int Count { readonly get; private set; }

    public readonly IEnumerable<TValue> Values => Count == 0 ? [] : _values is null ? [_firstValue] : _values.Take(Count - 1).Prepend(_firstValue);

    public readonly bool Contains(TKey key) => TryGet(key, out _);

    public readonly bool TryGet(TKey key, out TValue value)
    {
        if (_index is not null)
        {
            return _index.TryGetValue(key, out value!);
        }
        if (Count > 0 && _firstKey.Equals(key))
        {
            value = _firstValue;
            return true;
        }
        for (var i = 0; i < Count - 1; i++)
        {
            if (_keys![i].Equals(key))
            {
                value = _values![i];
                return true;
            }
        }
        value = default!;
        return false;
    }

    public void Add(TKey key, TValue value)
    {
        if (Count == 0)
        {
            _firstKey = key;
            _firstValue = value;
            Count = 1;
            return;
        }
        _keys ??= new TKey[4];
        _values ??= new TValue[4];
        if (Count - 1 == _keys.Length)
        {
            Array.Resize(ref _keys, _keys.Length * 2);
            Array.Resize(ref _values, _values.Length * 2);
        }
        _keys[Count - 1] = key;
        _values[Count - 1] = value;
        Count++;
        if (_index is not null)
        {
            _index[key] = value;
        }
        else if (Count > ScanMax)
        {
            _index = new Dictionary<TKey, TValue>(Count * 2) { [_firstKey] = _firstValue };
            for (var i = 0; i < Count - 1; i++)
            {
                _index[_keys[i]] = _values[i];
            }
        }
    }
}
