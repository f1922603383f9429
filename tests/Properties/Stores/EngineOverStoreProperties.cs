using FsCheck;
using FsCheck.Fluent;
using Linkage.Host;
using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Stores;

/// <summary>
/// The real engine over a durable store, restarted at random points (the store closed and opened again, a new
/// correlator), decides exactly what it decides over the reference store without restarts: the same decisions at every
/// step, and the same links, fills, allocations, parked inputs, external orders, quarantine and alerts, record for
/// record (inputs: <see cref="EngineDeliveries"/>).
/// </summary>
public abstract class EngineOverStoreProperties : DatabaseFixture
{
    /// <summary>How many random deliveries to run.</summary>
    protected abstract int Runs { get; }

    [Test]
    public void Engine_over_the_store_decides_as_over_the_reference_store_whatever_the_restarts() =>
        Prop.ForAll(Arb.From(EngineDeliveries.Any), delivery =>
        {
            using var reference = new MemoryStore();
            var referenceCorrelator = new EngineCorrelator(reference);
            var store = Database.OpenEmpty();
            try
            {
                var correlator = new EngineCorrelator(store);
                for (var i = 0; i < delivery.Length; i++)
                {
                    if (delivery[i].Restart)
                    {
                        store.Dispose();
                        store = Database.OpenSame();
                        correlator = new EngineCorrelator(store);
                    }
                    var input = delivery[i].Make(At(10 + i));
                    var expected = referenceCorrelator.Process(input);
                    var actual = correlator.Process(input);
                    Assert.That(actual.Status, Is.EqualTo(ProcessStatus.Applied), $"{delivery[i]}: {actual.Detail}");
                    Assert.That(actual.Batch?.Decisions, Is.EqualTo(expected.Batch?.Decisions), $"step {i}: {delivery[i]}");
                }
                StoreContents.Of(reference).AssertSame(StoreContents.Of(store), "after the delivery");
            }
            finally
            {
                store.Dispose();
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(Runs));
}
