using Linkage.Host;
using Linkage.Engine;
using Linkage.Sim.Audit;
using static Linkage.Properties.Audit.CaptureScript;

namespace Linkage.Properties.Audit;

/// <summary>One test per anomaly kind, each on the smallest capture that shows it, asserting kind, line and detail.</summary>
public sealed class AnomalyTests
{
    internal const string A = "lk-aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    internal const string B = "lk-bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    internal const string E1 = "e1e1e1e1-0000-4000-8000-000000000001";
    internal const string E2 = "e2e2e2e2-0000-4000-8000-000000000002";
    internal const string Snap = "b042c0bb-6184-4d40-aa65-2f7c8d83a243";

    private static AuditAnomaly[] Of(AuditReport report, string kind) => [.. report.Anomalies.Where(a => a.Kind == kind)];

    [Test]
    public void An_exchange_order_id_seen_with_two_client_order_ids_is_an_anomaly_and_is_not_linked_to_the_second()
    {
        var script = new CaptureScript()
            .Placed(A, E1, Snap, 120m).Placed(B, E2, "snap-b", 120m)
            .Update(0, new Order(E1, A, 40m))
            .Update(1, new Order(E1, B, 90m));
        var report = script.Audit();
        Assert.Multiple(() =>
        {
            Assert.That(Of(report, AnomalyKinds.ConflictingClientOrderIds), Is.EqualTo(new[]
            {
                new AuditAnomaly(AnomalyKinds.ConflictingClientOrderIds, 8, $"exchange order {E1} is reported with client order id {B}, but line 3 gave {A}"),
            }));
            Assert.That(report.Alerts.Select(a => (a.Kind, a.Line)), Does.Contain(("conflicting_binding", (int?)8)));
            Assert.That(report.Orders.Single(o => o.ClientOrderId == B).LinkedQuantity, Is.Zero);
        });
    }

    [Test]
    public void A_client_order_id_seen_with_two_exchange_order_ids_is_an_anomaly()
    {
        var script = new CaptureScript().Placed(A, E1, Snap, 120m).Update(0, new Order(E2, A, 40m));
        var report = script.Audit();
        Assert.That(Of(report, AnomalyKinds.ConflictingOrderIds), Is.EqualTo(new[]
        {
            new AuditAnomaly(AnomalyKinds.ConflictingOrderIds, 4, $"client order id {A} is reported for exchange order {E2}, but line 3 gave exchange order {E1}"),
        }));
    }

    [Test]
    public void A_store_linked_beyond_what_the_capture_shows_executed_is_flagged()
    {
        // The store already holds a link for 90 (an earlier process counted more than the exchange executed); the
        // capture shows only 40 executed. The audit trusts the messages, not the store.
        using var store = new MemoryStore();
        var correlator = new EngineCorrelator(store);
        var intent = Linkage.Coinbase.IntentPayloadParser.Parse(
            $$"""{"pair":"AVNT-USD","side":"buy","size":"120","price":"1.25","snapshot_id":"{{Snap}}","timestamp":"2025-12-29T20:00:00Z","client_order_id":"{{A}}"}""").Value;
        correlator.Process(new IntentReceived(T0, intent));
        correlator.Process(new OrderUpdate(T0, new OrderState { ExchangeOrderId = ExchangeOrderId.From(E1), ClientOrderId = ClientOrderId.From(A), CumulativeQuantity = 90m }, OrderStateSource.FeedUpdate));
        var report = new CaptureScript().Update(0, new Order(E1, A, 40m)).Audit(store);
        Assert.That(Of(report, AnomalyKinds.LinkedAboveFilled), Is.EqualTo(new[]
        {
            new AuditAnomaly(AnomalyKinds.LinkedAboveFilled, null, $"client order {A} is linked for 90, but the capture shows 40 executed"),
        }));
    }

    [Test]
    public void Bot_quantity_seen_only_in_a_reconnect_snapshot_is_unlinked_until_reconciliation()
    {
        var script = new CaptureScript().Placed(A, E1, Snap, 120m).Update(0, new Order(E1, A, 40m)).Snapshot(0, new Order(E1, A, 100m));
        var unreconciled = script.Audit();
        var reconciled = script.Fills(("r1", E1, 40m, 1.25m), ("r2", E1, 60m, 1.25m)).Audit();
        Assert.Multiple(() =>
        {
            Assert.That(Of(unreconciled, AnomalyKinds.UnlinkedQuantity), Is.EqualTo(new[]
            {
                new AuditAnomaly(AnomalyKinds.UnlinkedQuantity, 5, $"client order {A} executed 100, of which 40 is linked"),
            }));
            Assert.That((unreconciled.Fills.Bot, unreconciled.Fills.Linked, unreconciled.Fills.Unresolved), Is.EqualTo((2, 1, 1)));
            Assert.That(Of(reconciled, AnomalyKinds.UnlinkedQuantity), Is.Empty);
            Assert.That((reconciled.Fills.Linked, reconciled.Fills.LinkedByClientOrderId, reconciled.Fills.LinkedByReconciliation), Is.EqualTo((2, 1, 1)));
        });
    }

