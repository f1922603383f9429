using Linkage.Engine;
using Linkage.Host;
using Linkage.Properties.Engine;
using Linkage.Properties.Support;
using Moq;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Host;

/// <summary>
/// The host's small parts: the replay loop offers a store-failed input a bounded number of times, and the store ledger
/// answers the host's questions (terminal orders to recheck, open quantity for an exit, known orders) from the store.
/// </summary>
public sealed class HostPartsTests
{
    [Test]
    public void The_loop_offers_an_input_the_store_failed_up_to_its_bound_and_an_applied_one_once()
    {
        // The fault, injected at the store boundary: every read fails.
        using var inner = new MemoryStore();
        var down = ForwardingStore.Over(inner);
        down.Setup(s => s.Read(It.IsAny<ReadSetKeys>())).Throws(new IOException("store down"));
        var failing = new EngineCorrelator(down.Object);
        var failed = ProcessLoop.Run(failing, [new Tick(T0)]);
        using var store = new MemoryStore();
        var working = new EngineCorrelator(store);
        var applied = ProcessLoop.Run(working, [new Tick(T0), Received(Entry("aaa"))]);
        Assert.Multiple(() =>
        {
            Assert.That(failing.InputsProcessed, Is.EqualTo(ProcessLoop.OffersMax), "offered again, up to the bound");
            Assert.That(failed.Single().Status, Is.EqualTo(ProcessStatus.StoreFailed));
            Assert.That(failed.Single().Succeeded, Is.False);
            Assert.That(working.InputsProcessed, Is.EqualTo(2), "each applied input once");
            Assert.That(applied.Select(r => r.Succeeded), Is.EqualTo(new[] { true, true }));
            Assert.That(Assert.Throws<ArgumentNullException>(() => ProcessLoop.Run(null!, []))!.ParamName, Is.EqualTo("correlator"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => ProcessLoop.Run(working, null!))!.ParamName, Is.EqualTo("inputs"));
        });
    }

    [Test]
    public void The_store_ledger_answers_from_the_store()
    {
        using var rig = new Rig();
        var first = Entry("aaa", size: 0.002m);
        var second = Entry("bbb", size: 0.003m, decidedSecond: 1);
        var unbound = Entry("ccc", size: 0.001m, decidedSecond: 2);
        rig.Feed(Received(first), Ack(first, "ex-1"), Rest("ex-1", "t-1", 0.002m), Update("ex-1", first, 0.002m, status: OrderStatus.Filled, second: 5),
            Received(second, 1), Ack(second, "ex-2", 1.2), Rest("ex-2", "t-2", 0.001m, second: 6),
            Received(unbound, 2), Timeout(unbound, 40));
        var ledger = new StoreLedger(rig.Store);
        Assert.Multiple(() =>
        {
            Assert.That(ledger.Terminal(At(0)).Select(o => o.ClientOrderId), Is.EqualTo(new[] { Coid(first) }), "terminal and bound");
            Assert.That(ledger.OpenQuantity(Btc, []), Is.EqualTo(0.003m), "every open lot");
            Assert.That(ledger.OpenQuantity(Btc, [Coid(second)]), Is.EqualTo(0.001m), "the named lot");
            Assert.That(ledger.OpenQuantity(Btc, [Coid(first), Coid(second), ClientOrderId.From("unknown")]), Is.EqualTo(0.003m), "named lots add up; an unknown one adds nothing");
            Assert.That(ledger.IsKnown(Coid(first)), Is.True);
            Assert.That(ledger.IsKnown(ClientOrderId.From("unknown")), Is.False);
            Assert.That(ledger.LinkedQuantity(Coid(second)), Is.EqualTo(0.001m));
            Assert.That(ledger.AwaitsPlacement(Coid(unbound)), Is.True, "its outcome is unknown");
            Assert.That(ledger.AwaitsPlacement(Coid(first)), Is.False);
        });
    }
}
