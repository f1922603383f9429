using System.Collections.Immutable;
using System.Globalization;
using System.Text;

namespace Linkage.Engine;

/// <summary>One page of retention: up to <see cref="Max"/> orders terminal at or before <see cref="Cutoff"/> (<see cref="ILinkageStoreView.TerminalBefore"/>).</summary>
public readonly record struct RetentionPage(DateTimeOffset Cutoff, int Max);

/// <summary>
/// The keys of a <see cref="ReadSet"/>: what the engine will read to decide some inputs, derived from the inputs alone
/// (<see cref="Of(EngineInput)"/>) before anything is read. Immutable; every list is sorted (ordinal) and distinct, so
/// two derivations of the same inputs are equal and a store can send the lists as they are.
/// </summary>
/// <remarks>
/// What each key fetches: a client order id, the order staged under it; an exchange order id, the order bound to it,
/// the fills parked under it and its external record; a fill key, whether it is recorded; an entry-lot product, the
/// product's open entry lots; an exit product, the product's exits awaiting allocation; <see cref="ParkedCount"/>,
/// how many fills are parked; <see cref="Retention"/>, one page of orders retention may purge.
/// Reads that depend on what is read (the product of an order found by its id, the keys of a parked input it releases,
/// whether anything may park) are resolved by <see cref="ReadSet.Fetch"/> from what it finds; a read neither foresaw
/// is a <see cref="ReadSetMiss"/>, never I/O inside <see cref="LinkageEngine.Decide(ReadSet, EngineInput, DecisionContext?)"/>.
/// </remarks>
public sealed class ReadSetKeys
{
    /// <summary>No keys: the read set of an input that reads nothing (a malformed input).</summary>
    public static readonly ReadSetKeys Empty = new([], [], [], [], [], parkedCount: false, retention: null);

    private ReadSetKeys(
        ImmutableArray<ClientOrderId> clientOrderIds,
        ImmutableArray<ExchangeOrderId> exchangeOrderIds,
        ImmutableArray<FillKey> fillKeys,
        ImmutableArray<ProductId> entryLotProducts,
        ImmutableArray<ProductId> exitProducts,
        bool parkedCount,
        RetentionPage? retention,
        ImmutableArray<ExchangeOrderId> externalOrderIds = default)
    {
        ClientOrderIds = clientOrderIds;
        ExchangeOrderIds = exchangeOrderIds;
        ExternalOrderIds = externalOrderIds.IsDefault ? [] : externalOrderIds;
        FillKeys = fillKeys;
        EntryLotProducts = entryLotProducts;
        ExitProducts = exitProducts;
        ParkedCount = parkedCount;
        Retention = retention;
    }

    /// <summary>Orders to find by client order id.</summary>
    public ImmutableArray<ClientOrderId> ClientOrderIds { get; }

    /// <summary>
    /// Exchange order ids whose bound order and parked fills are read, and their external record when no order is bound
    /// to them (the engine asks for the external record of an id only while no order holds it).
    /// </summary>
    public ImmutableArray<ExchangeOrderId> ExchangeOrderIds { get; }

    /// <summary>Exchange order ids whose external record is read even though an order is bound to them (only a miss asks this).</summary>
    public ImmutableArray<ExchangeOrderId> ExternalOrderIds { get; }

    /// <summary>Fill keys whose recording is checked.</summary>
    public ImmutableArray<FillKey> FillKeys { get; }

    /// <summary>Products whose open entry lots are read (an exit allocates to them).</summary>
    public ImmutableArray<ProductId> EntryLotProducts { get; }

    /// <summary>Products whose exits awaiting allocation are read (an entry that links lets them allocate).</summary>
    public ImmutableArray<ProductId> ExitProducts { get; }

    /// <summary>Whether the number of parked fills is read (an input may park).</summary>
    public bool ParkedCount { get; }

    /// <summary>The retention page a <see cref="Tick"/> reads, if any.</summary>
    public RetentionPage? Retention { get; }

    /// <summary>Whether there is nothing to read.</summary>
    public bool IsEmpty =>
        ClientOrderIds.IsEmpty && ExchangeOrderIds.IsEmpty && ExternalOrderIds.IsEmpty && FillKeys.IsEmpty && EntryLotProducts.IsEmpty && ExitProducts.IsEmpty
        && !ParkedCount && Retention is null;

    /// <summary>The keys deciding <paramref name="input"/> reads, as far as the input tells. Never throws for bad input.</summary>
    public static ReadSetKeys Of(EngineInput input)
    {
        ArgumentNullException.ThrowIfNull(input);

        // The inputs that arrive by the thousand name at most one id of each kind: their keys are made without a builder.
        switch (input)
        {
            case TradeFillReceived { Fill: { } fill } when fill.Key.Order.Value is not null && fill.Key.Key is not null:
                return new([], [fill.Key.Order], [fill.Key], [], [], parkedCount: false, retention: null);
            case OrderUpdate { Order: { OriginatingOrderId: null, AttachedOrderId: null } order }:
                return new(One(order.ClientOrderId), One(order.ExchangeOrderId), [], [], [], parkedCount: false, retention: null);
            case PlacementOutcome { AttachedExchangeOrderId: null } placement:
                return new(One(placement.ClientOrderId), One(placement.ExchangeOrderId), [], [], [], parkedCount: false, retention: null);
            default:
                break;
        }
        var builder = new Builder();
        builder.Add(input);
        return builder.Build();
    }

