using System.Text;
using Linkage.Engine;
using Linkage.Host;
using Linkage.Sim.Stores;
using Linkage.Sim.Audit;
using Linkage.Sim.Scenarios;

namespace Linkage.Cli;

/// <summary>
/// The <c>audit</c> command: <c>audit FILE.jsonl [--json REPORT.json] [--store memory|sqlite|postgres] [--metrics FILE]
/// [--strict] [--pg CONN]</c>. Prints the report as tables, and writes the JSON report and the Prometheus metrics
/// where asked. Exit status: 0 when the audit ran (whatever it found: finding problems is its job); 1 with
/// <c>--strict</c> when it found an alert or a problem anomaly (<see cref="AnomalyKinds.Problems"/>); 2 when the
/// arguments are wrong, the capture cannot be read, the store cannot be opened or an output cannot be written.
/// </summary>
internal static class AuditCommand
{
    public const int Ran = 0;
    public const int ProblemsFound = 1;
    public const int CannotRun = 2;

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        if (!Arguments.TryParse(args, out var arguments, out var usage))
        {
            error.WriteLine($"audit: {usage}");
            error.WriteLine("usage: linkage audit FILE.jsonl [--json REPORT.json] [--store memory|sqlite|postgres] [--metrics FILE] [--strict] [--pg CONN]");
            return CannotRun;
        }
        if (!File.Exists(arguments.Capture))
        {
            error.WriteLine($"audit: cannot read {arguments.Capture}: no such file");
            return CannotRun;
        }
        var options = new RunOptions
        {
            Store = arguments.Store,
            PostgresConnectionString = arguments.Postgres ?? Environment.GetEnvironmentVariable("LINKAGE_PG"),
        };
        IStoreSession session;
        try
        {
            session = StoreFactory.Open(options);
        }
        catch (StoreUnavailableException unavailable)
        {
            error.WriteLine($"audit: {unavailable.Message}");
            return CannotRun;
        }
        using (session)
        {
            return Audit(arguments, session.Open(), output, error);
        }
    }

    private static int Audit(Arguments arguments, ILinkageStore store, TextWriter output, TextWriter error)
    {
        using var metrics = arguments.Metrics is null ? null : new LinkageMetrics();
        using var recorder = metrics is null ? null : new MetricsRecorder(metrics);
        AuditReport report;
        try
        {
            report = CaptureAudit.Run(arguments.Capture, store, metrics);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"audit: cannot read {arguments.Capture}: {e.Message}");
            return CannotRun;
        }
        output.WriteLine($"audit of {arguments.Capture} (store {store.Name})");
        AuditTables.Write(report, output);
        if (arguments.Json is { } json && !TryWrite(json, AuditJson.Write(report), "JSON report", output, error))
        {
            return CannotRun;
        }
        if (arguments.Metrics is { } path && !TryWrite(path, PrometheusText.Write(recorder!.Snapshot(), report), "metrics", output, error))
        {
            return CannotRun;
        }
        var problems = report.Alerts.Length + report.Anomalies.Count(a => AnomalyKinds.Problems.Contains(a.Kind));
        return arguments.Strict && problems > 0 ? ProblemsFound : Ran;
    }

    private static bool TryWrite(string path, string text, string what, TextWriter output, TextWriter error)
    {
        try
        {
            File.WriteAllText(path, text, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"audit: cannot write the {what} to {path}: {e.Message}");
            return false;
        }
        output.WriteLine($"{what} written to {path}");
        return true;
    }

    /// <summary>The command line, validated once: every option at most once, one capture file.</summary>
    private sealed record Arguments(string Capture, string? Json, string Store, string? Metrics, bool Strict, string? Postgres)
    {
        public static bool TryParse(string[] args, out Arguments parsed, out string problem)
        {
            parsed = new Arguments("", null, StoreFactory.Sqlite, null, false, null);
            string? capture = null;
            var seen = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < args.Length; i++)
            {
                var arg = args[i];
                if (!arg.StartsWith("--", StringComparison.Ordinal))
                {
                    if (capture is not null)
                    {
                        problem = $"one capture file expected, got '{capture}' and '{arg}'";
                        return false;
                    }
                    capture = arg;
                    continue;
                }
                if (!seen.Add(arg))
                {
                    problem = $"{arg} is given twice";
                    return false;
                }
                if (arg == "--strict")
                {
                    parsed = parsed with { Strict = true };
                    continue;
                }
                if (i + 1 >= args.Length)
                {
                    problem = $"{arg} needs a value";
                    return false;
                }
                var value = args[++i];
                switch (arg)
                {
                    case "--json":
                        parsed = parsed with { Json = value };
                        break;
                    case "--metrics":
                        parsed = parsed with { Metrics = value };
                        break;
                    case "--pg":
                        parsed = parsed with { Postgres = value };
                        break;
                    case "--store" when value is StoreFactory.Memory or StoreFactory.Sqlite or StoreFactory.Postgres:
                        parsed = parsed with { Store = value };
                        break;
                    case "--store":
                        problem = $"unknown store '{value}': expected memory, sqlite or postgres";
                        return false;
                    default:
                        problem = $"unknown option {arg}";
                        return false;
                }
            }
            if (capture is null)
            {
                problem = "the capture file is missing";
                return false;
            }
            parsed = parsed with { Capture = capture };
            problem = "";
            return true;
        }
    }
}
