using Linkage.Host;
using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>The reference store: atomic batches, optimistic versions, idempotent keys, stable read-out orders.</summary>
public sealed class MemoryStoreTests
{
    [Test]
    public void Batch_with_a_stale_version_is_a_conflict_and_applies_nothing()
    {
        using var store = new MemoryStore();
        var entry = Entry("aaa");
        store.Apply(LinkageEngine.ReadAndDecide(store, Received(entry)));
        var ack = LinkageEngine.ReadAndDecide(store, Ack(entry, "x1"));
        var competing = LinkageEngine.ReadAndDecide(store, Timeout(entry));
        Assert.That(store.Apply(competing).Status, Is.EqualTo(ApplyStatus.Applied));
        var alert = new AlertRaised(new AlertRecord { At = At(1), Kind = AlertKind.QuantityMismatch, Detail = "first in the batch" });

        var result = store.Apply(ack with { Decisions = [alert, .. ack.Decisions] });

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(ApplyStatus.Conflict));
            Assert.That(result.Detail, Does.Contain("version"));
            Assert.That(store.FindByExchangeOrderId(Eid("x1")), Is.Null);
            Assert.That(store.Alerts(), Is.Empty, "the alert staged before the conflict was not applied");
        });
    }

    [Test]
    public void Fill_key_recorded_twice_is_a_conflict()
    {
        using var store = new MemoryStore();
        var entry = Entry("aaa");
        store.Apply(LinkageEngine.ReadAndDecide(store, Received(entry)));
        store.Apply(LinkageEngine.ReadAndDecide(store, Ack(entry, "x1")));
        var first = LinkageEngine.ReadAndDecide(store, Rest("x1", "e1", 0.001m));
        var second = LinkageEngine.ReadAndDecide(store, Rest("x1", "e1", 0.001m));

        Assert.Multiple(() =>
        {
            Assert.That(store.Apply(first).Status, Is.EqualTo(ApplyStatus.Applied));
            Assert.That(store.Apply(second).Status, Is.EqualTo(ApplyStatus.Conflict));
            Assert.That(store.Links(), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void Intent_staged_twice_is_a_conflict()
    {
        using var store = new MemoryStore();
        var batch = LinkageEngine.ReadAndDecide(store, Received(Entry("aaa")));

        Assert.Multiple(() =>
        {
            Assert.That(store.Apply(batch).Status, Is.EqualTo(ApplyStatus.Applied));
            Assert.That(store.Apply(batch).Status, Is.EqualTo(ApplyStatus.Conflict));
        });
    }

    [Test]
    public void Releasing_a_fill_another_writer_released_is_a_conflict()
    {
        using var store = new MemoryStore();
        var entry = Entry("aaa");
        store.Apply(LinkageEngine.ReadAndDecide(store, Received(entry)));
        store.Apply(LinkageEngine.ReadAndDecide(store, Rest("x1", "e1", 0.001m)));
        var viaAck = LinkageEngine.ReadAndDecide(store, Ack(entry, "x1"));
        var viaFeed = LinkageEngine.ReadAndDecide(store, Update("x1", entry, 0m));

        Assert.Multiple(() =>
        {
            Assert.That(store.Apply(viaFeed).Status, Is.EqualTo(ApplyStatus.Applied));
            Assert.That(store.Apply(viaAck).Status, Is.EqualTo(ApplyStatus.Conflict));
            Assert.That(store.Links(), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void Exchange_id_bound_to_one_order_cannot_be_written_to_another()
    {
        using var store = new MemoryStore();
        var first = Entry("aaa");
        var second = Entry("bbb", decidedSecond: 5);
        store.Apply(LinkageEngine.ReadAndDecide(store, Received(first)));
        store.Apply(LinkageEngine.ReadAndDecide(store, Received(second)));
        var bindFirst = LinkageEngine.ReadAndDecide(store, Ack(first, "x1"));
        var bindSecond = LinkageEngine.ReadAndDecide(store, Ack(second, "x1"));

        Assert.Multiple(() =>
        {
            Assert.That(store.Apply(bindFirst).Status, Is.EqualTo(ApplyStatus.Applied));
            Assert.That(store.Apply(bindSecond).Status, Is.EqualTo(ApplyStatus.Conflict));
            Assert.That(store.FindByExchangeOrderId(Eid("x1"))!.ClientOrderId, Is.EqualTo(Coid(first)));
        });
    }

    [Test]
    public void Read_outs_are_in_their_documented_stable_orders()
    {
        using var rig = new Rig();
        var late = Entry("zzz", decidedSecond: 1);
        var early = Entry("aaa", decidedSecond: 2);
        rig.Feed(Received(late, 9), Received(early, 1), Ack(late, "b-x"), Ack(early, "a-x"),
            Rest("b-x", "e2", 0.001m), Rest("b-x", "e1", 0.001m), Rest("a-x", "e3", 0.002m),
            Rest("p2", "k2", 0.001m), Rest("p1", "k9", 0.001m), Rest("p1", "k1", 0.001m, second: 9));

        var store = rig.Store;
        Assert.Multiple(() =>
        {
            Assert.That(store.Orders().Select(o => o.StagedAt), Is.Ordered);
            Assert.That(store.Links().Select(l => l.ClientOrderId.Value), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(store.Fills().Select(f => f.Fill.Key.ToString()), Is.EqualTo(new[] { "a-x/RestFills/e3", "b-x/RestFills/e1", "b-x/RestFills/e2" }));
            Assert.That(store.Parked().Select(p => $"{p.ExchangeOrderId}/{p.Key}"), Is.EqualTo(new[] { "p1/RestFills:k1", "p1/RestFills:k9", "p2/RestFills:k2" }));
            Assert.That(store.ParkedFor(Eid("p1")).Select(p => p.Key), Is.EqualTo(new[] { "RestFills:k9", "RestFills:k1" }), "parked time first, then key");
            Assert.That(store.ParkedCount, Is.EqualTo(3));
            Assert.That(store.OpenEntryLots(Btc).Select(o => o.Intent.Snapshot!.Value.Value), Is.EqualTo(new[] { "aaa", "zzz" }));
        });
    }

    [Test]
    public void Links_and_fills_read_out_exactly_as_decided()
    {
        // Every optional field set somewhere: the store keeps links and fills as inline values, not the records.
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.003m);
        var exit = Exit(0.001m);
        var entryFill = Rest("x1", "e1", 0.002m);
        var adjustment = Rest("x1", "e2", 0.001m, type: TradeType.Correction, second: 2.5);
        // Enough small fills after them, with keys of the longest length, that the store's log and its text span
        // several chunks.
        var many = Enumerable.Range(0, 4200).Select(i => Rest("x1", $"m{i}".PadLeft(Limits.ExchangeIdLengthMax, 'k'), 0.0000001m, second: 5 + (i / 10000.0)));
        var batches = new EngineInput[]
        {
            Received(entry), Ack(entry, "x1"),
            entryFill with { Fill = entryFill.Fill with { Side = Side.Buy, TradeTime = At(1.5) } },
            adjustment, Received(exit, 3600), Ack(exit, "x2", 3600.2), Match("x2", 77, 0.001m, second: 3601),
        }.Concat(many).Select(input => rig.Feed(input)).ToArray();
        var decided = batches.SelectMany(b => b.Decisions).ToArray();

        Assert.Multiple(() =>
        {
            // In the read-outs' documented orders (an unordered comparison of thousands is too slow).
            Assert.That(rig.Store.Fills(), Is.EqualTo(decided.OfType<FillRecorded>().Select(f => f.Fill)
                .OrderBy(f => f.Fill.Key.Order.Value, StringComparer.Ordinal).ThenBy(f => f.Fill.Key.Source).ThenBy(f => f.Fill.Key.Key, StringComparer.Ordinal)));
            Assert.That(rig.Store.Links(), Is.EqualTo(decided.OfType<Linked>().Select(l => l.Link)
                .OrderBy(l => l.ClientOrderId.Value, StringComparer.Ordinal).ThenBy(l => l.Sequence)));
            Assert.That(decided.OfType<Linked>().Select(l => l.Link.Kind).Distinct(), Is.EquivalentTo(new[] { IntentKind.Entry, IntentKind.Exit }));
            Assert.That(rig.Store.Links(), Has.Length.GreaterThan(4200));
            Assert.That(decided.OfType<FillRecorded>().Count(f => f.Fill.Fill.TradeTime is not null), Is.EqualTo(1));
        });
    }

    [Test]
    public void Orders_read_out_exactly_as_last_decided()
    {
        // Every field of an order set somewhere: the store keeps orders as inline values, not the records.
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.004m);
        var exit = Exit(0.001m);
        var refused = Entry("bbb", decidedSecond: 1);
        var inputs = new EngineInput[]
        {
            Received(entry), Ack(entry, "x1"), Update("x1", entry, 0.001m, second: 1), Rest("x1", "e1", 0.002m, second: 2),
            Match("x1", 5, 0.003m, second: 3), Update("x1", entry, 0.004m, status: OrderStatus.Filled, second: 4),
            Received(refused, 1), Refused(refused, 1.2),
            Received(exit, 3600), Ack(exit, "x2", 3600.2), Rest("x2", "e9", 0.001m, second: 3601),
            new Tick(At(4) + Limits.RetentionAfterTerminal),
        };
        var decided = new Dictionary<ClientOrderId, OrderRecord>();
        foreach (var decision in inputs.SelectMany(input => rig.Feed(input).Decisions))
        {
            foreach (var order in decision switch
            {
                ExitAllocated allocated => [allocated.Order, allocated.Entry],
                OrderDecision written => [written.Order],
                _ => Array.Empty<OrderRecord>(),
            })
            {
                decided[order.ClientOrderId] = order;
            }
        }
        var last = decided.Values.ToArray();
        var oldestFirst = last.OrderBy(o => o.StagedAt).ThenBy(o => o.ClientOrderId.Value, StringComparer.Ordinal).ToArray();

        Assert.Multiple(() =>
        {
            Assert.That(rig.Store.Orders(), Is.EquivalentTo(last));
            Assert.That(rig.Store.OpenEntryLots(Btc), Is.EqualTo(oldestFirst.Where(o => o.Intent.Kind == IntentKind.Entry && o.Open > 0m)));
            Assert.That(rig.Store.ExitsAwaitingAllocation(Btc), Is.EqualTo(oldestFirst.Where(o => o.Intent.Kind == IntentKind.Exit && o.Open > 0m)));
            Assert.That(rig.Store.TerminalBefore(At(4), 10), Is.EqualTo(oldestFirst.Where(o => o.TerminalAt <= At(4) && !o.IntentPurged)));
            Assert.That(last.Select(o => rig.Store.FindByClientOrderId(o.ClientOrderId)), Is.EqualTo(last));
            Assert.That(last, Has.Some.Matches<OrderRecord>(o => o.RejectReason is not null && o.Placement == PlacementState.Rejected));
            Assert.That(last, Has.Some.Matches<OrderRecord>(o => o.TerminalAt is not null && o.IntentPurged && o.ExchangeFilledQuantity is not null
                && o.Feed.Quantity > 0m && o.FeedLinkable.Quantity > 0m && o.Rest.Quantity > 0m && o.Matches.Quantity > 0m
                && o.Linked.Quantity > 0m && o.LinkCount > 1 && o.Allocated > 0m && o.Status == OrderStatus.Filled));
        });
    }

    [Test]
    public void Batch_writing_many_orders_checks_each_write_against_the_ones_staged_before_it()
    {
        // Past a handful of staged orders the store looks them up by a dictionary of positions instead of in order.
        using var rig = new Rig();
        var entries = Enumerable.Range(0, 20).Select(i => Entry($"s{i}", decidedSecond: i)).ToArray();
        foreach (var (entry, i) in entries.Select((e, i) => (e, i)))
        {
            rig.Feed(Received(entry, i), Ack(entry, $"x{i}", i + 0.1), Update($"x{i}", entry, 0.002m, status: OrderStatus.Filled, second: i + 0.2));
        }
        var purge = LinkageEngine.ReadAndDecide(rig.Store, new Tick(At(20) + Limits.RetentionAfterTerminal));
        var before = rig.Store.Snapshot();

        Assert.Multiple(() =>
        {
            Assert.That(purge.Decisions, Has.Length.EqualTo(20));
            foreach (var again in new[] { purge.Decisions[0], purge.Decisions[^1] })
            {
                var result = rig.Store.Apply(purge with { Decisions = purge.Decisions.Add(again) });
                Assert.That(result.Status, Is.EqualTo(ApplyStatus.Conflict), "a second write from the same version");
                Assert.That(rig.Store.Snapshot(), Is.EqualTo(before));
            }
            Assert.That(rig.Store.Apply(purge).Status, Is.EqualTo(ApplyStatus.Applied));
            Assert.That(rig.Store.Orders().Select(o => o.IntentPurged), Is.All.True);
        });
    }

    [Test]
    public void Concurrent_engines_on_one_store_link_each_fill_exactly_once()
    {
        using var store = new MemoryStore();
        var entries = Enumerable.Range(0, 20).Select(i => Entry($"s{i}", size: 0.004m, decidedSecond: i)).ToArray();
        var inputs = entries.SelectMany((e, i) => new EngineInput[]
        {
            Received(e, i), Ack(e, $"x{i}", i + 0.1), Rest($"x{i}", $"e{i}a", 0.001m, second: i + 0.2),
            Update($"x{i}", e, 0.003m, second: i + 0.3), Rest($"x{i}", $"e{i}b", 0.003m, second: i + 0.4),
            Update($"x{i}", e, 0.004m, status: OrderStatus.Filled, second: i + 0.5),
        }).ToArray();

        var results = new ProcessResult[4][];
        Parallel.For(0, 4, worker => results[worker] = [.. ProcessLoop.Run(new EngineCorrelator(store), inputs)]);

        Assert.Multiple(() =>
        {
            Assert.That(results.SelectMany(r => r).Select(r => r.Status), Is.All.EqualTo(ProcessStatus.Applied));
            foreach (var entry in entries)
            {
                var links = store.Links().Where(l => l.ClientOrderId == Coid(entry)).ToArray();
                Assert.That(links.Sum(l => l.Quantity), Is.EqualTo(0.004m));
                Assert.That(links.Select(l => l.From), Is.EqualTo(links.Select(l => l.To).Prepend(0m).SkipLast(1)));
            }
            Assert.That(store.Orders(), Has.Length.EqualTo(entries.Length));
        });
    }
}
