using Linkage.Engine;
using Linkage.Properties.Support;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>Rules 3 to 5: orders we did not place stay external (S3); fills of unknown orders wait, within a bound.</summary>
public sealed class ExternalAndParkingTests
{
    private static OrderUpdate Foreign(string exchangeId, decimal cumulative, OrderStateSource source = OrderStateSource.FeedUpdate, double second = 1) =>
        new(At(second), new OrderState
        {
            ExchangeOrderId = Eid(exchangeId),
            ClientOrderId = ClientOrderId.From("manual-order-1"),
            Product = Btc,
            Status = OrderStatus.Open,
            CumulativeQuantity = cumulative,
        }, source);

    [Test]
    public void Order_with_a_foreign_client_order_id_is_recorded_external_and_never_linked()
    {
        using var rig = new Rig();

        var first = rig.Feed(Foreign("m1", 0.01m));
        rig.Feed(Foreign("m1", 0.03m, second: 2), Rest("m1", "e1", 0.01m, second: 3));

        var external = rig.Store.FindExternal(Eid("m1"))!;
        Assert.Multiple(() =>
        {
            Assert.That(first.Of<ExternalRecorded>().Single().Order.Baseline, Is.EqualTo(0m), "a first feed update is itself a fill");
            Assert.That(external.ExchangeCumulative, Is.EqualTo(0.03m));
            Assert.That(external.ObservedQuantity, Is.EqualTo(0.03m), "the feed's cumulative (0.03) already counts the REST row's trade (0.01): sources are never added");
            Assert.That(external.TradedQuantity, Is.EqualTo(0.01m));
            Assert.That(external.Trades, Is.EqualTo(1));
            Assert.That(rig.Store.Fills().Single().ClientOrderId, Is.Null);
            Assert.That(rig.Store.Links(), Is.Empty);
            Assert.That(rig.Store.Orders(), Is.Empty);
        });
    }

    [Test]
    public void External_order_filled_on_the_feed_and_reconciled_by_rest_is_observed_once()
    {
        // scenarios/real-world/external-fills-no-bot-trades.yaml: the feed says 100 filled, then reconciliation's List
        // Fills restates the same trade; adding the two recorded 200 for a 100 order.
        using var rig = new Rig();

        rig.Feed(Foreign("m1", 100m), Rest("m1", "e1", 100m, second: 2));

        var external = rig.Store.FindExternal(Eid("m1"))!;
        Assert.Multiple(() =>
        {
            Assert.That(external.ObservedQuantity, Is.EqualTo(100m));
            Assert.That(external.TradedQuantity, Is.EqualTo(100m));
        });
    }

    [Test]
    public void External_trade_seen_as_a_legacy_match_and_a_rest_row_is_observed_once()
    {
        // fuzz seed 1-5, shrunk: on the legacy feed a manual order's match, then reconciliation's List Fills row of the
        // same trade after a reconnect; summing the two sources recorded twice what the order executed.
        using var rig = new Rig();
        rig.Feed(new OrderNotOurs(At(1), Eid("m1"), ClientOrderId.From("manual-order-1")));

        rig.Feed(Match("m1", 7, 0.5m, second: 2), Rest("m1", "e1", 0.5m, second: 3));

        var external = rig.Store.FindExternal(Eid("m1"))!;
        Assert.Multiple(() =>
        {
            Assert.That(external.ObservedQuantity, Is.EqualTo(0.5m));
            Assert.That(external.MatchedQuantity, Is.EqualTo(0.5m));
            Assert.That(external.TradedQuantity, Is.EqualTo(0.5m));
        });
    }

    [Test]
    public void External_order_seen_by_trades_first_takes_no_later_snapshot_as_baseline()
    {
        using var rig = new Rig();
        rig.Feed(Rest("m1", "e1", 0.01m, second: 1), new OrderNotOurs(At(2), Eid("m1"), ClientOrderId.From("manual-order-1")));

        rig.Feed(Foreign("m1", 0.01m, OrderStateSource.FeedSnapshot, second: 3), Rest("m1", "e2", 0.02m, second: 4));

        var external = rig.Store.FindExternal(Eid("m1"))!;
        Assert.Multiple(() =>
        {
            Assert.That(external.Baseline, Is.EqualTo(0m), "observation began with the first trade");
            Assert.That(external.ObservedQuantity, Is.EqualTo(0.03m));
        });
    }

