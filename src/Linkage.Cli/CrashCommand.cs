using System.Globalization;
using System.Text;
using Linkage.Sim.Crash;
using Linkage.Sim.Reports;
using Linkage.Sim.Scenarios;

namespace Linkage.Cli;

/// <summary>
/// The <c>crash</c> command: the crash test of every scenario file named (folders recursively). For each, the webhook
/// runs in child processes on one SQLite file and is killed with SIGKILL at <c>--kills</c> seeded kill points, then the
/// oracle judges the file. Prints a line per scenario and a total; exit 0 when every scenario kept every link exactly
/// once and lost nothing, 1 when any did not, 2 for bad arguments or unreadable files.
/// </summary>
internal static class CrashCommand
{
    /// <summary>Kill points per scenario when <c>--kills</c> is not given.</summary>
    public const int KillsDefault = 50;

    /// <summary>The command's options, help and exit codes.</summary>
    public static readonly CommandSpec Spec = new(
        "crash",
        "PATH... [--kills N] [--seed S] [--json FILE] [--keep DIR]",
        """
        The crash test: for each scenario file (folders searched recursively), runs the webhook in child processes on one
        SQLite file, kills each with SIGKILL at seeded kill points and restarts it on the same file, then judges what the
        file holds: no intent lost, no trade linked twice, every bot trade linked, no wrong link. Progress goes to
        stderr; 50 kills of one scenario take a few seconds.
        """,
        [
            new("--kills", "N", KillsDefault.ToString(CultureInfo.InvariantCulture), "deaths per scenario"),
            new("--seed", "S", "1", "chooses the kill points"),
            new("--json", "FILE", "none", "also write the figures as JSON (docs/scenarios.md, \"crash --json\")"),
            new("--keep", "DIR", "none", "keep each scenario's SQLite file and children's logs in DIR/<file name>"),
        ],
        [
            (0, "every scenario kept every link exactly once and lost nothing"),
            (1, "a scenario lost, duplicated or wrongly linked something"),
            (2, "bad arguments, a file that could not be read, or an output that cannot be written"),
        ],
        ["scenarios/steps --kills 50", "scenarios/seed/same-symbol-overwrite.yaml --kills 10 --json out/crash.json"]);

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var line = Spec.Parse(args);
        if (line.Help)
        {
            output.Write(Spec.Help());
            return 0;
        }
        var problems = line.Problems;
        var kills = KillsDefault;
        var seed = 1UL;
        if (line.Value("--kills") is { } killsText && !(int.TryParse(killsText, NumberStyles.None, CultureInfo.InvariantCulture, out kills) && kills > 0))
        {
            problems.Add($"--kills '{killsText}' is not a whole number above 0");
        }
        if (line.Value("--seed") is { } seedText && !ulong.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out seed))
        {
            problems.Add($"--seed '{seedText}' is not a whole number from 0 to {ulong.MaxValue}");
        }
        if (line.Positionals.IsEmpty)
        {
            problems.Add("no PATH given: name scenario files or folders");
        }
        var json = line.Value("--json");
        var keep = line.Value("--keep");
        if (problems.Count == 0)
        {
            problems.AddRange(OutputPaths.Problems([("--json", json)], [("--keep", keep)]));
        }
        if (problems.Count > 0)
        {
            return Spec.Refuse(problems, error);
        }
        // Every file is loaded here first, so a broken one is reported as the loader words it (FILE:LINE:COLUMN) and
        // nothing runs, instead of a child process dying on it.
        var files = ScenarioFiles.Expand(line.Positionals);
        var loadErrors = files.Where(f => f.Problem is not null).Select(f => $"{f.DisplayPath}: {f.Problem}")
            .Concat(files.Where(f => f.Problem is null).SelectMany(f => ScenarioLoader.LoadFile(f.DisplayPath).Errors.Select(e => e.ToString())))
            .ToList();
        if (loadErrors.Count > 0)
        {
            foreach (var loadError in loadErrors)
            {
                error.WriteLine(loadError);
            }
            error.WriteLine($"crash: {loadErrors.Count} problem(s) with the files named; nothing was run; exit status 2");
            return 2;
        }
        var reports = new List<CrashReport>();
        foreach (var file in files)
        {
            var work = keep is null
                ? System.IO.Path.Combine(System.IO.Path.GetTempPath(), "linkage-crash-" + System.IO.Path.GetFileNameWithoutExtension(System.IO.Path.GetRandomFileName()))
                : System.IO.Path.Combine(keep, System.IO.Path.GetFileNameWithoutExtension(file.DisplayPath));
            error.WriteLine($"crash: {file.DisplayPath}: {kills} kill points, seed {seed}");
            var report = CrashHarness.Run(file.DisplayPath, new CrashOptions
            {
                Kills = kills, Seed = seed, WorkDirectory = work, Keep = keep is not null, Progress = line => error.WriteLine($"crash: {line}"),
                ChildAssembly = typeof(CrashCommand).Assembly.Location,
            });
            reports.Add(report);
            output.WriteLine(Summary(report));
            foreach (var failure in report.Failures)
            {
                output.WriteLine($"  FAIL {failure}");
            }
        }
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"crash: {reports.Count} scenario(s), {reports.Sum(r => r.KillPoints)} kill points, {reports.Sum(r => r.Trades)} trades, lost = {reports.Sum(r => r.Lost + r.IntentsLost)}, duplicated = {reports.Sum(r => r.Duplicated)}, wrong = {reports.Sum(r => r.Wrong)}, {reports.Count(r => !r.Passed)} failed"));
        if (keep is not null)
        {
            output.WriteLine($"crash: kept each scenario's SQLite file and logs in {keep}/");
        }
        if (json is not null)
        {
            try
            {
                File.WriteAllText(json, CrashJson.Write(reports), new UTF8Encoding(false));
                output.WriteLine($"crash: JSON report written to {json}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                error.WriteLine($"crash: cannot write the JSON report to {json}: {e.Message}");
                return 2;
            }
        }
        return reports.All(r => r.Passed) ? 0 : 1;
    }

    public static string Summary(CrashReport r) => string.Create(CultureInfo.InvariantCulture,
        $"{(r.Passed ? "PASS" : "FAIL")} {r.Scenario}: {r.KillPoints} kill points ({string.Join(", ", r.Kinds.Select(k => $"{k.Key} {k.Value}"))}), {r.FingerprintsChecked} re-executed deaths matched, {r.Trades} trades: {r.Linked} linked, {r.External} external, lost = {r.Lost}, duplicated = {r.Duplicated}, wrong = {r.Wrong}, intents lost = {r.IntentsLost}");
}

