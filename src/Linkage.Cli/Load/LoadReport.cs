using System.Globalization;
using System.Reflection;
using System.Text;
using System.Text.Json;

namespace Linkage.Cli.Load;

/// <summary>The machine a load run measured on: cores, load average before and after, build configuration.</summary>
internal sealed record LoadMachine(int Cores, string LoadBefore, string LoadAfter, string Build)
{
    /// <summary>The first three fields of /proc/loadavg (1, 5 and 15 minutes), or "unknown".</summary>
    public static string LoadAverage()
    {
        try
        {
            return string.Join(' ', File.ReadAllText("/proc/loadavg").Split(' ').Take(3));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "unknown";
        }
    }

    /// <summary>Debug or Release: the build this command (and so its children) runs.</summary>
    public static string Configuration() =>
        typeof(LoadMachine).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "unknown";
}

/// <summary>What <c>linkage load</c> prints (a table on stdout) and writes (<c>--json FILE</c>).</summary>
internal sealed record LoadReport(LoadSettings Settings, LoadMachine Machine, IntakeResult? Intake, FillResult? Fills)
{
    /// <summary>The issue's goals on this machine: intents per second on SQLite, fill-to-link p99 per store.</summary>
    public const double IntakeGoalPerSecond = 2000;
    public const double SqliteP99GoalMs = 5;
    public const double PostgresP99GoalMs = 10;
    public const int GoalFillRate = 1000;

    private static string N(double value, string format = "N0") => value.ToString(format, CultureInfo.InvariantCulture);

    private static string Ms(double ms) => double.IsPositiveInfinity(ms) ? "over 5 s" : ms < 10 ? N(ms, "N2") : ms < 100 ? N(ms, "N1") : N(ms, "N0");

    private string Where => Settings.RunningPair ? $"the running daemon at {Settings.Intake}" : $"{Settings.Store}, own exchange and daemon";

