using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>Linking through the order's identity: acknowledgement, feed updates, REST rows, and their races.</summary>
public sealed class LinkingTests
{
    [Test]
    public void Acknowledged_order_links_each_cumulative_increase_to_its_intent()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry), Ack(entry, "x1"), Update("x1", entry, 0.001m, second: 10), Update("x1", entry, 0.002m, 50100m, OrderStatus.Filled, 20));

        var links = rig.LinksOf(entry);
        Assert.Multiple(() =>
        {
            Assert.That(links.Select(l => (l.From, l.To)), Is.EqualTo(new[] { (0m, 0.001m), (0.001m, 0.002m) }));
            Assert.That(links.Select(l => l.Snapshot), Is.All.EqualTo(SnapshotId.From("aaa")));
            Assert.That(links[1].Price, Is.EqualTo(50200m), "price of the increment is value increase over quantity increase");
            Assert.That(links.Select(l => l.Provenance), Is.All.EqualTo(LinkProvenance.ClientOrderId));
            Assert.That(links.Select(l => l.Sequence), Is.EqualTo(new[] { 1, 2 }));
            Assert.That(rig.Order(entry).Status, Is.EqualTo(OrderStatus.Filled));
        });
    }

    [Test]
    public void Fill_before_ack_links_once_ack_arrives()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry));
        var parkedBatch = rig.Feed(Rest("x1", "e1", 0.002m, second: 0.1));
        Assert.That(parkedBatch.Of<FillParked>(), Has.Length.EqualTo(1));
        Assert.That(rig.Store.Links(), Is.Empty);

        var ackBatch = rig.Feed(Ack(entry, "x1", second: 0.5));

        Assert.Multiple(() =>
        {
            Assert.That(ackBatch.Of<FillUnparked>(), Has.Length.EqualTo(1));
            Assert.That(rig.LinkedQuantity(entry), Is.EqualTo(0.002m));
            Assert.That(rig.Store.Parked(), Is.Empty);
            Assert.That(rig.LinksOf(entry).Single().Provenance, Is.EqualTo(LinkProvenance.ExchangeOrderId));
        });
    }

    [Test]
    public void Lost_ack_is_resolved_by_the_feed_update_carrying_the_client_order_id()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry), Timeout(entry, 30));
        Assert.That(rig.Order(entry).Placement, Is.EqualTo(PlacementState.Unknown));

        var batch = rig.Feed(Update("x1", entry, 0.002m, status: OrderStatus.Filled, second: 31));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<OrderBound>().Single().BoundBy, Is.EqualTo(LinkProvenance.ClientOrderId));
            Assert.That(rig.Order(entry).ExchangeOrderId, Is.EqualTo(Eid("x1")));
            Assert.That(rig.Order(entry).Placement, Is.EqualTo(PlacementState.Accepted));
            Assert.That(rig.LinkedQuantity(entry), Is.EqualTo(0.002m));
        });
    }

    [Test]
    public void Stale_or_repeated_cumulative_is_ignored_and_never_links_again()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry), Ack(entry, "x1"), Update("x1", entry, 0.0015m, second: 10));

        var repeated = rig.Feed(Update("x1", entry, 0.0015m, second: 11));
        var stale = rig.Feed(Update("x1", entry, 0.001m, second: 12));

        Assert.Multiple(() =>
        {
            Assert.That(repeated.Of<DuplicateIgnored>().Single().Kind, Is.EqualTo(DuplicateKind.StaleCumulative));
            Assert.That(stale.Of<DuplicateIgnored>().Single().Kind, Is.EqualTo(DuplicateKind.StaleCumulative));
            Assert.That(repeated.HasWrites || stale.HasWrites, Is.False);
            Assert.That(rig.LinkedQuantity(entry), Is.EqualTo(0.0015m));
        });
    }

    [Test]
    public void Rest_rows_and_feed_updates_of_one_order_never_double_count()
    {
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.05m);
        rig.Feed(Received(entry), Ack(entry, "x1"),
            Update("x1", entry, 0.02m, second: 10),
            Rest("x1", "e1", 0.02m, second: 11, reconciliation: true),
            Rest("x1", "e2", 0.03m, second: 12, reconciliation: true),
            Update("x1", entry, 0.05m, status: OrderStatus.Filled, second: 13),
            Rest("x1", "e2", 0.03m, second: 14, reconciliation: true));

        var links = rig.LinksOf(entry);
        Assert.Multiple(() =>
        {
            Assert.That(links.Sum(l => l.Quantity), Is.EqualTo(0.05m));
            Assert.That(links.Select(l => (l.From, l.To)), Is.EqualTo(new[] { (0m, 0.02m), (0.02m, 0.05m) }));
            Assert.That(links[1].Provenance, Is.EqualTo(LinkProvenance.Reconciliation));
            Assert.That(rig.Order(entry).Linked.Quantity, Is.EqualTo(0.05m));
        });
    }

    [Test]
    public void Snapshot_never_links_it_only_sets_the_baseline()
    {
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.05m);
        rig.Feed(Received(entry), Ack(entry, "x1"));

        var batch = rig.Feed(Update("x1", entry, 0.02m, source: OrderStateSource.FeedSnapshot, second: 60));
        var stale = rig.Feed(Update("x1", entry, 0.02m, second: 61));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<Linked>(), Is.Empty);
            Assert.That(batch.Of<LedgerUpdated>().Single().Order.Feed.Quantity, Is.EqualTo(0.02m));
            Assert.That(stale.Of<Linked>(), Is.Empty, "an update restating the baseline is not a fill");
            Assert.That(rig.Store.Links(), Is.Empty);
        });
        rig.Feed(Update("x1", entry, 0.03m, second: 62));
        Assert.That(rig.LinkedQuantity(entry), Is.EqualTo(0.03m), "an update above the baseline is a lower bound of executed quantity");
    }

    [Test]
    public void Correction_rows_are_adjustments_and_never_executed_quantity()
    {
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.05m);
        rig.Feed(Received(entry), Ack(entry, "x1"), Rest("x1", "e1", 0.02m));

        var batch = rig.Feed(Rest("x1", "e1-fix", 0.02m, type: TradeType.Correction, second: 3));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<FillRecorded>().Single().Fill.IsAdjustment, Is.True);
            Assert.That(batch.Of<Linked>(), Is.Empty);
            Assert.That(rig.Order(entry).Rest.Quantity, Is.EqualTo(0.02m));
            Assert.That(rig.LinkedQuantity(entry), Is.EqualTo(0.02m));
        });
    }

    [Test]
    public void Conflicting_binding_alerts_and_never_overwrites()
    {
        using var rig = new Rig();
        var first = Entry("aaa");
        var second = Entry("bbb", decidedSecond: 5);
        rig.Feed(Received(first), Received(second, 5), Ack(first, "x1"), Ack(second, "x2", 5.2));

        var otherId = rig.Feed(Update("x9", first, 0.001m, second: 10));
        var stolenId = rig.Feed(Update("x2", first, 0.001m, second: 11));
        var reAck = rig.Feed(Ack(first, "x2", 12));

        Assert.Multiple(() =>
        {
            foreach (var batch in new[] { otherId, stolenId, reAck })
            {
                Assert.That(batch.Of<AlertRaised>().Single().Alert.Kind, Is.EqualTo(AlertKind.ConflictingBinding));
                Assert.That(batch.Of<Linked>(), Is.Empty);
                Assert.That(batch.Of<OrderBound>(), Is.Empty);
            }
            Assert.That(rig.Order(first).ExchangeOrderId, Is.EqualTo(Eid("x1")));
            Assert.That(rig.Order(second).ExchangeOrderId, Is.EqualTo(Eid("x2")));
            Assert.That(rig.Store.Links(), Is.Empty);
        });
    }

    [Test]
    public void Sources_that_saw_different_trades_link_their_largest_and_show_the_gap_until_a_complete_read()
    {
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.004m);
        rig.Feed(Received(entry), LegacyReceived("x1", entry),
            Match("x1", 1, 0.001m, second: 3),
            Rest("x1", "e1", 0.001m, second: 20, reconciliation: true), Rest("x1", "e2", 0.002m, second: 20, reconciliation: true),
            Match("x1", 3, 0.001m, second: 40), LegacyDone("x1", 41));

        var order = rig.Order(entry);
        Assert.Multiple(() =>
        {
            Assert.That(order.Linked.Quantity, Is.EqualTo(0.003m), "never the sum of two sources that may share trades");
            Assert.That(order.KnownExecutedQuantity(), Is.EqualTo(0.004m), "a FILLED order executed its size");
            Assert.That(order.UnlinkedQuantity(), Is.EqualTo(0.001m));
        });

        rig.Feed(Rest("x1", "e3", 0.001m, second: 60, reconciliation: true));

        Assert.Multiple(() =>
        {
            Assert.That(rig.LinkedQuantity(entry), Is.EqualTo(0.004m));
            Assert.That(rig.Order(entry).UnlinkedQuantity(), Is.EqualTo(0m));
        });
    }
}
