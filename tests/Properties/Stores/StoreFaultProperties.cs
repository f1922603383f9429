using FsCheck;
using FsCheck.Fluent;
using Linkage.Host;
using Linkage.Engine;
using Linkage.Properties.Support;
using Moq;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Stores;

/// <summary>
/// Faults at the store boundary, under the real engine and a real durable store: a commit that throws before writing,
/// one that succeeded but reported a failure (the acknowledgement was lost), and one that fails inside the transaction
/// after part of the batch was written (a trigger planted in the database raises an error on the link insert). The
/// host offers every input the correlator reports <see cref="ProcessStatus.StoreFailed"/> again, as it must. Whatever
/// the faults and restarts, the store ends with exactly the orders, links, fills, allocations, parked fills and external
/// orders of a fault-free run over the reference store: nothing lost, nothing linked twice.
/// </summary>
/// <remarks>
/// Quarantine and alerts are compared as sets: a malformed message whose commit succeeded but reported a failure is
/// decided again and quarantined again (the port keeps them append-only, like the reference store), so they are
/// at-least-once, while everything that links is exactly-once.
/// </remarks>
public abstract class StoreFaultProperties : DatabaseFixture
{
    /// <summary>Most times the host offers one input again before the property gives up on it.</summary>
    private const int OffersMax = 50;

    private static readonly Gen<Fault[]> Schedules = Gen.ArrayOf(
        Gen.Frequency(
            (6, Gen.Constant(Fault.None)),
            (1, Gen.Constant(Fault.BeforeWrite)),
            (1, Gen.Constant(Fault.AfterCommit)),
            (1, Gen.Constant(Fault.MidTransaction))),
        64);

    /// <summary>How many random runs.</summary>
    protected abstract int Runs { get; }

    /// <summary>SQL that plants the mid-transaction fault: a table <c>test_fault(armed)</c> and a trigger raising on link inserts while armed.</summary>
    protected abstract string PlantFault { get; }

    /// <summary>SQL that arms (<c>true</c>) or disarms the planted fault.</summary>
    protected abstract string Arm(bool armed);

    private enum Fault
    {
        None,
        BeforeWrite,
        AfterCommit,
        MidTransaction,
    }

    [Test]
    public void Store_failures_lose_nothing_and_link_nothing_twice_once_inputs_are_offered_again() =>
        Prop.ForAll(Arb.From(from delivery in EngineDeliveries.Any from schedule in Schedules select (delivery, schedule)), run =>
        {
            var (delivery, schedule) = run;
            using var reference = new MemoryStore();
            var referenceCorrelator = new EngineCorrelator(reference);
            var store = Database.OpenEmpty();
            Database.Execute(PlantFault);
            var faults = new FaultPlan(schedule, Database, Arm);
            try
            {
                var correlator = new EngineCorrelator(Faulty(store, faults).Object);
                for (var i = 0; i < delivery.Length; i++)
                {
                    if (delivery[i].Restart)
                    {
                        store.Dispose();
                        store = Database.OpenSame();
                        correlator = new EngineCorrelator(Faulty(store, faults).Object);
                    }
                    var input = delivery[i].Make(At(10 + i));
                    Assert.That(referenceCorrelator.Process(input).Status, Is.EqualTo(ProcessStatus.Applied));
                    var offers = 1;
                    var result = correlator.Process(input);
                    while (result.Status == ProcessStatus.StoreFailed && offers < OffersMax)
                    {
                        result = correlator.Process(input);
                        offers++;
                    }
                    Assert.That(result.Status, Is.EqualTo(ProcessStatus.Applied), $"{delivery[i]} after {offers} offers: {result.Detail}");
                }
                var expected = StoreContents.Of(reference);
                var actual = StoreContents.Of(store);
                var exactlyOnce = expected with { Quarantine = [], Alerts = [] };
                exactlyOnce.AssertSame(actual with { Quarantine = [], Alerts = [] }, "after faults and offers again");
                Assert.That(actual.Quarantine.Distinct(), Is.EquivalentTo(expected.Quarantine), "quarantine, at least once");
                Assert.That(actual.Alerts.Distinct(), Is.EquivalentTo(expected.Alerts), "alerts, at least once");
            }
            finally
            {
                store.Dispose();
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(Runs));

    [Test]
    public void Planted_fault_fails_a_batch_after_a_partial_write_and_leaves_nothing()
    {
        using var store = Database.OpenEmpty();
        Database.Execute(PlantFault);
        var entry = Entry("aaa");
        var correlator = new EngineCorrelator(store);
        Assert.That(correlator.Process(Received(entry)).Status, Is.EqualTo(ProcessStatus.Applied));
        Assert.That(correlator.Process(Ack(entry, "x1")).Status, Is.EqualTo(ProcessStatus.Applied));
        var before = StoreContents.Of(store);
        Database.Execute(Arm(true));

        // The fill key and the order's ledger are written first in the batch; the link insert then fails.
        var failed = correlator.Process(Rest("x1", "e1", 0.001m));
        Assert.Multiple(() =>
        {
            Assert.That(failed.Status, Is.EqualTo(ProcessStatus.StoreFailed));
            Assert.That(failed.Detail, Does.Contain("injected fault"));
        });
        before.AssertSame(StoreContents.Of(store), "after the failed batch");
        Database.Execute(Arm(false));
        Assert.That(correlator.Process(Rest("x1", "e1", 0.001m)).Status, Is.EqualTo(ProcessStatus.Applied));
        Assert.That(store.Links().Single().Quantity, Is.EqualTo(0.001m));
    }

    /// <summary>A store that forwards every call to <paramref name="inner"/>, with the commit faults of <paramref name="faults"/>.</summary>
    private static Mock<ILinkageStore> Faulty(ILinkageStore inner, FaultPlan faults)
    {
        var mock = ForwardingStore.Over(inner, MockBehavior.Strict);
        mock.Setup(s => s.Name).Returns(inner.Name);
        mock.Setup(s => s.IsDurable).Returns(inner.IsDurable);
        mock.Setup(s => s.TerminalBefore(It.IsAny<DateTimeOffset>(), It.IsAny<int>())).Returns((DateTimeOffset c, int m) => inner.TerminalBefore(c, m));
        mock.Setup(s => s.Apply(It.IsAny<DecisionBatch>())).Returns((DecisionBatch batch) => faults.Apply(inner, batch));
        return mock;
    }

    /// <summary>The schedule of faults, one per commit, cycling.</summary>
    private sealed class FaultPlan(Fault[] schedule, ITestDatabase database, Func<bool, string> arm)
    {
        private int _commits;

        public ApplyResult Apply(ILinkageStore inner, DecisionBatch batch)
        {
            switch (schedule[_commits++ % schedule.Length])
            {
                case Fault.BeforeWrite:
                    throw new IOException("injected: the disk refused the write");
                case Fault.AfterCommit:
                    var applied = inner.Apply(batch);
                    throw new TimeoutException($"injected: the commit ({applied.Status}) was not acknowledged");
                case Fault.MidTransaction:
                    database.Execute(arm(true));
                    try
                    {
                        return inner.Apply(batch);
                    }
                    finally
                    {
                        database.Execute(arm(false));
                    }
                default:
                    return inner.Apply(batch);
            }
        }
    }
}
