using System.Collections.Immutable;
using Linkage.Engine;
using Linkage.Host;
using Linkage.Properties.Support;
using Moq;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// Deciding reads only the read set fetched before it (issue 12, "Decide does no I/O"): a decision made after the
/// store is gone is the decision made with it; a read the derivation did not foresee is a <see cref="ReadSetMiss"/>,
/// which the correlator fetches and decides again to exactly what a complete read set decides.
/// </summary>
public sealed class ReadSetTests
{
    private static readonly Intent First = Entry("aaa", size: 0.002m);
    private static readonly Intent Second = Entry("bbb", size: 0.001m, buyScore: 82.1m, decidedSecond: 5);
    private static readonly Intent Closing = Exit(0.002m, decidedSecond: 3600, closes: Coid(Entry("aaa", size: 0.002m)).Value);
    private static readonly Intent Stop = Exit(0.001m, trigger: "take_profit", decidedSecond: 3700);
    private static readonly Intent Foreign = Entry("ccc", size: 0.001m, decidedSecond: 9);

    /// <summary>
    /// Every kind of read the engine makes: staging, binding, a fill parked before its acknowledgement and released by
    /// it, feed updates and REST and legacy fills, exits allocating to named and to oldest lots, a duplicate, an
    /// external order, a refusal, an invalid input, and a retention tick two days on.
    /// </summary>
    private static IEnumerable<EngineInput> Story()
    {
        yield return Received(First, 0);
        yield return Received(Second, 5);
        yield return Rest("x2", "r-early", 0.0005m, second: 5.1);
        yield return Ack(First, "x1", 0.2);
        yield return Ack(Second, "x2", 5.2);
        yield return Update("x1", First, 0.001m, second: 6);
        yield return Update("x1", First, 0.002m, status: OrderStatus.Filled, second: 7);
        yield return Rest("x2", "r-late", 0.0005m, second: 8);
        yield return Rest("x2", "r-late", 0.0005m, second: 8.5);
        yield return Received(Foreign, 9);
        yield return Refused(Foreign, 9.2);
        yield return new OrderNotOurs(At(10), Eid("manual-1"), null);
        yield return Match("manual-1", 7, 0.01m, second: 11);
        yield return Received(Closing, 3600);
        yield return Ack(Closing, "x3", 3600.2);
        yield return Update("x3", Closing, 0.002m, status: OrderStatus.Filled, second: 3601);
        yield return Received(Stop, 3700);
        yield return Ack(Stop, "x4", 3700.2);
        yield return Match("x4", 9, 0.001m, second: 3701);
        yield return new MalformedInput(At(3702), "ws", "not json", "{");
        yield return Update("x2", Second, 0.001m, status: OrderStatus.Filled, second: 3703, source: OrderStateSource.RestOrder);
        yield return new Tick(At(3 * 86_400));
    }

    [Test]
    public void A_decision_from_a_read_set_whose_store_is_gone_is_the_decision_made_with_the_store()
    {
        using var store = new MemoryStore();
        var view = new Severable(store);
        var context = new DecisionContext();
        foreach (var input in Story())
        {
            view.Gone = false;
            var reads = ReadSet.Fetch(view, ReadSetKeys.Of(input));
            var live = LinkageEngine.ReadAndDecide(store, input);
            view.Gone = true;

            var decided = LinkageEngine.Decide(reads, input, context);

            Assert.That(view.ReadsWhileGone, Is.Zero, $"deciding {input} read the store");
            Assert.That(decided.Decisions, Is.EqualTo(live.Decisions), $"deciding {input}");
            Assert.That(store.Apply(decided).Status, Is.EqualTo(ApplyStatus.Applied), $"applying {input}");
        }
        Assert.Multiple(() =>
        {
            Assert.That(store.Links(), Has.Length.GreaterThanOrEqualTo(4), "the story links");
            Assert.That(store.Allocations(), Is.Not.Empty, "the story allocates exits");
            Assert.That(store.Orders().Count(o => o.IntentPurged), Is.Positive, "the story purges by retention");
        });
    }

    [Test]
    public void The_story_is_decided_from_its_derived_keys_without_a_miss()
    {
        using var store = new MemoryStore();
        var correlator = new EngineCorrelator(store);
        foreach (var input in Story())
        {
            Assert.That(correlator.Process(input).Status, Is.EqualTo(ProcessStatus.Applied), $"{input}");
        }
        Assert.That(correlator.ReadSetMisses, Is.Zero, "every read of the story is derived from its inputs and what they lead to");
    }

    [Test]
    public void A_read_set_that_does_not_hold_a_read_throws_a_miss_naming_it_before_any_batch()
    {
        using var store = new MemoryStore();
        var fill = Rest("x9", "r-1", 0.001m);

        var miss = Assert.Throws<ReadSetMiss>(() => LinkageEngine.Decide(ReadSet.Fetch(store, ReadSetKeys.Empty), fill))!;

        Assert.That(miss.Missing.FillKeys, Is.EqualTo(new[] { fill.Fill.Key }));
    }

