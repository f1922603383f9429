using System.Text;
using Linkage.Engine;
using Linkage.Host;
using Linkage.Sim.Stores;
using Linkage.Sim.Audit;
using Linkage.Sim.Scenarios;

namespace Linkage.Cli;

/// <summary>
/// The <c>audit</c> command: <c>audit FILE.jsonl [--json REPORT.json] [--store memory|sqlite|postgres] [--metrics FILE]
/// [--strict] [--pg CONN] [--pg-schema NAME]</c>. Prints the report as tables, and writes the JSON report and the Prometheus metrics
/// where asked. Exit status: 0 when the audit ran (whatever it found: finding problems is its job); 1 with
/// <c>--strict</c> when it found an alert or a problem anomaly (<see cref="AnomalyKinds.Problems"/>); 2 when the
/// arguments are wrong, the capture cannot be read, the store cannot be opened or an output cannot be written.
/// </summary>
internal static class AuditCommand
{
    public const int Ran = 0;
    public const int ProblemsFound = 1;
    public const int CannotRun = 2;

    /// <summary>The command's options, help and exit codes.</summary>
    public static readonly CommandSpec Spec = new(
        "audit",
        "FILE.jsonl [--json REPORT.json] [--store memory|sqlite|postgres] [--metrics FILE] [--strict] [--pg CONN] [--pg-schema NAME]",
        """
        Audits a production capture (docs/capture.md): replays what the webhook saw through the engine and reports the
        linkage rate, every bot order with why it is or is not linked, external orders, anomalies, quarantined lines and
        alerts (docs/audit.md). Progress goes to stderr on large captures.
        """,
        [
            new("--json", "REPORT.json", "none", "also write the JSON report"),
            new("--store", "memory|sqlite|postgres", StoreFactory.Sqlite, "the store the capture is replayed into (a temporary one)"),
            new("--metrics", "FILE", "none", "also write the Prometheus text metrics"),
            new("--strict", null, "off", "exit 1 when the audit finds an alert or a problem anomaly"),
            new("--pg", "CONN", "$LINKAGE_PG", "the PostgreSQL connection string for --store postgres"),
            ReplayArguments.PostgresSchemaOption,
        ],
        [
            (0, "the audit ran (whatever it found: finding problems is its job)"),
            (1, "with --strict: an alert or a problem anomaly was found"),
            (2, "bad arguments, an unreadable capture, a store that cannot be opened, or an output that cannot be written"),
        ],
        ["samples/avnt-day.jsonl --json out/audit.json", "out/captures/same-symbol-overwrite.jsonl --strict --store memory"]);

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var line = Spec.Parse(args);
        if (line.Help)
        {
            output.Write(Spec.Help());
            return Ran;
        }
        var arguments = Arguments.From(line);
        if (line.Problems.Count == 0)
        {
            line.Problems.AddRange(OutputPaths.Problems([("--json", arguments.Json), ("--metrics", arguments.Metrics)], []));
        }
        if (line.Problems.Count > 0)
        {
            return Spec.Refuse(line.Problems, error);
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
            PostgresSchema = arguments.PostgresSchema,
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
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var shown = TimeSpan.Zero;
            report = CaptureAudit.Run(arguments.Capture, store, metrics, lines =>
            {
                // At most one line every ProgressInterval, and only once the audit has run that long: small captures stay quiet.
                if (clock.Elapsed - shown >= ReplayCommand.ProgressInterval)
                {
                    shown = clock.Elapsed;
                    error.WriteLine(string.Create(System.Globalization.CultureInfo.InvariantCulture, $"audit: {lines:N0} lines read, {shown.TotalSeconds:0.0} s"));
                }
            });
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

    /// <summary>The command line, validated once: one capture file, a known store.</summary>
    private sealed record Arguments(string Capture, string? Json, string Store, string? Metrics, bool Strict, string? Postgres, string? PostgresSchema)
    {
        public static Arguments From(ParsedCommandLine line)
        {
            var store = line.Value("--store") ?? StoreFactory.Sqlite;
            if (store is not (StoreFactory.Memory or StoreFactory.Sqlite or StoreFactory.Postgres))
            {
                line.Problems.Add($"--store '{store}': expected memory, sqlite or postgres");
            }
            if (line.Positionals.Length == 0)
            {
                line.Problems.Add("the capture file is missing");
            }
            else if (line.Positionals.Length > 1)
            {
                line.Problems.Add($"one capture file expected, got {string.Join(", ", line.Positionals.Select(p => $"'{p}'"))}");
            }
            return new Arguments(line.Positionals.FirstOrDefault() ?? "", line.Value("--json"), store, line.Value("--metrics"), line.Flag("--strict"), line.Value("--pg"),
                ReplayArguments.PostgresSchemaOf(line.Value("--pg-schema"), store, line.Problems));
        }
    }
}
