using System.Collections.Immutable;
using Linkage.Engine;
using static Linkage.Properties.Stores.Samples;

namespace Linkage.Properties.Stores;

/// <summary>
/// <see cref="ILinkageStore.LinksAfter"/> and <see cref="ILinkageStore.Detail"/> have default implementations, so a store
/// written before them still compiles and answers: built from the full read-outs, they agree with the reference store's
/// own (while links are written in time order, which is all the default's order promises).
/// </summary>
public sealed class DefaultServingReadsTests
{
    [Test]
    public void A_store_without_its_own_serving_reads_answers_as_the_reference_store_does()
    {
        using var reference = new MemoryStore();
        ILinkageStore plain = new PlainStore(reference);
        var entry = Staged("lk-b-entry");
        var exit = Staged("lk-a-exit", 1, Exit());
        Apply(plain, new IntentStaged(entry), new IntentStaged(exit));
        var (entry1, entryLink1) = LinkMore(Bound(entry, "ex-entry"), 1m, 50000m, "e-1", second: 1);
        var (exit1, exitLink) = LinkMore(Bound(exit, "ex-exit"), 0.5m, 51000m, "x-1", second: 2);
        var (entry2, entryLink2) = LinkMore(entry1, 1m, 50010m, "e-2", second: 3);
        Apply(plain, new OrderBound(Bound(entry, "ex-entry"), LinkProvenance.ClientOrderId), new Linked(entry1, entryLink1), new FillRecorded(Fill("ex-entry", "e-1", coid: "lk-b-entry")));
        Apply(plain, new OrderBound(Bound(exit, "ex-exit"), LinkProvenance.ClientOrderId), new Linked(exit1, exitLink), new FillRecorded(Fill("ex-exit", "x-1", coid: "lk-a-exit")));
        Apply(plain, new Linked(entry2, entryLink2), new FillRecorded(Fill("ex-entry", "e-2", coid: "lk-b-entry")));
        Apply(plain, new ExitAllocated(Next(exit1, o => o with { Allocated = 0.5m }), Next(entry2, o => o with { Allocated = 0.5m }), Allocation(exit1, entry2, 1, 0.5m)));

        Assert.Multiple(() =>
        {
            foreach (var id in new[] { entry.ClientOrderId, exit.ClientOrderId, Coid("lk-none") })
            {
                Assert.That(plain.Detail(id), Is.EqualTo(reference.Detail(id)), id.Value);
            }
            foreach (var limit in new[] { 1, 2, 5 })
            {
                Assert.That(Walk(plain, limit), Is.EqualTo(Walk(reference, limit)), $"pages of {limit}");
            }
            Assert.That(Walk(plain, 2).SelectMany(p => p.Links), Is.EqualTo(new[] { entryLink1, exitLink, entryLink2 }));
            Assert.That(() => plain.LinksAfter(-1, 1), Throws.InstanceOf<ArgumentOutOfRangeException>());
        });
    }

    /// <summary>Every page from the first until one says there is no more.</summary>
    private static List<LinkPage> Walk(ILinkageStore store, int limit)
    {
        var pages = new List<LinkPage> { store.LinksAfter(0, limit) };
        while (pages[^1].More)
        {
            pages.Add(store.LinksAfter(pages[^1].Next, limit));
        }
        return pages;
    }

    private static void Apply(ILinkageStore store, params Decision[] decisions) =>
        Assert.That(store.Apply(Batch(decisions)), Is.EqualTo(ApplyResult.Applied));

    /// <summary>A store as one was written before the serving reads existed: every other member, forwarded.</summary>
    private sealed class PlainStore(MemoryStore inner) : ILinkageStore
    {
        public string Name => "plain";

        public bool IsDurable => false;

        public int ParkedCount => inner.ParkedCount;

        public OrderRecord? FindByClientOrderId(ClientOrderId id) => inner.FindByClientOrderId(id);

        public OrderRecord? FindByExchangeOrderId(ExchangeOrderId id) => inner.FindByExchangeOrderId(id);

        public bool IsFillKeySeen(FillKey key) => inner.IsFillKeySeen(key);

        public ImmutableArray<ParkedFill> ParkedFor(ExchangeOrderId id) => inner.ParkedFor(id);

        public ExternalOrderRecord? FindExternal(ExchangeOrderId id) => inner.FindExternal(id);

        public ImmutableArray<OrderRecord> OpenEntryLots(ProductId product) => inner.OpenEntryLots(product);

        public ImmutableArray<OrderRecord> ExitsAwaitingAllocation(ProductId product) => inner.ExitsAwaitingAllocation(product);

        public ImmutableArray<OrderRecord> TerminalBefore(DateTimeOffset cutoff, int max) => inner.TerminalBefore(cutoff, max);

        public ApplyResult Apply(DecisionBatch batch) => inner.Apply(batch);

        public ImmutableArray<OrderRecord> InFlightOrders() => inner.InFlightOrders();

        public ImmutableArray<OrderRecord> TerminalSince(DateTimeOffset since) => inner.TerminalSince(since);

        public ImmutableArray<ExchangeOrderId> ParkedOrderIds() => inner.ParkedOrderIds();

        public ImmutableArray<OrderRecord> Orders() => inner.Orders();

        public ImmutableArray<LinkRecord> Links() => inner.Links();

        public ImmutableArray<FillRecord> Fills() => inner.Fills();

        public ImmutableArray<AllocationRecord> Allocations() => inner.Allocations();

        public ImmutableArray<ParkedFill> Parked() => inner.Parked();

        public ImmutableArray<ExternalOrderRecord> ExternalOrders() => inner.ExternalOrders();

        public ImmutableArray<QuarantineRecord> Quarantine() => inner.Quarantine();

        public ImmutableArray<AlertRecord> Alerts() => inner.Alerts();

        public void Dispose()
        {
        }
    }
}
