using FsCheck;
using FsCheck.Fluent;
using Linkage.Engine;

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
            using var store = Database.OpenEmpty();
            EngineDeliveries.AssertBurstsDecideAsOneAtATime(delivery, store, batches => store.ApplyMany(batches));
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(Runs));
}
