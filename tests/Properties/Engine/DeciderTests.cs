using Linkage.Host;
using Linkage.Engine;
using Linkage.Properties.Support;
using Moq;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// The engine keeps one decider (and its pending view) per thread between calls: nothing of one call may reach the
/// next, whether the call ended in a batch, in a store failure, or was interrupted by another call on the same thread.
/// </summary>
public sealed class DeciderTests
{
    [Test]
    public void Store_failure_mid_decision_leaves_nothing_for_the_next_decision()
    {
        using var store = Bound(out var fill);
        var expected = LinkageEngine.ReadAndDecide(store, fill);
        var failing = ForwardingStore.Over(store);
        // Read after the fill's record and link are pending: the failure interrupts a batch half made.
        failing.Setup(s => s.ExitsAwaitingAllocation(It.IsAny<ProductId>())).Throws(new IOException("store went away"));

        Assert.Throws<IOException>(() => LinkageEngine.ReadAndDecide(failing.Object, fill));

        Assert.That(LinkageEngine.ReadAndDecide(store, fill).Decisions, Is.EqualTo(expected.Decisions));
    }

    [Test]
    public void Decision_made_while_another_is_being_made_on_the_same_thread_leaves_it_intact()
    {
        using var store = Bound(out var fill);
        var expected = LinkageEngine.ReadAndDecide(store, fill);
        var other = Rest("x2", "e2", 0.001m);
        var otherExpected = LinkageEngine.ReadAndDecide(store, other);
        var nesting = ForwardingStore.Over(store);
        var nested = new List<DecisionBatch>();
        nesting.Setup(s => s.ExitsAwaitingAllocation(It.IsAny<ProductId>())).Returns((ProductId product) =>
        {
            nested.Add(LinkageEngine.ReadAndDecide(store, other));
            return store.ExitsAwaitingAllocation(product);
        });

        var outer = LinkageEngine.ReadAndDecide(nesting.Object, fill);

        Assert.Multiple(() =>
        {
            Assert.That(outer.Decisions, Is.EqualTo(expected.Decisions));
            Assert.That(nested.Single().Decisions, Is.EqualTo(otherExpected.Decisions));
        });
    }

    /// <summary>A store with two entries bound to x1 and x2, and a fill of x1 that links.</summary>
    private static MemoryStore Bound(out TradeFillReceived fill)
    {
        var store = new MemoryStore();
        var correlator = new EngineCorrelator(store);
        var first = Entry("aaa");
        var second = Entry("bbb", decidedSecond: 1);
        foreach (var input in new EngineInput[] { Received(first), Received(second, 1), Ack(first, "x1"), Ack(second, "x2", 1.2) })
        {
            Assert.That(correlator.Process(input).Succeeded, Is.True);
        }
        fill = Rest("x1", "e1", 0.001m);
        return store;
    }
}
