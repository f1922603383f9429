using System.Globalization;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Linkage.Sim.Server;

/// <summary><c>linkage exchange</c> and <c>linkage exchange keys</c>. Exit codes: 0 clean stop, 2 bad usage or input, 3 could not serve.</summary>
public static class ExchangeCommand
{
    public const string Help = """
        usage:
          linkage exchange keys DIR [--algorithm es256|ed25519]
          linkage exchange [options]

        Serves the simulated exchange (the same truth book as `replay`) as Coinbase Advanced Trade: REST under
        /api/v3/brokerage and the WebSocket user endpoint at /ws/user, over HTTPS and WSS on loopback, with JWT auth.

        keys DIR                 write DIR/cdp_api_key.json ({"name", "privateKey"}, as Coinbase's key download)
          --algorithm ALG        es256 (EC P-256, PEM) or ed25519 (base64 seed and public key) [es256]

        options (default in brackets):
          --key FILE             the CDP key clients sign with [DIR/cdp_api_key.json, made (es256) if missing]
          --dir DIR              where the CA certificate, a made key and default outputs go [out/exchange]
          --host ADDR            127.0.0.1 or ::1 [127.0.0.1]
          --port N               0 takes a free port [0]
          --plain                serve http/ws instead of https/wss; excludes --cert [off]
          --cert FILE            serve TLS with this PEM certificate (and chain) instead of one made at start; its
                                 certificates are written to DIR/ca.pem for clients to trust [a throwaway CA and certificate]
          --cert-key FILE        the unencrypted PEM private key of --cert (PKCS#8, SEC1 or PKCS#1) [read from --cert's file]
          --seed N               seeds price paths, partial fills, ids and faults [the scenario's seed, else 1]
          --speed X              virtual time runs X times wall time, at most 86400 [1]
          --market-partials N    for load tests: every market order fills in exactly N equal trades (1 to 100),
                                 each in a user update of its own [1 to 3 seeded partials, coalesced]
          --faults PROFILE       none, ws-drop, ws-duplicate, ws-reorder, ws-close, heartbeat-silence, ack-lost,
                                 rate-limit, unauthorized, unavailable, latency, swarm [none]
          --scenario FILE        play a scenario file's exchange-side script for whoever connects (docs/exchange.md,
                                 "Playing a scenario"): its clock starts with the first authenticated client; fills,
                                 cancels, manual orders, disconnects, duplicates, acks, feed faults and latencies as
                                 the file says; the client places the scenario's orders with the client order ids
                                 GET /sim/scenario and DIR/plan.json give; other orders are refused [none]
          --strict-uri           the JWT uri claim must name api.coinbase.com as well as method and path [off: method and path]
          --duration SECONDS     stop after this long (wall time) [run until SIGINT or SIGTERM]
          --truth FILE           orders, trades and faults written at exit [DIR/truth.json]
          --transcript FILE      the exchange's side in our capture format (JSON lines) [none]
          --ready-file FILE      once accepting, write {"rest","ws","caFile","keyFile"} (and "plan") here [none]
          -h, --help             this text

        Once it accepts connections it prints `rest URL`, `ws URL`, `ca FILE` and `key FILE` lines on stdout (and
        `plan FILE` with --scenario).

        exit codes: 0 stopped cleanly (outputs written), 2 bad usage, an unreadable key or certificate, or a scenario
        that does not load or asks for what the wire server cannot play (each problem as FILE:LINE:COLUMN: KEY: REASON),
        3 could not serve (port in use).

        example:
          linkage exchange keys out/keys
          linkage exchange --key out/keys/cdp_api_key.json --seed 7 --faults swarm --ready-file out/ready.json
          linkage exchange --scenario scenarios/steps/partials-across-disconnect.yaml --speed 10
          linkage exchange --cert server.pem --cert-key server-key.pem
        """;

