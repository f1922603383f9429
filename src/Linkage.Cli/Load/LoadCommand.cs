using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Linkage.Live;
using Npgsql;

namespace Linkage.Cli.Load;

/// <summary>
/// <c>linkage load</c>: measures the daemon (<c>linkage serve</c>) under load against the wire exchange
/// (<c>linkage exchange</c>): intake throughput through <c>POST /v1/intents</c>, and fill-to-link latency at a fixed
/// fill rate, as the daemon itself measures it (WebSocket frame received to link committed, <c>GET /metrics</c>). It
/// starts its own exchange and, per phase, a fresh daemon on a fresh store (so the daemon's histogram covers that phase
/// only), or drives a running pair. Exit codes: 0 measured (every request answered and every fill linked), 1 measured
/// but requests failed or fills were left unlinked, 2 bad usage or a pair that cannot be started or reached, 130
/// interrupted (SIGINT/SIGTERM). The processes it started are ended by process id whatever happens.
/// </summary>
internal static class LoadCommand
{
    public const int Measured = 0;
    public const int Incomplete = 1;
    public const int CannotRun = 2;
    public const int Interrupted = 130;

    public static readonly CommandSpec Spec = new(
        "load",
        "[--store sqlite|postgres] [--phases intake,fills] [--concurrency C] [--duration S] [--fill-rate N] [--partials P] [--json FILE] ...",
        """
        Measures the daemon under load. It starts `linkage exchange` (plain http/ws on a free loopback port, no faults,
        every market order filled in exactly --partials trades) and, for each phase, a fresh `linkage serve` on a fresh
        store, as child processes of the same build, then runs:

          intake  --concurrency workers POST distinct intents to /v1/intents, each sending the next as soon as the
                  last is answered, for --warmup seconds (not counted) and then --duration seconds: intents staged per
                  second, and each request's latency p50/p99/max (HdrHistogram).
          fills   stages one intent per market order through /v1/intents (not timed), then places market orders with
                  those client order ids directly on the exchange, one every --partials/--fill-rate seconds (after
                  --fill-warmup fills, not counted) for --duration seconds, so fills reach the daemon's WebSocket at
                  --fill-rate per second. Then it waits for every fill to be linked and reads the fill-to-link latency
                  the daemon measured (frame received to link committed) from its GET /metrics: p50/p99/max of the
                  window (the upper bound of the histogram bucket each falls in, from the difference of two scrapes)
                  and the number of samples, and the daemon's own HdrHistogram quantiles since it started.

        A table goes to stdout (with the issue's goals: >= 2,000 intents/s on SQLite; p99 <= 5 ms on SQLite and
        <= 10 ms on PostgreSQL at 1,000 fills/s), progress to stderr. Measure a Release build (dotnet run -c Release);
        the table says which build ran. With --store postgres each phase's daemon gets a schema of its own
        (linkage_load_RUN_PHASE) that is dropped afterwards. With --intake URL it drives a daemon that is already
        running instead (and, for the fill phase, the exchange at --rest URL with --key FILE, which should be started
        with --market-partials equal to --partials).
        """,
        [
            new("--store", "sqlite|postgres", "sqlite", "the store of the daemons it starts"),
            new("--pg", "CONN", "$LINKAGE_PG", "the PostgreSQL connection string for --store postgres (may CREATE SCHEMA)"),
            new("--pg-schema", "NAME", "linkage_load_RUN", "for --store postgres, the prefix of the schemas NAME_intake and NAME_fills each phase's daemon creates; they must not exist yet and are dropped at the end"),
            new("--phases", "LIST", "intake,fills", "which phases run, in this order: intake, fills or intake,fills"),
            new("--concurrency", "C", "16", "intake workers (also how many stage the fill phase's intents)"),
            new("--duration", "S", "10", "seconds each phase measures"),
            new("--warmup", "S", "2", "seconds of intake requests before the intake phase counts"),
            new("--fill-rate", "N", "1000", "fills per second the fill phase drives through the daemon's WebSocket"),
            new("--partials", "P", "1", "trades per market order (the exchange's --market-partials); orders per second = N / P"),
            new("--fill-warmup", "N", "200", "fills placed and linked before the fill phase's window (not counted: a process compiles its code on first use)"),
            new("--seed", "N", "1", "the exchange's seed"),
            new("--json", "FILE", "none", "also write the figures as JSON"),
            new("--work", "DIR", "a new temporary folder", "where the children's logs, key and SQLite files go"),
            new("--keep", null, "off", "keep the work folder (it is always kept when something failed)"),
            new("--intake", "URL", "none", "drive the daemon running at this intake URL instead of starting one"),
            new("--rest", "URL", "none", "with --intake: the running exchange's REST URL (for the fill phase)"),
            new("--key", "FILE", "none", "with --intake: the exchange's key file (cdp_api_key.json) to place orders with"),
            new("--ca", "FILE", "none", "with --intake: the exchange's CA file when it serves https"),
        ],
        [
            (Measured, "measured: every request answered, every fill linked"),
            (Incomplete, "measured, but requests failed or fills were left unlinked (the table says how many)"),
            (CannotRun, "bad arguments; the exchange, a daemon or PostgreSQL could not be started or reached"),
            (Interrupted, "interrupted (Ctrl-C, SIGTERM); the processes it started were ended"),
        ],
        [
            "--store sqlite --duration 10 --fill-rate 1000 --json out/load-sqlite.json",
            "--store postgres --pg 'Host=127.0.0.1;Port=5432;Username=postgres' --phases fills --fill-rate 500",
            "--intake http://127.0.0.1:8080 --phases intake --concurrency 32",
        ]);

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var line = Spec.Parse(args);
        if (line.Help)
        {
            stdout.Write(Spec.Help());
            return Measured;
        }
        if (line.Positionals.Length > 0)
        {
            line.Problems.Add($"unexpected argument '{line.Positionals[0]}'");
        }
        var settings = LoadSettings.From(line, line.Problems);
        if (settings is not null)
        {
            line.Problems.AddRange(OutputPaths.Problems([("--json", settings.Json)], [("--work", settings.WorkDirectory)]));
        }
        if (settings is null || line.Problems.Count > 0)
        {
            return Spec.Refuse(line.Problems, stderr);
        }
        using var cancel = new CancellationTokenSource();
        void Stop(PosixSignalContext context)
        {
            context.Cancel = true;
            stderr.WriteLine("load: interrupted; ending the processes it started");
            cancel.Cancel();
        }
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, Stop);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, Stop);
        var run = new LoadRun(settings, stderr);
        try
        {
            var report = run.Execute(cancel.Token).GetAwaiter().GetResult();
            stdout.Write(report.Table());
            if (settings.Json is { } json)
            {
                File.WriteAllText(json, report.Json());
            }
            var complete = (report.Intake is null || (report.Intake.Failed == 0 && report.Intake.Refused == 0))
                && (report.Fills is null || (report.Fills.OrdersFailed == 0 && report.Fills.Links >= report.Fills.ExpectedLinks));
            if (!complete)
            {
                run.KeepWork = true;
            }
            return complete ? Measured : Incomplete;
        }
        catch (OperationCanceledException) when (cancel.IsCancellationRequested)
        {
            run.KeepWork = true;
            return Interrupted;
        }
        catch (Exception e) when (e is ChildFailedException or CdpKeyException or NpgsqlException or IOException or HttpRequestException or UnauthorizedAccessException)
        {
            run.KeepWork = true;
            stderr.WriteLine($"load: {e.Message}");
            return CannotRun;
        }
        catch (Exception e)
        {
            // A bug, still in words: what failed, never a stack trace.
            run.KeepWork = true;
            stderr.WriteLine($"load: failed: {e.GetType().Name}: {e.Message}");
            return CannotRun;
        }
        finally
        {
            run.Cleanup();
        }
    }
}

