using FsCheck;
using FsCheck.Fluent;
using Linkage.Engine;
using Linkage.Properties.Stores;

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
            using var store = new MemoryStore();
            // The memory store applies batch by batch: each in order, over what the earlier ones wrote.
            EngineDeliveries.AssertBurstsDecideAsOneAtATime(delivery, store, batches => [.. batches.Select(store.Apply)]);
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(200));
}
