using System.Diagnostics;
using System.Text.Json;
using Linkage.Coinbase;
using Linkage.Engine;
using Linkage.Live;
using Microsoft.Extensions.Logging.Abstractions;

namespace Linkage.Cli.Load;

/// <summary>What the fill phase measured.</summary>
internal sealed record FillResult
{
    public required int TargetRate { get; init; }
    public required int Partials { get; init; }
    public required double Seconds { get; init; }
    public required int Staged { get; init; }
    public required double StagingSeconds { get; init; }
    public required int OrdersSent { get; init; }
    public required int OrdersAccepted { get; init; }
    public required int OrdersFailed { get; init; }
    public required double PlacingSeconds { get; init; }
    public required double AchievedFillRate { get; init; }
    public required long ExpectedLinks { get; init; }
    public required long Links { get; init; }
    public required long WarmupFills { get; init; }

    /// <summary>Fills of the measured window with a latency sample, and the window's quantiles: upper bounds of the daemon's histogram buckets (the difference of two scrapes).</summary>
    public required long Samples { get; init; }
    public required double P50Ms { get; init; }
    public required double P99Ms { get; init; }
    public required double MaxMs { get; init; }

    /// <summary>The daemon's own HdrHistogram quantiles (3 significant digits) over its whole life: the warm-up included, and for a running daemon everything before.</summary>
    public required long DaemonSamples { get; init; }
    public required double DaemonP50Ms { get; init; }
    public required double DaemonP99Ms { get; init; }
    public required double DaemonMaxMs { get; init; }
    public required long Parked { get; init; }
    public required long Reconnects { get; init; }
}

/// <summary>
/// Phase two: fills arrive on the daemon's WebSocket at <c>--fill-rate</c> per second for <c>--duration</c>. The phase
/// stages one intent per order through <c>POST /v1/intents</c> (not timed), then places market orders directly on the
/// exchange with those client order ids, as a webhook that places its own orders does, one every
/// <c>--partials</c>/<c>--fill-rate</c> seconds on a fixed schedule (open loop: a slow answer does not slow the
/// schedule; at most <see cref="InFlightMax"/> orders wait for answers). The exchange fills each market order at once
/// in exactly <c>--partials</c> trades, each in a <c>user</c> update of its own (<c>linkage exchange
/// --market-partials</c>), so the fill rate on the wire is the order rate times the partials. A warm-up of
/// <c>--fill-warmup</c> fills at the same rate comes first and is linked before the window starts (a process compiles
/// its code on first use; a daemon pays that once in its life). Once every fill of the window is linked (or nothing
/// moved for <see cref="SettleQuiet"/>), the daemon's <c>/metrics</c> gives the fill-to-link latency it measured from
/// each WebSocket frame received to its link committed: for the window from the difference of its histogram's buckets
/// before and after, and its own HdrHistogram quantiles since it started.
/// </summary>
internal static class FillPhase
{
    /// <summary>Most create-orders waiting for an answer at once.</summary>
    public const int InFlightMax = 256;

    /// <summary>How long the phase waits for the daemon's link count to move before it gives up on missing links.</summary>
    public static readonly TimeSpan SettleQuiet = TimeSpan.FromSeconds(15);

    public static async Task<FillResult> Run(IntakeClient intake, Uri metricsUrl, CoinbaseRestClient exchange, LoadSettings settings, TextWriter progress, CancellationToken cancel)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        var orders = settings.Orders;
        var warmupOrders = (int)Math.Ceiling(settings.FillWarmup / (double)settings.Partials);

        // Stage one intent per order (not timed: the intake phase measures this).
        var staging = Stopwatch.StartNew();
        var ids = await Stage(intake, warmupOrders + orders, settings.Concurrency, progress, cancel);
        var stagingSeconds = staging.Elapsed.TotalSeconds;

