using System.Globalization;
using System.Net;
using Microsoft.Extensions.Configuration;

namespace Linkage.Serve;

/// <summary>
/// The daemon's settings, read from configuration (<c>appsettings.json</c> or <c>--config FILE</c>, then environment
/// variables <c>LINKAGE__SECTION__KEY</c>, then the command line, later sources winning) and validated together: every
/// problem is reported at once, by its configuration key. docs/serve.md is the reference of every key.
/// </summary>
internal sealed record ServeSettings
{
    public const string CoinbaseRest = "https://api.coinbase.com";
    public const string CoinbaseWebSocket = "wss://advanced-trade-ws-user.coinbase.com";

    public required string KeyFile { get; init; }
    public Uri RestUrl { get; init; } = new(CoinbaseRest);
    public Uri WebSocketUrl { get; init; } = new(CoinbaseWebSocket);
    public string? CaFile { get; init; }
    public IReadOnlyList<string> Products { get; init; } = [];
    public string StoreKind { get; init; } = "sqlite";
    public string SqlitePath { get; init; } = "linkage.db";
    public string? PostgresConnection { get; init; }
    public string PostgresSchema { get; init; } = "linkage";
    public Uri Listen { get; init; } = new("http://127.0.0.1:8080");
    public string? IntakeToken { get; init; }
    public string? ReadyFile { get; init; }
    public string? CaptureFile { get; init; }
    public bool JsonLogs { get; init; }
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan OrderWait { get; init; } = TimeSpan.FromSeconds(20);
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(10);
    public KillSwitch Kill { get; init; } = KillSwitch.None;

    /// <summary>Whether the intake listens on a loopback address only.</summary>
    public bool ListensOnLoopback =>
        Listen.Host is "localhost" || (IPAddress.TryParse(Listen.Host.Trim('[', ']'), out var address) && IPAddress.IsLoopback(address));

    /// <summary>Reads and validates; null with every problem when the configuration does not make a daemon.</summary>
    public static ServeSettings? From(IConfiguration c, List<string> problems)
    {
        string? Text(string key) => string.IsNullOrWhiteSpace(c[key]) ? null : c[key]!.Trim();
        Uri Url(string key, Uri fallback, params string[] schemes)
        {
            if (Text(key) is not { } text)
            {
                return fallback;
            }
            if (Uri.TryCreate(text, UriKind.Absolute, out var url) && schemes.Contains(url.Scheme))
            {
                return url;
            }
            problems.Add($"{key} must be an absolute {string.Join(" or ", schemes)} URL, not '{text}'");
            return fallback;
        }
        TimeSpan Seconds(string key, TimeSpan fallback)
        {
            if (Text(key) is not { } text)
            {
                return fallback;
            }
            if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var seconds) && seconds > 0 && seconds <= 3600)
            {
                return TimeSpan.FromSeconds(seconds);
            }
            problems.Add($"{key} must be a number of seconds in (0, 3600], not '{text}'");
            return fallback;
        }

        var key = Text("Coinbase:KeyFile");
        if (key is null)
        {
            problems.Add("Coinbase:KeyFile is required (--key FILE): the CDP API key file, cdp_api_key.json as Coinbase's download writes it");
        }
        else if (!File.Exists(key))
        {
            problems.Add($"Coinbase:KeyFile {key} does not exist");
        }
        var caFile = Text("Coinbase:CaFile");
        if (caFile is not null && !File.Exists(caFile))
        {
            problems.Add($"Coinbase:CaFile {caFile} does not exist");
        }
        var products = (Text("Coinbase:Products") ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        foreach (var child in c.GetSection("Coinbase:Products").GetChildren())
        {
            if (!string.IsNullOrWhiteSpace(child.Value))
            {
                products = [.. products, child.Value.Trim()];
            }
        }
        var kind = Text("Store:Kind") ?? "sqlite";
        if (kind is not ("sqlite" or "postgres"))
        {
            problems.Add($"Store:Kind must be sqlite or postgres, not '{kind}'");
        }
        var connection = Text("Store:ConnectionString");
        if (kind == "postgres" && connection is null)
        {
            problems.Add("Store:Kind postgres needs Store:ConnectionString (--pg CONN, or LINKAGE__Store__ConnectionString to keep the password off the command line)");
        }
        var schema = Text("Store:Schema") ?? "linkage";
        var listen = Url("Intake:Listen", new Uri("http://127.0.0.1:8080"), "http");
        var token = Text("Intake:Token");
        KillSwitch kill = KillSwitch.None;
        if (Text("Testing:KillAt") is { } killAt)
        {
            kill = KillSwitch.Parse(killAt, out var problem) ?? KillSwitch.None;
            if (problem is not null)
            {
                problems.Add(problem);
            }
        }
        var format = Text("Logging:Format") ?? "text";
        if (format is not ("text" or "json"))
        {
            problems.Add($"Logging:Format must be text or json, not '{format}'");
        }
        var settings = new ServeSettings
        {
            KeyFile = key ?? "",
            RestUrl = Url("Coinbase:RestUrl", new Uri(CoinbaseRest), "https", "http"),
            WebSocketUrl = Url("Coinbase:WebSocketUrl", new Uri(CoinbaseWebSocket), "wss", "ws"),
            CaFile = caFile,
            Products = products,
            StoreKind = kind,
            SqlitePath = Text("Store:Path") ?? "linkage.db",
            PostgresConnection = connection,
            PostgresSchema = schema,
            Listen = listen,
            IntakeToken = token,
            ReadyFile = Text("ReadyFile"),
            CaptureFile = Text("Capture"),
            JsonLogs = format == "json",
            AckTimeout = Seconds("Host:AckTimeoutSeconds", TimeSpan.FromSeconds(5)),
            OrderWait = Seconds("Intake:OrderWaitSeconds", TimeSpan.FromSeconds(20)),
            DrainTimeout = Seconds("Host:DrainSeconds", TimeSpan.FromSeconds(10)),
            Kill = kill,
        };
        if (!settings.ListensOnLoopback && token is null)
        {
            problems.Add($"Intake:Listen {listen} is not a loopback address: set Intake:Token (LINKAGE__Intake__Token) so callers must send 'Authorization: Bearer TOKEN'");
        }
        if (token is { Length: < 16 })
        {
            problems.Add("Intake:Token must be at least 16 characters");
        }
        return problems.Count == 0 ? settings : null;
    }
}
