using System.Text.Json.Nodes;
using Linkage.Sim.Audit;
using static Linkage.Properties.Audit.AnomalyTests;
using static Linkage.Properties.Audit.CaptureScript;

namespace Linkage.Properties.Audit;

/// <summary>
/// A bot fill Linkage could not link counts as unlinked in every rate, whatever the reason, and the report says why per
/// order (issue 14, item 2). Before: a quarantined message about a bot order dropped out of the denominator, so the audit
/// of fuzz seed 7's capture said "linkage rate 100%" while the replay's oracle counted one trade of three missing.
/// </summary>
public sealed class UnlinkedFillTests
{
    /// <summary>An order placed for 120 whose first 40 arrive in a valid update and whose next update is quarantined (its value is beyond any limit).</summary>
    private static AuditReport QuarantinedSecondFill()
    {
        var bad = new Order(E1, A, 90m).ToJson();
        bad["filled_value"] = "99999999999999999";
        var script = new CaptureScript().Placed(A, E1, Snap, 120m).Update(0, new Order(E1, A, 40m));
        script.Record("ws", new JsonObject
        {
            ["channel"] = "user", ["client_id"] = "", ["timestamp"] = "2025-12-29T21:00:01.000Z", ["sequence_num"] = 1,
            ["events"] = new JsonArray { new JsonObject { ["type"] = "update", ["orders"] = new JsonArray { bad } } },
        });
        return script.Audit();
    }

    [Test]
    public void A_bot_fill_in_a_quarantined_message_counts_as_unlinked_in_the_rate()
    {
        var report = QuarantinedSecondFill();
        Assert.Multiple(() =>
        {
            Assert.That(report.Quarantined, Is.Not.Empty, "the second update is refused");
            Assert.That(report.Fills.Bot, Is.EqualTo(2));
            Assert.That(report.Fills.Linked, Is.EqualTo(1));
            Assert.That(report.Fills.Unresolved, Is.EqualTo(1));
            Assert.That(report.LinkageRate, Is.EqualTo(0.5m));
            Assert.That(report.Anomalies.Select(a => a.Kind), Does.Contain(AnomalyKinds.UnlinkedQuantity));
        });
    }

    [Test]
    public void The_report_says_why_per_order()
    {
        var order = QuarantinedSecondFill().Orders.Single();
        Assert.Multiple(() =>
        {
            Assert.That(order.FilledQuantity, Is.EqualTo(90m));
            Assert.That(order.Unlinked, Does.StartWith("executed 90, linked 40; 1 message(s) about it quarantined (line 5): "));
            Assert.That(AuditJson.Write(QuarantinedSecondFill()), Does.Contain("\"unlinked\": \"executed 90, linked 40;"));
        });
    }

    [Test]
    public void A_fully_linked_order_has_no_reason() =>
        Assert.That(new CaptureScript().Placed(A, E1, Snap, 120m).Update(0, new Order(E1, A, 40m)).Audit().Orders.Single().Unlinked, Is.Null);
}
