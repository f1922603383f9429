using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// An external order's record, field by field, as its messages arrive: what it keeps from the first message that
/// named it, what a later one may only raise, when a message changes nothing, and when reconciliation may not call an
/// order external.
/// </summary>
public sealed class ExternalRecordTests
{
    private static readonly ClientOrderId Manual = ClientOrderId.From("manual-1");

    private static OrderUpdate State(decimal cumulative, double second, OrderStateSource source = OrderStateSource.FeedUpdate, bool named = true) =>
        new(At(second), new OrderState
        {
            ExchangeOrderId = Eid("ext-1"),
            ClientOrderId = named ? Manual : null,
            Product = named ? Btc : null,
            Side = Side.Buy,
            Status = OrderStatus.Open,
            CumulativeQuantity = cumulative,
        }, source);

    private static ExternalOrderRecord Record(Rig rig) => rig.Store.FindExternal(Eid("ext-1")) ?? throw new AssertionException("no external record");

    [Test]
    public void A_later_message_keeps_the_first_ones_ids_and_time_and_only_raises_what_executed()
    {
        using var rig = new Rig();
        rig.Feed(State(0.5m, 1));
        var first = Record(rig);
        rig.Feed(State(0.8m, 2, named: false));
        var second = Record(rig);
        var same = rig.Feed(State(0.8m, 3, named: false));
        var lower = rig.Feed(State(0.6m, 4));
        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(new ExternalOrderRecord
            {
                ExchangeOrderId = Eid("ext-1"), ClientOrderId = Manual, Product = Btc, ObservedQuantity = 0.5m, ExchangeCumulative = 0.5m,
                Baseline = 0m, FirstSeenAt = At(1), Version = 1,
            }), "a first feed update is a fill: its baseline is zero");
            Assert.That(second, Is.EqualTo(first with { ObservedQuantity = 0.8m, ExchangeCumulative = 0.8m, Version = 2 }),
                "a message naming neither id nor product keeps the first's; the time first seen stays");
            Assert.That(same.Decisions, Is.EqualTo(new Decision[] { new DuplicateIgnored(DuplicateKind.StaleCumulative, "ext-1-0.8") }));
            Assert.That(lower.Decisions.OfType<DuplicateIgnored>().Single().Kind, Is.EqualTo(DuplicateKind.StaleCumulative), "a lower cumulative restates less");
            Assert.That(Record(rig), Is.EqualTo(second));
        });
    }

    [Test]
    public void A_snapshot_first_is_a_baseline_and_only_what_executes_after_it_is_observed()
    {
        using var rig = new Rig();
        rig.Feed(State(0.3m, 1, OrderStateSource.FeedSnapshot));
        var baseline = Record(rig);
        rig.Feed(State(0.5m, 2));
        Assert.Multiple(() =>
        {
            Assert.That(baseline.Baseline, Is.EqualTo(0.3m));
            Assert.That(baseline.ObservedQuantity, Is.EqualTo(0m));
            Assert.That(Record(rig).ObservedQuantity, Is.EqualTo(0.2m));
            Assert.That(Record(rig).Baseline, Is.EqualTo(0.3m), "the baseline is set once");
        });
    }

    [Test]
    public void Trades_seen_before_a_snapshot_make_it_no_baseline_and_keep_their_counts()
    {
        using var rig = new Rig();
        rig.Feed(new OrderNotOurs(At(0), Eid("ext-1"), Manual));
        rig.Feed(Match("ext-1", 7, 0.2m, second: 1));
        var matched = Record(rig);
        rig.Feed(State(0.5m, 2, OrderStateSource.FeedSnapshot));
        Assert.Multiple(() =>
        {
            Assert.That(matched.MatchedQuantity, Is.EqualTo(0.2m));
            Assert.That(matched.Trades, Is.EqualTo(1));
            Assert.That(Record(rig).Baseline, Is.EqualTo(0m), "observation began with the match");
            Assert.That(Record(rig).ObservedQuantity, Is.EqualTo(0.5m));
            Assert.That(Record(rig).MatchedQuantity, Is.EqualTo(0.2m));
            Assert.That(Record(rig).Trades, Is.EqualTo(1));
            Assert.That(Record(rig).FirstSeenAt, Is.EqualTo(At(0)));
        });
    }

    [Test]
    public void Reconciliation_may_not_call_a_bot_order_external_and_calling_an_external_one_again_changes_nothing()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry), Ack(entry, "ex-bot"));
        var byExchangeId = rig.Feed(new OrderNotOurs(At(5), Eid("ex-bot"), null));
        var byClientId = rig.Feed(new OrderNotOurs(At(6), Eid("ex-other"), Coid(entry)));
        rig.Feed(new OrderNotOurs(At(7), Eid("ext-1"), Manual));
        var again = rig.Feed(new OrderNotOurs(At(8), Eid("ext-1"), Manual));
        var badId = rig.Feed(new OrderNotOurs(At(9), Eid("ext-2"), default(ClientOrderId)));
        Assert.Multiple(() =>
        {
            Assert.That(byExchangeId.Of<InputRejected>().Single().Record.Reason,
                Is.EqualTo($"exchange order ex-bot belongs to bot order {Coid(entry)}; it cannot be external"));
            Assert.That(byExchangeId.Of<InputRejected>().Single().Record.Field, Is.EqualTo("order_id"));
            Assert.That(byExchangeId.Of<AlertRaised>().Single().Alert.Kind, Is.EqualTo(AlertKind.ConflictingBinding));
            Assert.That(byClientId.Of<InputRejected>(), Has.Length.EqualTo(1), "found by its client order id");
            Assert.That(rig.Store.FindExternal(Eid("ex-bot")), Is.Null);
            Assert.That(again.Decisions, Is.EqualTo(new Decision[] { new DuplicateIgnored(DuplicateKind.Placement, "ext-1") }));
            Assert.That(badId.Of<InputRejected>().Single().Record.Field, Is.EqualTo("client_order_id"));
        });
    }
}