        // Warm up: the first fills a process links pay for compiling its code; a daemon pays that once in its life.
        var start = await Metrics(http, metricsUrl, cancel);
        if (warmupOrders > 0)
        {
            progress.WriteLine($"fills: warming up with {warmupOrders * (long)settings.Partials:N0} fills (not counted)");
            var warm = await Place(exchange, ids[..warmupOrders], settings, progress, "warm-up", cancel);
            await Settle(http, metricsUrl, start, (long)warm.Accepted * settings.Partials, progress, cancel);
        }

        var before = await Metrics(http, metricsUrl, cancel);
        var placed = await Place(exchange, ids[warmupOrders..], settings, progress, "fills", cancel);
        var expected = (long)placed.Accepted * settings.Partials;
        var after = await Settle(http, metricsUrl, before, expected, progress, cancel);
        return new FillResult
        {
            TargetRate = settings.FillRate,
            Partials = settings.Partials,
            Seconds = settings.Duration.TotalSeconds,
            WarmupFills = warmupOrders * (long)settings.Partials,
            Staged = ids.Length,
            StagingSeconds = stagingSeconds,
            OrdersSent = placed.Sent,
            OrdersAccepted = placed.Accepted,
            OrdersFailed = placed.Failed,
            PlacingSeconds = placed.Seconds,
            AchievedFillRate = placed.Accepted * (double)settings.Partials / placed.Seconds,
            ExpectedLinks = expected,
            Links = after.Links - before.Links,
            Samples = after.LatencyCount - before.LatencyCount,
            P50Ms = 1000 * after.BucketQuantile(before, 0.5),
            P99Ms = 1000 * after.BucketQuantile(before, 0.99),
            MaxMs = 1000 * after.BucketQuantile(before, 1),
            DaemonSamples = after.LatencyCount,
            DaemonP50Ms = 1000 * after.P50Seconds,
            DaemonP99Ms = 1000 * after.P99Seconds,
            DaemonMaxMs = 1000 * after.MaxSeconds,
            Parked = after.Parked,
            Reconnects = after.Reconnects - start.Reconnects,
        };
    }

    /// <summary>Stages <paramref name="count"/> intents with <paramref name="concurrency"/> workers; their client order ids, in order.</summary>
    private static async Task<string[]> Stage(IntakeClient intake, int count, int concurrency, TextWriter progress, CancellationToken cancel)
    {
        var ids = new string?[count];
        long next = -1;
        long done = 0;
        async Task Stager()
        {
            while (Interlocked.Increment(ref next) is var i && i < count && !cancel.IsCancellationRequested)
            {
                for (var attempt = 0; attempt < 5 && ids[i] is null; attempt++)
                {
                    var (_, coid) = await intake.Post(intake.Intent("fills", i), cancel);
                    ids[i] = coid;
                }
                Interlocked.Increment(ref done);
            }
        }
        var stagers = Task.WhenAll(Enumerable.Range(0, concurrency).Select(_ => Task.Run(Stager, CancellationToken.None)));
        while (!stagers.IsCompleted)
        {
            await Task.WhenAny(stagers, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None));
            if (!stagers.IsCompleted)
            {
                progress.WriteLine($"fills: staging intents, {Interlocked.Read(ref done):N0}/{count:N0}");
            }
        }
        await stagers;
        cancel.ThrowIfCancellationRequested();
        var staged = ids.Count(id => id is not null);
        if (staged < count)
        {
            throw new ChildFailedException($"the daemon staged only {staged:N0} of {count:N0} intents; see its log");
        }
        return ids!;
    }

    private sealed record Placed(int Sent, int Accepted, int Failed, double Seconds);

    /// <summary>Places a market order for each client order id on the fixed schedule; how many were sent, accepted and failed, and over how long.</summary>
    private static async Task<Placed> Place(CoinbaseRestClient exchange, string[] ids, LoadSettings settings, TextWriter progress, string label, CancellationToken cancel)
    {
        var interval = TimeSpan.FromSeconds(settings.Partials / (double)settings.FillRate);
        using var inFlight = new SemaphoreSlim(InFlightMax);
        var accepted = 0;
        var failed = 0;
        var placing = new List<Task>(ids.Length);
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        var lastAnswer = TimeSpan.Zero;
        var answers = new object();

        async Task One(string coid)
        {
            try
            {
                var request = CreateOrderRequests.Request(coid, IntakeClient.Product, Side.Buy, IntakeClient.Size, null);
                var response = await exchange.CreateOrderAsync(request, cancel);
                if (response.Status == 200 && Succeeded(response.Body))
                {
                    Interlocked.Increment(ref accepted);
                }
                else
                {
                    Interlocked.Increment(ref failed);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                Interlocked.Increment(ref failed);
            }
            finally
            {
                lock (answers)
                {
                    lastAnswer = clock.Elapsed;
                }
                inFlight.Release();
            }
        }

        for (var i = 0; i < ids.Length; i++)
        {
            var wait = interval * i - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancel);
            }
            await inFlight.WaitAsync(cancel);
            placing.Add(One(ids[i]));
            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(1))
            {
                lastReport = clock.Elapsed;
                progress.WriteLine($"{label}: {lastReport.TotalSeconds:F0} s, {i + 1:N0}/{ids.Length:N0} orders sent, " +
                    $"{Volatile.Read(ref accepted) * (long)settings.Partials / Math.Max(0.001, lastReport.TotalSeconds):N0} fills/s");
            }
        }
        await Task.WhenAll(placing);
        lock (answers)
        {
            return new Placed(ids.Length, accepted, failed, Math.Max(lastAnswer.TotalSeconds, 0.001));
        }
    }

    /// <summary>Waits until the daemon has committed <paramref name="expected"/> links more than <paramref name="from"/> (or nothing moved for <see cref="SettleQuiet"/>).</summary>
    private static async Task<DaemonMetricsText> Settle(HttpClient http, Uri metricsUrl, DaemonMetricsText from, long expected, TextWriter progress, CancellationToken cancel)
    {
        var now = await Metrics(http, metricsUrl, cancel);
        var lastLinks = now.Links;
        var quietSince = Stopwatch.StartNew();
        var report = Stopwatch.StartNew();
        while (now.Links - from.Links < expected && quietSince.Elapsed < SettleQuiet)
        {
            await Task.Delay(250, cancel);
            now = await Metrics(http, metricsUrl, cancel);
            if (now.Links != lastLinks)
            {
                lastLinks = now.Links;
                quietSince.Restart();
            }
            if (report.Elapsed >= TimeSpan.FromSeconds(1))
            {
                report.Restart();
                progress.WriteLine($"fills: waiting for links, {now.Links - from.Links:N0}/{expected:N0}");
            }
        }
        return now;
    }

    /// <summary>A REST client for the exchange, signing with the key file; the caller disposes both.</summary>
    public static (CoinbaseRestClient Client, CdpApiKey Key) Exchange(Uri rest, string keyFile, string? caFile)
    {
        var key = CdpApiKey.Load(keyFile);
        var endpoints = new CoinbaseEndpoints(rest, new Uri("ws://127.0.0.1/unused"), caFile);
        // No retries: a create-order that fails is counted, not sent again (the schedule would slip).
        var client = CoinbaseRestClient.Create(endpoints, key, TimeProvider.System, NullLoggerFactory.Instance, new CoinbaseRestOptions { RetriesMax = 0 });
        return (client, key);
    }

    public static async Task<DaemonMetricsText> Metrics(HttpClient http, Uri metricsUrl, CancellationToken cancel)
    {
        try
        {
            return DaemonMetricsText.Parse(await http.GetStringAsync(metricsUrl, cancel));
        }
        catch (HttpRequestException e)
        {
            throw new ChildFailedException($"cannot read the daemon's metrics at {metricsUrl}: {e.Message}");
        }
    }

    private static bool Succeeded(string body)
    {
        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.TryGetProperty("success", out var success) && success.ValueKind == JsonValueKind.True;
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
