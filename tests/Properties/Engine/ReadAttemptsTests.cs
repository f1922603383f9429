using Linkage.Engine;
using Linkage.Properties.Support;
using Moq;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// <see cref="LinkageEngine.ReadAndDecide"/> and its burst form fetch again on a read-set miss, a bounded number of
/// times (<see cref="LinkageEngine.ReadAttemptsMax"/> per input), then let the miss out; and a context handed to a burst is
/// the one used, and returned.
/// </summary>
public sealed class ReadAttemptsTests
{
    /// <summary>A store whose every fetch forgets the keys asked: each decision that reads anything misses.</summary>
    private static (Mock<ILinkageStore> Store, Func<int> Fetches) Forgetful(MemoryStore inner)
    {
        var store = ForwardingStore.Over(inner);
        var fetches = 0;
        store.Setup(s => s.Read(It.IsAny<ReadSetKeys>())).Returns((ReadSetKeys _) =>
        {
            fetches++;
            return ReadSet.Fetch(inner, ReadSetKeys.Empty);
        });
        return (store, () => fetches);
    }

    [Test]
    public void A_read_that_keeps_missing_is_fetched_at_most_the_attempts_allowed_and_the_miss_gets_out()
    {
        using var inner = new MemoryStore();
        var (store, fetches) = Forgetful(inner);
        Assert.Throws<ReadSetMiss>(() => LinkageEngine.ReadAndDecide(store.Object, Received(Entry("aaa"))));
        Assert.That(fetches(), Is.EqualTo(LinkageEngine.ReadAttemptsMax));
    }

    [Test]
    public void A_burst_may_fetch_that_many_times_per_input()
    {
        using var inner = new MemoryStore();
        var (store, fetches) = Forgetful(inner);
        Assert.Throws<ReadSetMiss>(() => LinkageEngine.ReadAndDecideMany(store.Object, [Received(Entry("aaa")), Received(Entry("bbb")), Received(Entry("ccc"))]));
        Assert.That(fetches(), Is.EqualTo(3 * LinkageEngine.ReadAttemptsMax));
        var (empty, emptyFetches) = Forgetful(inner);
        Assert.That(LinkageEngine.ReadAndDecideMany(empty.Object, []), Is.Empty);
        Assert.That(emptyFetches(), Is.EqualTo(1), "an empty burst reads once and decides nothing");
    }

    [Test]
    public void A_burst_uses_the_context_it_is_given_and_returns_it()
    {
        using var store = new MemoryStore();
        var intent = Received(Entry("aaa"));
        var reads = ReadSet.Fetch(store, ReadSetKeys.Of(intent));
        var context = new DecisionContext();
        LinkageEngine.DecideMany(reads, [intent], context);
        Assert.DoesNotThrow(() => LinkageEngine.DecideMany(reads, [intent], context), "returned after the first burst");
        var lent = new DecisionContext();
        lent.Lend(reads);
        Assert.Throws<InvalidOperationException>(() => LinkageEngine.DecideMany(reads, [intent], lent), "the context given is used, not a new one");
    }

    [Test]
    public void A_quarantined_payload_is_kept_whole_up_to_its_bound_and_cut_past_it()
    {
        static MalformedInput Raw(int length) => new(T0, "user", "bad json", new string('x', length));
        var whole = Quarantine.Record(Raw(Limits.QuarantinedPayloadLengthMax), T0, "bad json", null);
        var cut = Quarantine.Record(Raw(Limits.QuarantinedPayloadLengthMax + 1), T0, "bad json", null);
        Assert.Multiple(() =>
        {
            Assert.That(whole.RawPayload, Has.Length.EqualTo(Limits.QuarantinedPayloadLengthMax));
            Assert.That(whole.Reason, Is.EqualTo("bad json"));
            Assert.That(cut.RawPayload, Has.Length.EqualTo(Limits.QuarantinedPayloadLengthMax));
            Assert.That(cut.Reason, Is.EqualTo($"bad json (payload truncated from {Limits.QuarantinedPayloadLengthMax + 1} to {Limits.QuarantinedPayloadLengthMax} characters)"));
        });
    }
}
