using System.Text.Json;
using Linkage.Engine;
using Linkage.Host;
using Linkage.Stores.Postgres;
using Linkage.Stores.Sqlite;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;

namespace Linkage.Serve;

/// <summary>
/// <c>linkage serve</c>: the production daemon. It links a live bot's fills to its intents by running the host the
/// simulator proves (<see cref="WebhookHost"/>) with a live driver, on the .NET generic host (ASP.NET Core for the
/// intake API). Exit codes: 0 after a clean stop (SIGTERM, SIGINT), 2 bad configuration, a key or store that cannot be
/// opened, 3 the intake address cannot be listened on.
/// </summary>
public static class ServeCommand
{
    /// <summary>The command line's flags and the configuration keys they set (the command line wins over both files and environment).</summary>
    private static readonly (string Flag, string Key, string Value, string Default, string Help)[] Flags =
    [
        ("--key", "Coinbase:KeyFile", "FILE", "(required)", "the CDP API key, cdp_api_key.json as Coinbase's download writes it (never logged)"),
        ("--rest", "Coinbase:RestUrl", "URL", ServeSettings.CoinbaseRest, "Coinbase's REST base URL (or `linkage exchange`'s rest URL)"),
        ("--ws", "Coinbase:WebSocketUrl", "URL", ServeSettings.CoinbaseWebSocket, "the user WebSocket endpoint (or `linkage exchange`'s ws URL)"),
        ("--ca", "Coinbase:CaFile", "FILE", "(system trust)", "a PEM CA certificate to trust as well (`linkage exchange`'s ca.pem)"),
        ("--products", "Coinbase:Products", "A,B", "(all)", "products to subscribe the user channel to"),
        ("--store", "Store:Kind", "sqlite|postgres", "sqlite", "where links are kept"),
        ("--sqlite", "Store:Path", "FILE", "linkage.db", "the SQLite file (created with its tables when absent)"),
        ("--pg", "Store:ConnectionString", "CONN", "(none)", "the PostgreSQL connection string (prefer LINKAGE__Store__ConnectionString: a password on the command line is visible to ps)"),
        ("--pg-schema", "Store:Schema", "NAME", "linkage", "the PostgreSQL schema Linkage's tables live in (created when absent; never your own tables' schema)"),
        ("--listen", "Intake:Listen", "URL", "http://127.0.0.1:8080", "where the intake API listens; port 0 takes a free port. Not loopback: Intake:Token is required"),
        ("--ready-file", "ReadyFile", "FILE", "(none)", "once listening, write {\"intake\": URL} here"),
        ("--capture", "Capture", "FILE", "(none)", "append every message the daemon sees to this capture file (docs/capture.md), for `linkage audit`"),
        ("--log-format", "Logging:Format", "text|json", "text", "log lines as text or as JSON objects (stderr either way)"),
        ("--ack-timeout", "Host:AckTimeoutSeconds", "SECONDS", "5", "how long a create-order may go unanswered before it is sent again with the same client order id"),
        ("--order-wait", "Intake:OrderWaitSeconds", "SECONDS", "20", "how long POST /v1/orders waits for the exchange's answer before answering 202 (outcome unknown)"),
        ("--drain", "Host:DrainSeconds", "SECONDS", "10", "on SIGTERM, how long to wait for create-orders already sent to be answered"),
        ("--kill-at", "Testing:KillAt", "POINT:N", "(off)", "tests only: SIGKILL myself the Nth time I pass POINT (" + string.Join(", ", KillSwitch.Points) + ")"),
    ];

    /// <summary>What <c>linkage serve --help</c> prints.</summary>
    public static string Help => $"""
        linkage serve: the daemon a bot team deploys. It links every fill of your Coinbase account to the strategy
        intent that produced its order, over Coinbase's REST API and user WebSocket, and keeps the links in SQLite or
        PostgreSQL. Your webhook hands it each intent before placing the order (docs/api.md).

        usage: linkage serve --key FILE [options]
               linkage serve --exchange out/exchange/ready.json [options]     (against `linkage exchange`)

        options (each also a configuration key: appsettings.json, or --config FILE; environment LINKAGE__SECTION__KEY;
        the command line wins):
        {string.Join("\n", Flags.Select(f => $"  {f.Flag + " " + f.Value,-28} {f.Key,-26} [{f.Default}]\n  {"",-28} {f.Help}"))}
          {"--config FILE",-28} a JSON configuration file instead of ./appsettings.json
          {"--exchange FILE",-28} a `linkage exchange` ready file: its rest and ws URLs, CA file and key (waits for it)
          Intake:Token (config or LINKAGE__Intake__Token only): callers must send 'Authorization: Bearer TOKEN' on /v1/*

        endpoints: POST /v1/intents, POST /v1/orders, GET /v1/orders/ID, GET /v1/links?after=CURSOR, GET /healthz, GET /metrics
        exit status: 0 stopped cleanly (SIGTERM, SIGINT); 2 bad configuration, key or store; 3 cannot listen.

        examples:
          linkage exchange keys out/keys && linkage exchange --key out/keys/cdp_api_key.json --ready-file out/exchange.json
          linkage serve --key out/keys/cdp_api_key.json --rest https://127.0.0.1:PORT --ws wss://127.0.0.1:PORT/ws/user --ca out/exchange/ca.pem
          LINKAGE__Store__ConnectionString='Host=db;Username=linkage;Password=...' linkage serve --key key.json --store postgres
        """;

