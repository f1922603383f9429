using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>Rule 2: the create-order outcome binds, rejects or leaves the placement unknown; it never overwrites a binding.</summary>
public sealed class PlacementTests
{
    [Test]
    public void Acceptance_binds_the_exchange_order_id_with_exchange_order_id_provenance()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry));

        var bound = rig.Feed(Ack(entry, "x1")).Of<OrderBound>().Single();

        Assert.Multiple(() =>
        {
            Assert.That(bound.BoundBy, Is.EqualTo(LinkProvenance.ExchangeOrderId));
            Assert.That(bound.Order.Version, Is.EqualTo(2));
            Assert.That(rig.Store.FindByExchangeOrderId(Eid("x1"))!.ClientOrderId, Is.EqualTo(Coid(entry)));
            Assert.That(rig.Order(entry).Placement, Is.EqualTo(PlacementState.Accepted));
        });
    }

    [Test]
    public void Repeated_acceptance_is_a_duplicate()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry), Ack(entry, "x1"));

        var batch = rig.Feed(Ack(entry, "x1", 1));

        Assert.That(batch.Decisions.Single(), Is.EqualTo(new DuplicateIgnored(DuplicateKind.Placement, Coid(entry).Value)));
    }

    [Test]
    public void Acceptance_of_an_exchange_id_bound_to_another_order_alerts_and_binds_nothing()
    {
        using var rig = new Rig();
        var first = Entry("aaa");
        var second = Entry("bbb", decidedSecond: 5);
        rig.Feed(Received(first), Received(second, 5), Ack(first, "x1"));

        var batch = rig.Feed(Ack(second, "x1", 6));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<AlertRaised>().Single().Alert.Kind, Is.EqualTo(AlertKind.ConflictingBinding));
            Assert.That(rig.Order(second).ExchangeOrderId, Is.Null);
            Assert.That(rig.Store.FindByExchangeOrderId(Eid("x1"))!.ClientOrderId, Is.EqualTo(Coid(first)));
        });
    }

    [Test]
    public void Outcome_for_an_unknown_client_order_id_is_rejected_naming_client_order_id()
    {
        using var rig = new Rig();

        var batch = rig.Feed(Ack(Entry("never-staged"), "x1"));

        Assert.That(batch.Of<InputRejected>().Single().Record.Field, Is.EqualTo("client_order_id"));
    }

    [Test]
    public void Rejection_fails_the_order_terminally_with_its_reason()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry));

        rig.Feed(Refused(entry, 0.3));

        var order = rig.Order(entry);
        Assert.Multiple(() =>
        {
            Assert.That(order.Placement, Is.EqualTo(PlacementState.Rejected));
            Assert.That(order.Status, Is.EqualTo(OrderStatus.Failed));
            Assert.That(order.RejectReason, Is.EqualTo("INSUFFICIENT_FUND"));
            Assert.That(order.TerminalAt, Is.EqualTo(At(0.3)));
        });
    }

    [Test]
    public void Fill_for_a_rejected_order_is_rejected_with_an_alert_and_never_links()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry), Refused(entry));

        var update = rig.Feed(Update("x1", entry, 0.001m, second: 2));

        Assert.Multiple(() =>
        {
            Assert.That(update.Of<InputRejected>(), Has.Length.EqualTo(1));
            Assert.That(update.Of<AlertRaised>().Single().Alert.Kind, Is.EqualTo(AlertKind.FillForRejectedOrder));
            Assert.That(rig.Order(entry).ExchangeOrderId, Is.Null, "a rejected order is never bound");
            Assert.That(rig.Store.Links(), Is.Empty);
        });
    }

    [Test]
    public void Rejection_after_the_exchange_accepted_the_order_is_contradictory_and_changes_nothing()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry), Ack(entry, "x1"));
        var before = rig.Order(entry);

        var batch = rig.Feed(Refused(entry, 1, "DUPLICATE_CLIENT_ORDER_ID"));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<InputRejected>().Single().Record.Field, Is.EqualTo("result"));
            Assert.That(rig.Order(entry), Is.EqualTo(before));
        });
    }

    [Test]
    public void Acceptance_after_a_rejection_is_contradictory_and_changes_nothing()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry), Refused(entry));
        var before = rig.Order(entry);

        var batch = rig.Feed(Ack(entry, "x1", 1));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<InputRejected>().Single().Record.Field, Is.EqualTo("result"));
            Assert.That(rig.Order(entry), Is.EqualTo(before));
        });
    }

    [Test]
    public void Timeout_marks_a_staged_placement_unknown_once()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry));

        var first = rig.Feed(Timeout(entry, 30));
        var again = rig.Feed(Timeout(entry, 60));

        Assert.Multiple(() =>
        {
            Assert.That(first.Of<OrderStatusChanged>().Single().Order.Placement, Is.EqualTo(PlacementState.Unknown));
            Assert.That(again.Decisions.Single(), Is.EqualTo(new DuplicateIgnored(DuplicateKind.Placement, Coid(entry).Value)));
        });
    }

    [Test]
    public void Acceptance_without_an_exchange_id_marks_the_order_accepted_until_the_feed_binds_it()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry), new PlacementOutcome(At(0.2), Coid(entry), PlacementResult.Accepted));

        Assert.That(rig.Order(entry).Placement, Is.EqualTo(PlacementState.Accepted));
        rig.Feed(Update("x1", entry, 0.002m, second: 1));
        Assert.That(rig.LinkedQuantity(entry), Is.EqualTo(0.002m));
    }
}