/// <summary>One run of <c>linkage load</c>: the children it started and the schemas it made, all ended and dropped by <see cref="Cleanup"/>.</summary>
internal sealed class LoadRun(LoadSettings settings, TextWriter stderr)
{
    private readonly List<ChildProcess> _children = [];
    private readonly List<string> _schemas = [];
    private readonly string _run = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4));
    private string? _work;
    private bool _madeWork;

    /// <summary>Keep the work folder (something failed, or --keep).</summary>
    public bool KeepWork { get; set; } = settings.Keep;

    public async Task<LoadReport> Execute(CancellationToken cancel)
    {
        var loadBefore = LoadMachine.LoadAverage();
        if (settings.PostgresConnection is { } connection)
        {
            await using var source = NpgsqlDataSource.Create(connection);
            await using var probe = await source.OpenConnectionAsync(cancel);
        }
        Uri? rest = settings.Rest;
        string? keyFile = settings.KeyFile;
        string? ws = null;
        if (settings.RunningPair)
        {
            await Reachable("the daemon", new Uri(settings.Intake!, "/healthz"), cancel);
            if (settings.Phases.Contains(LoadPhase.Fills))
            {
                await Reachable("the exchange", new Uri(settings.Rest!, "/api/v3/brokerage/time"), cancel);
            }
        }
        else
        {
            _work = settings.WorkDirectory is { } chosen ? Path.GetFullPath(chosen) : Path.Combine(Path.GetTempPath(), "linkage-load-" + _run);
            _madeWork = settings.WorkDirectory is null;
            Directory.CreateDirectory(_work);
            stderr.WriteLine($"load: work folder {_work}");
            var exchange = await Start("exchange", Path.Combine(_work, "exchange.ready.json"),
            [
                "exchange", "--plain", "--port", "0", "--dir", Path.Combine(_work, "exchange"), "--seed", settings.Seed.ToString(CultureInfo.InvariantCulture),
                "--market-partials", settings.Partials.ToString(CultureInfo.InvariantCulture), "--truth", Path.Combine(_work, "exchange", "truth.json"),
            ], new Dictionary<string, string>(), cancel);
            rest = new Uri(exchange.Ready.GetProperty("rest").GetString()!);
            ws = exchange.Ready.GetProperty("ws").GetString();
            keyFile = exchange.Ready.GetProperty("keyFile").GetString();
            stderr.WriteLine($"load: exchange {rest} (pid {exchange.ProcessId})");
        }
        IntakeResult? intakeResult = null;
        FillResult? fillResult = null;
        foreach (var phase in settings.Phases)
        {
            var name = phase == LoadPhase.Intake ? "intake" : "fills";
            ChildProcess? daemon = null;
            var intake = settings.Intake;
            if (!settings.RunningPair)
            {
                daemon = await StartDaemon(name, rest!, ws!, keyFile!, cancel);
                intake = new Uri(daemon.Ready.GetProperty("intake").GetString()!);
                stderr.WriteLine($"load: {name}: daemon {intake} (pid {daemon.ProcessId}, {settings.Store})");
            }
            using var client = new IntakeClient(intake!, _run, settings.Concurrency);
            if (phase == LoadPhase.Intake)
            {
                intakeResult = await IntakePhase.Run(client, settings, new Prefixed(stderr), cancel);
            }
            else
            {
                var (exchange, key) = FillPhase.Exchange(rest!, keyFile!, settings.CaFile);
                using (key)
                using (exchange)
                {
                    fillResult = await FillPhase.Run(client, new Uri(intake!, "/metrics"), exchange, settings, new Prefixed(stderr), cancel);
                }
            }
            if (daemon is not null)
            {
                var status = daemon.Stop();
                _children.Remove(daemon);
                daemon.Dispose();
                if (status != 0)
                {
                    stderr.WriteLine($"load: {name}: the daemon exited with status {status} on SIGTERM (log {daemon.LogFile})");
                }
            }
        }
        return new LoadReport(settings, new LoadMachine(Environment.ProcessorCount, loadBefore, LoadMachine.LoadAverage(), LoadMachine.Configuration()), intakeResult, fillResult);
    }

    /// <summary>Any HTTP answer will do: it only shows something listens there.</summary>
    private async Task Reachable(string what, Uri url, CancellationToken cancel)
    {
        var handler = new SocketsHttpHandler();
        if (settings.CaFile is { } caFile)
        {
            var ca = X509Certificate2.CreateFromPem(await File.ReadAllTextAsync(caFile, cancel));
            handler.SslOptions.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            handler.SslOptions.CertificateChainPolicy.CustomTrustStore.Add(ca);
        }
        using var http = new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            using var response = await http.GetAsync(url, cancel);
        }
        catch (Exception e) when (e is HttpRequestException || (e is TaskCanceledException && !cancel.IsCancellationRequested))
        {
            throw new ChildFailedException($"cannot reach {what} at {url.GetLeftPart(UriPartial.Authority)}: {e.Message}");
        }
    }

    private async Task<ChildProcess> StartDaemon(string phase, Uri rest, string ws, string keyFile, CancellationToken cancel)
    {
        var args = new List<string>
        {
            "serve", "--key", keyFile, "--rest", rest.ToString().TrimEnd('/'), "--ws", ws, "--listen", "http://127.0.0.1:0", "--store", settings.Store,
        };
        var environment = new Dictionary<string, string>();
        if (settings.Store == "postgres")
        {
            var schema = $"{settings.PostgresSchema ?? "linkage_load_" + _run}_{phase}";
            await using (var source = NpgsqlDataSource.Create(settings.PostgresConnection!))
            await using (var exists = source.CreateCommand("SELECT count(*) FROM information_schema.schemata WHERE schema_name = $1"))
            {
                exists.Parameters.AddWithValue(schema);
                if ((long)(await exists.ExecuteScalarAsync(cancel))! > 0)
                {
                    throw new ChildFailedException($"the schema {schema} already exists; load drops its schemas at the end, so it never uses one it did not make (choose another --pg-schema)");
                }
            }
            _schemas.Add(schema);
            args.AddRange(["--pg-schema", schema]);
            // Not on the command line, where ps shows a password.
            environment["LINKAGE__Store__ConnectionString"] = settings.PostgresConnection!;
        }
        else
        {
            args.AddRange(["--sqlite", Path.Combine(_work!, phase + ".db")]);
        }
        return await Start("daemon-" + phase, Path.Combine(_work!, phase + ".ready.json"), args, environment, cancel);
    }

    private async Task<ChildProcess> Start(string name, string readyFile, IEnumerable<string> args, Dictionary<string, string> environment, CancellationToken cancel)
    {
        var child = await ChildProcess.Start(name, _work!, [.. args, "--ready-file", readyFile], readyFile, environment, cancel);
        _children.Add(child);
        return child;
    }

    /// <summary>Ends every child still running (SIGTERM, then SIGKILL, by process id), drops the schemas, removes the work folder unless kept.</summary>
    public void Cleanup()
    {
        foreach (var child in Enumerable.Reverse(_children))
        {
            try
            {
                var status = child.Stop();
                if (status != 0)
                {
                    stderr.WriteLine($"load: {child.Name} (pid {child.ProcessId}) exited with status {status} (log {child.LogFile})");
                    KeepWork = true;
                }
            }
            finally
            {
                child.Dispose();
            }
        }
        _children.Clear();
        if (settings.PostgresConnection is { } connection && _schemas.Count > 0)
        {
            try
            {
                using var source = NpgsqlDataSource.Create(connection);
                foreach (var schema in _schemas)
                {
                    using var drop = source.CreateCommand($"DROP SCHEMA IF EXISTS \"{schema}\" CASCADE");
                    drop.ExecuteNonQuery();
                }
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException)
            {
                stderr.WriteLine($"load: could not drop the schemas {string.Join(", ", _schemas)}: {e.Message}");
            }
        }
        if (_work is not null)
        {
            if (KeepWork || !_madeWork)
            {
                stderr.WriteLine($"load: logs and stores kept in {_work}");
            }
            else
            {
                try
                {
                    Directory.Delete(_work, recursive: true);
                }
                catch (IOException e)
                {
                    stderr.WriteLine($"load: could not remove {_work}: {e.Message}");
                }
            }
        }
    }

    /// <summary>Progress lines on stderr, each marked as this command's.</summary>
    private sealed class Prefixed(TextWriter inner) : TextWriter
    {
        public override System.Text.Encoding Encoding => inner.Encoding;

        public override void WriteLine(string? value) => inner.WriteLine("load: " + value);
    }
}
