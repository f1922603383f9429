using System.Collections.Immutable;
using System.Globalization;
using System.Text;
using Linkage.Engine;

namespace Linkage.Sim.Audit;

/// <summary>
/// Writes metrics in the Prometheus text exposition format (version 0.0.4): the engine's instruments as collected
/// during the audit (<c>linkage.links</c> becomes the counter <c>linkage_links_total</c>, an up-down counter a gauge,
/// PascalCase tag values snake_case), then the audit's own results as <c>linkage_audit_*</c> gauges and one summary.
/// Families sorted by name, samples by labels, every family with <c># HELP</c> and <c># TYPE</c>; <c>\n</c> line ends.
/// Every metric and its meaning is listed in <c>docs/audit.md</c>.
/// </summary>
public static class PrometheusText
{
    public static string Write(IEnumerable<InstrumentValues> instruments, AuditReport report)
    {
        ArgumentNullException.ThrowIfNull(instruments);
        ArgumentNullException.ThrowIfNull(report);
        var families = instruments.Select(Engine).Concat(Audit(report)).OrderBy(f => f.Name, StringComparer.Ordinal);
        var text = new StringBuilder();
        foreach (var family in families)
        {
            text.Append("# HELP ").Append(family.Name).Append(' ').Append(EscapeHelp(family.Help)).Append('\n');
            text.Append("# TYPE ").Append(family.Name).Append(' ').Append(family.Type).Append('\n');
            foreach (var sample in family.Samples.OrderBy(s => s.Suffix, StringComparer.Ordinal).ThenBy(s => Labels(s.Labels), StringComparer.Ordinal))
            {
                text.Append(family.Name).Append(sample.Suffix).Append(Labels(sample.Labels)).Append(' ').Append(sample.Value).Append('\n');
            }
        }
        return text.ToString();
    }

    private static Family Engine(InstrumentValues instrument)
    {
        var name = Name(instrument.Name) + (instrument.IsGauge ? "" : "_total");
        var samples = instrument.Values.IsEmpty
            ? [new Sample([], "0")]
            : instrument.Values.Select(v => new Sample([.. v.Tags.Select(t => (t.Key, TagValue(t.Key, t.Value)))], AuditText.Quantity(v.Value))).ToImmutableArray();
        return new Family(name, instrument.IsGauge ? "gauge" : "counter", instrument.Description, samples);
    }

