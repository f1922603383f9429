using System.Globalization;
using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// The keys each input reads (<see cref="ReadSetKeys.Of(EngineInput)"/>), exactly: a key too many is a wasted query, a
/// key too few a read-set miss and a second fetch. Deciding stays right either way (a miss fetches what was missing), so
/// only these tests notice a derivation that lost a key, and only <see cref="ReadSetKeys.ToString"/> shows a miss to
/// people.
/// </summary>
public sealed class ReadSetKeysTests
{
    private static readonly Intent Long = Entry("aaa");
    private static readonly ProductId Eth = ProductId.From("ETH-USD");

    private static string Text(EngineInput input) => ReadSetKeys.Of(input).ToString();

    [Test]
    public void An_entry_reads_its_own_order_and_the_exits_of_its_product_waiting_for_a_lot()
    {
        var keys = ReadSetKeys.Of(Received(Long));
        Assert.Multiple(() =>
        {
            Assert.That(keys.ClientOrderIds, Is.EqualTo(new[] { Coid(Long) }));
            Assert.That(keys.ExitProducts, Is.EqualTo(new[] { Btc }));
            Assert.That(keys.EntryLotProducts, Is.Empty);
            Assert.That(keys.ExchangeOrderIds, Is.Empty);
            Assert.That(keys.ParkedCount, Is.False);
            Assert.That(keys.Retention, Is.Null);
            Assert.That(keys.IsEmpty, Is.False);
            Assert.That(keys.ToString(), Is.EqualTo($"client [{Coid(Long)}] exits [BTC-USD]"));
        });
    }

    [Test]
    public void An_exit_reads_the_open_lots_of_its_product_or_only_the_lots_it_names()
    {
        var any = Exit(0.001m);
        var named = Exit(0.001m, decidedSecond: 3700, closes: ["zzz-lot", "aaa-lot"]);
        var anyKeys = ReadSetKeys.Of(Received(any));
        var namedKeys = ReadSetKeys.Of(Received(named));
        Assert.Multiple(() =>
        {
            Assert.That(anyKeys.EntryLotProducts, Is.EqualTo(new[] { Btc }));
            Assert.That(anyKeys.ClientOrderIds, Is.EqualTo(new[] { Coid(any) }));
            Assert.That(anyKeys.ExitProducts, Is.Empty, "an exit does not read other exits");
            Assert.That(namedKeys.EntryLotProducts, Is.Empty, "a named lot is read by its id, not the product's list");
            Assert.That(namedKeys.ClientOrderIds.Select(c => c.Value), Is.EqualTo(new[] { "aaa-lot", Coid(named).Value, "zzz-lot" }.Order(StringComparer.Ordinal)),
                "sorted ordinally, the exit's own id among the lots'");
        });
    }

    [Test]
    public void An_invalid_intent_reads_nothing()
    {
        var keys = ReadSetKeys.Of(Received(Entry("aaa", size: -1m)));
        Assert.Multiple(() =>
        {
            Assert.That(keys, Is.SameAs(ReadSetKeys.Empty));
            Assert.That(keys.IsEmpty, Is.True);
            Assert.That(keys.ToString(), Is.EqualTo("nothing"));
        });
    }

    [Test]
    public void A_placement_reads_its_order_by_both_ids_and_an_attached_bracket_by_its_derived_id_and_exchange_id()
    {
        var plain = Ack(Long, "ex-1");
        var bracketed = plain with { AttachedExchangeOrderId = Eid("ex-0-child") };
        var plainKeys = ReadSetKeys.Of(plain);
        var bracketKeys = ReadSetKeys.Of(bracketed);
        Assert.Multiple(() =>
        {
            Assert.That(plainKeys.ClientOrderIds, Is.EqualTo(new[] { Coid(Long) }));
            Assert.That(plainKeys.ExchangeOrderIds, Is.EqualTo(new[] { Eid("ex-1") }));
            Assert.That(plainKeys.ExitProducts, Is.Empty);
            Assert.That(bracketKeys.ClientOrderIds, Is.EquivalentTo(new[] { Coid(Long), ClientOrderIds.ForAttached(Coid(Long)) }));
            Assert.That(bracketKeys.ExchangeOrderIds, Is.EqualTo(new[] { Eid("ex-0-child"), Eid("ex-1") }), "sorted ordinally");
            Assert.That(ReadSetKeys.Of(Timeout(Long)).ExchangeOrderIds, Is.Empty, "an unknown outcome names no exchange id");
        });
    }