    [Test]
    public void External_order_whose_match_waited_parked_takes_no_later_rest_order_as_baseline()
    {
        // fuzz seed 1-250, shrunk: the match arrived first (its received was dropped) and waited; Get Order then said
        // whose it is, and its filled size was taken as a baseline, so the parked match counted for nothing.
        using var rig = new Rig();
        rig.Feed(Match("m1", 7, 0.5m, second: 1));

        rig.Feed(Foreign("m1", 0.5m, OrderStateSource.RestOrder, second: 2) with { FromReconciliation = true });

        var external = rig.Store.FindExternal(Eid("m1"))!;
        Assert.Multiple(() =>
        {
            Assert.That(external.Baseline, Is.EqualTo(0m));
            Assert.That(external.ObservedQuantity, Is.EqualTo(0.5m));
        });
    }

    [Test]
    public void External_order_first_seen_by_its_legacy_received_observes_from_zero()
    {
        using var rig = new Rig();
        rig.Feed(Foreign("m1", 0m, OrderStateSource.LegacyReceived) with { Order = Foreign("m1", 0m).Order with { CumulativeQuantity = null } });

        rig.Feed(Foreign("m1", 0.03m, OrderStateSource.RestOrder, second: 2) with { FromReconciliation = true });

        var external = rig.Store.FindExternal(Eid("m1"))!;
        Assert.Multiple(() =>
        {
            Assert.That(external.Baseline, Is.EqualTo(0m), "received is the order's creation: nothing had executed");
            Assert.That(external.ObservedQuantity, Is.EqualTo(0.03m));
        });
    }

    [Test]
    public void External_order_first_seen_by_snapshot_observes_only_what_fills_after_it()
    {
        using var rig = new Rig();

        rig.Feed(Foreign("m1", 0.02m, OrderStateSource.FeedSnapshot), Foreign("m1", 0.05m, second: 2));

        var external = rig.Store.FindExternal(Eid("m1"))!;
        Assert.Multiple(() =>
        {
            Assert.That(external.Baseline, Is.EqualTo(0.02m));
            Assert.That(external.ObservedQuantity, Is.EqualTo(0.03m));
        });
    }

