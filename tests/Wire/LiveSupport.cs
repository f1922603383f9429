using System.Globalization;
using System.Text.Json;
using Linkage.Live;
using Linkage.Sim.World;
using Microsoft.Extensions.Logging;

namespace Linkage.Wire.Tests;

/// <summary>One log record as the live adapter wrote it: the rendered message and every structured value.</summary>
internal sealed record LogEntry(LogLevel Level, string Category, EventId Id, string Message, string Values);

/// <summary>
/// A logger factory that keeps every record, so a test can read what the adapter logged (retries, failures) and check
/// that no secret ever reached a log. A sink, not a stand-in: the code under test logs through it as through any other.
/// </summary>
internal sealed class CapturedLogs : ILoggerFactory
{
    private readonly List<LogEntry> _entries = [];

    public IReadOnlyList<LogEntry> Entries
    {
        get
        {
            lock (_entries)
            {
                return [.. _entries];
            }
        }
    }

    public ILogger CreateLogger(string categoryName) => new Sink(this, categoryName);

    public void AddProvider(ILoggerProvider provider)
    {
    }

    public void Dispose()
    {
    }

    public IEnumerable<LogEntry> WithId(int id) => Entries.Where(e => e.Id.Id == id);

    /// <summary>No record holds the key file's private key (or a long piece of it), a JWT, a bearer header or a PEM.</summary>
    public void AssertNoSecrets(params string[] keyFiles)
    {
        var secrets = keyFiles.Select(f => PrivateKeyText(f)).ToList();
        foreach (var entry in Entries)
        {
            var text = entry.Message + "\n" + entry.Values;
            Assert.That(text, Does.Not.Contain("eyJ"), "a JWT (base64 of '{\"') reached a log");
            Assert.That(text, Does.Not.Contain("Bearer"), "an Authorization header reached a log");
            Assert.That(text, Does.Not.Contain("PRIVATE KEY"), "a PEM reached a log");
            foreach (var secret in secrets)
            {
                Assert.That(Live.SharesPiece(text, secret), Is.False, "a piece of the private key reached a log");
            }
        }
    }

    public static string PrivateKeyText(string keyFile)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(keyFile));
        return document.RootElement.GetProperty("privateKey").GetString()!;
    }

    private sealed class Sink(CapturedLogs owner, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var values = state is IEnumerable<KeyValuePair<string, object?>> pairs ? string.Join("; ", pairs.Select(p => $"{p.Key}={p.Value}")) : "";
            if (exception is not null)
            {
                values += "; exception=" + exception;
            }
            lock (owner._entries)
            {
                owner._entries.Add(new LogEntry(logLevel, category, eventId, formatter(state, exception), values));
            }
        }
    }
}

/// <summary>The system clock moved by a fixed offset: a client whose clock is wrong.</summary>
internal sealed class OffsetTimeProvider(TimeSpan offset) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => System.GetUtcNow() + offset;
}

/// <summary>What the exchange's truth file says (written when it stops): its orders and the faults it injected.</summary>
internal sealed record Truth(IReadOnlyList<(string OrderId, string ClientOrderId, string Status)> Orders, IReadOnlyList<(DateTimeOffset At, string Kind, string Target)> Faults)
{
    public static Truth Read(ExchangeProcess server)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(server.TruthFile));
        var root = document.RootElement;
        var orders = root.GetProperty("orders").EnumerateArray()
            .Select(o => (o.GetProperty("order_id").GetString()!, o.GetProperty("client_order_id").GetString()!, o.GetProperty("status").GetString()!))
            .ToList();
        var faults = root.GetProperty("faults").EnumerateArray()
            .Select(f => (Live.Time(f.GetProperty("at").GetString()!), f.GetProperty("kind").GetString()!, f.GetProperty("target").GetString()!))
            .ToList();
        return new Truth(orders, faults);
    }
}

/// <summary>Helpers of the live adapter's tests.</summary>
internal static class Live
{
    public static CoinbaseEndpoints Endpoints(ExchangeProcess server, bool trustCa = true) =>
        new(new Uri(server.Rest), new Uri(server.Ws), trustCa ? server.CaFile : null);

    /// <summary>A client order id our engine could have minted: <c>lk-</c> and 32 hex digits.</summary>
    public static string NewCoid() => "lk-" + Guid.NewGuid().ToString("N");

