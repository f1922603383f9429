using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// The reference store refuses a write decided from a state that moved, and says which record and why in words an
/// operator can act on; its host reads (orders in flight, orders terminal since a time, parked ids) answer in order.
/// </summary>
public sealed class MemoryStoreConflictTests
{
    private static readonly Intent Long = Entry("aaa");

    [Test]
    public void A_write_over_a_moved_state_is_refused_naming_the_record_and_the_version()
    {
        using var store = new MemoryStore();
        var staging = LinkageEngine.ReadAndDecide(store, Received(Long));
        store.Apply(staging);
        var staged = staging.Of<IntentStaged>().Single().Order;
        var binding = LinkageEngine.ReadAndDecide(store, Ack(Long, "ex-1"));
        var rebinding = LinkageEngine.ReadAndDecide(store, Ack(Long, "ex-2"));
        store.Apply(binding);
        var other = Entry("bbb", decidedSecond: 1);
        store.Apply(LinkageEngine.ReadAndDecide(store, Received(other, 1)));
        var otherRecord = store.FindByClientOrderId(Coid(other))!;
        // The engine refuses an acknowledgement naming an id another order holds; a forged binding reaches the store.
        var stealing = new DecisionBatch(Ack(other, "ex-1", 1.2), [new OrderBound(otherRecord with { ExchangeOrderId = Eid("ex-1"), Version = otherRecord.Version + 1 }, LinkProvenance.ExchangeOrderId)]);
        var bound = store.FindByClientOrderId(Coid(Long))!;
        Assert.Multiple(() =>
        {
            Assert.That(store.Apply(staging).Detail, Is.EqualTo($"client order {Coid(Long)} is already staged (version 2)"));
            Assert.That(store.Apply(rebinding).Detail, Is.EqualTo($"client order {Coid(Long)} is at version 2, the write expects 1"));
            Assert.That(store.Apply(rebinding).Status, Is.EqualTo(ApplyStatus.Conflict));
            Assert.That(store.Apply(new DecisionBatch(Ack(Long, "ex-2"), [new OrderBound(bound with { ExchangeOrderId = Eid("ex-2"), Version = 3 }, LinkProvenance.ExchangeOrderId)])).Detail,
                Is.EqualTo($"client order {Coid(Long)} is bound to exchange order ex-1, not ex-2"));
            Assert.That(store.Apply(new DecisionBatch(Ack(Long, "ex-1"), [new LedgerUpdated(bound with { ExchangeOrderId = null, Version = 3 })])).Detail,
                Is.EqualTo($"client order {Coid(Long)} is bound to exchange order ex-1; a write may not unbind it"));
            Assert.That(store.Apply(stealing).Detail, Is.EqualTo($"exchange order ex-1 is bound to client order {Coid(Long)}"));
            Assert.That(store.Apply(new DecisionBatch(Received(Long), [new LedgerUpdated(staged with { ClientOrderId = ClientOrderId.From("nobody"), Version = 2 })])).Detail,
                Is.EqualTo("client order nobody is at version none, the write expects 1"));
            Assert.That(store.Apply(new DecisionBatch(new Tick(T0), [new ExternalRecorded(new ExternalOrderRecord { ExchangeOrderId = Eid("ext-1"), FirstSeenAt = T0, Version = 2 })])).Detail,
                Is.EqualTo("external order ext-1 is at version 0, the write expects 1"));
            Assert.That(store.Name, Is.EqualTo("memory"));
            Assert.That(store.IsDurable, Is.False);
            Assert.Throws<ArgumentNullException>(() => store.Apply(null!));
        });
    }

    [Test]
    public void Fill_and_parking_conflicts_name_the_key()
    {
        using var store = new MemoryStore();
        store.Apply(LinkageEngine.ReadAndDecide(store, Received(Long)));
        store.Apply(LinkageEngine.ReadAndDecide(store, Ack(Long, "ex-1")));
        var fill = LinkageEngine.ReadAndDecide(store, Rest("ex-1", "t-1", 0.001m));
        store.Apply(fill);
        var parking = LinkageEngine.ReadAndDecide(store, Rest("ex-9", "t-9", 0.001m));
        store.Apply(parking);
        var recorded = fill.Of<FillRecorded>().Single();
        var parked = parking.Of<FillParked>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(store.Apply(new DecisionBatch(new Tick(T0), [recorded])).Detail, Is.EqualTo("fill ex-1/RestFills/t-1 is already recorded"));
            Assert.That(store.Apply(new DecisionBatch(new Tick(T0), [parked])).Detail, Is.EqualTo("fill ex-9/RestFills:t-9 is already parked"));
            Assert.That(store.Apply(new DecisionBatch(new Tick(T0), [new FillUnparked(Eid("ex-9"), "RestFills:t-8")])).Detail,
                Is.EqualTo("fill ex-9/RestFills:t-8 is not parked (another writer released it)"));
            Assert.That(store.ParkedOrderIds(), Is.EqualTo(new[] { Eid("ex-9") }));
        });
    }

    [Test]
    public void Orders_terminal_since_a_time_are_the_latest_ones_and_settled_orders_leave_the_in_flight_list()
    {
        using var rig = new Rig();
        var entries = Enumerable.Range(1, 4).Select(i => Entry($"s{i}", size: 0.001m, decidedSecond: i)).ToArray();
        for (var i = 0; i < entries.Length; i++)
        {
            rig.Feed(Received(entries[i], i + 1), Ack(entries[i], $"ex-{i}", i + 1.2));
        }
        for (var i = 0; i < 3; i++)
        {
            rig.Feed(Update($"ex-{i}", entries[i], 0.001m, status: OrderStatus.Filled, second: 100 * (i + 1)));
        }
        Assert.Multiple(() =>
        {
            Assert.That(rig.Store.TerminalSince(At(200)).Select(o => o.ClientOrderId), Is.EquivalentTo(new[] { Coid(entries[1]), Coid(entries[2]) }));
            Assert.That(rig.Store.TerminalSince(At(200)).Select(o => o.ClientOrderId.Value), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(rig.Store.TerminalSince(At(301)), Is.Empty);
            Assert.That(rig.Store.TerminalSince(At(0)), Has.Length.EqualTo(3));
            Assert.That(rig.Store.InFlightOrders().Select(o => o.ClientOrderId), Is.EqualTo(new[] { Coid(entries[3]) }), "only the open order is in flight");
        });
    }
}