    /// <summary>Benchmarks only: called with the book once the server accepts connections, so updates can be made without REST.</summary>
    internal static Action<ExchangeBook>? Started { get; set; }

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(args);
        ArgumentNullException.ThrowIfNull(stdout);
        ArgumentNullException.ThrowIfNull(stderr);
        if (args.Length > 0 && args[0] == "keys")
        {
            return Keys(args[1..], stdout, stderr);
        }
        var options = ServerOptions.Parse(args, out var errors);
        if (options is null)
        {
            foreach (var error in errors)
            {
                stderr.WriteLine(error);
            }
            stderr.WriteLine(Help);
            return errors.Count == 0 ? 0 : 2;
        }
        if (errors.Count == 0 && options.ShowHelp)
        {
            stdout.WriteLine(Help);
            return 0;
        }
        try
        {
            return Serve(options, stdout, stderr).GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            stderr.WriteLine($"cannot serve: {e.Message}");
            return 3;
        }
    }

    private static int Keys(string[] args, TextWriter stdout, TextWriter stderr)
    {
        string? directory = null;
        var algorithm = KeyAlgorithm.Es256;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--algorithm" when i + 1 < args.Length:
                    var name = args[++i];
                    if (name == "es256")
                    {
                        algorithm = KeyAlgorithm.Es256;
                    }
                    else if (name == "ed25519")
                    {
                        algorithm = KeyAlgorithm.Ed25519;
                    }
                    else
                    {
                        stderr.WriteLine($"--algorithm must be es256 or ed25519, not '{name}'");
                        return 2;
                    }
                    break;
                case "-h" or "--help":
                    stdout.WriteLine(Help);
                    return 0;
                default:
                    if (directory is not null || args[i].StartsWith('-'))
                    {
                        stderr.WriteLine($"unexpected argument '{args[i]}'");
                        stderr.WriteLine(Help);
                        return 2;
                    }
                    directory = args[i];
                    break;
            }
        }
        if (directory is null)
        {
            stderr.WriteLine("keys needs a directory");
            stderr.WriteLine(Help);
            return 2;
        }
        var path = ApiKey.Generate(directory, algorithm);
        stdout.WriteLine($"key {path}");
        return 0;
    }

    private static async Task<int> Serve(ServerOptions options, TextWriter stdout, TextWriter stderr)
    {
        var log = TextWriter.Synchronized(stderr);
        var keyFile = options.KeyFile ?? Path.Combine(options.Directory, "cdp_api_key.json");
        if (options.KeyFile is null && !File.Exists(keyFile))
        {
            ApiKey.Generate(options.Directory, KeyAlgorithm.Es256);
        }
        if (ApiKey.Load(keyFile, out var keyError) is not { } key)
        {
            stderr.WriteLine(keyError);
            return 2;
        }
        WireScenario? scenario = null;
        if (options.ScenarioFile is { } scenarioFile)
        {
            scenario = WireScenario.Load(scenarioFile, options.SeedGiven, out var scenarioErrors);
            if (scenario is null)
            {
                foreach (var error in scenarioErrors)
                {
                    stderr.WriteLine(error);
                }
                stderr.WriteLine($"--scenario {scenarioFile}: cannot be played on the wire ({scenarioErrors.Count} problem{(scenarioErrors.Count == 1 ? "" : "s")})");
                return 2;
            }
        }
        var seed = scenario?.Seed ?? options.SeedGiven ?? 1;
        var profile = options.Faults;
        if (scenario?.Scenario.Faults is { Any: true } feedFaults)
        {
            // The scenario's feed faults replace the profile's WebSocket drop, duplicate and reorder rates.
            profile = profile with { Name = profile.Name + "+scenario", WsDrop = feedFaults.Drop, WsDuplicate = feedFaults.Duplicate, WsReorder = feedFaults.Reorder };
        }
        var caFile = Path.GetFullPath(Path.Combine(options.Directory, "ca.pem"));
        X509Certificate2? certificate = null;
        if (options.CertFile is { } certFile)
        {
            certificate = Certificates.Load(certFile, options.CertKeyFile, caFile, options.Host.ToString(), log, out var certError);
            if (certificate is null)
            {
                stderr.WriteLine(certError);
                return 2;
            }
        }
        else if (!options.Plain)
        {
            certificate = Certificates.Create(caFile);
        }
        using var served = certificate;
        var start = DateTimeOffset.UtcNow;
        var book = new ExchangeBook(seed, start, options.Speed, options.MarketPartials);
        var faults = new WireFaults(profile, seed, log);
        var player = scenario is null ? null : book.Play(scenario, faults, log);
        using var transcript = new Transcript(options.TranscriptFile);
        var verifier = new JwtVerifier(key, options.StrictUri, () => DateTimeOffset.UtcNow);

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            // Bodies are bounded by the handlers themselves (413 in Coinbase's shape); Kestrel's own bound sits just above.
            k.Limits.MaxRequestBodySize = (RestApi.RequestBodyBytesMax * 2) + 1;
            k.Listen(options.Host, options.Port, listen =>
            {
                if (certificate is not null)
                {
                    listen.UseHttps(certificate);
                }
            });
        });
        await using var app = builder.Build();
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(30) });
        var feed = new UserFeed(book, verifier, faults, transcript, log, scenario);
        if (player is not null)
        {
            player.Feed = feed;
        }
        app.Map("/ws/user", feed.Handle);
        new RestApi(book, feed, verifier, faults, transcript, log).Map(app);

        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            stderr.WriteLine($"cannot listen on {options.Host}:{options.Port}: {e.Message}");
            return 3;
        }
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(address).Port;
        var host = options.Host.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{options.Host}]" : options.Host.ToString();
        var rest = $"{(options.Plain ? "http" : "https")}://{host}:{port}";
        var ws = $"{(options.Plain ? "ws" : "wss")}://{host}:{port}/ws/user";
        stdout.WriteLine($"rest {rest}");
        stdout.WriteLine($"ws {ws}");
        stdout.WriteLine($"ca {(options.Plain ? "" : caFile)}");
        stdout.WriteLine($"key {Path.GetFullPath(keyFile)}");
        string? planFile = null;
        if (player is not null)
        {
            planFile = Path.GetFullPath(Path.Combine(options.Directory, "plan.json"));
            TruthFile.Save(planFile, book.Run(_ => WireJson.Write(player.Write)));
            stdout.WriteLine($"plan {planFile}");
        }
        stdout.Flush();
        if (options.ReadyFile is { } readyFile)
        {
            var fields = new Dictionary<string, string?> { ["rest"] = rest, ["ws"] = ws, ["caFile"] = options.Plain ? null : caFile, ["keyFile"] = Path.GetFullPath(keyFile) };
            if (planFile is not null)
            {
                fields["plan"] = planFile;
            }
            var ready = JsonSerializer.Serialize(fields);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(readyFile))!);
            var temporary = readyFile + ".tmp";
            await File.WriteAllTextAsync(temporary, ready + "\n");
            File.Move(temporary, readyFile, overwrite: true);
        }
        Started?.Invoke(book);
        log.WriteLine($"serving seed {seed}, speed {options.Speed.ToString(CultureInfo.InvariantCulture)}, faults {profile.Name}"
            + (scenario is null ? "" : $", scenario {scenario.Scenario.Name} ({scenario.Steps.Length} steps; its clock starts with the first authenticated client)"));

        var stopping = new TaskCompletionSource();
        using var registration = app.Lifetime.ApplicationStopping.Register(() => stopping.TrySetResult());
        using var ticker = new PeriodicTimer(TimeSpan.FromMilliseconds(100));
        var pump = Pump(book, ticker);
        if (options.Duration is { } duration)
        {
            await Task.WhenAny(stopping.Task, Task.Delay(duration));
        }
        else
        {
            await stopping.Task;
        }
        ticker.Dispose();
        await pump;
        var truth = TruthFile.Build(book, faults, seed);
        TruthFile.Save(options.TruthFile ?? Path.Combine(options.Directory, "truth.json"), truth);
        await app.StopAsync();
        log.WriteLine("stopped; truth written");
        return 0;
    }

    /// <summary>Keeps virtual time moving while no request comes, so resting orders fill and WebSocket updates flow.</summary>
    private static async Task Pump(ExchangeBook book, PeriodicTimer ticker)
    {
        try
        {
            while (await ticker.WaitForNextTickAsync())
            {
                book.Advance();
            }
        }
        catch (ObjectDisposedException)
        {
        }
    }
}