    [Test]
    public void An_order_update_reads_its_ids_and_the_ids_of_the_bracket_it_belongs_to_or_carries()
    {
        var update = Update("ex-1", Long, 0.001m);
        var child = update with { Order = update.Order with { OriginatingOrderId = Eid("ex-parent") } };
        var parent = update with { Order = update.Order with { AttachedOrderId = Eid("ex-child") } };
        Assert.Multiple(() =>
        {
            Assert.That(ReadSetKeys.Of(update).ToString(), Is.EqualTo($"client [{Coid(Long)}] exchange [ex-1]"));
            Assert.That(ReadSetKeys.Of(child).ExchangeOrderIds, Is.EqualTo(new[] { Eid("ex-1"), Eid("ex-parent") }));
            Assert.That(ReadSetKeys.Of(parent).ExchangeOrderIds, Is.EqualTo(new[] { Eid("ex-1"), Eid("ex-child") }));
            Assert.That(ReadSetKeys.Of(child).ClientOrderIds, Is.EqualTo(new[] { Coid(Long) }));
            Assert.That(ReadSetKeys.Of(parent).ClientOrderIds, Is.EquivalentTo(new[] { Coid(Long), ClientOrderIds.ForAttached(Coid(Long)) }),
                "a parent naming its bracket: the bracket's record, keyed by the id derived from the parent's");
            Assert.That(ReadSetKeys.Of(Update("ex-2", intent: null, 0.001m)).ClientOrderIds, Is.Empty, "a message without a client order id");
        });
    }

    [Test]
    public void A_trade_fill_reads_its_key_and_its_order_and_one_that_is_not_ours_reads_both_of_its_ids()
    {
        var fill = Rest("ex-1", "t-9", 0.001m);
        var notOurs = new OrderNotOurs(At(1), Eid("ex-7"), ClientOrderId.From("manual-1"));
        Assert.Multiple(() =>
        {
            Assert.That(ReadSetKeys.Of(fill).FillKeys, Is.EqualTo(new[] { fill.Fill.Key }));
            Assert.That(ReadSetKeys.Of(fill).ExchangeOrderIds, Is.EqualTo(new[] { Eid("ex-1") }));
            Assert.That(Text(fill), Is.EqualTo("exchange [ex-1] fill [ex-1/RestFills/t-9]"));
            Assert.That(Text(notOurs), Is.EqualTo("client [manual-1] exchange [ex-7]"));
        });
    }

    [Test]
    public void A_tick_reads_the_retention_page_once_a_day_has_passed_since_the_start_of_time()
    {
        var tick = new Tick(At(0));
        var early = new Tick(DateTimeOffset.MinValue + Limits.RetentionAfterTerminal - TimeSpan.FromTicks(1));
        var first = new Tick(DateTimeOffset.MinValue + Limits.RetentionAfterTerminal);
        Assert.Multiple(() =>
        {
            Assert.That(ReadSetKeys.Of(tick).Retention, Is.EqualTo(new RetentionPage(At(0) - Limits.RetentionAfterTerminal, Limits.RetentionBatchMax)));
            Assert.That(ReadSetKeys.Of(early).IsEmpty, Is.True, "no order can have been terminal for a day");
            Assert.That(ReadSetKeys.Of(first).Retention, Is.EqualTo(new RetentionPage(DateTimeOffset.MinValue, Limits.RetentionBatchMax)));
            Assert.That(Text(tick), Is.EqualTo(string.Create(CultureInfo.InvariantCulture,
                $"retention({At(0) - Limits.RetentionAfterTerminal:O}, {Limits.RetentionBatchMax})")));
        });
    }

    [Test]
    public void A_burst_reads_each_key_once_sorted_and_two_ticks_read_the_later_page()
    {
        var other = Entry("bbb", product: Eth, decidedSecond: 5);
        var keys = ReadSetKeys.Of([Received(other), Received(Long), Ack(Long, "ex-2"), Update("ex-2", Long, 0.001m), Update("ex-1", Long, 0.002m),
            new Tick(At(10)), new Tick(At(5))]);
        Assert.Multiple(() =>
        {
            Assert.That(keys.ClientOrderIds, Is.EqualTo(new[] { Coid(Long), Coid(other) }.OrderBy(c => c.Value, StringComparer.Ordinal)));
            Assert.That(keys.ExchangeOrderIds, Is.EqualTo(new[] { Eid("ex-1"), Eid("ex-2") }));
            Assert.That(keys.ExitProducts, Is.EqualTo(new[] { Btc, Eth }));
            Assert.That(keys.Retention, Is.EqualTo(new RetentionPage(At(10) - Limits.RetentionAfterTerminal, Limits.RetentionBatchMax)));
            Assert.That(ReadSetKeys.Of([new Tick(At(5)), new Tick(At(10))]).Retention, Is.EqualTo(keys.Retention), "whichever comes first");
            Assert.That(ReadSetKeys.Of(Array.Empty<EngineInput>()), Is.SameAs(ReadSetKeys.Empty));
        });
    }