    [Test]
    public void Fills_of_an_order_nobody_identifies_are_unresolved()
    {
        var report = new CaptureScript().Match(7, E2, 5m).Audit();
        Assert.Multiple(() =>
        {
            Assert.That(Of(report, AnomalyKinds.UnresolvedFills), Is.EqualTo(new[]
            {
                new AuditAnomaly(AnomalyKinds.UnresolvedFills, 1, $"1 message(s) about exchange order {E2} are still parked: the capture never shows whose order it is"),
            }));
            Assert.That((report.Fills.Bot, report.Fills.Unresolved, report.ParkedFills), Is.EqualTo((1, 1, 1)));
            Assert.That(report.LinkageRate, Is.Zero);
        });
    }

    [Test]
    public void A_get_order_answer_naming_no_client_order_of_ours_resolves_parked_fills_as_external()
    {
        // A legacy match arrives for an order nobody knows; the webhook asks Get Order, which shows a manual order
        // without a client order id: the webhook then calls the order not ours, so its fills are external.
        var report = new CaptureScript().Match(7, E2, 5m).GetOrder(E2, coid: null, filled: 5m, status: "FILLED").Audit();
        Assert.Multiple(() =>
        {
            Assert.That(report.ExternalOrders.Select(e => (e.OrderId, e.ObservedQuantity, e.Trades)), Is.EqualTo(new[] { (E2, 5m, 1) }));
            Assert.That((report.Fills.External, report.Fills.Unresolved, report.ParkedFills), Is.EqualTo((1, 0, 0)));
            Assert.That(report.LinkageRate, Is.Null, "external fills are not bot fills");
        });
    }

    [Test]
    public void Lines_that_are_not_json_of_an_unknown_kind_invalid_or_refused_by_the_engine_are_quarantined()
    {
        var report = new CaptureScript()
            .Raw("{\"at\":\"2025-12-29T21:00:00Z\",\"kind\":\"ws\",\"data\":{")
            .Raw("""{"at":"2025-12-29T21:00:00Z","kind":"debug","data":{}}""")
            .Update(0, new Order(E1, A, -5m))
            .Accepted(B, E2)
            .Audit();
        Assert.Multiple(() =>
        {
            Assert.That(report.Quarantined.Select(q => q.Line), Is.EqualTo(new[] { 1, 2, 3, 4 }));
            Assert.That(report.Quarantined[0].Reason, Does.StartWith("not valid JSON"));
            Assert.That(report.Quarantined[1].Reason, Is.EqualTo("unknown kind 'debug'"));
            Assert.That(report.Quarantined[2].Reason, Does.StartWith("data.events[0].orders[0].cumulative_quantity: "));
            Assert.That(report.Quarantined[3].Reason, Is.EqualTo($"no intent is staged under client order id {B}"));
            Assert.That(Of(report, AnomalyKinds.Quarantined).Select(a => a.Line), Is.EqualTo(new int?[] { 1, 2, 3, 4 }));
        });
    }

    [Test]
    public void Sequence_gaps_duplicates_stale_numbers_and_restarts_are_reported_but_a_capture_may_begin_mid_connection()
    {
        var report = new CaptureScript()
            .Subscriptions(41)
            .Subscriptions(42)
            .Subscriptions(44)
            .Subscriptions(44)
            .Subscriptions(43)
            .Subscriptions(0)
            .Audit();
        Assert.That(report.Anomalies, Is.EqualTo(new[]
        {
            new AuditAnomaly(AnomalyKinds.SequenceGap, 3, "expected 43, got 44"),
            new AuditAnomaly(AnomalyKinds.SequenceDuplicate, 4, "sequence 44 again"),
            new AuditAnomaly(AnomalyKinds.SequenceStale, 5, "got 43 after 44"),
            new AuditAnomaly(AnomalyKinds.SequenceReset, 6, "counter restarted at 0 after 44"),
        }));
    }

    [Test]
    public void Heartbeat_gaps_and_silences_are_reported()
    {
        var report = new CaptureScript()
            .Heartbeat(0, 10)
            .Heartbeat(1, 12)
            .After(TimeSpan.FromSeconds(30))
            .Subscriptions(2)
            .Audit();
        Assert.That(report.Anomalies.Select(a => (a.Kind, a.Line)), Is.EqualTo(new[]
        {
            (AnomalyKinds.HeartbeatGap, (int?)2),
            (AnomalyKinds.HeartbeatSilence, (int?)3),
        }));
    }