/// <summary>The options of <c>linkage exchange</c>, validated together (every error reported at once).</summary>
internal sealed record ServerOptions
{
    public string? KeyFile { get; init; }
    public string Directory { get; init; } = Path.Combine("out", "exchange");
    public IPAddress Host { get; init; } = IPAddress.Loopback;
    public int Port { get; init; }
    public bool Plain { get; init; }
    public string? CertFile { get; init; }
    public string? CertKeyFile { get; init; }
    public string? ScenarioFile { get; init; }

    /// <summary><c>--seed</c> when given: it overrides a scenario's own seed, as <c>replay --seed</c> does.</summary>
    public ulong? SeedGiven { get; init; }

    public double Speed { get; init; } = 1;
    public int? MarketPartials { get; init; }
    public FaultProfile Faults { get; init; } = FaultProfile.Find("none")!;
    public bool StrictUri { get; init; }
    public TimeSpan? Duration { get; init; }
    public string? TruthFile { get; init; }
    public string? TranscriptFile { get; init; }
    public string? ReadyFile { get; init; }
    public bool ShowHelp { get; init; }

    /// <summary>Largest <c>--speed</c>: virtual time may run a day per wall second, no faster (each virtual second is a price tick).</summary>
    public const double SpeedMax = 86_400;

    /// <summary>Largest <c>--market-partials</c>.</summary>
    public const int MarketPartialsMax = 100;