    public string Table()
    {
        var rows = new List<(string Phase, string Measure, string Value, string Goal)>();
        if (Intake is { } i)
        {
            rows.Add(("intake", "workers, time", $"{i.Concurrency} concurrent, {N(i.Seconds, "0.#")} s (after {N(Settings.Warmup.TotalSeconds, "0.#")} s warm-up)", ""));
            rows.Add(("intake", "intents staged", $"{N(i.Staged)} ({N(i.PerSecond)}/s)",
                Settings.Store == "sqlite" && !Settings.RunningPair ? Goal($">= {N(IntakeGoalPerSecond)}/s on SQLite", i.PerSecond >= IntakeGoalPerSecond) : ""));
            rows.Add(("intake", "latency p50 / p99 / max", $"{Ms(i.P50Ms)} / {Ms(i.P99Ms)} / {Ms(i.MaxMs)} ms", ""));
            rows.Add(("intake", "refused / no answer", $"{N(i.Refused)} / {N(i.Failed)}", ""));
        }
        if (Fills is { } f)
        {
            rows.Add(("fills", "target", $"{N(f.TargetRate)} fills/s for {N(f.Seconds, "0.#")} s, {f.Partials} trade{(f.Partials == 1 ? "" : "s")} per market order", ""));
            rows.Add(("fills", "orders accepted / failed", $"{N(f.OrdersAccepted)} / {N(f.OrdersFailed)} (intents staged first in {N(f.StagingSeconds, "0.0")} s)", ""));
            rows.Add(("fills", "achieved fill rate", $"{N(f.AchievedFillRate)} fills/s over {N(f.PlacingSeconds, "0.0")} s", ""));
            rows.Add(("fills", "links committed", $"{N(f.Links)} of {N(f.ExpectedLinks)}{(f.Parked > 0 ? $", {N(f.Parked)} fills parked" : "")}{(f.Reconnects > 0 ? $", {N(f.Reconnects)} feed reconnects" : "")}", ""));
            // The goals are set at 1,000 fills per second; at another rate the row says nothing about them.
            var goal = Settings.RunningPair || f.TargetRate != GoalFillRate ? "" : Settings.Store == "sqlite"
                ? Goal($"p99 <= {N(SqliteP99GoalMs)} ms on SQLite", f.P99Ms <= SqliteP99GoalMs)
                : Goal($"p99 <= {N(PostgresP99GoalMs)} ms on PostgreSQL", f.P99Ms <= PostgresP99GoalMs);
            rows.Add(("fills", "fill-to-link p50 / p99 / max", $"<= {Ms(f.P50Ms)} / <= {Ms(f.P99Ms)} / <= {Ms(f.MaxMs)} ms ({N(f.Samples)} samples; histogram bucket bounds)",
                f.AchievedFillRate < f.TargetRate * 0.95 ? goal + " (rate not reached)" : goal));
            rows.Add(("fills", "daemon's HdrHistogram", $"{Ms(f.DaemonP50Ms)} / {Ms(f.DaemonP99Ms)} / {Ms(f.DaemonMaxMs)} ms ({N(f.DaemonSamples)} samples since it started{(Settings.RunningPair ? "" : $", {N(f.WarmupFills)} warm-up fills included")})", ""));
        }
        var text = new StringBuilder();
        text.AppendLine($"linkage load: {Where}; {Machine.Cores} cores, load average {Machine.LoadBefore} before, {Machine.LoadAfter} after; {Machine.Build} build");
        var widths = (Phase: rows.Max(r => r.Phase.Length), Measure: rows.Max(r => r.Measure.Length), Value: rows.Max(r => r.Value.Length));
        text.AppendLine($"{"phase".PadRight(widths.Phase)}  {"measure".PadRight(widths.Measure)}  {"value".PadRight(widths.Value)}  goal");
        foreach (var (phase, measure, value, goal) in rows)
        {
            text.AppendLine($"{phase.PadRight(widths.Phase)}  {measure.PadRight(widths.Measure)}  {value.PadRight(widths.Value)}  {goal}".TrimEnd());
        }
        return text.ToString();
    }

    private static string Goal(string goal, bool met) => $"{goal}: {(met ? "met" : "missed")}";

    public string Json()
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("store", Settings.RunningPair ? "running" : Settings.Store);
            w.WriteBoolean("running_pair", Settings.RunningPair);
            w.WriteStartObject("machine");
            w.WriteNumber("cores", Machine.Cores);
            w.WriteString("load_average_before", Machine.LoadBefore);
            w.WriteString("load_average_after", Machine.LoadAfter);
            w.WriteString("build", Machine.Build);
            w.WriteEndObject();
            if (Intake is { } i)
            {
                w.WriteStartObject("intake");
                w.WriteNumber("concurrency", i.Concurrency);
                w.WriteNumber("seconds", i.Seconds);
                w.WriteNumber("warmup_seconds", Settings.Warmup.TotalSeconds);
                w.WriteNumber("staged", i.Staged);
                w.WriteNumber("per_second", Math.Round(i.PerSecond, 1));
                w.WriteNumber("refused", i.Refused);
                w.WriteNumber("no_answer", i.Failed);
                w.WriteNumber("latency_p50_ms", Math.Round(i.P50Ms, 3));
                w.WriteNumber("latency_p99_ms", Math.Round(i.P99Ms, 3));
                w.WriteNumber("latency_max_ms", Math.Round(i.MaxMs, 3));
                w.WriteStartObject("statuses");
                foreach (var (status, count) in i.Statuses.OrderBy(s => s.Key, StringComparer.Ordinal))
                {
                    w.WriteNumber(status, count);
                }
                w.WriteEndObject();
                w.WriteEndObject();
            }
            if (Fills is { } f)
            {
                w.WriteStartObject("fills");
                w.WriteNumber("target_fills_per_second", f.TargetRate);
                w.WriteNumber("partials_per_order", f.Partials);
                w.WriteNumber("seconds", f.Seconds);
                w.WriteNumber("intents_staged", f.Staged);
                w.WriteNumber("staging_seconds", Math.Round(f.StagingSeconds, 3));
                w.WriteNumber("orders_sent", f.OrdersSent);
                w.WriteNumber("orders_accepted", f.OrdersAccepted);
                w.WriteNumber("orders_failed", f.OrdersFailed);
                w.WriteNumber("placing_seconds", Math.Round(f.PlacingSeconds, 3));
                w.WriteNumber("achieved_fills_per_second", Math.Round(f.AchievedFillRate, 1));
                w.WriteNumber("expected_links", f.ExpectedLinks);
                w.WriteNumber("links", f.Links);
                w.WriteNumber("fills_parked", f.Parked);
                w.WriteNumber("feed_reconnects", f.Reconnects);
                w.WriteNumber("warmup_fills", f.WarmupFills);
                w.WriteNumber("latency_samples", f.Samples);
                Number(w, "fill_to_link_p50_ms", f.P50Ms);
                Number(w, "fill_to_link_p99_ms", f.P99Ms);
                Number(w, "fill_to_link_max_ms", f.MaxMs);
                w.WriteNumber("daemon_latency_samples", f.DaemonSamples);
                Number(w, "daemon_fill_to_link_p50_ms", f.DaemonP50Ms);
                Number(w, "daemon_fill_to_link_p99_ms", f.DaemonP99Ms);
                Number(w, "daemon_fill_to_link_max_ms", f.DaemonMaxMs);
                w.WriteEndObject();
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, Math.Round(value, 3));
        }
        else
        {
            w.WriteNull(name);
        }
    }
}
