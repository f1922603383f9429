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
    public required double LinkingSeconds { get; init; }
    public required long Samples { get; init; }
    public required double P50Ms { get; init; }
    public required double P99Ms { get; init; }
    public required double MaxMs { get; init; }

    /// <summary>Whether the quantiles come from the histogram's buckets (a running daemon: upper bounds) rather than its HdrHistogram.</summary>
    public required bool FromBuckets { get; init; }
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
/// --market-partials</c>), so the fill rate on the wire is the order rate times the partials. Once every fill is linked
/// (or nothing moved for <see cref="SettleQuiet"/>), the daemon's <c>/metrics</c> gives the fill-to-link latency it
/// measured from each WebSocket frame received to its link committed.
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
        var before = await Metrics(http, metricsUrl, cancel);
        var orders = settings.Orders;

        // Stage one intent per order (not timed: the intake phase measures this).
        var staging = Stopwatch.StartNew();
        var ids = new string?[orders];
        long nextStage = -1;
        long stagedCount = 0;
        async Task Stager()
        {
            while (Interlocked.Increment(ref nextStage) is var i && i < orders && !cancel.IsCancellationRequested)
            {
                for (var attempt = 0; attempt < 5 && ids[i] is null; attempt++)
                {
                    var (_, coid) = await intake.Post(intake.Intent("fills", i), cancel);
                    ids[i] = coid;
                }
                Interlocked.Increment(ref stagedCount);
            }
        }
        var stagers = Task.WhenAll(Enumerable.Range(0, settings.Concurrency).Select(_ => Task.Run(Stager, CancellationToken.None)));
        while (!stagers.IsCompleted)
        {
            await Task.WhenAny(stagers, Task.Delay(TimeSpan.FromSeconds(1), CancellationToken.None));
            if (!stagers.IsCompleted)
            {
                progress.WriteLine($"fills: staging intents, {Interlocked.Read(ref stagedCount):N0}/{orders:N0}");
            }
        }
        await stagers;
        cancel.ThrowIfCancellationRequested();
        var staged = ids.Count(id => id is not null);
        if (staged < orders)
        {
            throw new ChildFailedException($"the daemon staged only {staged:N0} of {orders:N0} intents; see its log");
        }
        var stagingSeconds = staging.Elapsed.TotalSeconds;

        // Place the orders on a fixed schedule.
        var interval = TimeSpan.FromSeconds(settings.Partials / (double)settings.FillRate);
        using var inFlight = new SemaphoreSlim(InFlightMax);
        var accepted = 0;
        var failed = 0;
        var sent = 0;
        var placing = new List<Task>(orders);
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        var lastAnswer = TimeSpan.Zero;
        var answers = new object();

        async Task Place(string coid)
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

        for (var i = 0; i < orders; i++)
        {
            var due = interval * i;
            var wait = due - clock.Elapsed;
            if (wait > TimeSpan.FromMilliseconds(1))
            {
                await Task.Delay(wait, cancel);
            }
            await inFlight.WaitAsync(cancel);
            sent++;
            placing.Add(Place(ids[i]!));
            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(1))
            {
                lastReport = clock.Elapsed;
                progress.WriteLine($"fills: {lastReport.TotalSeconds:F0}/{settings.Duration.TotalSeconds:F0} s, {sent:N0}/{orders:N0} orders sent, " +
                    $"{Volatile.Read(ref accepted) * (long)settings.Partials / Math.Max(0.001, lastReport.TotalSeconds):N0} fills/s");
            }
        }
        await Task.WhenAll(placing);
        double placingSeconds;
        lock (answers)
        {
            placingSeconds = Math.Max(lastAnswer.TotalSeconds, 0.001);
        }

        // Wait for the daemon to link what was filled.
        var expected = (long)accepted * settings.Partials;
        var after = await Metrics(http, metricsUrl, cancel);
        var lastLinks = after.Links;
        var quietSince = Stopwatch.StartNew();
        while (after.Links - before.Links < expected && quietSince.Elapsed < SettleQuiet)
        {
            await Task.Delay(250, cancel);
            after = await Metrics(http, metricsUrl, cancel);
            if (after.Links != lastLinks)
            {
                lastLinks = after.Links;
                quietSince.Restart();
            }
            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(1))
            {
                lastReport = clock.Elapsed;
                progress.WriteLine($"fills: waiting for links, {after.Links - before.Links:N0}/{expected:N0}");
            }
        }
        var linkingSeconds = clock.Elapsed.TotalSeconds;
        var fresh = before.LatencyCount == 0;
        return new FillResult
        {
            TargetRate = settings.FillRate,
            Partials = settings.Partials,
            Seconds = settings.Duration.TotalSeconds,
            Staged = staged,
            StagingSeconds = stagingSeconds,
            OrdersSent = sent,
            OrdersAccepted = accepted,
            OrdersFailed = failed,
            PlacingSeconds = placingSeconds,
            AchievedFillRate = accepted * (double)settings.Partials / placingSeconds,
            ExpectedLinks = expected,
            Links = after.Links - before.Links,
            LinkingSeconds = linkingSeconds,
            Samples = after.LatencyCount - before.LatencyCount,
            P50Ms = 1000 * (fresh ? after.P50Seconds : after.BucketQuantile(before, 0.5)),
            P99Ms = 1000 * (fresh ? after.P99Seconds : after.BucketQuantile(before, 0.99)),
            MaxMs = 1000 * (fresh ? after.MaxSeconds : after.BucketQuantile(before, 1)),
            FromBuckets = !fresh,
            Parked = after.Parked,
            Reconnects = after.Reconnects - before.Reconnects,
        };
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
