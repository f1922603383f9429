using System.Collections.Immutable;
using Linkage.Host;
using Linkage.Engine;
using Linkage.Properties.Support;
using Moq;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>The correlator never throws: conflicts are re-decided, store failures retried then reported, bugs quarantined.</summary>
public sealed class EngineCorrelatorTests
{
    /// <summary>A store that forwards to the reference store except where a test plants a fault.</summary>
    private static Mock<ILinkageStore> Faulty(MemoryStore inner)
    {
        var mock = ForwardingStore.Over(inner);
        mock.Setup(s => s.Apply(It.IsAny<DecisionBatch>())).Returns((DecisionBatch b) => inner.Apply(b));
        mock.Setup(s => s.Links()).Returns(() => inner.Links());
        return mock;
    }

    [Test]
    public void Store_that_keeps_failing_is_retried_then_reported_and_nothing_throws()
    {
        using var inner = new MemoryStore();
        var store = Faulty(inner);
        store.Setup(s => s.Apply(It.IsAny<DecisionBatch>())).Throws(new IOException("disk gone"));
        var correlator = new EngineCorrelator(store.Object);

        var result = correlator.Process(Received(Entry("aaa")));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(ProcessStatus.StoreFailed));
            Assert.That(result.Detail, Does.Contain("disk gone"));
            store.Verify(s => s.Apply(It.IsAny<DecisionBatch>()), Times.Exactly(EngineCorrelator.StoreRetriesMax + 1));
        });
    }

    [Test]
    public void Failing_store_read_is_a_store_failure_not_a_quarantined_input()
    {
        using var inner = new MemoryStore();
        var store = Faulty(inner);
        store.Setup(s => s.FindByClientOrderId(It.IsAny<ClientOrderId>())).Throws(new TimeoutException("read timed out"));

        var result = new EngineCorrelator(store.Object).Process(Received(Entry("aaa")));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(ProcessStatus.StoreFailed));
            Assert.That(inner.Quarantine(), Is.Empty);
        });
    }

    [Test]
    public void Transient_store_failure_is_retried_and_applied_once()
    {
        using var inner = new MemoryStore();
        var store = Faulty(inner);
        var calls = 0;
        store.Setup(s => s.Apply(It.IsAny<DecisionBatch>())).Returns((DecisionBatch b) =>
            ++calls == 1 ? throw new IOException("blip") : inner.Apply(b));

        var result = new EngineCorrelator(store.Object).Process(Received(Entry("aaa")));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(ProcessStatus.Applied));
            Assert.That(inner.Orders(), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void Commit_that_succeeded_but_reported_failure_is_re_decided_into_a_duplicate()
    {
        using var inner = new MemoryStore();
        var store = Faulty(inner);
        var calls = 0;
        store.Setup(s => s.Apply(It.IsAny<DecisionBatch>())).Returns((DecisionBatch b) =>
        {
            var applied = inner.Apply(b);
            return ++calls == 1 ? throw new IOException("connection reset after commit") : applied;
        });

        var result = new EngineCorrelator(store.Object).Process(Received(Entry("aaa")));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(ProcessStatus.Applied));
            Assert.That(result.Batch!.Decisions.Single(), Is.InstanceOf<DuplicateIgnored>());
            Assert.That(inner.Orders(), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void Endless_conflicts_are_bounded_and_reported()
    {
        using var inner = new MemoryStore();
        var store = Faulty(inner);
        store.Setup(s => s.Apply(It.IsAny<DecisionBatch>())).Returns(ApplyResult.Conflict("always"));

        var result = new EngineCorrelator(store.Object).Process(Received(Entry("aaa")));

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(ProcessStatus.StoreFailed));
            store.Verify(s => s.Apply(It.IsAny<DecisionBatch>()), Times.Exactly(EngineCorrelator.ConflictRetriesMax + 1));
        });
    }

    [Test]
    public void Bug_in_decide_quarantines_the_input_as_internal_error_with_an_alert()
    {
        using var inner = new MemoryStore();
        var store = Faulty(inner);
        var entry = Entry("aaa");
        var corrupt = new OrderRecord { ClientOrderId = Coid(entry), Intent = entry, StagedAt = At(0) };
        store.Setup(s => s.FindByExchangeOrderId(It.IsAny<ExchangeOrderId>())).Returns(corrupt);
        var fill = Rest("x1", "e1", 0.001m);

        var result = new EngineCorrelator(store.Object).Process(fill);

        Assert.Multiple(() =>
        {
            Assert.That(result.Status, Is.EqualTo(ProcessStatus.Applied));
            Assert.That(inner.Quarantine().Single().Reason, Does.StartWith("internal error: InvalidOperationException"));
            Assert.That(inner.Quarantine().Single().RawPayload, Does.Contain("e1"));
            Assert.That(inner.Alerts().Single().Kind, Is.EqualTo(AlertKind.InternalError));
            Assert.That(inner.Links(), Is.Empty);
        });
    }

    [Test]
    public void Process_loop_offers_a_store_failed_input_again()
    {
        using var inner = new MemoryStore();
        var store = Faulty(inner);
        var failures = 0;
        store.Setup(s => s.Apply(It.IsAny<DecisionBatch>())).Returns((DecisionBatch b) =>
            ++failures <= EngineCorrelator.StoreRetriesMax + 1 ? throw new IOException("down for a while") : inner.Apply(b));

        var results = ProcessLoop.Run(new EngineCorrelator(store.Object), [Received(Entry("aaa"))]);

        Assert.Multiple(() =>
        {
            Assert.That(results.Single().Status, Is.EqualTo(ProcessStatus.Applied));
            Assert.That(inner.Orders(), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void Batch_without_writes_is_not_sent_to_the_store()
    {
        using var inner = new MemoryStore();
        var store = Faulty(inner);
        var correlator = new EngineCorrelator(store.Object);
        var entry = Entry("aaa");
        correlator.Process(Received(entry));

        var result = correlator.Process(Received(entry));

        Assert.Multiple(() =>
        {
            Assert.That(result.Batch!.HasWrites, Is.False);
            store.Verify(s => s.Apply(It.IsAny<DecisionBatch>()), Times.Once);
            Assert.That(correlator.Links(), Is.EqualTo(ImmutableArray<LinkRecord>.Empty));
        });
    }
}