    /// <summary>Runs the daemon until SIGTERM or SIGINT; returns the exit code.</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        try
        {
            return RunAsync(args, stdout, stderr).GetAwaiter().GetResult();
        }
        catch (Exception e)
        {
            // A user never sees a stack trace: what failed, in one line.
            stderr.WriteLine($"linkage serve failed: {e.Message}");
            return 2;
        }
    }

    private static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        string? configFile = null;
        string? exchangeReady = null;
        for (var i = 0; i < args.Length; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help")
            {
                stdout.WriteLine(Help);
                return 0;
            }
            var flag = Flags.FirstOrDefault(f => f.Flag == arg);
            if ((flag.Flag is not null || arg is "--config" or "--exchange") && i + 1 >= args.Length)
            {
                stderr.WriteLine($"{arg} needs a value ({(flag.Flag is null ? "FILE" : flag.Value)})");
                return 2;
            }
            if (arg == "--config")
            {
                configFile = args[++i];
            }
            else if (arg == "--exchange")
            {
                exchangeReady = args[++i];
            }
            else if (flag.Flag is not null)
            {
                overrides[flag.Key] = args[++i];
            }
            else
            {
                stderr.WriteLine($"unexpected argument '{arg}'; linkage serve --help lists the options");
                return 2;
            }
        }
        if (exchangeReady is not null && !ReadExchange(exchangeReady, overrides, stderr))
        {
            return 2;
        }
        if (configFile is not null && !File.Exists(configFile))
        {
            stderr.WriteLine($"--config {configFile} does not exist");
            return 2;
        }
        IConfiguration configuration;
        try
        {
            configuration = new ConfigurationBuilder()
                .AddJsonFile(Path.GetFullPath(configFile ?? "appsettings.json"), optional: configFile is null)
                .AddEnvironmentVariables("LINKAGE__")
                .AddInMemoryCollection(overrides)
                .Build();
        }
        catch (Exception e) when (e is InvalidDataException or FormatException or JsonException)
        {
            stderr.WriteLine($"cannot read the configuration {configFile ?? "appsettings.json"}: {e.Message}");
            return 2;
        }
        var problems = new List<string>();
        if (ServeSettings.From(configuration, problems) is not { } settings)
        {
            foreach (var problem in problems)
            {
                stderr.WriteLine(problem);
            }
            stderr.WriteLine("linkage serve --help lists every option");
            return 2;
        }

        using var loggers = LoggerFactory.Create(logging => Logging(logging, configuration, settings));
        var log = loggers.CreateLogger("Linkage.Serve");
        LiveExchange exchange;
        try
        {
            exchange = LiveExchange.Create(settings, loggers);
        }
        catch (LiveExchangeException e)
        {
            stderr.WriteLine(e.Message);
            return 2;
        }
        using var exchangeLifetime = exchange;
        ILinkageStore store;
        try
        {
            if (settings.StoreKind == "sqlite")
            {
                Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.SqlitePath))!);
            }
            store = settings.StoreKind == "postgres"
                ? PostgresStore.Open(new PostgresStoreOptions { ConnectionString = settings.PostgresConnection!, Schema = settings.PostgresSchema })
                : SqliteStore.Open(new SqliteStoreOptions { Path = settings.SqlitePath });
        }
        catch (Exception e)
        {
            stderr.WriteLine($"cannot open the {settings.StoreKind} store ({(settings.StoreKind == "postgres" ? "schema " + settings.PostgresSchema : settings.SqlitePath)}): {e.Message}");
            return 2;
        }
        using var storeLifetime = store;
        StreamWriter? capture = null;
        if (settings.CaptureFile is { } captureFile)
        {
            try
            {
                capture = new StreamWriter(captureFile, append: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                stderr.WriteLine($"cannot open the capture file {captureFile}: {e.Message}");
                return 2;
            }
        }
        await using var captureLifetime = capture;

        var time = TimeProvider.System;
        var metrics = new DaemonMetrics();
        metrics.StartParked(store.Parked().Length);
        var options = Linkage.Host.HostOptions.Default with { AckTimeout = settings.AckTimeout, Capture = capture is not null };
        await using var driver = new LiveDriver(
            processed => new WebhookHost(new GroupCommitCorrelator(store), new StoreLedger(store), options, processed),
            exchange.Rest, exchange.Feed, time, log, metrics, settings.Kill, capture);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        Logging(builder.Logging, configuration, settings);
        builder.Services.Configure<Microsoft.Extensions.Hosting.HostOptions>(o => o.ShutdownTimeout = settings.DrainTimeout);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = IntakeApi.BodyBytesMax * 16L;
        });
        builder.WebHost.UseUrls(settings.Listen.GetLeftPart(UriPartial.Authority));
        await using var app = builder.Build();
        var intake = new IntakeApi(driver, store, metrics, settings, time, log);
        intake.Map(app);
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            stderr.WriteLine($"cannot listen on {settings.Listen}: {e.Message}");
            return 3;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        stdout.WriteLine($"intake {address}");
        stdout.Flush();
        if (settings.ReadyFile is { } readyFile)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(readyFile))!);
            var temporary = readyFile + ".tmp";
            await File.WriteAllTextAsync(temporary, JsonSerializer.Serialize(new Dictionary<string, string> { ["intake"] = address }) + "\n");
            File.Move(temporary, readyFile, overwrite: true);
        }
        log.LogInformation("serving: intake {Intake}, exchange {Rest} and {WebSocket}, store {Store}, key {KeyName}",
            address, settings.RestUrl, settings.WebSocketUrl,
            settings.StoreKind == "postgres" ? "postgres schema " + settings.PostgresSchema : "sqlite " + Path.GetFullPath(settings.SqlitePath), exchange.KeyName);
        driver.Start();

        var stopping = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (app.Lifetime.ApplicationStopping.Register(() =>
        {
            intake.Close();
            stopping.TrySetResult();
        }))
        {
            await stopping.Task;
        }
        log.LogInformation("stopping: intake closed, draining create-orders already sent (up to {Drain})", settings.DrainTimeout);
        await driver.StopAsync(settings.DrainTimeout);
        await app.StopAsync();
        log.LogInformation("stopped cleanly");
        return 0;
    }

    /// <summary>How long <c>--exchange FILE</c> waits for <c>linkage exchange</c> to write its ready file.</summary>
    private static readonly TimeSpan ExchangeWait = TimeSpan.FromSeconds(120);

    /// <summary>
    /// <c>--exchange FILE</c>: point the daemon at a <c>linkage exchange</c> by its ready file (<c>rest</c>, <c>ws</c>,
    /// <c>caFile</c>, <c>keyFile</c>), waiting for it to appear. Flags given explicitly win.
    /// </summary>
    private static bool ReadExchange(string path, Dictionary<string, string?> overrides, TextWriter stderr)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (!File.Exists(path))
        {
            if (waited.Elapsed > ExchangeWait)
            {
                stderr.WriteLine($"--exchange {path}: no ready file after {ExchangeWait.TotalSeconds:0} s; is `linkage exchange --ready-file {path}` running?");
                return false;
            }
            Thread.Sleep(200);
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            var root = document.RootElement;
            string? Field(string name) => root.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
            foreach (var (key, value) in new[] { ("Coinbase:RestUrl", Field("rest")), ("Coinbase:WebSocketUrl", Field("ws")), ("Coinbase:CaFile", Field("caFile")), ("Coinbase:KeyFile", Field("keyFile")) })
            {
                if (value is not null)
                {
                    overrides.TryAdd(key, value);
                }
            }
            return true;
        }
        catch (Exception e) when (e is IOException or JsonException or InvalidOperationException)
        {
            stderr.WriteLine($"--exchange {path}: not a `linkage exchange` ready file ({e.Message})");
            return false;
        }
    }

    private static void Logging(ILoggingBuilder logging, IConfiguration configuration, ServeSettings settings)
    {
        logging.AddConfiguration(configuration.GetSection("Logging"));
        logging.SetMinimumLevel(LogLevel.Information);
        logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);
        logging.AddFilter("System.Net.Http", LogLevel.Warning);
        if (settings.JsonLogs)
        {
            logging.AddJsonConsole(o => o.UseUtcTimestamp = true);
        }
        else
        {
            logging.AddSimpleConsole(o =>
            {
                o.SingleLine = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
            });
        }
        // stdout carries the `intake URL` line scripts wait for; every log line goes to stderr.
        logging.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
    }
}