    [Test]
    public void Fill_keys_sort_by_order_then_source_then_key()
    {
        var keys = ReadSetKeys.Of([Rest("ex-2", "a", 0.001m), Match("ex-1", 9, 0.001m), Rest("ex-1", "b", 0.001m), Rest("ex-1", "a", 0.001m), Rest("ex-1", "a", 0.001m)]);
        Assert.That(keys.FillKeys.Select(k => k.ToString()), Is.EqualTo(new[] { "ex-1/RestFills/a", "ex-1/RestFills/b", "ex-1/LegacyMatch/9", "ex-2/RestFills/a" }
            .OrderBy(k => k.Split('/')[0], StringComparer.Ordinal).ThenBy(k => Enum.Parse<FillSource>(k.Split('/')[1])).ThenBy(k => k.Split('/')[2], StringComparer.Ordinal)));
    }

    [Test]
    public void A_union_keeps_every_key_of_both_and_a_miss_names_what_it_adds_in_the_words_people_read()
    {
        var builder = new ReadSetKeys.Builder();
        builder.External(Eid("ex-9"));
        builder.Lots(Eth);
        builder.CountParked();
        var missed = builder.Build();
        var union = ReadSetKeys.Of(Received(Long)).Union(missed);
        Assert.Multiple(() =>
        {
            Assert.That(missed.ParkedCount, Is.True);
            Assert.That(missed.IsEmpty, Is.False, "a parked count alone is something to read");
            Assert.That(union.ToString(), Is.EqualTo($"client [{Coid(Long)}] external [ex-9] lots [ETH-USD] exits [BTC-USD] parked-count"));
            Assert.That(union.ParkedCount, Is.True);
            Assert.That(union.Union(ReadSetKeys.Empty), Is.SameAs(union));
            Assert.That(ReadSetKeys.Empty.Union(union).ToString(), Is.EqualTo(union.ToString()));
        });
    }

    [Test]
    public void Keys_a_fill_without_a_key_cannot_have_are_left_out_and_pages_and_counts_merge_to_cover_both()
    {
        var keyless = Rest("ex-1", "t-1", 0.001m) with { Fill = Rest("ex-1", "t-1", 0.001m).Fill with { Key = new FillKey(Eid("ex-1"), FillSource.RestFills, null!) } };
        var orderless = Rest("ex-1", "t-1", 0.001m) with { Fill = Rest("ex-1", "t-1", 0.001m).Fill with { Key = new FillKey(default, FillSource.RestFills, "t-1") } };
        var counted = new ReadSetKeys.Builder();
        counted.CountParked();
        var twice = counted.Build().Union(counted.Build());
        var early = new RetentionPage(At(0), 10);
        var later = new RetentionPage(At(60), 5);
        RetentionPage? Merged(params RetentionPage[] pages)
        {
            var b = new ReadSetKeys.Builder();
            foreach (var page in pages)
            {
                b.Retain(page);
            }
            return b.Build().Retention;
        }
        Assert.Multiple(() =>
        {
            Assert.That(ReadSetKeys.Of(keyless).FillKeys, Is.Empty, "a key without its trade id");
            Assert.That(ReadSetKeys.Of(keyless).ExchangeOrderIds, Is.EqualTo(new[] { Eid("ex-1") }));
            Assert.That(ReadSetKeys.Of(orderless).FillKeys, Is.Empty, "a key without its order");
            Assert.That(twice.ParkedCount, Is.True, "counted in both is counted");
            Assert.That(Merged(early, later), Is.EqualTo(new RetentionPage(At(60), 10)), "the later cutoff and the larger page");
            Assert.That(Merged(later, early), Is.EqualTo(new RetentionPage(At(60), 10)));
            Assert.That(Merged(later, later with { Max = 3 }), Is.EqualTo(later), "a page inside the held one changes nothing");
            Assert.That(Merged(early, early with { Cutoff = At(-60) }), Is.EqualTo(early));
        });
    }

    [Test]
    public void Keys_read_as_text_are_separated_by_one_space_and_list_items_by_a_comma()
    {
        static string Text(Action<ReadSetKeys.Builder> keys)
        {
            var builder = new ReadSetKeys.Builder();
            keys(builder);
            return builder.Build().ToString();
        }
        Assert.Multiple(() =>
        {
            Assert.That(Text(b => b.CountParked()), Is.EqualTo("parked-count"));
            Assert.That(Text(b => b.Retain(new RetentionPage(At(0), 5))), Is.EqualTo("retention(2025-12-29T21:00:00.0000000+00:00, 5)"));
            Assert.That(Text(b =>
            {
                b.Lots(Btc);
                b.Lots(ProductId.From("ETH-USD"));
                b.Retain(new RetentionPage(At(0), 5));
            }), Is.EqualTo("lots [BTC-USD, ETH-USD] retention(2025-12-29T21:00:00.0000000+00:00, 5)"));
        });
    }
}
