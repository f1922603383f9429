using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>Rule 6: retention purges bulky intent metadata after terminal; bindings, ledgers and fill keys stay for ever.</summary>
public sealed class RetentionTests
{
    private static Rig FilledOrder(Intent entry)
    {
        var rig = new Rig();
        rig.Feed(Received(entry), Ack(entry, "x1"), Rest("x1", "e1", 0.002m, second: 5),
            Update("x1", entry, 0.002m, status: OrderStatus.Filled, second: 6));
        return rig;
    }

    [Test]
    public void Intent_is_purged_only_after_RetentionAfterTerminal_keeping_what_identifies_it()
    {
        var entry = Entry("aaa");
        using var rig = FilledOrder(entry);
        var early = rig.Feed(new Tick(At(6) + Limits.RetentionAfterTerminal - TimeSpan.FromSeconds(1)));

        var due = rig.Feed(new Tick(At(6) + Limits.RetentionAfterTerminal));

        var order = rig.Order(entry);
        Assert.Multiple(() =>
        {
            Assert.That(early.Decisions, Is.Empty);
            Assert.That(due.Of<IntentPurged>(), Has.Length.EqualTo(1));
            Assert.That(order.IntentPurged, Is.True);
            Assert.That(order.Intent.IndicatorsJson, Is.Null);
            Assert.That(order.Intent.Snapshot, Is.EqualTo(SnapshotId.From("aaa")));
            Assert.That(order.ExchangeOrderId, Is.EqualTo(Eid("x1")));
            Assert.That(order.Linked.Quantity, Is.EqualTo(0.002m));
            Assert.That(rig.Feed(new Tick(At(6) + (3 * Limits.RetentionAfterTerminal))).Decisions, Is.Empty, "purged once");
        });
    }

    [Test]
    public void Duplicate_three_days_later_never_links_twice()
    {
        var entry = Entry("aaa");
        using var rig = FilledOrder(entry);
        rig.Feed(new Tick(At(6) + Limits.RetentionAfterTerminal));
        var later = TimeSpan.FromDays(3).TotalSeconds;

        var row = rig.Feed(Rest("x1", "e1", 0.002m, second: later, reconciliation: true));
        var update = rig.Feed(Update("x1", entry, 0.002m, status: OrderStatus.Filled, second: later + 1));
        var intent = rig.Feed(Received(entry, later + 2));

        Assert.Multiple(() =>
        {
            Assert.That(row.Decisions.Single(), Is.InstanceOf<DuplicateIgnored>());
            Assert.That(update.Of<DuplicateIgnored>().Single().Kind, Is.EqualTo(DuplicateKind.StaleCumulative));
            Assert.That(intent.Decisions.Single(), Is.EqualTo(new DuplicateIgnored(DuplicateKind.Intent, Coid(entry).Value)), "the purged intent still dedupes");
            Assert.That(rig.LinkedQuantity(entry), Is.EqualTo(0.002m));
            Assert.That(rig.Store.Links(), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void One_tick_purges_at_most_RetentionBatchMax_intents_oldest_first()
    {
        using var rig = new Rig();
        var count = Limits.RetentionBatchMax + 2;
        for (var i = 0; i < count; i++)
        {
            var entry = Entry($"s{i}", decidedSecond: i);
            rig.Feed(Received(entry, i), Refused(entry, i + 0.5));
        }
        var tick = new Tick(At(count) + Limits.RetentionAfterTerminal);

        var first = rig.Feed(tick);
        var second = rig.Feed(tick);

        Assert.Multiple(() =>
        {
            Assert.That(first.Of<IntentPurged>(), Has.Length.EqualTo(Limits.RetentionBatchMax));
            Assert.That(first.Of<IntentPurged>().Select(p => p.Order.TerminalAt), Is.Ordered);
            Assert.That(second.Of<IntentPurged>(), Has.Length.EqualTo(2));
            Assert.That(second.Of<IntentPurged>().Select(p => p.Order.Intent.Snapshot!.Value.Value), Is.EqualTo(new[] { $"s{count - 2}", $"s{count - 1}" }));
        });
    }
}
