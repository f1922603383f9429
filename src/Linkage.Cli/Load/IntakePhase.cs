using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using HdrHistogram;

namespace Linkage.Cli.Load;

/// <summary>What the intake phase measured.</summary>
internal sealed record IntakeResult
{
    public required int Concurrency { get; init; }
    public required double Seconds { get; init; }
    public required long Staged { get; init; }
    public required long Refused { get; init; }
    public required long Failed { get; init; }
    public required double PerSecond { get; init; }
    public required double P50Ms { get; init; }
    public required double P99Ms { get; init; }
    public required double MaxMs { get; init; }
    public required IReadOnlyDictionary<string, long> Statuses { get; init; }
}

/// <summary>
/// Intents as a strategy's webhook hands them over, each distinct (its own <c>snapshot_id</c>), and the client that
/// posts them to <c>POST /v1/intents</c>. Used by the intake phase (measured) and by the fill phase (to stage the
/// intents its orders belong to).
/// </summary>
internal sealed class IntakeClient : IDisposable
{
    /// <summary>The product every load order trades, and its size: one increment is 0.00000001 BTC, so many partials still fit.</summary>
    public const string Product = "BTC-USD";

    /// <summary>About 0.65 USD at the exchange's start price: a million orders fit in its starting balance.</summary>
    public const decimal Size = 0.00001m;

    private readonly HttpClient _http;
    private readonly Uri _intents;
    private readonly string _run;

    public IntakeClient(Uri intake, string run, int concurrency)
    {
        _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            Timeout = TimeSpan.FromSeconds(30),
        };
        _intents = new Uri(intake, "/v1/intents");
        _run = run;
    }

    /// <summary>Intent number <paramref name="n"/> of this run and phase: an entry, buy <see cref="Size"/> <see cref="Product"/>.</summary>
    public string Intent(string phase, long n) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["snapshot_id"] = $"load-{_run}-{phase}-{n.ToString(CultureInfo.InvariantCulture)}",
        ["score"] = new Dictionary<string, object> { ["Buy Score"] = 0.7 },
        ["trigger"] = "load",
        ["pair"] = Product,
        ["side"] = "buy",
        ["size"] = Size.ToString(CultureInfo.InvariantCulture),
        ["timestamp"] = DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture),
    });

    /// <summary>Posts one intent; the status (0 when no answer came) and, on 200 or 201, its client order id.</summary>
    public async Task<(int Status, string? ClientOrderId)> Post(string body, CancellationToken cancel)
    {
        try
        {
            using var content = new StringContent(body, Encoding.UTF8, "application/json");
            using var response = await _http.PostAsync(_intents, content, cancel);
            var text = await response.Content.ReadAsStringAsync(cancel);
            if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created)
            {
                using var document = JsonDocument.Parse(text);
                return ((int)response.StatusCode, document.RootElement.GetProperty("client_order_id").GetString());
            }
            return ((int)response.StatusCode, null);
        }
        catch (Exception e) when (e is HttpRequestException or JsonException or KeyNotFoundException || (e is TaskCanceledException && !cancel.IsCancellationRequested))
        {
            return (0, null);
        }
    }

    public void Dispose() => _http.Dispose();
}

/// <summary>
/// Phase one: <c>POST /v1/intents</c> with distinct intents from <c>--concurrency</c> workers, each sending its next
/// request as soon as the last is answered (closed loop), for <c>--warmup</c> (not counted: JIT and connection set-up)
/// then <c>--duration</c> (counted). Latency is each request's round trip, recorded in an HdrHistogram (microseconds,
/// 3 significant digits).
/// </summary>
internal static class IntakePhase
{
    public static async Task<IntakeResult> Run(IntakeClient client, LoadSettings settings, TextWriter progress, CancellationToken cancel)
    {
        var histogram = new LongHistogram(TimeSpan.FromMinutes(1).Ticks / 10, 3);
        var statuses = new Dictionary<string, long>(StringComparer.Ordinal);
        long next = 0;
        long staged = 0;
        long refused = 0;
        long failed = 0;
        var clock = Stopwatch.StartNew();
        var measureFrom = settings.Warmup;
        var measureUntil = settings.Warmup + settings.Duration;
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancel);

        async Task Worker()
        {
            var local = new LongHistogram(TimeSpan.FromMinutes(1).Ticks / 10, 3);
            var localStatuses = new Dictionary<string, long>(StringComparer.Ordinal);
            while (!stop.IsCancellationRequested)
            {
                var body = client.Intent("intake", Interlocked.Increment(ref next));
                var sent = clock.Elapsed;
                if (sent >= measureUntil)
                {
                    break;
                }
                var (status, _) = await client.Post(body, stop.Token);
                var took = clock.Elapsed - sent;
                if (sent < measureFrom)
                {
                    continue;
                }
                var key = status == 0 ? "no answer" : status.ToString(CultureInfo.InvariantCulture);
                localStatuses[key] = localStatuses.GetValueOrDefault(key) + 1;
                if (status is 200 or 201)
                {
                    local.RecordValue(Math.Min(local.HighestTrackableValue, Math.Max(0, (long)took.TotalMicroseconds)));
                    Interlocked.Increment(ref staged);
                }
                else if (status == 0)
                {
                    Interlocked.Increment(ref failed);
                }
                else
                {
                    Interlocked.Increment(ref refused);
                }
            }
            lock (histogram)
            {
                histogram.Add(local);
                foreach (var (key, count) in localStatuses)
                {
                    statuses[key] = statuses.GetValueOrDefault(key) + count;
                }
            }
        }

        var workers = Enumerable.Range(0, settings.Concurrency).Select(_ => Task.Run(Worker, CancellationToken.None)).ToArray();
        var all = Task.WhenAll(workers);
        while (!all.IsCompleted)
        {
            await Task.WhenAny(all, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None));
            var elapsed = clock.Elapsed;
            if (!all.IsCompleted)
            {
                var counted = Interlocked.Read(ref staged);
                var measured = elapsed - measureFrom;
                progress.WriteLine(elapsed < measureFrom
                    ? $"intake: warming up ({elapsed.TotalSeconds:F0}/{measureFrom.TotalSeconds:F0} s)"
                    : $"intake: {measured.TotalSeconds:F0}/{settings.Duration.TotalSeconds:F0} s, {counted:N0} staged, {counted / Math.Max(0.001, measured.TotalSeconds):N0}/s");
            }
        }
        await all;
        cancel.ThrowIfCancellationRequested();
        var seconds = settings.Duration.TotalSeconds;
        return new IntakeResult
        {
            Concurrency = settings.Concurrency,
            Seconds = seconds,
            Staged = staged,
            Refused = refused,
            Failed = failed,
            PerSecond = staged / seconds,
            P50Ms = histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(50) / 1000.0,
            P99Ms = histogram.TotalCount == 0 ? 0 : histogram.GetValueAtPercentile(99) / 1000.0,
            MaxMs = histogram.TotalCount == 0 ? 0 : histogram.GetMaxValue() / 1000.0,
            Statuses = statuses,
        };
    }
}
