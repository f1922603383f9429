using System.Collections.Immutable;
using System.Globalization;
using Linkage.Sim.Stores;
using Linkage.Sim.Crash;
using Linkage.Sim.Oracle;
using Linkage.Sim.Runner;
using Linkage.Sim.Reports;
using Linkage.Sim.Scenarios;

namespace Linkage.Cli;

/// <summary>
/// <c>crash-child</c>: one webhook process of the crash test, started by <see cref="CrashHarness"/> (not meant for people).
/// It replays the scenario under a <see cref="CrashPlan"/> and speaks one JSON object per line on standard output: each
/// kill point it reaches (<c>replayed</c> for deaths it re-executes, <c>dying</c> for its own, after which it waits for
/// SIGKILL), and <c>end</c> with the oracle's verdict when the run finishes.
/// </summary>
internal static class CrashChildCommand
{
    public const string Name = CrashHarness.ChildCommand;

    public const string Usage =
        "usage: linkage crash-child SCENARIO --db FILE --scratch DIR [--seed N] [--kill INDEX --snapshot FILE]... [--next INDEX[:KIND|KIND...]]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        if (!TryParse(args, out var scenarioPath, out var values, out var problem))
        {
            error.WriteLine($"{Name}: {problem}");
            error.WriteLine(Usage);
            return 2;
        }
        var load = ScenarioLoader.LoadFile(scenarioPath);
        if (!load.Succeeded)
        {
            foreach (var loadError in load.Errors)
            {
                error.WriteLine(loadError);
            }
            return 2;
        }
        var plan = new CrashPlan
        {
            KillPoints = [.. values["--kill"].Select(k => long.Parse(k, NumberStyles.None, CultureInfo.InvariantCulture))],
            Snapshots = [.. values["--snapshot"]],
            Next = values["--next"] is [var next] && KillTarget.TryParse(next, out var target) ? target : null,
            DatabasePath = values["--db"].Single(),
            ScratchDirectory = values["--scratch"].Single(),
            Listener = new LineListener(output),
        };
        Directory.CreateDirectory(plan.ScratchDirectory);
        var options = new RunOptions
        {
            Store = StoreFactory.Sqlite,
            Seed = values["--seed"] is [var seed] ? ulong.Parse(seed, NumberStyles.None, CultureInfo.InvariantCulture) : null,
            Crash = plan,
        };
        var result = ScenarioRunner.Run(load.Scenario, options);
        output.WriteLine(EndLine(result, plan));
        return result.Passed ? 0 : 1;
    }

    private static bool TryParse(IReadOnlyList<string> args, out string scenario, out Dictionary<string, List<string>> values, out string? problem)
    {
        string[] single = ["--db", "--scratch", "--seed", "--next"];
        string[] repeated = ["--kill", "--snapshot"];
        var given = single.Concat(repeated).ToDictionary(k => k, _ => new List<string>(), StringComparer.Ordinal);
        values = given;
        var paths = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                paths.Add(args[i]);
                continue;
            }
            if (!given.TryGetValue(args[i], out var list) || i + 1 >= args.Count)
            {
                scenario = "";
                problem = $"unknown option or missing value: {args[i]}";
                return false;
            }
            list.Add(args[++i]);
        }
        scenario = paths.Count == 1 ? paths[0] : "";
        var bad = given["--kill"].Concat(given["--seed"]).FirstOrDefault(v => !ulong.TryParse(v, NumberStyles.None, CultureInfo.InvariantCulture, out _));
        problem = paths.Count != 1 ? $"expected one scenario file, got {paths.Count}"
            : single.FirstOrDefault(k => given[k].Count > 1) is { } twice ? $"{twice} given twice"
            : new[] { "--db", "--scratch" }.FirstOrDefault(k => given[k].Count == 0) is { } missing ? $"{missing} is required"
            : bad is not null ? $"'{bad}' is not a non-negative integer"
            : given["--next"] is [var next] && !KillTarget.TryParse(next, out _) ? $"'{next}' is not INDEX or INDEX:KIND|KIND..."
            : null;
        return problem is null;
    }

    private static string EndLine(ScenarioResult result, CrashPlan plan) => JsonText.Line(w =>
    {
        w.WriteString("event", "end");
        w.WriteNumber("crossings", ((LineListener)plan.Listener).Crossings);
        w.WriteBoolean("passed", result.Passed);
        w.WriteNumber("trades", result.Fills);
        w.WriteNumber("linked", result.Linked);
        w.WriteNumber("external", result.External);
        w.WriteNumber("wrong", result.Wrong);
        w.WriteNumber("missing", result.Missing);
        w.WriteNumber("lost", result.Lost);
        w.WriteNumber("duplicated", result.Failures.Count(f => f.Check == LinkOracle.ExactlyOnce));
        w.WriteNumber("intents_lost", result.Failures.Count(f => f.Check == ScenarioRunner.NoIntentLostCheck));
        w.WriteNumber("links", result.Links.Length);
        w.WriteNumber("kills", result.FaultsInjected.GetValueOrDefault(Linkage.Sim.Exchange.FaultCounter.Kill));
        w.WriteStartArray("failures");
        foreach (var failure in result.Failures)
        {
            w.WriteStartObject();
            w.WriteString("check", failure.Check);
            w.WriteString("message", failure.Message);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    /// <summary>Writes each kill point as a line and flushes, so the parent sees a death before it happens.</summary>
    private sealed class LineListener(TextWriter output) : ICrashListener
    {
        public void Replayed(KillPoint point) => Write(point);

        public void Dying(KillPoint point) => Write(point);

        public void Ended(long crossings) => Crossings = crossings;

        public long Crossings { get; private set; }

        private void Write(KillPoint point)
        {
            output.WriteLine(JsonText.Line(w =>
            {
                w.WriteString("event", point.Replayed ? "replayed" : "dying");
                w.WriteNumber("number", point.Number);
                w.WriteNumber("index", point.Index);
                w.WriteString("kind", point.Kind);
                w.WriteString("at", point.At.ToString("O", CultureInfo.InvariantCulture));
                w.WriteNumber("events", point.Events);
                w.WriteString("exchange", point.Exchange);
                w.WriteString("fingerprint", point.Fingerprint);
            }));
            output.Flush();
        }
    }
}