    [Test]
    public void Parked_fills_of_an_order_found_not_ours_are_released_as_external()
    {
        using var rig = new Rig();
        rig.Feed(Rest("m1", "e1", 0.01m, second: 1), Rest("m1", "e2", 0.02m, second: 2));
        Assert.That(rig.Store.Parked(), Has.Length.EqualTo(2));

        var batch = rig.Feed(new OrderNotOurs(At(3), Eid("m1"), ClientOrderId.From("manual-order-1")));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<FillUnparked>(), Has.Length.EqualTo(2));
            Assert.That(rig.Store.Parked(), Is.Empty);
            Assert.That(rig.Store.FindExternal(Eid("m1"))!.ObservedQuantity, Is.EqualTo(0.03m));
            Assert.That(rig.Store.FindExternal(Eid("m1"))!.Trades, Is.EqualTo(2));
            Assert.That(rig.Store.Fills(), Has.Length.EqualTo(2), "fill keys are kept so a re-delivery is a duplicate");
            Assert.That(rig.Store.Links(), Is.Empty);
        });
        Assert.That(rig.Feed(Rest("m1", "e1", 0.01m, second: 4)).Of<DuplicateIgnored>().Single().Kind, Is.EqualTo(DuplicateKind.FillKey));
    }

    [Test]
    public void Not_ours_for_a_bot_order_is_rejected_with_an_alert()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry), Ack(entry, "x1"));

        var batch = rig.Feed(new OrderNotOurs(At(3), Eid("x1"), null));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<InputRejected>().Single().Record.Field, Is.EqualTo("order_id"));
            Assert.That(batch.Of<AlertRaised>().Single().Alert.Kind, Is.EqualTo(AlertKind.ConflictingBinding));
            Assert.That(rig.Store.ExternalOrders(), Is.Empty);
        });
    }

    [Test]
    public void External_exchange_id_is_never_bound_to_a_bot_order_later()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Foreign("m1", 0.01m), Received(entry));

        var batch = rig.Feed(Ack(entry, "m1", 2));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<AlertRaised>().Single().Alert.Kind, Is.EqualTo(AlertKind.ConflictingBinding));
            Assert.That(rig.Order(entry).ExchangeOrderId, Is.Null);
        });
    }

    [Test]
    public void Our_prefix_without_a_staged_intent_is_an_orphan_alert_and_waits_parked()
    {
        using var rig = new Rig();
        var lost = Entry("aaa");

        var batch = rig.Feed(Update("x1", lost, 0.001m));
        var again = rig.Feed(Update("x1", lost, 0.001m, second: 2));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<AlertRaised>().Single().Alert.Kind, Is.EqualTo(AlertKind.OrphanedOrder));
            Assert.That(batch.Of<FillParked>(), Has.Length.EqualTo(1));
            Assert.That(again.Decisions.Single(), Is.InstanceOf<DuplicateIgnored>().With.Property("Kind").EqualTo(DuplicateKind.Parked));
            Assert.That(rig.Store.ExternalOrders(), Is.Empty, "our prefix is never classified external by itself");
        });
        rig.Feed(Received(lost, 3), Update("x1", lost, 0.002m, second: 4));
        Assert.Multiple(() =>
        {
            Assert.That(rig.LinkedQuantity(lost), Is.EqualTo(0.002m), "once the intent is back the order links");
            Assert.That(rig.Store.Parked(), Is.Empty);
        });
    }

    [Test]
    public void Identical_parked_fill_is_a_duplicate()
    {
        using var rig = new Rig();
        rig.Feed(Rest("x1", "e1", 0.001m));

        var batch = rig.Feed(Rest("x1", "e1", 0.001m, second: 3));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Decisions.Single(), Is.EqualTo(new DuplicateIgnored(DuplicateKind.Parked, "RestFills:e1")));
            Assert.That(rig.Store.Parked(), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void Parked_fills_are_bounded_a_fill_past_the_bound_goes_to_quarantine_with_an_alert()
    {
        using var store = new MemoryStore();
        // The parking reported full (10,000 real fills would only slow the test).
        var full = new ParkingCountView(store, Limits.ParkedFillsMax);
        var fill = Rest("x1", "e1", 0.001m);

        var batch = LinkageEngine.ReadAndDecide(full, fill);
        Assert.That(store.Apply(batch).Status, Is.EqualTo(ApplyStatus.Applied));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<FillParked>(), Is.Empty);
            Assert.That(batch.Of<InputRejected>().Single().Record.RawPayload, Does.Contain("e1"));
            Assert.That(batch.Of<AlertRaised>().Single().Alert.Kind, Is.EqualTo(AlertKind.ParkedFillsFull));
            Assert.That(batch.Of<InputRejected>().Single().Record.Reason,
                Is.EqualTo($"{Limits.ParkedFillsMax} fills are parked, the bound ParkedFillsMax; this one is kept in quarantine"));
            Assert.That(batch.Of<AlertRaised>().Single().Alert.Detail,
                Is.EqualTo($"parked fills reached {Limits.ParkedFillsMax}; a fill for exchange order x1 went to quarantine"));
            Assert.That(store.Parked(), Is.Empty);
        });
        // An update of an order carrying our prefix that nothing staged is an orphan only if it parked.
        var orphan = LinkageEngine.ReadAndDecide(full, Update("x9", Entry("zzz"), 0m, second: 4));
        Assert.That(orphan.Of<AlertRaised>().Select(a => a.Alert.Kind), Is.EqualTo(new[] { AlertKind.ParkedFillsFull }));
        Assert.That(LinkageEngine.ReadAndDecide(store, fill).Of<FillParked>(), Has.Length.EqualTo(1), "below the bound the same fill parks");
    }
}
