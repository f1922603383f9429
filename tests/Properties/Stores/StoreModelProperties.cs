using FsCheck;
using FsCheck.Fluent;
using Linkage.Engine;
using static Linkage.Properties.Stores.Samples;

namespace Linkage.Properties.Stores;

/// <summary>
/// Model-based conformance: random sequences of decision batches (valid writes, stale versions, duplicate keys,
/// rebinding, parking and taking out, allocations, appends) are applied to the reference <see cref="MemoryStore"/> and to
/// the store under test. Every batch must get the same status from both, and afterwards every read-out and every view
/// the engine uses must return the same records in the same order.
/// </summary>
public abstract class StoreModelProperties
{
    private static readonly string[] ClientIds = ["lk-e0", "lk-e1", "lk-e2", "lk-x3", "lk-x4"];
    private static readonly string[] ExchangeIds = ["ex-0", "ex-1", "ex-2", "ex-3", "ex-4"];
    private static readonly string[] Products = ["BTC-USD", "ETH-USD"];

    // Half the actions stage, bind or link, so histories reach bound, linked and colliding orders quickly.
    private static readonly Gen<StoreAction> Action =
        from kind in Gen.OneOf(Gen.Choose(0, (int)ActionKind.Unbind), Gen.Choose(0, (int)ActionKind.Link))
        from order in Gen.Choose(0, ClientIds.Length - 1)
        from other in Gen.Choose(0, ExchangeIds.Length - 1)
        from amount in Gen.Choose(0, 9)
        select new StoreAction((ActionKind)kind, order, other, amount);

    private static readonly Arbitrary<StoreAction[][]> Histories = Arb.From(
        Gen.ArrayOf(from length in Gen.Choose(1, 4) from actions in Gen.ArrayOf(Action, length) select actions),
        Shrink);

    /// <summary>How many random histories to run.</summary>
    protected abstract int Runs { get; }

    private ITestDatabase? _database;

    /// <summary>The fixture's database (created once per fixture; each history empties it).</summary>
    protected abstract ITestDatabase CreateDatabase();

    [OneTimeSetUp]
    public void CreateDatabaseOnce() => _database = CreateDatabase();

    [OneTimeTearDown]
    public void RemoveDatabase() => _database?.Dispose();

    [Test]
    public void Store_agrees_with_the_reference_store_on_every_history()
    {
        Prop.ForAll(Histories, history =>
        {
            using var reference = new MemoryStore();
            using var store = _database!.OpenEmpty();
            for (var i = 0; i < history.Length; i++)
            {
                var batch = BatchBuilder.Build(reference, history[i], i);
                var expected = reference.Apply(batch);
                var actual = store.Apply(batch);
                if (actual.Status != expected.Status)
                {
                    throw new AssertionException($"batch {i} ({string.Join(", ", history[i])}): reference {expected}, store {actual}");
                }
            }
            StoreContents.Of(reference).AssertSame(StoreContents.Of(store), "after the history");
            AssertSameViews(reference, store);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(Runs).WithEndSize(30));
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
        foreach (var (cutoff, max) in new[] { (At(0), 10), (At(45), 10), (At(45), 2), (At(1000), 3), (At(1000), 100) })
        {
            Assert.That(store.TerminalBefore(cutoff, max), Is.EqualTo(reference.TerminalBefore(cutoff, max)), $"terminal before {cutoff} max {max}");
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
                    var product = Products[a.Order % Products.Length];
                    var intent = coid.StartsWith("lk-x", StringComparison.Ordinal) ? Exit(product) : Entry(product, "snap-" + coid);
                    Write(new IntentStaged(Staged(coid, a.Amount % 3, intent)));
                    break;
                case ActionKind.Bind when order is not null:
                    Write(new OrderBound(Bound(order, eoid), LinkProvenance.ExchangeOrderId));
                    break;
                case ActionKind.Link when order?.ExchangeOrderId is { } bound:
                    var (linked, link) = LinkMore(order, (a.Amount + 1) * 0.001m, 100m + a.Other, "k" + a.Other, a.Amount);
                    Write(new Linked(linked, link));
                    _decisions.Add(new FillRecorded(Fill(bound.Value, "k" + a.Other, coid: coid)));
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
                case ActionKind.Allocate when order is not null && Order(ClientIds[a.Other]) is { } entry && entry.ClientOrderId != order.ClientOrderId:
                    var quantity = (a.Amount + 1) * 0.0005m;
                    var exitAfter = Next(order, o => o with { Allocated = o.Allocated + quantity });
                    var entryAfter = Next(entry, o => o with { Allocated = o.Allocated + quantity });
                    _orders[order.ClientOrderId.Value] = exitAfter;
                    _orders[entry.ClientOrderId.Value] = entryAfter;
                    _decisions.Add(new ExitAllocated(exitAfter, entryAfter, Allocation(order, entry, (a.Amount % 3) + 1, quantity)));
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

        private void Write(OrderDecision decision)
        {
            _orders[decision.Order.ClientOrderId.Value] = decision.Order;
            _decisions.Add(decision);
        }
    }
}
