using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// A read set past its small sizes: more keys than it scans (it indexes them), lists long enough to index the orders
/// they hold, and retention pages answered as a prefix of a larger fetched page. Each answer must be the store's.
/// </summary>
public sealed class ReadSetListsTests
{
    /// <summary>Twelve entries on BTC-USD, each accepted and half filled (an open lot), the first four then filled and FILLED.</summary>
    private static (Rig Rig, Intent[] Entries) Book()
    {
        var rig = new Rig();
        var entries = Enumerable.Range(1, 12).Select(i => Entry($"s{i}", size: 0.002m, decidedSecond: i)).ToArray();
        for (var i = 0; i < entries.Length; i++)
        {
            rig.Feed(Received(entries[i], i + 1), Ack(entries[i], $"ex-{i + 1:D2}", i + 1.2), Rest($"ex-{i + 1:D2}", $"t-{i + 1}", 0.001m, second: i + 1.5));
        }
        for (var i = 0; i < 4; i++)
        {
            rig.Feed(Rest($"ex-{i + 1:D2}", $"u-{i + 1}", 0.001m, second: 100 + i), Update($"ex-{i + 1:D2}", entries[i], 0.002m, status: OrderStatus.Filled, second: 101 + (10 * i)));
        }
        return (rig, entries);
    }

    [Test]
    public void Many_client_and_exchange_ids_are_indexed_and_answer_as_the_store_does()
    {
        var (rig, entries) = Book();
        using var _ = rig;
        var builder = new ReadSetKeys.Builder();
        foreach (var entry in entries)
        {
            builder.Client(Coid(entry));
        }
        builder.Client(ClientOrderId.From("absent-1"));
        for (var i = 1; i <= 14; i++)
        {
            builder.Exchange(Eid($"ex-{i:D2}"));
        }
        var reads = ReadSet.Fetch(rig.Store, builder.Build());
        Assert.Multiple(() =>
        {
            foreach (var entry in entries)
            {
                Assert.That(reads.FindByClientOrderId(Coid(entry)), Is.EqualTo(rig.Store.FindByClientOrderId(Coid(entry))));
            }
            for (var i = 1; i <= 14; i++)
            {
                Assert.That(reads.FindByExchangeOrderId(Eid($"ex-{i:D2}")), Is.EqualTo(rig.Store.FindByExchangeOrderId(Eid($"ex-{i:D2}"))), $"ex-{i:D2}");
                Assert.That(reads.ParkedFor(Eid($"ex-{i:D2}")), Is.Empty);
            }
            Assert.That(reads.FindByClientOrderId(ClientOrderId.From("absent-1")), Is.Null, "fetched and absent");
            Assert.That(Assert.Throws<ReadSetMiss>(() => reads.FindByClientOrderId(ClientOrderId.From("never-asked")))!.Missing.ClientOrderIds,
                Is.EqualTo(new[] { ClientOrderId.From("never-asked") }));
            Assert.That(Assert.Throws<ReadSetMiss>(() => reads.FindByExchangeOrderId(Eid("ex-99")))!.Missing.ExchangeOrderIds, Is.EqualTo(new[] { Eid("ex-99") }));
            Assert.That(reads.ParkedCount, Is.EqualTo(rig.Store.ParkedCount), "two absent exchange ids may park: the count is fetched");
        });
    }

    [Test]
    public void Orders_held_by_long_lists_are_found_by_client_order_id_without_a_second_fetch()
    {
        var (rig, entries) = Book();
        using var _ = rig;
        var builder = new ReadSetKeys.Builder();
        builder.Lots(Btc);
        var reads = ReadSet.Fetch(rig.Store, builder.Build());
        var lots = reads.OpenEntryLots(Btc);
        Assert.Multiple(() =>
        {
            Assert.That(lots, Has.Length.EqualTo(12), "every entry is a lot until an exit closes it, filled or not");
            Assert.That(lots.Select(l => l.ClientOrderId), Is.EqualTo(rig.Store.OpenEntryLots(Btc).Select(l => l.ClientOrderId)));
            foreach (var lot in lots)
            {
                Assert.That(reads.FindByClientOrderId(lot.ClientOrderId), Is.EqualTo(lot), "a lot is its own answer");
            }
            Assert.That(reads.FindByClientOrderId(Coid(entries[0])), Is.EqualTo(rig.Store.FindByClientOrderId(Coid(entries[0]))));
            Assert.That(() => reads.FindByClientOrderId(ClientOrderId.From("not-a-lot")), Throws.InstanceOf<ReadSetMiss>(), "neither listed nor asked");
        });
    }

    [Test]
    public void A_retention_page_answers_any_smaller_page_as_its_prefix_and_misses_a_larger_one()
    {
        var (rig, _) = Book();
        using var __ = rig;
        var cutoff = At(200);
        var builder = new ReadSetKeys.Builder();
        builder.Retain(new RetentionPage(cutoff, 10));
        var reads = ReadSet.Fetch(rig.Store, builder.Build());
        var all = reads.TerminalBefore(cutoff, 10);
        Assert.Multiple(() =>
        {
            Assert.That(all.Select(o => o.TerminalAt), Is.EqualTo(new[] { At(101), At(111), At(121), At(131) }));
            Assert.That(all, Is.EqualTo(rig.Store.TerminalBefore(cutoff, 10)));
            Assert.That(reads.TerminalBefore(At(115), 10), Is.EqualTo(all.Take(2)), "an earlier cutoff");
            Assert.That(reads.TerminalBefore(At(111), 10), Is.EqualTo(all.Take(2)), "a cutoff at an order's own TerminalAt holds it");
            Assert.That(reads.TerminalBefore(cutoff, 3), Is.EqualTo(all.Take(3)), "fewer orders");
            Assert.That(reads.TerminalBefore(At(121), 1), Is.EqualTo(all.Take(1)), "both");
            Assert.That(reads.TerminalBefore(At(100), 10), Is.Empty);
            Assert.That(Assert.Throws<ReadSetMiss>(() => reads.TerminalBefore(At(201), 10))!.Missing.Retention, Is.EqualTo(new RetentionPage(At(201), 10)), "a later cutoff");
            Assert.That(Assert.Throws<ReadSetMiss>(() => reads.TerminalBefore(cutoff, 11))!.Missing.Retention, Is.EqualTo(new RetentionPage(cutoff, 11)), "more orders");
            Assert.That(reads.FindByClientOrderId(all[0].ClientOrderId), Is.EqualTo(all[0]), "a retention candidate is its own answer");
        });
    }

    [Test]
    public void A_miss_says_which_keys_it_needs_and_a_store_argument_is_required()
    {
        var miss = Assert.Throws<ReadSetMiss>(() => ReadSet.Fetch(new MemoryStore(), ReadSetKeys.Empty).OpenEntryLots(Btc))!;
        Assert.Multiple(() =>
        {
            Assert.That(miss.Message, Is.EqualTo("the read set holds no answer for lots [BTC-USD]; fetch it too and decide again"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => ReadSet.Fetch(null!, ReadSetKeys.Empty))!.ParamName, Is.EqualTo("store"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => ReadSet.Fetch(new MemoryStore(), null!))!.ParamName, Is.EqualTo("keys"));
        });
    }
}
