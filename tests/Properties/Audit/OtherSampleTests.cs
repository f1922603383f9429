using Linkage.Engine;
using Linkage.Properties.Scenarios;
using Linkage.Sim.Audit;

namespace Linkage.Properties.Audit;

/// <summary>The two smaller shipped samples: the seed document's manual-only evening and the legacy feed's races.</summary>
public sealed class OtherSampleTests
{
    private static AuditReport Audit(string sample)
    {
        using var store = new MemoryStore();
        return CaptureAudit.Run(Path.Combine(RepoPaths.Root, "samples", sample), store);
    }

    [Test]
    public void Three_manual_trades_and_no_bot_order_is_no_linkage_rate_not_a_zero_one()
    {
        // The seed's evidence: "3 total, 0 linked (0%)" because all three trades were manual; the metadata sighook sent
        // was never placed.
        var report = Audit("manual-trades-only.jsonl");
        Assert.Multiple(() =>
        {
            Assert.That(report.ExternalOrders.Select(e => e.ObservedQuantity), Is.EqualTo(new[] { 40m, 25m, 60m }));
            Assert.That(report.Fills, Is.EqualTo(new FillCounts(0, 0, 0, 0, 0, 3, 0)));
            Assert.That(report.LinkageRate, Is.Null);
            Assert.That(report.Alerts, Is.Empty);
            Assert.That((report.Intents, report.OrdersPlaced, report.OrdersUnknown), Is.EqualTo((1, 0, 1)));
            Assert.That(report.Orders.Single().SnapshotId, Is.EqualTo("b042c0bb-6184-4d40-aa65-2f7c8d83a243"));
        });
    }

    [Test]
    public void A_legacy_match_before_its_received_links_by_order_id_and_a_manual_match_resolves_external()
    {
        var report = Audit("legacy-match-before-received.jsonl");
        var order = report.Orders.Single();
        Assert.Multiple(() =>
        {
            Assert.That((order.FilledQuantity, order.LinkedQuantity, order.Trades, order.LinkedTrades), Is.EqualTo((100m, 100m, 2, 2)));
            Assert.That(order.Provenance, Is.EqualTo("order_id"), "the match carried only the exchange order id; received bound it");
            Assert.That(report.ExternalOrders.Select(e => (e.OrderId, e.ClientOrderId, e.ObservedQuantity)),
                Is.EqualTo(new[] { ("0a1b2c3d-4e5f-4607-8819-2a3b4c5d6e7f", (string?)null, 15m) }));
            Assert.That((report.ParkedFills, report.Fills.Unresolved, report.LinkageRate), Is.EqualTo((0, 0, (decimal?)1m)));
            Assert.That(report.Anomalies, Is.Empty);
        });
    }
}