    private static IEnumerable<Family> Audit(AuditReport report)
    {
        var fills = report.Fills;
        var latency = report.PlacementToFirstFillMs;
        yield return Gauge("linkage_audit_intents", "Distinct intents staged in the capture.", Count(report.Intents));
        yield return Gauge("linkage_audit_orders", "Bot orders by create-order outcome: placed, rejected, unknown.",
            Labelled("outcome", "placed", report.OrdersPlaced), Labelled("outcome", "rejected", report.OrdersRejected), Labelled("outcome", "unknown", report.OrdersUnknown));
        yield return Gauge("linkage_audit_bot_fills", "Fills of bot orders (and of orders nobody identified) seen in the capture.", Count(fills.Bot));
        yield return Gauge("linkage_audit_fills_linked", "Bot fills linked to their intent, by the provenance of the link.",
            Labelled("provenance", "client_order_id", fills.LinkedByClientOrderId), Labelled("provenance", "order_id", fills.LinkedByOrderId),
            Labelled("provenance", "reconciliation", fills.LinkedByReconciliation));
        yield return Gauge("linkage_audit_fills_unresolved", "Bot fills not linked, and fills of orders never identified.", Count(fills.Unresolved));
        yield return Gauge("linkage_audit_fills_external", "Fills of external orders (never linked, never failures).", Count(fills.External));
        yield return Gauge("linkage_audit_linkage_rate", "Linked bot fills over bot fills (NaN without bot fills).",
            new Sample([], report.LinkageRate is { } rate ? AuditText.Quantity(rate) : "NaN"));
        yield return Gauge("linkage_audit_orders_by_provenance", "Bot orders by the provenance of their first link.",
            [.. ProvenanceNames.Select(p => Labelled("provenance", p, report.Orders.Count(o => o.Provenance == p)))]);
        yield return Gauge("linkage_audit_parked_fills", "Messages still parked at the end of the capture, waiting for their order's identity.", Count(report.ParkedFills));
        yield return Gauge("linkage_audit_external_orders", "Orders classified external.", Count(report.ExternalOrders.Length));
        yield return Gauge("linkage_audit_duplicates_ignored", "Inputs the engine recognised as duplicates or stale.", Count(report.DuplicatesIgnored));
        yield return Gauge("linkage_audit_quarantined_lines", "Capture lines refused, with a reason.", Count(report.Quarantined.Length));
        yield return Gauge("linkage_audit_anomalies", "Anomalies by kind.",
            [.. AnomalyKinds.All.Select(k => Labelled("kind", k, report.Anomalies.Count(a => a.Kind == k)))]);
        yield return Gauge("linkage_audit_alerts", "Alerts by kind (engine alerts and the audit's zero linkage rate).",
            [.. report.Alerts.GroupBy(a => a.Kind).Select(g => Labelled("kind", g.Key, g.Count()))]);
        yield return new Family("linkage_audit_placement_to_first_fill_ms", "summary",
            "Milliseconds from an order's first create-order request to its first fill, by capture time; quantile 1 is the max.",
            [
                new Sample([("quantile", "0.5")], Quantile(latency, latency.P50)),
                new Sample([("quantile", "0.9")], Quantile(latency, latency.P90)),
                new Sample([("quantile", "1")], Quantile(latency, latency.Max)),
                new Sample([], N(latency.Sum)) { Suffix = "_sum" },
                new Sample([], N(latency.Count)) { Suffix = "_count" },
            ]);
    }

    private static readonly ImmutableArray<string> ProvenanceNames =
        [.. Enum.GetValues<LinkProvenance>().Select(ReportBuilder.Provenance).Order(StringComparer.Ordinal)];

    private static Family Gauge(string name, string help, params ImmutableArray<Sample> samples) => new(name, "gauge", help, samples);

    private static Sample Count(int value) => new([], N(value));

    private static Sample Labelled(string label, string value, int count) => new([(label, value)], N(count));

    private static string Quantile(LatencySummary latency, long value) => latency.Count == 0 ? "NaN" : N(value);

    private static string N(long value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>A metric name from an instrument name: characters outside <c>[a-zA-Z0-9_:]</c> become <c>_</c>.</summary>
    private static string Name(string instrument) =>
        string.Concat(instrument.Select(c => char.IsAsciiLetterOrDigit(c) || c is '_' or ':' ? c : '_'));

    /// <summary>
    /// Tag values read as the report spells them: a provenance as in the report (<c>ExchangeOrderId</c> is
    /// <c>order_id</c>), other enum-like values snake_case (<c>StaleCumulative</c> is <c>stale_cumulative</c>); others stay.
    /// </summary>
    private static string TagValue(string key, string value)
    {
        if (key == "provenance" && Enum.TryParse<LinkProvenance>(value, ignoreCase: false, out var provenance))
        {
            return ReportBuilder.Provenance(provenance);
        }
        return value.Length > 0 && char.IsAsciiLetterUpper(value[0]) && value.All(char.IsAsciiLetterOrDigit) ? AuditText.Snake(value) : value;
    }

    private static string Labels(ImmutableArray<(string Key, string Value)> labels) =>
        labels.IsEmpty ? "" : "{" + string.Join(",", labels.OrderBy(l => l.Key, StringComparer.Ordinal).Select(l => $"{l.Key}=\"{EscapeLabel(l.Value)}\"")) + "}";

    private static string EscapeLabel(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private static string EscapeHelp(string value) => value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal);

    private sealed record Family(string Name, string Type, string Help, ImmutableArray<Sample> Samples);

    private sealed record Sample(ImmutableArray<(string Key, string Value)> Labels, string Value)
    {
        public string Suffix { get; init; } = "";
    }
}
