using System.Globalization;

namespace Linkage.Sim.Audit;

/// <summary>The report for people: a summary, then one table per list, columns padded to their widest cell.</summary>
public static class AuditTables
{
    public static void Write(AuditReport report, TextWriter output)
    {
        ArgumentNullException.ThrowIfNull(report);
        ArgumentNullException.ThrowIfNull(output);
        var fills = report.Fills;
        var latency = report.PlacementToFirstFillMs;
        output.WriteLine($"lines {N(report.Lines)}, intents {N(report.Intents)}: orders placed {N(report.OrdersPlaced)}, rejected {N(report.OrdersRejected)}, outcome unknown {N(report.OrdersUnknown)}");
        output.WriteLine($"bot fills {N(fills.Bot)}: linked {N(fills.Linked)} (by client order id {N(fills.LinkedByClientOrderId)}, by order id {N(fills.LinkedByOrderId)}, by reconciliation {N(fills.LinkedByReconciliation)}), unresolved {N(fills.Unresolved)}; external fills {N(fills.External)}");
        output.WriteLine($"linkage rate {(report.LinkageRate is { } rate ? (rate * 100m).ToString("0.##", CultureInfo.InvariantCulture) + "%" : "n/a (no bot fills)")}; duplicates ignored {N(report.DuplicatesIgnored)}");
        output.WriteLine(latency.Count == 0
            ? "placement to first fill: no order both placed and filled in the capture"
            : $"placement to first fill: p50 {N(latency.P50)} ms, p90 {N(latency.P90)} ms, max {N(latency.Max)} ms (orders placed and filled: {N(latency.Count)})");
        Table(output, "orders", ["client order id", "order id", "product", "side", "snapshot", "filled", "linked", "trades", "provenance"],
            report.Orders.Select(o => new[]
            {
                o.ClientOrderId, o.OrderId ?? "-", o.ProductId, o.Side, o.SnapshotId ?? $"({o.Kind})", AuditText.Quantity(o.FilledQuantity),
                AuditText.Quantity(o.LinkedQuantity), $"{N(o.LinkedTrades)}/{N(o.Trades)}", o.Provenance ?? "-",
            }));
        Table(output, "unlinked bot orders, and why", ["client order id", "why"],
            report.Orders.Where(o => o.Unlinked is not null).Select(o => new[] { o.ClientOrderId, o.Unlinked! }));
        Table(output, "external orders", ["order id", "client order id", "product", "observed", "exchange cumulative", "trades"],
            report.ExternalOrders.Select(e => new[]
            {
                e.OrderId, e.ClientOrderId ?? "-", e.ProductId ?? "-", AuditText.Quantity(e.ObservedQuantity), AuditText.Quantity(e.ExchangeCumulative), N(e.Trades),
            }));
        Table(output, "exits by entry", ["exit", "#", "closes entry", "snapshot", "product", "quantity", "entry price", "exit price", "realized pnl", "trigger"],
            report.Exits.Select(x => new[]
            {
                x.ExitClientOrderId, N(x.Sequence), x.EntryClientOrderId, x.EntrySnapshotId ?? "-", x.ProductId, AuditText.Quantity(x.Quantity),
                AuditText.Quantity(x.EntryPrice), AuditText.Quantity(x.ExitPrice), AuditText.Quantity(x.RealizedPnl), x.ExitTrigger ?? "-",
            }));
        Table(output, "anomalies", ["line", "kind", "detail"], report.Anomalies.Select(a => new[] { Line(a.Line), a.Kind, a.Detail }));
        Table(output, "quarantined", ["line", "reason"], report.Quarantined.Select(q => new[] { N(q.Line), q.Reason }));
        Table(output, "alerts", ["line", "kind", "detail"], report.Alerts.Select(a => new[] { Line(a.Line), a.Kind, a.Detail }));
    }

    private static void Table(TextWriter output, string title, string[] headers, IEnumerable<string[]> rows)
    {
        var body = rows.ToList();
        output.WriteLine();
        output.WriteLine($"{title} ({N(body.Count)})");
        if (body.Count == 0)
        {
            return;
        }
        var widths = headers.Select((h, i) => body.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        output.WriteLine(Row(headers, widths));
        output.WriteLine(Row([.. widths.Select(w => new string('-', w))], widths));
        foreach (var row in body)
        {
            output.WriteLine(Row(row, widths));
        }
    }

    /// <summary>Cells padded to their column's width; the last is not padded, so no line ends in spaces.</summary>
    private static string Row(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i == cells.Length - 1 ? c : c.PadRight(widths[i])));

    private static string Line(int? line) => line is { } l ? N(l) : "-";

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);
}