    [Test]
    public void A_snapshot_with_executed_quantity_is_reported_as_not_a_fill()
    {
        var report = new CaptureScript().Snapshot(0, new Order(E1, "manual-0", 0m), new Order(E2, "manual-1", 25m)).Audit();
        Assert.Multiple(() =>
        {
            Assert.That(Of(report, AnomalyKinds.SnapshotNotFill), Is.EqualTo(new[]
            {
                new AuditAnomaly(AnomalyKinds.SnapshotNotFill, 1, $"snapshot restates exchange order {E2} at cumulative 25; it is a baseline, not a fill"),
            }));
            Assert.That(report.ExternalOrders.Single(e => e.OrderId == E2).ObservedQuantity, Is.Zero);
        });
    }

    [Test]
    public void A_rest_error_body_is_an_anomaly_not_a_quarantined_line()
    {
        var report = new CaptureScript().NotFound().Audit();
        Assert.Multiple(() =>
        {
            Assert.That(report.Anomalies, Is.EqualTo(new[]
            {
                new AuditAnomaly(AnomalyKinds.RestError, 1, "order answered NOT_FOUND: order with this orderID was not found"),
            }));
            Assert.That(report.Quarantined, Is.Empty);
        });
    }

    [Test]
    public void A_refusal_is_tied_to_the_one_waiting_request_it_echoes_and_never_guessed_among_several()
    {
        var script = new CaptureScript()
            .Intent(A, Snap, 120m).Intent(B, "snap-b", 80m)
            .Request(A, 120m).Request(B, 80m)
            .Refused(80m);
        var clear = script.Audit();
        var twins = new CaptureScript()
            .Intent(A, Snap, 80m).Intent(B, "snap-b", 80m)
            .Request(A, 80m).Request(B, 80m)
            .Refused(80m)
            .Audit();
        Assert.Multiple(() =>
        {
            Assert.That(clear.Orders.Select(o => (o.ClientOrderId, o.Placement)), Is.EqualTo(new[] { (A, "staged"), (B, "rejected") }));
            Assert.That(twins.Orders.Select(o => o.Placement), Is.All.EqualTo("staged"));
            Assert.That(twins.Anomalies, Is.EqualTo(new[]
            {
                new AuditAnomaly(AnomalyKinds.UnmatchedResponse, 5, $"a create-order answer without a client order id could answer any of {A}, {B}; their outcome is left unknown"),
            }));
            Assert.That(twins.OrdersUnknown, Is.EqualTo(2));
        });
    }

    [Test]
    public void A_store_that_keeps_failing_is_an_anomaly_and_the_audit_goes_on()
    {
        using var store = new FailingStore(failOnLine: 2);
        var report = new CaptureScript().Intent(A, Snap, 120m).Intent(B, "snap-b", 80m).Intent("lk-cccccccccccccccccccccccccccccccc", "snap-c", 10m).Audit(store);
        Assert.Multiple(() =>
        {
            Assert.That(Of(report, AnomalyKinds.StoreFailed).Select(a => a.Line), Is.EqualTo(new int?[] { 2 }));
            Assert.That(Of(report, AnomalyKinds.StoreFailed).Single().Detail, Does.Contain("disk full"));
            Assert.That(report.Intents, Is.EqualTo(2));
        });
    }

    [Test]
    public void A_store_that_fails_a_read_while_a_line_is_mapped_costs_only_that_line()
    {
        using var store = new FailingStore(failOnLine: 0) { FailLookups = true };
        var report = new CaptureScript().GetOrder(E2, "manual-1", 5m).Intent(A, Snap, 120m).Audit(store);
        Assert.Multiple(() =>
        {
            Assert.That(report.Anomalies, Is.EqualTo(new[]
            {
                new AuditAnomaly(AnomalyKinds.StoreFailed, 1, "the store failed while the line was read: IOException: connection reset"),
            }));
            Assert.That(report.Intents, Is.EqualTo(1), "the next line is still read");
        });
    }

    [Test]
    public void Zero_linkage_over_ten_bot_fills_raises_an_alert_and_nine_do_not()
    {
        Assert.Multiple(() =>
        {
            Assert.That(SnapshotOnlyFills(10).Alerts, Is.EqualTo(new[]
            {
                new AuditAlert("zero_linkage_rate", null, "0% linkage: none of 10 bot fills is linked to a strategy decision"),
            }));
            Assert.That(SnapshotOnlyFills(9).Alerts, Is.Empty);
            Assert.That(SnapshotOnlyFills(9).LinkageRate, Is.Zero);
        });
    }

    /// <summary>
    /// Bot orders whose fills happened while the webhook was disconnected and that the capture shows only in a snapshot
    /// (no reconciliation followed): the seed's scenario 4, where nothing links.
    /// </summary>
    private static AuditReport SnapshotOnlyFills(int orders)
    {
        var script = new CaptureScript();
        var open = new List<Order>();
        for (var i = 0; i < orders; i++)
        {
            var coid = "lk-" + i.ToString("x32", System.Globalization.CultureInfo.InvariantCulture);
            var orderId = $"order-{i}";
            script.Placed(coid, orderId, $"snap-{i}", 10m);
            open.Add(new Order(orderId, coid, 4m, Size: 10m));
        }
        return script.Snapshot(0, [.. open]).Audit();
    }
}