    /// <summary>The keys deciding <paramref name="inputs"/> together (<see cref="LinkageEngine.DecideMany"/>) reads.</summary>
    public static ReadSetKeys Of(IEnumerable<EngineInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var builder = new Builder();
        foreach (var input in inputs)
        {
            ArgumentNullException.ThrowIfNull(input);
            builder.Add(input);
        }
        return builder.Build();
    }

    /// <summary>Every key of this set and of <paramref name="other"/>.</summary>
    public ReadSetKeys Union(ReadSetKeys other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.IsEmpty)
        {
            return this;
        }
        var builder = new Builder();
        builder.Add(this);
        builder.Add(other);
        return builder.Build();
    }

    /// <summary>The keys, for people (a miss names them): <c>client [..] exchange [..] fill [..] lots [..] exits [..] parked-count retention(..)</c>.</summary>
    public override string ToString()
    {
        var text = new StringBuilder();
        List("client", ClientOrderIds.Select(id => id.Value));
        List("exchange", ExchangeOrderIds.Select(id => id.Value));
        List("external", ExternalOrderIds.Select(id => id.Value));
        List("fill", FillKeys.Select(k => k.ToString()));
        List("lots", EntryLotProducts.Select(p => p.Value));
        List("exits", ExitProducts.Select(p => p.Value));
        if (ParkedCount)
        {
            text.Append(text.Length > 0 ? " " : "").Append("parked-count");
        }
        if (Retention is { } page)
        {
            text.Append(text.Length > 0 ? " " : "").Append(CultureInfo.InvariantCulture, $"retention({page.Cutoff:O}, {page.Max})");
        }
        return text.Length > 0 ? text.ToString() : "nothing";

        void List(string name, IEnumerable<string> values)
        {
            var joined = string.Join(", ", values);
            if (joined.Length > 0)
            {
                text.Append(text.Length > 0 ? " " : "").Append(name).Append(" [").Append(joined).Append(']');
            }
        }
    }

    private static ImmutableArray<ClientOrderId> One(ClientOrderId? id) => id is { Value: not null } value ? [value] : [];

    private static ImmutableArray<ExchangeOrderId> One(ExchangeOrderId? id) => id is { Value: not null } value ? [value] : [];

    /// <summary>Collects keys; <see cref="Build"/> sorts and removes duplicates. Not thread safe.</summary>
    internal sealed class Builder
    {
        private readonly List<ClientOrderId> _clientIds = [];
        private readonly List<ExchangeOrderId> _exchangeIds = [];
        private readonly List<ExchangeOrderId> _externalIds = [];
        private readonly List<FillKey> _fillKeys = [];
        private readonly List<ProductId> _lotProducts = [];
        private readonly List<ProductId> _exitProducts = [];
        private bool _parkedCount;
        private RetentionPage? _retention;

        public void Client(ClientOrderId? id)
        {
            if (id is { Value: not null } value)
            {
                _clientIds.Add(value);
            }
        }

        public void Exchange(ExchangeOrderId? id)
        {
            if (id is { Value: not null } value)
            {
                _exchangeIds.Add(value);
            }
        }

        public void External(ExchangeOrderId id)
        {
            if (id.Value is not null)
            {
                _externalIds.Add(id);
            }
        }

        public void Fill(FillKey key)
        {
            if (key.Order.Value is not null && key.Key is not null)
            {
                _fillKeys.Add(key);
            }
        }

        public void Lots(ProductId product)
        {
            if (product.Value is not null)
            {
                _lotProducts.Add(product);
            }
        }

        public void Exits(ProductId product)
        {
            if (product.Value is not null)
            {
                _exitProducts.Add(product);
            }
        }

        public void CountParked() => _parkedCount = true;

        /// <summary>A retention page; of two (two ticks in one burst) the later cutoff's is read, which holds the earlier one's.</summary>
        public void Retain(RetentionPage page) =>
            _retention = _retention is { } held && held.Cutoff >= page.Cutoff && held.Max >= page.Max ? held
                : _retention is { } other ? new RetentionPage(other.Cutoff > page.Cutoff ? other.Cutoff : page.Cutoff, Math.Max(other.Max, page.Max))
                : page;

        /// <summary>What an order's link reads after it: an entry, the exits of its product that wait for a lot; an exit, the lots it may close.</summary>
        public void AfterLinkOf(Intent intent)
        {
            if (intent.Kind == IntentKind.Entry)
            {
                Exits(intent.Product);
            }
            else if (intent.Closes.IsDefaultOrEmpty)
            {
                Lots(intent.Product);
            }
            else
            {
                foreach (var lot in intent.Closes)
                {
                    Client(lot);
                }
            }
        }

        public void Add(EngineInput input)
        {
            switch (input)
            {
                case IntentReceived { Intent: { } intent }:
                    // Only a valid intent has a client order id; an invalid one is rejected before any read.
                    if (Validation.Intent(intent) is null)
                    {
                        Client(Engine.ClientOrderIds.For(intent));
                        AfterLinkOf(intent);
                    }
                    break;
                case PlacementOutcome placement:
                    Client(placement.ClientOrderId);
                    Exchange(placement.ExchangeOrderId);
                    if (placement.AttachedExchangeOrderId is { } attached && placement.ClientOrderId.Value is not null)
                    {
                        // The bracket order's record, keyed by an id derived from the parent's, and its exchange id.
                        Client(Engine.ClientOrderIds.ForAttached(placement.ClientOrderId));
                        Exchange(attached);
                    }
                    break;
                case OrderUpdate { Order: { } order }:
                    Client(order.ClientOrderId);
                    Exchange(order.ExchangeOrderId);
                    // The order a bracket is attached to, or the bracket attached to this one (the child's own record
                    // depends on the parent's client order id, found by this read).
                    Exchange(order.OriginatingOrderId);
                    Exchange(order.AttachedOrderId);
                    if (order.AttachedOrderId is not null && order.ClientOrderId is { } parent && parent.Value is not null)
                    {
                        // The parent names its bracket: the bracket's record is keyed by an id derived from the parent's.
                        Client(Engine.ClientOrderIds.ForAttached(parent));
                    }
                    break;
                case TradeFillReceived { Fill: { } fill }:
                    Fill(fill.Key);
                    Exchange(fill.ExchangeOrderId);
                    break;
                case OrderNotOurs notOurs:
                    Exchange(notOurs.ExchangeOrderId);
                    Client(notOurs.ClientOrderId);
                    break;
                case Tick tick:
                    if (tick.At - DateTimeOffset.MinValue >= Limits.RetentionAfterTerminal)
                    {
                        Retain(new RetentionPage(tick.At - Limits.RetentionAfterTerminal, Limits.RetentionBatchMax));
                    }
                    break;
                default:
                    // A malformed input (or an unknown kind) is rejected without a read.
                    break;
            }
        }

        public void Add(ReadSetKeys keys)
        {
            _clientIds.AddRange(keys.ClientOrderIds);
            _exchangeIds.AddRange(keys.ExchangeOrderIds);
            _externalIds.AddRange(keys.ExternalOrderIds);
            _fillKeys.AddRange(keys.FillKeys);
            _lotProducts.AddRange(keys.EntryLotProducts);
            _exitProducts.AddRange(keys.ExitProducts);
            _parkedCount |= keys.ParkedCount;
            if (keys.Retention is { } page)
            {
                Retain(page);
            }
        }

        public ReadSetKeys Build() =>
            _clientIds.Count == 0 && _exchangeIds.Count == 0 && _externalIds.Count == 0 && _fillKeys.Count == 0 && _lotProducts.Count == 0 && _exitProducts.Count == 0
            && !_parkedCount && _retention is null
                ? Empty
                : new(
                    Sorted(_clientIds, static (a, b) => string.CompareOrdinal(a.Value, b.Value)),
                    Sorted(_exchangeIds, static (a, b) => string.CompareOrdinal(a.Value, b.Value)),
                    Sorted(_fillKeys, static (a, b) =>
                        string.CompareOrdinal(a.Order.Value, b.Order.Value) is var byOrder and not 0 ? byOrder
                        : a.Source != b.Source ? a.Source.CompareTo(b.Source)
                        : string.CompareOrdinal(a.Key, b.Key)),
                    Sorted(_lotProducts, static (a, b) => string.CompareOrdinal(a.Value, b.Value)),
                    Sorted(_exitProducts, static (a, b) => string.CompareOrdinal(a.Value, b.Value)),
                    _parkedCount,
                    _retention,
                    Sorted(_externalIds, static (a, b) => string.CompareOrdinal(a.Value, b.Value)));

        private static ImmutableArray<T> Sorted<T>(List<T> items, Comparison<T> compare)
        {
            switch (items.Count)
            {
                case 0:
                    return [];
                case 1:
                    return [items[0]];
                default:
                    items.Sort(compare);
                    var distinct = ImmutableArray.CreateBuilder<T>(items.Count);
                    foreach (var item in items)
                    {
                        if (distinct.Count == 0 || compare(distinct[^1], item) != 0)
                        {
                            distinct.Add(item);
                        }
                    }
                    return distinct.Count == distinct.Capacity ? distinct.MoveToImmutable() : distinct.ToImmutable();
            }
        }
    }
}
