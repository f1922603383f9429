using System.Text.RegularExpressions;
using Linkage.Host;
using Linkage.Engine;
using Linkage.Properties.Scenarios;
using Linkage.Sim.Audit;

namespace Linkage.Properties.Audit;

/// <summary>The metrics export: the engine's instruments heard during the audit plus the audit's results, as Prometheus text.</summary>
public sealed partial class PrometheusTextTests
{
    private static (string Text, AuditReport Report) Export()
    {
        using var store = new MemoryStore();
        using var metrics = new LinkageMetrics();
        using var recorder = new MetricsRecorder(metrics);
        var report = CaptureAudit.Run(Path.Combine(RepoPaths.Root, "samples", "avnt-day.jsonl"), store, metrics);
        return (PrometheusText.Write(recorder.Snapshot(), report), report);
    }

    private static string[] Lines(string text) => text.Split('\n', StringSplitOptions.RemoveEmptyEntries);

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>[a-z_]+="[^"\\]*"(,[a-z_]+="[^"\\]*")*)\})? (?<value>-?[0-9.]+|NaN)$""")]
    private static partial Regex SampleLine();

    [Test]
    public void Every_family_has_help_and_type_and_every_sample_belongs_to_the_family_above_it()
    {
        var (text, _) = Export();
        string? family = null;
        var families = new List<string>();
        foreach (var line in Lines(text))
        {
            if (line.StartsWith("# HELP ", StringComparison.Ordinal))
            {
                family = line.Split(' ')[2];
                families.Add(family);
                continue;
            }
            if (line.StartsWith("# TYPE ", StringComparison.Ordinal))
            {
                Assert.That(line, Does.Match($"^# TYPE {family} (counter|gauge|summary)$"));
                continue;
            }
            var sample = SampleLine().Match(line);
            Assert.That(sample.Success, Is.True, line);
            Assert.That(sample.Groups["name"].Value, Does.StartWith(family!), line);
        }
        Assert.Multiple(() =>
        {
            Assert.That(families, Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(families, Is.Unique);
            Assert.That(text, Does.EndWith("\n"));
        });
    }

    [Test]
    public void The_engine_instruments_heard_during_the_audit_match_the_report()
    {
        var (text, report) = Export();
        var lines = Lines(text);
        Assert.Multiple(() =>
        {
            Assert.That(lines, Does.Contain("linkage_links_total{provenance=\"client_order_id\"} 5"));
            Assert.That(lines, Does.Contain("linkage_links_total{provenance=\"reconciliation\"} 2"));
            Assert.That(lines, Does.Contain("linkage_linked_quantity_total{provenance=\"client_order_id\"} 270"));
            Assert.That(lines, Does.Contain($"linkage_intents_staged_total {report.Intents}"));
            Assert.That(lines, Does.Contain("linkage_fills_parked 0"), "an up-down counter is a gauge, without _total");
            Assert.That(lines, Does.Contain("# TYPE linkage_fills_parked gauge"));
            Assert.That(lines, Does.Contain("linkage_duplicates_ignored_total{kind=\"stale_cumulative\"} 2"));
            Assert.That(lines, Does.Contain("linkage_exit_allocations_total 1"));
        });
    }

    [Test]
    public void The_audit_results_are_exported_as_gauges_and_a_summary()
    {
        var (text, report) = Export();
        var lines = Lines(text);
        Assert.Multiple(() =>
        {
            Assert.That(lines, Does.Contain("linkage_audit_linkage_rate 1"));
            Assert.That(lines, Does.Contain($"linkage_audit_bot_fills {report.Fills.Bot}"));
            Assert.That(lines, Does.Contain("linkage_audit_fills_linked{provenance=\"client_order_id\"} 5"));
            Assert.That(lines, Does.Contain("linkage_audit_fills_linked{provenance=\"order_id\"} 0"));
            Assert.That(lines, Does.Contain("linkage_audit_fills_linked{provenance=\"reconciliation\"} 2"));
            Assert.That(lines, Does.Contain("linkage_audit_orders{outcome=\"rejected\"} 1"));
            Assert.That(lines, Does.Contain("linkage_audit_parked_fills 0"));
            Assert.That(lines, Does.Contain("linkage_audit_anomalies{kind=\"sequence_gap\"} 1"));
            Assert.That(lines, Does.Contain("linkage_audit_anomalies{kind=\"linked_above_filled\"} 0"), "every kind is present, so a dashboard can plot zero");
            Assert.That(lines, Does.Contain("linkage_audit_quarantined_lines 2"));
            Assert.That(lines, Does.Contain("# TYPE linkage_audit_placement_to_first_fill_ms summary"));
            Assert.That(lines, Does.Contain("linkage_audit_placement_to_first_fill_ms{quantile=\"0.5\"} 10082"));
            Assert.That(lines, Does.Contain("linkage_audit_placement_to_first_fill_ms_count 3"));
        });
    }

    [Test]
    public void Without_bot_fills_the_rate_and_quantiles_are_nan()
    {
        using var store = new MemoryStore();
        using var metrics = new LinkageMetrics();
        using var recorder = new MetricsRecorder(metrics);
        var report = new CaptureScript().Subscriptions(0).Audit(store);
        var lines = Lines(PrometheusText.Write(recorder.Snapshot(), report));
        Assert.Multiple(() =>
        {
            Assert.That(lines, Does.Contain("linkage_audit_linkage_rate NaN"));
            Assert.That(lines, Does.Contain("linkage_audit_placement_to_first_fill_ms{quantile=\"0.9\"} NaN"));
        });
    }

    [Test]
    public void A_recorder_hears_only_its_own_metrics_instance()
    {
        using var mine = new LinkageMetrics();
        using var other = new LinkageMetrics();
        using var recorder = new MetricsRecorder(mine);
        var capture = new CaptureScript().Intent(AnomalyTests.A, AnomalyTests.Snap, 1m).Text;
        foreach (var metrics in new[] { other, mine, other })
        {
            using var store = new MemoryStore();
            CaptureAudit.Run(Linkage.Coinbase.Capture.CaptureReader.Read(new StringReader(capture)), store, metrics);
        }
        Assert.That(recorder.Snapshot().Single(i => i.Name == "linkage.intents.staged").Values.Single().Value, Is.EqualTo(1m));
    }
}
