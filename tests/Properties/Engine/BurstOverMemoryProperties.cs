using FsCheck;
using FsCheck.Fluent;
using Linkage.Engine;
using Linkage.Host;
using Linkage.Properties.Stores;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// Deciding a burst as one (<see cref="LinkageEngine.ReadAndDecideMany"/>: one read set, each input deciding over what
/// the earlier ones of the burst decided) decides what deciding and applying each input on its own does, on the
/// reference store: the pending view a burst decides over must answer every read as the store would after the earlier
/// inputs were applied. The SQL stores' read-ahead is checked the same way by <c>BurstProperties</c>; this one needs no
/// database, so it runs with the engine's own tests (and under mutation testing).
/// </summary>
public sealed class BurstOverMemoryProperties
{
    [Test]
    public void A_burst_decided_together_decides_as_one_input_at_a_time_on_the_memory_store() =>
        Prop.ForAll(Arb.From(EngineDeliveries.Any), delivery =>
        {
            using var reference = new MemoryStore();
            var referenceCorrelator = new EngineCorrelator(reference);
            using var store = new MemoryStore();
            var start = 0;
            for (var i = 1; i <= delivery.Length; i++)
            {
                if (i < delivery.Length && !delivery[i].Restart)
                {
                    continue;
                }
                var burst = Enumerable.Range(start, i - start).Select(j => delivery[j].Make(At(10 + j))).ToList();
                var expected = burst.Select(referenceCorrelator.Process).ToList();
                var batches = LinkageEngine.ReadAndDecideMany(store, burst);
                for (var k = 0; k < burst.Count; k++)
                {
                    var applied = store.Apply(batches[k]);
                    Assert.That(applied.Status, Is.EqualTo(ApplyStatus.Applied), $"{delivery[start + k]}: {applied.Detail}");
                    Assert.That(batches[k].Decisions, Is.EqualTo(expected[k].Batch?.Decisions), $"step {start + k}: {delivery[start + k]}");
                }
                start = i;
            }
            StoreContents.Of(reference).AssertSame(StoreContents.Of(store), "after the delivery");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
}
