using FsCheck;
using FsCheck.Fluent;
using Linkage.Host;
using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Stores;

/// <summary>
/// Deciding a burst together (<c>ReadAhead</c>, then
/// <see cref="LinkageEngine.DecideMany"/>, then one <c>ApplyMany</c>) decides exactly what deciding and applying each
/// input on its own does over the reference store: the same decisions per input, no conflict (one writer, inputs
/// chained through one pending view), and the same links, fills, allocations, parked inputs, external orders,
/// quarantine and alerts afterwards (inputs: <see cref="EngineDeliveries"/>, cut into bursts at its restart points).
/// </summary>
public abstract class BurstProperties : DatabaseFixture
{
    /// <summary>How many random deliveries to run.</summary>
    protected abstract int Runs { get; }

    [Test]
    public void A_burst_read_ahead_and_decided_together_decides_as_one_input_at_a_time() =>
        Prop.ForAll(Arb.From(EngineDeliveries.Any), delivery =>
        {
            using var reference = new MemoryStore();
            var referenceCorrelator = new EngineCorrelator(reference);
            using var store = Database.OpenEmpty();
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
                var results = store.ApplyMany(batches);
                for (var k = 0; k < burst.Count; k++)
                {
                    Assert.That(results[k].Status, Is.EqualTo(ApplyStatus.Applied), $"{delivery[start + k]}: {results[k].Detail}");
                    Assert.That(batches[k].Decisions, Is.EqualTo(expected[k].Batch?.Decisions), $"step {start + k}: {delivery[start + k]}");
                }
                start = i;
            }
            StoreContents.Of(reference).AssertSame(StoreContents.Of(store), "after the delivery");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(Runs));
}
