using FsCheck;
using FsCheck.Fluent;
using Linkage.Engine;
using static Linkage.Properties.Stores.Samples;

namespace Linkage.Properties.Stores;

/// <summary>
/// Model-based conformance: random sequences of decision batches (valid writes, stale versions, duplicate keys,
/// rebinding, parking and taking out, allocations, appends) are applied to the reference <see cref="MemoryStore"/> and to
/// the store under test. Every batch must get the same status from both, and afterwards every read-out and every view
/// the engine and the host use must return the same records in the same order. The reference store answers those views
/// from indexes, so after every batch each of its views is also checked against its definition, a scan of its read-outs.
/// </summary>
public abstract class StoreModelProperties : DatabaseFixture
{
    private static readonly string[] ClientIds = ["lk-e0", "lk-e1", "lk-e2", "lk-x3", "lk-x4"];
    private static readonly string[] ExchangeIds = ["ex-0", "ex-1", "ex-2", "ex-3", "ex-4"];
    private static readonly string[] Products = ["BTC-USD", "ETH-USD"];

    // The retention pages and recheck windows the views are read with (orders turn terminal at seconds 0 to 90).
    private static readonly (DateTimeOffset Cutoff, int Max)[] TerminalPages = [(At(0), 10), (At(45), 10), (At(45), 2), (At(1000), 3), (At(1000), 100)];

    private static readonly DateTimeOffset[] TerminalSinces = [At(0), At(40), At(45), At(90), At(1000)];

    // Staging, binding, linking and allocating are the common actions, so histories reach bound, linked, allocated and
    // colliding orders; the actions meant to conflict are rarer, since one conflict discards its whole batch.
    private static readonly Gen<ActionKind> Kinds = Gen.Frequency(
        (6, Gen.Constant(ActionKind.Stage)),
        (6, Gen.Constant(ActionKind.Bind)),
        (8, Gen.Constant(ActionKind.Link)),
        (4, Gen.Constant(ActionKind.Allocate)),
        (2, Gen.Constant(ActionKind.Terminate)),
        (2, Gen.Constant(ActionKind.Purge)),
        (2, Gen.Constant(ActionKind.RecordFill)),
        (2, Gen.Constant(ActionKind.Park)),
        (2, Gen.Constant(ActionKind.External)),
        (1, Gen.Constant(ActionKind.Unpark)),
        (1, Gen.Constant(ActionKind.StaleWrite)),
        (1, Gen.Constant(ActionKind.Reject)),
        (1, Gen.Constant(ActionKind.Alert)),
        (1, Gen.Constant(ActionKind.Duplicate)),
        (1, Gen.Constant(ActionKind.Unbind)));

    private static readonly Gen<StoreAction> Action =
        from kind in Kinds
        from order in Gen.Choose(0, ClientIds.Length - 1)
        from other in Gen.Choose(0, ExchangeIds.Length - 1)
        from amount in Gen.Choose(0, 9)
        select new StoreAction(kind, order, other, amount);

    private static readonly Arbitrary<StoreAction[][]> Histories = Arb.From(
        Gen.ArrayOf(
            from length in Gen.Frequency((4, Gen.Constant(1)), (3, Gen.Constant(2)), (1, Gen.Choose(3, 4)))
            from actions in Gen.ArrayOf(Action, length)
            select actions),
        Shrink);

    /// <summary>How many random histories to run.</summary>
    protected abstract int Runs { get; }

