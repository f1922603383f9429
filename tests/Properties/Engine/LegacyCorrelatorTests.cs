using Linkage.Sim.Legacy;
using Linkage.Host;
using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>The old product-keyed cache fails exactly for the seed document's reasons, and for no others.</summary>
public sealed class LegacyCorrelatorTests
{
    [Test]
    public void Legacy_links_a_fill_to_the_cached_intent_of_its_product_and_clears_the_cache()
    {
        var legacy = new LegacyCorrelator();
        var entry = Entry("aaa");
        legacy.Process(Received(entry, 0));

        legacy.Process(Update("x1", null, 0.001m, second: 10));
        legacy.Process(Update("x1", null, 0.002m, second: 11));

        var link = legacy.Links().Single();
        Assert.Multiple(() =>
        {
            Assert.That(legacy.Design, Is.EqualTo("legacy"));
            Assert.That(link.ClientOrderId, Is.EqualTo(Coid(entry)));
            Assert.That(link.Snapshot, Is.EqualTo(SnapshotId.From("aaa")));
            Assert.That(link.ExchangeOrderId, Is.EqualTo(Eid("x1")));
            Assert.That((link.From, link.To), Is.EqualTo((0m, 0.001m)));
        });
    }

    [Test]
    public void Legacy_cache_entry_is_gone_after_its_ttl()
    {
        var legacy = new LegacyCorrelator();
        legacy.Process(Received(Entry("aaa"), 0));

        legacy.Process(Match("x1", 1, 0.001m, second: LegacyCorrelator.LegacyCacheTtl.TotalSeconds + 1));

        Assert.That(legacy.Links(), Is.Empty);
    }

    [Test]
    public void Legacy_never_caches_exits()
    {
        var legacy = new LegacyCorrelator();
        legacy.Process(Received(Exit(0.001m), 0));

        legacy.Process(Match("x1", 1, 0.001m, second: 1));

        Assert.That(legacy.Links(), Is.Empty);
    }

    [Test]
    public void Legacy_dedupes_repeated_cumulative_and_fill_keys_so_duplicates_add_no_failures()
    {
        var legacy = new LegacyCorrelator();
        legacy.Process(Received(Entry("aaa"), 0));
        legacy.Process(Update("x1", null, 0.001m, second: 1));
        legacy.Process(Received(Entry("bbb", decidedSecond: 2), 2));

        var repeatedUpdate = legacy.Process(Update("x1", null, 0.001m, second: 3));
        legacy.Process(Match("x2", 5, 0.001m, second: 4));
        var repeatedMatch = legacy.Process(Match("x2", 5, 0.001m, second: 5));

        Assert.Multiple(() =>
        {
            Assert.That(repeatedUpdate.Batch!.Decisions.Single(), Is.InstanceOf<DuplicateIgnored>());
            Assert.That(repeatedMatch.Batch!.Decisions.Single(), Is.InstanceOf<DuplicateIgnored>());
            Assert.That(legacy.Links().Select(l => l.Snapshot!.Value.Value), Is.EquivalentTo(new[] { "aaa", "bbb" }));
        });
    }

    [Test]
    public void Legacy_treats_a_snapshot_as_a_baseline()
    {
        var legacy = new LegacyCorrelator();
        legacy.Process(Received(Entry("aaa"), 0));

        legacy.Process(Update("x1", null, 0.001m, source: OrderStateSource.FeedSnapshot, second: 1));
        legacy.Process(Update("x1", null, 0.001m, second: 2));

        Assert.That(legacy.Links(), Is.Empty);
    }

    [Test]
    public void Legacy_ignores_invalid_input_instead_of_throwing()
    {
        var legacy = new LegacyCorrelator();

        var results = new[]
        {
            legacy.Process(Received(Entry("aaa") with { Product = default })),
            legacy.Process(new OrderUpdate(At(1), new OrderState { ExchangeOrderId = default, CumulativeQuantity = 1m }, OrderStateSource.FeedUpdate)),
            legacy.Process(new TradeFillReceived(At(2), null!)),
        };

        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.Status), Is.All.EqualTo(ProcessStatus.Applied));
            Assert.That(legacy.Links(), Is.Empty);
        });
    }
}
