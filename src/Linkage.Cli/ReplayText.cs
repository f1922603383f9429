using System.Globalization;
using Linkage.Sim.Scenarios;

namespace Linkage.Cli;

/// <summary>
/// The human output of <c>replay</c>: a table with one row per scenario (trades and their verdicts), a totals row, then
/// each failure with the step, trade, expected and actual link, then the replay speed. Only the speed line depends on
/// the wall clock.
/// </summary>
internal static class ReplayText
{
    private static readonly string[] Headings = ["scenario", "trades", "linked", "wrong", "missing", "lost", "external", "verdict"];

    public static void WriteTable(TextWriter output, IReadOnlyList<ScenarioResult> results)
    {
        var rows = results.Select(r => Row(r.Name, r.Fills, r.Linked, r.Wrong, r.Missing, r.Lost, r.External, r.Passed ? "pass" : "FAIL")).ToList();
        var passed = results.Count(r => r.Passed);
        var totals = Row(
            $"total ({results.Count})",
            results.Sum(r => r.Fills),
            results.Sum(r => r.Linked),
            results.Sum(r => r.Wrong),
            results.Sum(r => r.Missing),
            results.Sum(r => r.Lost),
            results.Sum(r => r.External),
            $"{passed} pass, {results.Count - passed} fail");
        var widths = Headings.Select((h, i) => rows.Append(totals).Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        output.WriteLine(Line(Headings, widths));
        output.WriteLine(Line([.. widths.Select(w => new string('-', w))], widths));
        foreach (var row in rows)
        {
            output.WriteLine(Line(row, widths));
        }
        output.WriteLine(Line([.. widths.Select(w => new string('-', w))], widths));
        output.WriteLine(Line(totals, widths));
    }

    public static void WriteFailures(TextWriter output, IReadOnlyList<ScenarioResult> results)
    {
        foreach (var result in results.Where(r => !r.Passed))
        {
            output.WriteLine();
            output.WriteLine($"FAIL {result.Name}{(result.File is { } file ? $" ({file})" : "")}");
            foreach (var failure in result.Failures)
            {
                var where = new List<string>();
                if (failure.StepIndex is { } index)
                {
                    where.Add($"step {index.ToString(CultureInfo.InvariantCulture)}");
                }
                if (failure.StepLine is { } line && line > 0)
                {
                    where.Add($"line {line.ToString(CultureInfo.InvariantCulture)}");
                }
                if (failure.At is { } at)
                {
                    where.Add($"at {At(at)}");
                }
                if (failure.Trade is { } trade)
                {
                    where.Add($"trade {trade}");
                }
                output.WriteLine($"  [{failure.Check}] {failure.Message}");
                if (where.Count > 0)
                {
                    output.WriteLine($"    where:    {string.Join(", ", where)}");
                }
                if (failure.Expected is not null || failure.Actual is not null)
                {
                    output.WriteLine($"    expected: {failure.Expected ?? "-"}");
                    output.WriteLine($"    actual:   {failure.Actual ?? "-"}");
                }
            }
        }
    }

    /// <summary>Simulated time per wall-clock second, the measure of how fast the harness explores.</summary>
    public static void WriteSpeed(TextWriter output, int scenarios, TimeSpan simulated, TimeSpan wall)
    {
        var seconds = Math.Max(wall.TotalSeconds, 0.001);
        var ratio = simulated.TotalSeconds / seconds;
        output.WriteLine();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"replayed {scenarios} scenario(s): {Human(simulated)} of simulated time in {wall.TotalSeconds:0.000} s wall clock ({Human(TimeSpan.FromSeconds(Math.Min(ratio, TimeSpan.MaxValue.TotalSeconds / 2)))} simulated per second, {ratio:#,0}x real time)"));
    }

    /// <summary>How often deciding met a read the key derivation did not foresee (engine design; nothing for legacy).</summary>
    public static void WriteReadSets(TextWriter output, ReadSetCounts counts)
    {
        if (counts.Inputs > 0)
        {
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"read sets: {counts.Inputs:#,0} inputs decided, {counts.Misses:#,0} read-set misses ({counts.MissesPerThousand:0.##} per 1,000 inputs)"));
        }
    }

    /// <summary>A failure's time as a scenario duration, truncated to the millisecond (the format's finest unit).</summary>
    public static string At(TimeSpan at) => ScenarioDurations.Format(TimeSpan.FromTicks(Math.Max(0, at.Ticks - (at.Ticks % TimeSpan.TicksPerMillisecond))));

    /// <summary>A duration for people: "2d 3h 4m", "1m 30s", "250ms".</summary>
    public static string Human(TimeSpan span)
    {
        if (span < TimeSpan.FromSeconds(1))
        {
            return $"{(int)span.TotalMilliseconds}ms";
        }
        var parts = new List<string>();
        if (span.Days > 0)
        {
            parts.Add($"{span.Days}d");
        }
        if (span.Hours > 0)
        {
            parts.Add($"{span.Hours}h");
        }
        if (span.Minutes > 0)
        {
            parts.Add($"{span.Minutes}m");
        }
        if (span.Seconds > 0 || parts.Count == 0)
        {
            parts.Add($"{span.Seconds}s");
        }
        return string.Join(' ', parts.Take(3));
    }

    private static string[] Row(string name, int trades, int linked, int wrong, int missing, int lost, int external, string verdict) =>
        [name, .. new[] { trades, linked, wrong, missing, lost, external }.Select(n => n.ToString(CultureInfo.InvariantCulture)), verdict];

    /// <summary>The scenario name is left-aligned, counts right-aligned, the verdict left-aligned.</summary>
    private static string Line(string[] cells, int[] widths) =>
        string.Join("  ", cells.Select((c, i) => i is 0 || i == cells.Length - 1 ? c.PadRight(widths[i]) : c.PadLeft(widths[i]))).TrimEnd();
}
