using System.Text.Json;
using Linkage.Sim.Reports;

namespace Linkage.Sim.Audit;

/// <summary>
/// Writes the report as JSON, in the shape of <c>docs/capture.md</c> (its fields first, in its order, then
/// the audit's additions): quantities as decimal strings, lines 1-based, absent values as <c>null</c>. The text is a
/// pure function of the report: fixed property order, lists already sorted, no timings, <c>\n</c> line ends.
/// </summary>
public static class AuditJson
{
    public static string Write(AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(report);
        return JsonText.Document(w =>
        {
            w.WriteNumber("intents", report.Intents);
            w.WriteNumber("ordersPlaced", report.OrdersPlaced);
            w.WriteNumber("ordersRejected", report.OrdersRejected);
            w.WriteNumber("ordersUnknown", report.OrdersUnknown);
            w.WriteStartArray("orders");
            foreach (var order in report.Orders)
            {
                Order(w, order);
            }
            w.WriteEndArray();
            w.WriteStartArray("externalOrders");
            foreach (var external in report.ExternalOrders)
            {
                External(w, external);
            }
            w.WriteEndArray();
            if (report.LinkageRate is { } rate)
            {
                w.WriteNumber("linkageRate", rate);
            }
            else
            {
                w.WriteNull("linkageRate");
            }
            w.WriteStartObject("placementToFirstFillMs");
            w.WriteNumber("p50", report.PlacementToFirstFillMs.P50);
            w.WriteNumber("p90", report.PlacementToFirstFillMs.P90);
            w.WriteNumber("max", report.PlacementToFirstFillMs.Max);
            w.WriteNumber("count", report.PlacementToFirstFillMs.Count);
            w.WriteEndObject();
            w.WriteStartArray("anomalies");
            foreach (var anomaly in report.Anomalies)
            {
                Entry(w, anomaly.Kind, anomaly.Line, anomaly.Detail);
            }
            w.WriteEndArray();
            w.WriteStartArray("quarantined");
            foreach (var line in report.Quarantined)
            {
                w.WriteStartObject();
                w.WriteNumber("line", line.Line);
                w.WriteString("reason", line.Reason);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("alerts");
            foreach (var alert in report.Alerts)
            {
                Entry(w, alert.Kind, alert.Line, alert.Detail);
            }
            w.WriteEndArray();
            Fills(w, report.Fills);
            w.WriteNumber("duplicatesIgnored", report.DuplicatesIgnored);
            w.WriteNumber("parkedFills", report.ParkedFills);
            w.WriteNumber("lines", report.Lines);
            w.WriteStartArray("exits");
            foreach (var exit in report.Exits)
            {
                Exit(w, exit);
            }
            w.WriteEndArray();
        });
    }

    private static void Order(Utf8JsonWriter w, AuditedOrder order)
    {
        w.WriteStartObject();
        w.WriteString("clientOrderId", order.ClientOrderId);
        w.WriteString("orderId", order.OrderId);
        w.WriteString("productId", order.ProductId);
        w.WriteString("side", order.Side);
        w.WriteString("snapshotId", order.SnapshotId);
        w.WriteString("filledQuantity", AuditText.Quantity(order.FilledQuantity));
        w.WriteString("linkedQuantity", AuditText.Quantity(order.LinkedQuantity));
        w.WriteNumber("trades", order.Trades);
        w.WriteString("provenance", order.Provenance);
        w.WriteNumber("linkedTrades", order.LinkedTrades);
        w.WriteString("kind", order.Kind);
        w.WriteString("placement", order.Placement);
        w.WriteString("status", order.Status);
        w.WriteString("unlinked", order.Unlinked);
        w.WriteEndObject();
    }

    private static void External(Utf8JsonWriter w, AuditedExternalOrder external)
    {
        w.WriteStartObject();
        w.WriteString("orderId", external.OrderId);
        w.WriteString("clientOrderId", external.ClientOrderId);
        w.WriteString("productId", external.ProductId);
        w.WriteString("observedQuantity", AuditText.Quantity(external.ObservedQuantity));
        w.WriteString("exchangeCumulative", AuditText.Quantity(external.ExchangeCumulative));
        w.WriteNumber("trades", external.Trades);
        w.WriteEndObject();
    }

    private static void Exit(Utf8JsonWriter w, AuditedExit exit)
    {
        w.WriteStartObject();
        w.WriteString("exitClientOrderId", exit.ExitClientOrderId);
        w.WriteNumber("sequence", exit.Sequence);
        w.WriteString("entryClientOrderId", exit.EntryClientOrderId);
        w.WriteString("entrySnapshotId", exit.EntrySnapshotId);
        w.WriteString("productId", exit.ProductId);
        w.WriteString("quantity", AuditText.Quantity(exit.Quantity));
        w.WriteString("entryPrice", AuditText.Quantity(exit.EntryPrice));
        w.WriteString("exitPrice", AuditText.Quantity(exit.ExitPrice));
        w.WriteString("realizedPnl", AuditText.Quantity(exit.RealizedPnl));
        w.WriteString("exitTrigger", exit.ExitTrigger);
        w.WriteEndObject();
    }

    private static void Fills(Utf8JsonWriter w, FillCounts fills)
    {
        w.WriteStartObject("fills");
        w.WriteNumber("bot", fills.Bot);
        w.WriteNumber("linked", fills.Linked);
        w.WriteNumber("linkedByClientOrderId", fills.LinkedByClientOrderId);
        w.WriteNumber("linkedByOrderId", fills.LinkedByOrderId);
        w.WriteNumber("linkedByReconciliation", fills.LinkedByReconciliation);
        w.WriteNumber("external", fills.External);
        w.WriteNumber("unresolved", fills.Unresolved);
        w.WriteEndObject();
    }

    private static void Entry(Utf8JsonWriter w, string kind, int? line, string detail)
    {
        w.WriteStartObject();
        w.WriteString("kind", kind);
        if (line is { } l)
        {
            w.WriteNumber("line", l);
        }
        else
        {
            w.WriteNull("line");
        }
        w.WriteString("detail", detail);
        w.WriteEndObject();
    }
}