    public static string Limit(string coid, string price, string size = "0.01", string side = "BUY", string product = "BTC-USD") =>
        $$$$"""{"client_order_id":"{{{{coid}}}}","product_id":"{{{{product}}}}","side":"{{{{side}}}}","order_configuration":{"limit_limit_gtc":{"base_size":"{{{{size}}}}","limit_price":"{{{{price}}}}","post_only":false}}}""";

    public static string Market(string coid, string size = "0.01", string side = "BUY", string product = "BTC-USD") =>
        $$$$"""{"client_order_id":"{{{{coid}}}}","product_id":"{{{{product}}}}","side":"{{{{side}}}}","order_configuration":{"market_market_ioc":{"base_size":"{{{{size}}}}"}}}""";

    public static DateTimeOffset Time(string text) => DateTimeOffset.Parse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal);

    /// <summary>The time of every line of the exchange's transcript (every answer it wrote and WebSocket message it sent).</summary>
    public static IReadOnlyList<DateTimeOffset> TranscriptTimes(ExchangeProcess server) =>
        [.. File.ReadLines(server.TranscriptFile).Where(l => l.Length > 0).Select(l =>
        {
            using var document = JsonDocument.Parse(l);
            return Time(document.RootElement.GetProperty("at").GetString()!);
        })];

    /// <summary>The order id of a successful create-order answer.</summary>
    public static string OrderId(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("success_response").GetProperty("order_id").GetString()!;
    }

    /// <summary>
    /// The smallest seed whose fault stream for <paramref name="kind"/> (drawn as the exchange draws it, at
    /// <paramref name="rate"/>) makes <paramref name="accepts"/> true; <paramref name="accepts"/> pulls draws one by one.
    /// </summary>
    public static ulong Seed(string kind, decimal rate, Func<Func<bool>, bool> accepts) => Seed([kind], rate, draws => accepts(draws[0]));

    /// <summary>As <see cref="Seed(string, decimal, Func{Func{bool}, bool})"/> over several kinds' streams at once.</summary>
    public static ulong Seed(string[] kinds, decimal rate, Func<Func<bool>[], bool> accepts)
    {
        for (ulong seed = 1; seed < 200_000; seed++)
        {
            var streams = kinds.Select(k => Prng.Stream(seed, "wire:fault:" + k)).ToArray();
            if (accepts([.. streams.Select(s => (Func<bool>)(() => s.Chance(rate)))]))
            {
                return seed;
            }
        }
        throw new InvalidOperationException($"no seed fits for {string.Join(",", kinds)} at {rate}");
    }

    /// <summary>Whether <paramref name="text"/> holds any 12-character piece of <paramref name="secret"/> (ignoring line breaks).</summary>
    public static bool SharesPiece(string text, string secret)
    {
        var body = string.Concat(secret.Split('\n').Where(l => !l.StartsWith("-----", StringComparison.Ordinal))).Replace("\r", "", StringComparison.Ordinal);
        const int piece = 12;
        for (var i = 0; i + piece <= body.Length; i += 4)
        {
            if (text.Contains(body.AsSpan(i, piece), StringComparison.Ordinal))
            {
                return true;
            }
        }
        return false;
    }

    public static string Arg(ulong seed) => seed.ToString(CultureInfo.InvariantCulture);
}

/// <summary>
/// A fixture of live-adapter tests that share one exchange process (no faults): the server, its key loaded as the
/// daemon loads it, and the logs every client of the fixture writes to, checked after each test for secrets.
/// </summary>
public abstract class LiveServerFixture
{
    private protected ExchangeProcess Server { get; private set; } = null!;

    private protected CdpApiKey Key { get; private set; } = null!;

    private protected CapturedLogs Logs { get; private set; } = null!;

    [OneTimeSetUp]
    public void StartServer()
    {
        Server = ExchangeProcess.Start();
        Key = CdpApiKey.Load(Server.KeyFile);
        Logs = new CapturedLogs();
    }

    [OneTimeTearDown]
    public void StopServer()
    {
        Key?.Dispose();
        Logs?.Dispose();
        Server?.Dispose();
    }

    [TearDown]
    public void NoSecretLogged() => Logs.AssertNoSecrets(Server.KeyFile);
}