/// <summary>The crash test's JSON report (camelCase, as every report): one object per scenario, the figures of <see cref="CrashReport"/>; documented in <c>docs/scenarios.md</c>.</summary>
internal static class CrashJson
{
    public static string Write(IReadOnlyList<CrashReport> reports)
    {
        return JsonText.Document(w =>
        {
            w.WriteStartArray("scenarios");
            foreach (var r in reports)
            {
                w.WriteStartObject();
                w.WriteString("name", r.Scenario);
                w.WriteBoolean("passed", r.Passed);
                w.WriteNumber("killPoints", r.KillPoints);
                w.WriteStartObject("kinds");
                foreach (var (kind, count) in r.Kinds)
                {
                    w.WriteNumber(kind, count);
                }
                w.WriteEndObject();
                w.WriteNumber("crossingsWithoutKills", r.Crossings);
                w.WriteNumber("fingerprintsChecked", r.FingerprintsChecked);
                w.WriteNumber("trades", r.Trades);
                w.WriteNumber("linked", r.Linked);
                w.WriteNumber("external", r.External);
                w.WriteNumber("wrong", r.Wrong);
                w.WriteNumber("lost", r.Lost);
                w.WriteNumber("duplicated", r.Duplicated);
                w.WriteNumber("intentsLost", r.IntentsLost);
                w.WriteStartArray("failures");
                foreach (var failure in r.Failures)
                {
                    w.WriteStringValue(failure);
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
        });
    }
}
