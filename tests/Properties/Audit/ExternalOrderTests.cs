using Linkage.Engine;
using static Linkage.Properties.Audit.AnomalyTests;
using static Linkage.Properties.Audit.CaptureScript;

namespace Linkage.Properties.Audit;

/// <summary>What an external order's row says: fills seen after the capture began, each counted once whatever the source.</summary>
public sealed class ExternalOrderTests
{
    [Test]
    public void The_feed_and_rest_rows_reporting_the_same_external_fills_count_them_once()
    {
        using var store = new MemoryStore();
        var report = new CaptureScript()
            .Update(0, new Order(E2, "manual-1", 10m))
            .Fills(("r1", E2, 4m, 1.25m), ("r2", E2, 6m, 1.25m))
            .Audit(store);
        var external = report.ExternalOrders.Single();
        Assert.Multiple(() =>
        {
            Assert.That((external.ObservedQuantity, external.ExchangeCumulative, external.Trades), Is.EqualTo((10m, 10m, 2)));
            Assert.That(report.Fills.External, Is.EqualTo(2));
        });
    }

    [Test]
    public void An_external_order_first_seen_in_a_snapshot_counts_only_what_fills_after_it()
    {
        var report = new CaptureScript()
            .Snapshot(0, new Order(E2, "manual-1", 10m))
            .Update(1, new Order(E2, "manual-1", 25m))
            .Update(2, new Order(E2, "manual-1", 25m))
            .Update(3, new Order(E2, "manual-1", 40m, Status: "FILLED"))
            .Audit();
        Assert.That(report.ExternalOrders.Select(e => (e.ObservedQuantity, e.ExchangeCumulative, e.Trades)), Is.EqualTo(new[] { (30m, 40m, 2) }));
    }

    [Test]
    public void An_external_orders_first_update_is_itself_a_fill()
    {
        var report = new CaptureScript().Subscriptions(0).Update(1, new Order(E2, "manual-1", 15m)).Audit();
        Assert.That(report.ExternalOrders.Select(e => (e.ObservedQuantity, e.Trades)), Is.EqualTo(new[] { (15m, 1) }));
    }

    [Test]
    public void An_order_with_a_client_order_id_that_is_not_ours_is_never_in_the_orders_table()
    {
        var report = new CaptureScript().Placed(A, E1, Snap, 120m).Update(0, new Order(E1, A, 40m), new Order(E2, "manual-1", 40m)).Audit();
        Assert.Multiple(() =>
        {
            Assert.That(report.Orders.Select(o => o.OrderId), Is.EqualTo(new[] { E1 }));
            Assert.That(report.ExternalOrders.Select(e => e.OrderId), Is.EqualTo(new[] { E2 }));
            Assert.That((report.Fills.Bot, report.Fills.Linked, report.Fills.External), Is.EqualTo((1, 1, 1)));
        });
    }
}
