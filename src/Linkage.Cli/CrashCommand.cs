using System.Globalization;
using System.Text;
using Linkage.Sim.Crash;

using Linkage.Sim.Reports;

namespace Linkage.Cli;

/// <summary>
/// The <c>crash</c> command: the crash test of every scenario file named (folders recursively). For each, the webhook
/// runs in child processes on one SQLite file and is killed with SIGKILL at <c>--kills</c> seeded kill points, then the
/// oracle judges the file. Prints a line per scenario and a total; exit 0 when every scenario kept every link exactly
/// once and lost nothing, 1 when any did not, 2 for bad arguments or unreadable files.
/// </summary>
internal static class CrashCommand
{
    public const string Usage = "usage: linkage crash PATH... [--kills N] [--seed S] [--json FILE] [--keep DIR]";

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error)
    {
        var paths = new List<string>();
        var kills = 50;
        var seed = 1UL;
        string? json = null;
        string? keep = null;
        for (var i = 0; i < args.Count; i++)
        {
            var value = i + 1 < args.Count ? args[i + 1] : null;
            var ok = args[i] switch
            {
                "--kills" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out kills) && kills > 0,
                "--seed" => ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out seed),
                "--json" => (json = value) is not null,
                "--keep" => (keep = value) is not null,
                "-h" or "--help" => Help(output),
                _ when args[i].StartsWith("--", StringComparison.Ordinal) => false,
                _ => Path(paths, args[i]),
            };
            if (!ok)
            {
                error.WriteLine($"crash: bad option or value: {args[i]} {value}".TrimEnd());
                error.WriteLine(Usage);
                return 2;
            }
            if (args[i] is "--kills" or "--seed" or "--json" or "--keep")
            {
                i++;
            }
            if (args[i] is "-h" or "--help")
            {
                return 0;
            }
        }
        var files = ScenarioFiles.Expand(paths);
        if (paths.Count == 0 || files.Any(f => f.Problem is not null))
        {
            foreach (var file in files.Where(f => f.Problem is not null))
            {
                error.WriteLine($"{file.DisplayPath}: {file.Problem}");
            }
            error.WriteLine(paths.Count == 0 ? Usage : "crash: some files could not be read; exit status 2");
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
        if (json is not null)
        {
            File.WriteAllText(json, CrashJson.Write(reports), new UTF8Encoding(false));
        }
        return reports.All(r => r.Passed) ? 0 : 1;
    }

    public static string Summary(CrashReport r) => string.Create(CultureInfo.InvariantCulture,
        $"{(r.Passed ? "PASS" : "FAIL")} {r.Scenario}: {r.KillPoints} kill points ({string.Join(", ", r.Kinds.Select(k => $"{k.Key} {k.Value}"))}), {r.FingerprintsChecked} re-executed deaths matched, {r.Trades} trades: {r.Linked} linked, {r.External} external, lost = {r.Lost}, duplicated = {r.Duplicated}, wrong = {r.Wrong}, intents lost = {r.IntentsLost}");

    private static bool Help(TextWriter output)
    {
        output.WriteLine(Usage);
        return true;
    }

    private static bool Path(List<string> paths, string path)
    {
        paths.Add(path);
        return true;
    }
}

/// <summary>The crash test's JSON report: one object per scenario, the figures of <see cref="CrashReport"/>.</summary>
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
                w.WriteNumber("kill_points", r.KillPoints);
                w.WriteStartObject("kinds");
                foreach (var (kind, count) in r.Kinds)
                {
                    w.WriteNumber(kind, count);
                }
                w.WriteEndObject();
                w.WriteNumber("crossings_without_kills", r.Crossings);
                w.WriteNumber("fingerprints_checked", r.FingerprintsChecked);
                w.WriteNumber("trades", r.Trades);
                w.WriteNumber("linked", r.Linked);
                w.WriteNumber("external", r.External);
                w.WriteNumber("wrong", r.Wrong);
                w.WriteNumber("lost", r.Lost);
                w.WriteNumber("duplicated", r.Duplicated);
                w.WriteNumber("intents_lost", r.IntentsLost);
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