    [Test]
    public void Store_agrees_with_the_reference_store_on_every_history()
    {
        Prop.ForAll(Histories, history =>
        {
            using var reference = new MemoryStore();
            using var store = Database.OpenEmpty();

            // A reader paging through the links while they are written, as a daemon's API would: one page after every batch.
            var limit = 1 + (history.Length % 3);
            var referencePager = new Pager(reference, limit);
            var storePager = new Pager(store, limit);
            for (var i = 0; i < history.Length; i++)
            {
                var batch = BatchBuilder.Build(reference, history[i], i);
                var expected = reference.Apply(batch);
                var actual = store.Apply(batch);
                if (actual.Status != expected.Status)
                {
                    throw new AssertionException($"batch {i} ({string.Join(", ", history[i])}): reference {expected}, store {actual}");
                }
                referencePager.Step();
                storePager.Step();
                AssertViewsAreTheirDefinitions(reference, $"after batch {i}");
            }
            StoreContents.Of(reference).AssertSame(StoreContents.Of(store), "after the history");
            AssertSameViews(reference, store);
            referencePager.Drain();
            storePager.Drain();
            Assert.That(storePager.Seen, Is.EqualTo(referencePager.Seen), "the page walk sees the links in the order they were written");
            Assert.That(
                storePager.Seen.OrderBy(l => l.ClientOrderId.Value, StringComparer.Ordinal).ThenBy(l => l.Sequence),
                Is.EqualTo(store.Links()),
                "the page walk sees every link exactly once");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(Runs).WithStartSize(10).WithEndSize(60));
    }

    /// <summary>Smaller histories: one batch fewer, or one action fewer in a batch, so a failure is reported at its core.</summary>
    private static IEnumerable<StoreAction[][]> Shrink(StoreAction[][] history)
    {
        for (var i = 0; i < history.Length; i++)
        {
            yield return [.. history[..i], .. history[(i + 1)..]];
        }
        for (var i = 0; i < history.Length; i++)
        {
            for (var j = 0; history[i].Length > 1 && j < history[i].Length; j++)
            {
                var batch = history[i];
                yield return [.. history[..i], [.. batch[..j], .. batch[(j + 1)..]], .. history[(i + 1)..]];
            }
        }
    }

    private static void AssertSameViews(ILinkageStore reference, ILinkageStore store)
    {
        foreach (var coid in ClientIds)
        {
            Assert.That(store.FindByClientOrderId(Coid(coid)), Is.EqualTo(reference.FindByClientOrderId(Coid(coid))), coid);
            Assert.That(store.Detail(Coid(coid)), Is.EqualTo(reference.Detail(Coid(coid))), $"detail of {coid}");
        }
        foreach (var eoid in ExchangeIds)
        {
            var id = Eoid(eoid);
            Assert.That(store.FindByExchangeOrderId(id), Is.EqualTo(reference.FindByExchangeOrderId(id)), eoid);
            Assert.That(store.ParkedFor(id), Is.EqualTo(reference.ParkedFor(id)), eoid);
            Assert.That(store.FindExternal(id), Is.EqualTo(reference.FindExternal(id)), eoid);
            foreach (var source in new[] { FillSource.RestFills, FillSource.LegacyMatch })
            {
                for (var k = 0; k < ExchangeIds.Length; k++)
                {
                    var key = new FillKey(id, source, "k" + k);
                    Assert.That(store.IsFillKeySeen(key), Is.EqualTo(reference.IsFillKeySeen(key)), key.ToString());
                }
            }
        }
        foreach (var product in Products.Select(ProductId.From))
        {
            Assert.That(store.OpenEntryLots(product), Is.EqualTo(reference.OpenEntryLots(product)), product.Value);
            Assert.That(store.ExitsAwaitingAllocation(product), Is.EqualTo(reference.ExitsAwaitingAllocation(product)), product.Value);
        }
        foreach (var (cutoff, max) in TerminalPages)
        {
            Assert.That(store.TerminalBefore(cutoff, max), Is.EqualTo(reference.TerminalBefore(cutoff, max)), $"terminal before {cutoff} max {max}");
        }
        foreach (var since in TerminalSinces)
        {
            Assert.That(store.TerminalSince(since), Is.EqualTo(reference.TerminalSince(since)), $"terminal since {since}");
        }
        Assert.That(store.InFlightOrders(), Is.EqualTo(reference.InFlightOrders()), "in flight");
        Assert.That(store.ParkedOrderIds(), Is.EqualTo(reference.ParkedOrderIds()), "parked order ids");
    }

    /// <summary>
    /// Each view of the reference store equals its definition in the port's documentation, computed here by scanning the
    /// store's full read-outs (which keep no index): what the reference answers from its indexes is what it would answer
    /// by scanning every order.
    /// </summary>
    private static void AssertViewsAreTheirDefinitions(ILinkageStore reference, string because)
    {
        var orders = reference.Orders(); // by StagedAt, then client order id: the order of open lots and waiting exits
        var parked = reference.Parked(); // by exchange order id, then key
        foreach (var product in Products.Select(ProductId.From))
        {
            Assert.That(reference.OpenEntryLots(product), Is.EqualTo(orders.Where(o => o.Intent.Kind == IntentKind.Entry && o.Intent.Product == product && o.Open > 0m)), $"open lots of {product.Value} {because}");
            Assert.That(reference.ExitsAwaitingAllocation(product), Is.EqualTo(orders.Where(o => o.Intent.Kind == IntentKind.Exit && o.Intent.Product == product && o.Open > 0m)), $"waiting exits of {product.Value} {because}");
        }
        Assert.That(reference.InFlightOrders(), Is.EqualTo(orders.Where(o => !o.IsSettled()).OrderBy(o => o.ClientOrderId.Value, StringComparer.Ordinal)), $"in flight {because}");
        foreach (var (cutoff, max) in TerminalPages)
        {
            Assert.That(
                reference.TerminalBefore(cutoff, max),
                Is.EqualTo(orders.Where(o => o.TerminalAt <= cutoff && !o.IntentPurged).OrderBy(o => o.TerminalAt).ThenBy(o => o.ClientOrderId.Value, StringComparer.Ordinal).Take(max)),
                $"terminal before {cutoff} max {max} {because}");
        }
        foreach (var since in TerminalSinces)
        {
            Assert.That(
                reference.TerminalSince(since),
                Is.EqualTo(orders.Where(o => o.TerminalAt >= since && !o.IntentPurged).OrderBy(o => o.ClientOrderId.Value, StringComparer.Ordinal)),
                $"terminal since {since} {because}");
        }
        foreach (var id in ExchangeIds.Select(Eoid))
        {
            Assert.That(reference.ParkedFor(id), Is.EqualTo(parked.Where(p => p.ExchangeOrderId == id).OrderBy(p => p.ParkedAt).ThenBy(p => p.Key, StringComparer.Ordinal)), $"parked for {id} {because}");
        }
        Assert.That(reference.ParkedOrderIds(), Is.EqualTo(parked.Select(p => p.ExchangeOrderId).Distinct()), $"parked order ids {because}");
    }

    /// <summary>
    /// Pages through a store's links with <see cref="ILinkageStore.LinksAfter"/>, one page per <see cref="Step"/>, and
    /// checks each page against the cursor it was asked with: never more than the limit, a cursor that only moves on, and
    /// "maybe more" exactly when the next page is not empty.
    /// </summary>
    private sealed class Pager(ILinkageStore store, int limit)
    {
        private long _cursor;

        /// <summary>Every link the pages returned, in the order they came.</summary>
        public List<LinkRecord> Seen { get; } = [];

        /// <summary>Reads one page; returns whether it said there may be more.</summary>
        public bool Step()
        {
            var page = store.LinksAfter(_cursor, limit);
            Assert.That(page.Links, Has.Length.LessThanOrEqualTo(limit));
            Assert.That(page.Next, page.Links.IsEmpty ? Is.EqualTo(_cursor) : Is.GreaterThan(_cursor), "the cursor moves on with every link, and only then");
            if (page.More)
            {
                Assert.That(page.Links, Has.Length.EqualTo(limit), "more is said of a full page only");
            }
            Seen.AddRange(page.Links);
            _cursor = page.Next;
            return page.More;
        }

        /// <summary>Reads pages until one says there is no more, then checks that nothing follows.</summary>
        public void Drain()
        {
            while (Step())
            {
            }
            Assert.That(store.LinksAfter(_cursor, limit).Links, Is.Empty, "nothing after the page that said no more");
        }
    }

    private enum ActionKind
    {
        Stage,
        Bind,
        Link,
        Terminate,
        StaleWrite,
        RecordFill,
        Park,
        Unpark,
        External,
        Allocate,
        Reject,
        Alert,
        Purge,
        Duplicate,
        Unbind,
    }

    private sealed record StoreAction(ActionKind Kind, int Order, int Other, int Amount)
    {
        public override string ToString() => $"{Kind}({Order},{Other},{Amount})";
    }

    /// <summary>
    /// Turns actions into one batch, reading the reference store and the batch's own earlier decisions (as the engine's
    /// pending view does). Some actions are meant to conflict: staging twice, stale versions, another order's exchange
    /// id, unbinding, keys already present, taking out what is not parked.
    /// </summary>
    private sealed class BatchBuilder
    {
        private readonly ILinkageStore _reference;
        private readonly Dictionary<string, OrderRecord> _orders = new(StringComparer.Ordinal);
        private readonly Dictionary<string, ExternalOrderRecord> _externals = new(StringComparer.Ordinal);
        private readonly List<Decision> _decisions = [];

        private BatchBuilder(ILinkageStore reference) => _reference = reference;

        public static DecisionBatch Build(ILinkageStore reference, StoreAction[] actions, int index)
        {
            var builder = new BatchBuilder(reference);
            foreach (var action in actions)
            {
                builder.Add(action);
            }
            return new DecisionBatch(new Tick(At(index)), [.. builder._decisions]);
        }

        private void Add(StoreAction a)
        {
            var coid = ClientIds[a.Order];
            var eoid = ExchangeIds[a.Other];
            var order = Order(coid);
            switch (a.Kind)
            {
                case ActionKind.Stage:
                    // Three entries and an exit on one product (open lots to order), an exit alone on the other.
                    var product = Products[a.Order == ClientIds.Length - 1 ? 1 : 0];
                    var intent = coid.StartsWith("lk-x", StringComparison.Ordinal) ? Exit(product) : Entry(product, "snap-" + coid);
                    Write(new IntentStaged(Staged(coid, a.Amount % 3, intent)));
                    break;
                case ActionKind.Bind when order is not null:
                    Write(new OrderBound(Bound(order, eoid), LinkProvenance.ExchangeOrderId));
                    break;
                case ActionKind.Link when order is not null:
                    // An order not bound yet is bound to its own exchange id first (another order may hold it: a conflict).
                    var bound = order.ExchangeOrderId is null ? Write(new OrderBound(Bound(order, ExchangeIds[a.Order]), LinkProvenance.ClientOrderId)) : order;
                    var (linked, link) = LinkMore(bound, (a.Amount + 1) * 0.001m, 100m + a.Other, "k" + a.Other, a.Amount);
                    Write(new Linked(linked, link));
                    _decisions.Add(new FillRecorded(Fill(bound.ExchangeOrderId!.Value.Value, "k" + a.Other, coid: coid)));
                    break;
                case ActionKind.Terminate when order is not null:
                    Write(new OrderStatusChanged(Terminal(order, a.Amount * 10), "terminal"));
                    break;
                case ActionKind.StaleWrite when order is not null:
                    Write(new LedgerUpdated(order with { Version = order.Version + (a.Amount % 2 == 0 ? 0 : 2), Allocated = 0.5m }));
                    break;
                case ActionKind.RecordFill:
                    _decisions.Add(new FillRecorded(Fill(ExchangeIds[a.Order], "k" + a.Other, a.Amount % 2 == 0 ? FillSource.RestFills : FillSource.LegacyMatch)));
                    break;
                case ActionKind.Park:
                    _decisions.Add(new FillParked(Parked(ExchangeIds[a.Order], "k" + a.Other, a.Amount)));
                    break;
                case ActionKind.Unpark:
                    _decisions.Add(new FillUnparked(Eoid(ExchangeIds[a.Order]), "k" + a.Other));
                    break;
                case ActionKind.External:
                    var current = _externals.TryGetValue(eoid, out var pending) ? pending : _reference.FindExternal(Eoid(eoid));
                    var next = current is null
                        ? External(eoid, observed: a.Amount)
                        : current with { Version = current.Version + (a.Amount == 0 ? 0 : 1), ObservedQuantity = current.ObservedQuantity + a.Amount, Trades = current.Trades + 1 };
                    _externals[eoid] = next;
                    _decisions.Add(new ExternalRecorded(next));
                    break;
                case ActionKind.Allocate when Order(ClientIds[3 + (a.Order % 2)]) is { } exit && Order(ClientIds[a.Other % 3]) is { } entry:
                    var quantity = (a.Amount + 1) * 0.0005m;
                    var exitAfter = Next(exit, o => o with { Allocated = o.Allocated + quantity });
                    var entryAfter = Next(entry, o => o with { Allocated = o.Allocated + quantity });
                    _orders[exit.ClientOrderId.Value] = exitAfter;
                    _orders[entry.ClientOrderId.Value] = entryAfter;
                    // Numbered by the exit's version, as the engine does, so a number is never reused while versions are checked.
                    // (The SQL stores also refuse a reused number; the reference store trusts the engine on this.)
                    _decisions.Add(new ExitAllocated(exitAfter, entryAfter, Allocation(exit, entry, (int)exitAfter.Version, quantity)));
                    break;
                case ActionKind.Reject:
                    _decisions.Add(new InputRejected(Rejected("reason " + a.Amount, a.Amount)));
                    break;
                case ActionKind.Alert:
                    _decisions.Add(new AlertRaised(Alert("detail " + a.Amount, a.Amount)));
                    break;
                case ActionKind.Purge when order is { TerminalAt: not null, IntentPurged: false }:
                    Write(new IntentPurged(Next(order, o => o with { IntentPurged = true, Intent = o.Intent with { IndicatorsJson = null, IndicatorsFired = null } })));
                    break;
                case ActionKind.Duplicate:
                    _decisions.Add(new DuplicateIgnored(DuplicateKind.FillKey, "k" + a.Other));
                    break;
                case ActionKind.Unbind when order?.ExchangeOrderId is not null:
                    Write(new OrderStatusChanged(Next(order, o => o with { ExchangeOrderId = null }), "unbind"));
                    break;
                default:
                    // The action has no target in the current state (an order not staged yet): it adds nothing.
                    break;
            }
        }

        private OrderRecord? Order(string coid) => _orders.TryGetValue(coid, out var pending) ? pending : _reference.FindByClientOrderId(Coid(coid));

        private OrderRecord Write(OrderDecision decision)
        {
            _orders[decision.Order.ClientOrderId.Value] = decision.Order;
            _decisions.Add(decision);
            return decision.Order;
        }
    }
}