    public static ServerOptions? Parse(string[] args, out List<string> errors)
    {
        var problems = new List<string>();
        errors = problems;
        var o = new ServerOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string? Value()
            {
                if (i + 1 >= args.Length)
                {
                    problems.Add($"{name} needs a value");
                    return null;
                }
                return args[++i];
            }
            switch (name)
            {
                case "-h" or "--help":
                    o = o with { ShowHelp = true };
                    break;
                case "--plain":
                    o = o with { Plain = true };
                    break;
                case "--strict-uri":
                    o = o with { StrictUri = true };
                    break;
                case "--key":
                    o = o with { KeyFile = Value() };
                    break;
                case "--dir":
                    o = o with { Directory = Value() ?? o.Directory };
                    break;
                case "--truth":
                    o = o with { TruthFile = Value() };
                    break;
                case "--transcript":
                    o = o with { TranscriptFile = Value() };
                    break;
                case "--ready-file":
                    o = o with { ReadyFile = Value() };
                    break;
                case "--cert":
                    o = o with { CertFile = Value() };
                    break;
                case "--cert-key":
                    o = o with { CertKeyFile = Value() };
                    break;
                case "--scenario":
                    o = o with { ScenarioFile = Value() };
                    break;
                case "--host":
                    var hostText = Value();
                    if (hostText is not null)
                    {
                        if (hostText == "localhost")
                        {
                            hostText = "127.0.0.1";
                        }
                        if (!IPAddress.TryParse(hostText, out var host) || !IPAddress.IsLoopback(host))
                        {
                            errors.Add($"--host must be a loopback address (127.0.0.1 or ::1), not '{hostText}'");
                        }
                        else
                        {
                            o = o with { Host = host };
                        }
                    }
                    break;
                case "--port":
                    if (Value() is { } portText)
                    {
                        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port > 65535)
                        {
                            errors.Add($"--port must be 0 to 65535, not '{portText}'");
                        }
                        else
                        {
                            o = o with { Port = port };
                        }
                    }
                    break;
                case "--seed":
                    if (Value() is { } seedText)
                    {
                        if (!ulong.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out var seed))
                        {
                            errors.Add($"--seed must be a non-negative integer, not '{seedText}'");
                        }
                        else
                        {
                            o = o with { SeedGiven = seed };
                        }
                    }
                    break;
                case "--speed":
                    if (Value() is { } speedText)
                    {
                        if (!double.TryParse(speedText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var speed) || speed <= 0 || speed > SpeedMax)
                        {
                            errors.Add($"--speed must be above 0 and at most {SpeedMax}, not '{speedText}'");
                        }
                        else
                        {
                            o = o with { Speed = speed };
                        }
                    }
                    break;
                case "--market-partials":
                    if (Value() is { } partialsText)
                    {
                        if (!int.TryParse(partialsText, NumberStyles.None, CultureInfo.InvariantCulture, out var partials) || partials is < 1 or > MarketPartialsMax)
                        {
                            errors.Add($"--market-partials must be a whole number from 1 to {MarketPartialsMax}, not '{partialsText}'");
                        }
                        else
                        {
                            o = o with { MarketPartials = partials };
                        }
                    }
                    break;
                case "--duration":
                    if (Value() is { } durationText)
                    {
                        if (!double.TryParse(durationText, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var seconds) || seconds <= 0)
                        {
                            errors.Add($"--duration must be a positive number of seconds, not '{durationText}'");
                        }
                        else
                        {
                            o = o with { Duration = TimeSpan.FromSeconds(seconds) };
                        }
                    }
                    break;
                case "--faults":
                    if (Value() is { } profileName)
                    {
                        if (FaultProfile.Find(profileName) is { } profile)
                        {
                            o = o with { Faults = profile };
                        }
                        else
                        {
                            errors.Add($"--faults must be one of {string.Join(", ", FaultProfile.All.Select(p => p.Name))}, not '{profileName}'");
                        }
                    }
                    break;
                default:
                    errors.Add($"unknown option '{name}'");
                    break;
            }
        }
        if (o.CertKeyFile is not null && o.CertFile is null)
        {
            errors.Add("--cert-key needs --cert (the certificate the key belongs to)");
        }
        if (o.CertFile is not null && o.Plain)
        {
            errors.Add("--cert and --plain exclude each other (--plain serves no TLS)");
        }
        if (o.ShowHelp && errors.Count == 0)
        {
            return o;
        }
        return errors.Count == 0 ? o : null;
    }
}
