using Linkage.Engine;
using Linkage.Properties.Scenarios;
using Linkage.Sim.Audit;

namespace Linkage.Properties.Audit;

/// <summary>
/// The shipped sample <c>samples/avnt-day.jsonl</c>: a fill before the create-order response (line 7), a duplicated
/// update (11), a manual order on the same product (snapshot line 2, updates 12 and 27), a sequence gap (17), REST fills
/// pages (18, 19, 25), a reconnect snapshot (22-23), a refused order (28-30), an exit whose response timed out (31-36),
/// and two broken lines (9: cut short, 21: unknown kind).
/// </summary>
public sealed class SampleCaptureTests
{
    private const string Manual = "0c9b8a7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d";

    private static readonly Lazy<AuditReport> Report = new(() =>
    {
        using var store = new MemoryStore();
        return CaptureAudit.Run(Path.Combine(RepoPaths.Root, "samples", "avnt-day.jsonl"), store);
    });

    [Test]
    public void Every_bot_order_that_executed_is_linked_in_full()
    {
        var executed = Report.Value.Orders.Where(o => o.Placement == "accepted").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(executed, Has.Count.EqualTo(3));
            Assert.That(executed.Select(o => o.FilledQuantity), Is.EqualTo(new[] { 120m, 120m, 80m }), "exit, o1, o2 by client order id");
            Assert.That(executed.Select(o => o.LinkedQuantity), Is.EqualTo(executed.Select(o => o.FilledQuantity)));
            Assert.That(executed.Select(o => o.LinkedTrades), Is.EqualTo(executed.Select(o => o.Trades)));
            Assert.That(Report.Value.LinkageRate, Is.EqualTo(1m));
            Assert.That(Report.Value.Fills.Unresolved, Is.Zero);
        });
    }

    [Test]
    public void The_fill_before_the_create_order_response_links_by_client_order_id()
    {
        var o1 = Report.Value.Orders.Single(o => o.SnapshotId == "b042c0bb-6184-4d40-aa65-2f7c8d83a243");
        Assert.Multiple(() =>
        {
            Assert.That(o1.Provenance, Is.EqualTo("client_order_id"));
            Assert.That(o1.OrderId, Is.EqualTo("7c1d9e52-3a4b-4f6c-8d2e-1b0a9f8e7d6c"));
            Assert.That(Report.Value.PlacementToFirstFillMs.Count, Is.EqualTo(3));
            Assert.That(Report.Value.PlacementToFirstFillMs.P50, Is.EqualTo(10_082), "the exit: request 21:31:05.008, fill 21:31:15.090");
            Assert.That(Report.Value.PlacementToFirstFillMs.Max, Is.EqualTo(11_010), "o2: request 21:04:20.010, fill 21:04:31.020");
        });
    }

    [Test]
    public void The_manual_order_stays_external_and_only_its_fills_after_the_capture_began_count()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Report.Value.Orders.Select(o => o.OrderId), Has.No.Member(Manual));
            Assert.That(Report.Value.ExternalOrders, Is.EqualTo(new[]
            {
                new AuditedExternalOrder(Manual, "3f1c9a52-6b1e-4d0a-9c77-2e5d8b41a0f3", "AVNT-USD", 40m, 50m, 2),
            }));
            Assert.That(Report.Value.Fills.External, Is.EqualTo(2));
        });
    }

    [Test]
    public void No_snapshot_is_counted_as_a_fill()
    {
        var o2 = Report.Value.Orders.Single(o => o.SnapshotId == "6d7e8f90-1a2b-4c3d-9e8f-0a1b2c3d4e5f");
        var snapshots = Report.Value.Anomalies.Where(a => a.Kind == AnomalyKinds.SnapshotNotFill).Select(a => a.Line);
        Assert.Multiple(() =>
        {
            // The reconnect snapshot restates o2 at 70 and the manual order at 30: a reader that took them as fills
            // would link 150 to o2 and observe 40 + 30 + 10 of the manual order.
            Assert.That(o2.LinkedQuantity, Is.EqualTo(80m));
            Assert.That(o2.Trades, Is.EqualTo(3), "REST rows 50 and 20, then the last update's 10");
            Assert.That(snapshots, Is.EqualTo(new int?[] { 2, 23, 23 }));
            Assert.That(Report.Value.Anomalies.Where(a => a.Kind is AnomalyKinds.LinkedAboveFilled or AnomalyKinds.UnlinkedQuantity), Is.Empty);
        });
    }

    [Test]
    public void The_gap_the_duplicate_and_the_reconnect_are_reported_with_their_lines()
    {
        Assert.That(Report.Value.Anomalies.Where(a => a.Kind.StartsWith("sequence_", StringComparison.Ordinal)), Is.EqualTo(new[]
        {
            new AuditAnomaly(AnomalyKinds.SequenceDuplicate, 11, "sequence 5 again"),
            new AuditAnomaly(AnomalyKinds.SequenceGap, 17, "expected 8, got 9"),
            new AuditAnomaly(AnomalyKinds.SequenceReset, 22, "counter restarted at 0 after 9"),
        }));
    }

    [Test]
    public void Both_broken_lines_are_quarantined_and_the_rest_is_read()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Report.Value.Quarantined.Select(q => q.Line), Is.EqualTo(new[] { 9, 21 }));
            Assert.That(Report.Value.Quarantined[0].Reason, Does.StartWith("not valid JSON"));
            Assert.That(Report.Value.Quarantined[1].Reason, Is.EqualTo("unknown kind 'webhook_log'"));
            Assert.That(Report.Value.Anomalies.Where(a => a.Kind == AnomalyKinds.Quarantined).Select(a => a.Line), Is.EqualTo(new int?[] { 9, 21 }));
            Assert.That(Report.Value.Lines, Is.EqualTo(36));
        });
    }

    [Test]
    public void The_refused_order_and_the_timed_out_exit_are_counted_by_outcome()
    {
        var refused = Report.Value.Orders.Single(o => o.Placement == "rejected");
        var exit = Report.Value.Orders.Single(o => o.Kind == "exit");
        Assert.Multiple(() =>
        {
            Assert.That((Report.Value.Intents, Report.Value.OrdersPlaced, Report.Value.OrdersRejected, Report.Value.OrdersUnknown), Is.EqualTo((4, 3, 1, 0)));
            Assert.That(refused.ClientOrderId, Is.EqualTo("lk-0d1e2f3a4b5c6d7e8f90a1b2c3d4e5f6"), "the failure response is tied to its request");
            Assert.That(exit.SnapshotId, Is.Null);
            Assert.That(exit.LinkedQuantity, Is.EqualTo(120m));
            Assert.That(Report.Value.Alerts, Is.Empty);
        });
    }
}
