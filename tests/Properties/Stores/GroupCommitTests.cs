using Linkage.Host;
using Linkage.Engine;
using Linkage.Stores.Sql;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Stores;

/// <summary>
/// A group commit of a burst that touches few orders many times (16 trades per order, an exit allocated, a fill parked,
/// a duplicate in the same burst) writes exactly what applying each input on its own writes; and when another writer
/// changes one of its orders between deciding and applying, every batch about that order conflicts, every other batch
/// is kept, and deciding the conflicted ones again ends where the reference store ends. Both stores write such a group
/// merged (<see cref="MultiRowPlan"/>: PostgreSQL as multi-row statements, SQLite with each order's chain of updates as
/// one): the first group must take that path and the overtaken one must not.
/// </summary>
public abstract class GroupCommitTests : DatabaseFixture
{
    private static readonly Intent A = Entry("snap-a", size: 5m);
    private static readonly Intent B = Entry("snap-b", size: 5m);
    private static readonly Intent X = Exit(size: 0.3m, decidedSecond: 0, closes: Coid(A).Value);

    [Test]
    public void A_burst_on_few_orders_writes_what_one_input_at_a_time_writes()
    {
        using var store = Database.OpenEmpty();
        using var reference = new MemoryStore();
        Stage(store, reference);
        var burst = Burst();
        var expected = burst.Select(new EngineCorrelator(reference).Process).ToList();
        var merged = Merged(store);

        var results = store.ApplyMany(LinkageEngine.ReadAndDecideMany(store, burst));

        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(ApplyStatus.Applied), string.Join("; ", results.Select(r => r.Detail)));
        Assert.That(expected.Select(r => r.Status), Is.All.EqualTo(ProcessStatus.Applied));
        StoreContents.Of(reference).AssertSame(StoreContents.Of(store), "after the burst");
        AssertGroupPath(store, merged, tookMultiRow: true);
    }

    [Test]
    public void A_burst_overtaken_on_one_order_keeps_every_batch_about_the_others()
    {
        using var store = Database.OpenEmpty();
        using var reference = new MemoryStore();
        Stage(store, reference);
        var burst = Burst();
        var batches = LinkageEngine.ReadAndDecideMany(store, burst);

        // Another engine instance links a fill of order a after the burst was decided.
        var overtaking = Rest("ex-a", "other", 0.01m, second: 3);
        using (var other = Database.OpenSame())
        {
            Assert.That(new EngineCorrelator(other).Process(overtaking).Status, Is.EqualTo(ProcessStatus.Applied));
        }
        var merged = Merged(store);
        var results = store.ApplyMany(batches);

        var aboutA = burst.Select(i => i is TradeFillReceived { Fill.ExchangeOrderId.Value: "ex-a" } || i is TradeFillReceived { Fill.ExchangeOrderId.Value: "ex-x" }).ToList();
        for (var i = 0; i < burst.Count; i++)
        {
            if (!aboutA[i])
            {
                Assert.That(results[i].Status, Is.EqualTo(ApplyStatus.Applied), $"input {i} ({burst[i]}) is not about order a: {results[i].Detail}");
            }
        }
        Assert.That(results.Where((_, i) => aboutA[i] && burst[i] is TradeFillReceived { Fill.ExchangeOrderId.Value: "ex-a" } && batches[i].HasWrites)
            .Select(r => r.Status), Is.Not.Empty.And.All.EqualTo(ApplyStatus.Conflict));
        AssertGroupPath(store, merged, tookMultiRow: false);

        // Deciding the conflicted inputs again ends where the reference, given the overtaking fill first, ends.
        var engine = new EngineCorrelator(store);
        for (var i = 0; i < burst.Count; i++)
        {
            if (results[i].Status == ApplyStatus.Conflict)
            {
                Assert.That(engine.Process(burst[i]).Status, Is.EqualTo(ProcessStatus.Applied));
            }
        }
        var referenceEngine = new EngineCorrelator(reference);
        Assert.That(referenceEngine.Process(overtaking).Status, Is.EqualTo(ProcessStatus.Applied));
        foreach (var input in burst)
        {
            referenceEngine.Process(input);
        }
        Assert.That(store.Links(), Has.Length.EqualTo(reference.Links().Length));
        Assert.That(store.Fills().Select(f => f.Fill.Key), Is.EquivalentTo(reference.Fills().Select(f => f.Fill.Key)));
        Assert.That(store.Orders().Select(o => (o.ClientOrderId, o.Linked.Quantity, o.Allocated)),
            Is.EquivalentTo(reference.Orders().Select(o => (o.ClientOrderId, o.Linked.Quantity, o.Allocated))));
    }

    [Test]
    public void A_read_ahead_after_another_writer_moved_a_known_order_reads_its_new_state()
    {
        using var store = Database.OpenEmpty();
        using var reference = new MemoryStore();
        Stage(store, reference);
        var first = Rest("ex-a", "first", 0.01m, second: 1);
        var moved = Rest("ex-a", "other", 0.01m, second: 1.5);
        var referenceEngine = new EngineCorrelator(reference);
        Assert.That(new EngineCorrelator(store).Process(first).Status, Is.EqualTo(ProcessStatus.Applied), "the store now knows order a");
        using (var other = Database.OpenSame())
        {
            Assert.That(new EngineCorrelator(other).Process(moved).Status, Is.EqualTo(ProcessStatus.Applied));
        }
        var burst = Burst();
        foreach (var input in new[] { first, moved }.Concat(burst))
        {
            Assert.That(referenceEngine.Process(input).Status, Is.EqualTo(ProcessStatus.Applied));
        }

        var results = store.ApplyMany(LinkageEngine.ReadAndDecideMany(store, burst));

        Assert.That(results.Select(r => r.Status), Is.All.EqualTo(ApplyStatus.Applied), "decided from the state the other writer left: " + string.Join("; ", results.Select(r => r.Detail)));
        StoreContents.Of(reference).AssertSame(StoreContents.Of(store), "after the burst");
    }

    private static int Merged(SqlLinkageStore store) => store.MergedGroups;

    /// <summary>Checks whether the group was written merged (<see cref="MultiRowPlan"/>: chains of updates of one order written once).</summary>
    private static void AssertGroupPath(SqlLinkageStore store, int mergedBefore, bool tookMultiRow) =>
        Assert.That(Merged(store), Is.EqualTo(mergedBefore + (tookMultiRow ? 1 : 0)),
            tookMultiRow ? "the group was not written merged" : "an overtaken group must not be kept from the merged pass");

    /// <summary>Entries a and b and exit x (all BTC-USD) staged and acknowledged in both stores, one input at a time.</summary>
    private static void Stage(ILinkageStore store, ILinkageStore reference)
    {
        EngineInput[] inputs = [Received(A), Received(B, 0.1), Received(X, 0.2), Ack(A, "ex-a"), Ack(B, "ex-b"), Ack(X, "ex-x")];
        foreach (var correlator in new[] { new EngineCorrelator(store), new EngineCorrelator(reference) })
        {
            foreach (var input in inputs)
            {
                Assert.That(correlator.Process(input).Status, Is.EqualTo(ProcessStatus.Applied), input.ToString());
            }
        }
    }

    /// <summary>16 trades each on a and b interleaved, the exit's fill in the middle, a fill for an unknown order, a duplicate.</summary>
    private static List<EngineInput> Burst()
    {
        var burst = new List<EngineInput>();
        for (var i = 0; i < 16; i++)
        {
            burst.Add(Rest("ex-a", $"a{i}", 0.01m * (i + 1), second: 2));
            burst.Add(Rest("ex-b", $"b{i}", 0.02m, second: 2));
            if (i == 8)
            {
                burst.Add(Rest("ex-x", "x0", 0.3m, price: 51000m, second: 2));
                burst.Add(Rest("ex-unknown", "u0", 0.1m, second: 2));
                burst.Add(Rest("ex-a", "a3", 0.04m, second: 2));
            }
        }
        return burst;
    }
}