    [Test]
    public void The_external_record_of_an_id_an_order_holds_is_fetched_only_when_a_miss_asks_for_it()
    {
        using var rig = new Rig();
        rig.Feed(Received(First), Ack(First, "x1"));
        var fill = Rest("x1", "r-1", 0.001m);

        var reads = ReadSet.Fetch(rig.Store, ReadSetKeys.Of(fill));
        var miss = Assert.Throws<ReadSetMiss>(() => reads.FindExternal(Eid("x1")))!;
        var more = ReadSet.Fetch(rig.Store, ReadSetKeys.Of(fill).Union(miss.Missing));

        Assert.Multiple(() =>
        {
            Assert.That(reads.FindByExchangeOrderId(Eid("x1"))?.ClientOrderId, Is.EqualTo(Coid(First)));
            Assert.That(miss.Missing.ExternalOrderIds, Is.EqualTo(new[] { Eid("x1") }));
            Assert.That(more.FindExternal(Eid("x1")), Is.Null);
        });
    }

    [Test]
    public void A_miss_is_fetched_and_decided_again_to_what_a_complete_read_set_decides()
    {
        using var complete = new Rig();
        using var inner = new MemoryStore();
        var forgetful = ForwardingStore.Over(inner);
        forgetful.Setup(s => s.Apply(It.IsAny<DecisionBatch>())).Returns((DecisionBatch b) => inner.Apply(b));

        // Every other fetch forgets the keys it was asked for: the correlator must learn them from the misses.
        var fetches = 0;
        forgetful.Setup(s => s.Read(It.IsAny<ReadSetKeys>())).Returns((ReadSetKeys keys) =>
            ReadSet.Fetch(inner, ++fetches % 2 == 1 ? ReadSetKeys.Empty : keys));
        var correlator = new EngineCorrelator(forgetful.Object);

        foreach (var input in Story())
        {
            var expected = complete.Correlator.Process(input);
            var actual = correlator.Process(input);
            Assert.That(actual.Status, Is.EqualTo(expected.Status), $"{input}");
            Assert.That(actual.Batch!.Decisions, Is.EqualTo(expected.Batch!.Decisions), $"{input}");
        }
        Assert.Multiple(() =>
        {
            Assert.That(correlator.ReadSetMisses, Is.Positive);
            Assert.That(inner.Snapshot(), Is.EqualTo(complete.Store.Snapshot()));
            Assert.That(inner.Quarantine().Where(q => q.Reason.StartsWith("internal error", StringComparison.Ordinal)), Is.Empty);
        });
    }

    [Test]
    public void A_burst_is_decided_from_one_read_set_as_input_by_input()
    {
        using var one = new Rig();
        using var burst = new MemoryStore();
        var inputs = Story().ToList();
        var expected = inputs.Select(i => one.Feed(i)).ToList();

        var reads = burst.AsView().Read(ReadSetKeys.Of(inputs));
        var batches = LinkageEngine.DecideMany(reads, inputs);

        Assert.That(batches.Select(b => b.Decisions.Length), Is.EqualTo(expected.Select(b => b.Decisions.Length)));
        foreach (var batch in batches)
        {
            Assert.That(burst.Apply(batch).Status, Is.EqualTo(ApplyStatus.Applied));
        }
        Assert.That(burst.Snapshot(), Is.EqualTo(one.Store.Snapshot()));
    }

    [Test]
    public void A_context_serves_one_call_at_a_time_and_keeps_nothing_between_calls()
    {
        using var store = new MemoryStore();
        var context = new DecisionContext();
        var intent = Received(First);
        var first = LinkageEngine.Decide(store.AsView().Read(ReadSetKeys.Of(intent)), intent, context);
        var again = LinkageEngine.Decide(store.AsView().Read(ReadSetKeys.Of(intent)), intent, context);
        Assert.That(again.Decisions, Is.EqualTo(first.Decisions), "nothing pending of the first call is read by the second");
    }

    /// <summary>A view of a store that can be cut off: while <see cref="Gone"/>, every read throws and is counted.</summary>
    private sealed class Severable(ILinkageStoreView inner) : ILinkageStoreView
    {
        public bool Gone { get; set; }

        public int ReadsWhileGone { get; private set; }

        public int ParkedCount => Read(() => inner.ParkedCount);

        public OrderRecord? FindByClientOrderId(ClientOrderId id) => Read(() => inner.FindByClientOrderId(id));

        public OrderRecord? FindByExchangeOrderId(ExchangeOrderId id) => Read(() => inner.FindByExchangeOrderId(id));

        public bool IsFillKeySeen(FillKey key) => Read(() => inner.IsFillKeySeen(key));

        public ImmutableArray<ParkedFill> ParkedFor(ExchangeOrderId id) => Read(() => inner.ParkedFor(id));

        public ExternalOrderRecord? FindExternal(ExchangeOrderId id) => Read(() => inner.FindExternal(id));

        public ImmutableArray<OrderRecord> OpenEntryLots(ProductId product) => Read(() => inner.OpenEntryLots(product));

        public ImmutableArray<OrderRecord> ExitsAwaitingAllocation(ProductId product) => Read(() => inner.ExitsAwaitingAllocation(product));

        public ImmutableArray<OrderRecord> TerminalBefore(DateTimeOffset cutoff, int max) => Read(() => inner.TerminalBefore(cutoff, max));

        private T Read<T>(Func<T> read)
        {
            if (Gone)
            {
                ReadsWhileGone++;
                throw new ObjectDisposedException("store", "the store is gone: a decision read it");
            }
            return read();
        }
    }
}

/// <summary>The port's default read set fetch on a concrete store (the interface's default method).</summary>
internal static class ViewExtensions
{
    public static ILinkageStoreView AsView(this ILinkageStoreView store) => store;
}
