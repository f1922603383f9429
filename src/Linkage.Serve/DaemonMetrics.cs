using System.Globalization;
using System.Text;
using HdrHistogram;
using Linkage.Engine;

namespace Linkage.Serve;

/// <summary>
/// What <c>GET /metrics</c> reports, in Prometheus text format (docs/api.md lists every series). Fed by the driver's
/// loop (decisions the store applied, feed events) and by the intake; read from request threads, so every field is
/// read and written atomically and the latency histogram sits behind a lock.
/// </summary>
internal sealed class DaemonMetrics
{
    /// <summary>
    /// Upper bounds (seconds) of the fill-to-link histogram's buckets: fine below 25 ms, so the quantiles of an interval
    /// (the difference of two scrapes, as <c>linkage load</c> reads them) can be judged against millisecond goals.
    /// </summary>
    private static readonly double[] Buckets =
        [0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.015, 0.02, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

    private readonly object _latencyLock = new();
    private readonly LongHistogram _latencyMicros = new(TimeSpan.FromMinutes(10).Ticks / 10, 3);
    private readonly long[] _bucketCounts = new long[Buckets.Length];
    private readonly Dictionary<string, long> _intake = new(StringComparer.Ordinal);
    private long _latencySumMicros;
    private long _intentsStaged;
    private long _botFills;
    private long _externalFills;
    private long _links;
    private long _parked;
    private long _quarantined;
    private long _duplicates;
    private long _alerts;
    private long _allocations;
    private long _reconnects;
    private long _feedConnected;
    private long _lastMessageTicks;
    private long _restBusySinceTicks;

    /// <summary>Fills parked in the store when the daemon started (the gauge counts from there).</summary>
    public void StartParked(long parked) => Interlocked.Exchange(ref _parked, parked);

    /// <summary>Counts what an applied batch did.</summary>
    public void Record(DecisionBatch batch)
    {
        foreach (var decision in batch.Decisions)
        {
            switch (decision)
            {
                case IntentStaged:
                    Interlocked.Increment(ref _intentsStaged);
                    break;
                case Linked:
                    Interlocked.Increment(ref _links);
                    break;
                case FillRecorded { Fill.ClientOrderId: null }:
                    Interlocked.Increment(ref _externalFills);
                    break;
                case FillRecorded:
                    Interlocked.Increment(ref _botFills);
                    break;
                case FillParked:
                    Interlocked.Increment(ref _parked);
                    break;
                case FillUnparked:
                    Interlocked.Decrement(ref _parked);
                    break;
                case InputRejected:
                    Interlocked.Increment(ref _quarantined);
                    break;
                case DuplicateIgnored:
                    Interlocked.Increment(ref _duplicates);
                    break;
                case AlertRaised:
                    Interlocked.Increment(ref _alerts);
                    break;
                case ExitAllocated:
                    Interlocked.Increment(ref _allocations);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>A link was committed this long after the WebSocket frame that carried its fill was received.</summary>
    public void FillToLink(TimeSpan latency)
    {
        var micros = Math.Max(0, (long)latency.TotalMicroseconds);
        lock (_latencyLock)
        {
            _latencyMicros.RecordValue(Math.Min(micros, _latencyMicros.HighestTrackableValue));
            _latencySumMicros += micros;
            var seconds = micros / 1e6;
            for (var i = 0; i < Buckets.Length; i++)
            {
                if (seconds <= Buckets[i])
                {
                    _bucketCounts[i]++;
                }
            }
        }
    }

    /// <summary>The fill-to-link latency's median, 99th percentile, maximum and count since start.</summary>
    public (TimeSpan P50, TimeSpan P99, TimeSpan Max, long Count) Latency()
    {
        lock (_latencyLock)
        {
            if (_latencyMicros.TotalCount == 0)
            {
                return (TimeSpan.Zero, TimeSpan.Zero, TimeSpan.Zero, 0);
            }
            return (TimeSpan.FromMicroseconds(_latencyMicros.GetValueAtPercentile(50)), TimeSpan.FromMicroseconds(_latencyMicros.GetValueAtPercentile(99)),
                TimeSpan.FromMicroseconds(_latencyMicros.GetMaxValue()), _latencyMicros.TotalCount);
        }
    }

    /// <summary>One intake request answered.</summary>
    public void Intake(string endpoint, int status)
    {
        var key = $"endpoint=\"{endpoint}\",status=\"{status.ToString(CultureInfo.InvariantCulture)}\"";
        lock (_intake)
        {
            _intake[key] = _intake.GetValueOrDefault(key) + 1;
        }
    }

    /// <summary>The feed connected (true) or ended (false); an end counts as a reconnect to come.</summary>
    public void Feed(bool connected)
    {
        Interlocked.Exchange(ref _feedConnected, connected ? 1 : 0);
        if (!connected)
        {
            Interlocked.Increment(ref _reconnects);
        }
    }

    /// <summary>A feed message arrived at <paramref name="at"/>.</summary>
    public void Message(DateTimeOffset at) => Interlocked.Exchange(ref _lastMessageTicks, at.UtcTicks);

    /// <summary>Since when a REST conversation (a reconciliation, a check) has been waiting; null when none is.</summary>
    public void RestBusy(DateTimeOffset? since) => Interlocked.Exchange(ref _restBusySinceTicks, since?.UtcTicks ?? 0);

    /// <summary>Whether the feed is connected now.</summary>
    public bool FeedConnected => Interlocked.Read(ref _feedConnected) == 1;

    /// <summary>When the last feed message arrived; null before the first.</summary>
    public DateTimeOffset? LastMessageAt => Interlocked.Read(ref _lastMessageTicks) is var t and > 0 ? new DateTimeOffset(t, TimeSpan.Zero) : null;

    /// <summary>Links committed over links plus fills parked now (1 with neither): below 1, fills are waiting for their intent.</summary>
    public double LinkageRate
    {
        get
        {
            var linked = Interlocked.Read(ref _links);
            var parked = Math.Max(0, Interlocked.Read(ref _parked));
            return linked + parked == 0 ? 1 : (double)linked / (linked + parked);
        }
    }

    /// <summary>The Prometheus text exposition (version 0.0.4) at <paramref name="now"/>.</summary>
    public string Prometheus(DateTimeOffset now)
    {
        var b = new StringBuilder(4096);
        Gauge(b, "linkage_linkage_rate", "Links committed since start over those plus fills parked now (1 with neither); alert when it stays below 1.", LinkageRate);
        Counter(b, "linkage_intents_staged_total", "Intents staged (write-ahead).", _intentsStaged);
        Counter(b, "linkage_links_total", "Link records committed.", _links);
        b.Append("# HELP linkage_fills_total Trade-level fills recorded, by whose order they were.\n# TYPE linkage_fills_total counter\n");
        b.Append("linkage_fills_total{kind=\"bot\"} ").Append(Interlocked.Read(ref _botFills).ToString(CultureInfo.InvariantCulture)).Append('\n');
        b.Append("linkage_fills_total{kind=\"external\"} ").Append(Interlocked.Read(ref _externalFills).ToString(CultureInfo.InvariantCulture)).Append('\n');
        Gauge(b, "linkage_fills_parked", "Fills waiting for their order's identity.", Math.Max(0, Interlocked.Read(ref _parked)));
        Counter(b, "linkage_quarantined_total", "Inputs refused into quarantine since start.", _quarantined);
        Counter(b, "linkage_duplicates_total", "Inputs recognised as duplicates or stale since start.", _duplicates);
        Counter(b, "linkage_alerts_total", "Alerts raised since start.", _alerts);
        Counter(b, "linkage_exit_allocations_total", "Exit quantities allocated to entry lots since start.", _allocations);
        Counter(b, "linkage_feed_reconnects_total", "Feed connections that ended (each is reopened).", _reconnects);
        Gauge(b, "linkage_feed_connected", "1 when the WebSocket feed is connected.", FeedConnected ? 1 : 0);
        Gauge(b, "linkage_feed_last_message_age_seconds", "Seconds since the last feed message (-1 before the first).",
            LastMessageAt is { } last ? (now - last).TotalSeconds : -1);
        var busy = Interlocked.Read(ref _restBusySinceTicks);
        Gauge(b, "linkage_reconciliation_lag_seconds", "How long the running REST conversation (reconciliation or check) has been going; 0 when none.",
            busy == 0 ? 0 : (now - new DateTimeOffset(busy, TimeSpan.Zero)).TotalSeconds);
        lock (_latencyLock)
        {
            b.Append("# HELP linkage_fill_to_link_seconds From the WebSocket frame received to its link committed.\n# TYPE linkage_fill_to_link_seconds histogram\n");
            for (var i = 0; i < Buckets.Length; i++)
            {
                b.Append("linkage_fill_to_link_seconds_bucket{le=\"").Append(Buckets[i].ToString(CultureInfo.InvariantCulture)).Append("\"} ")
                    .Append(_bucketCounts[i].ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
            b.Append("linkage_fill_to_link_seconds_bucket{le=\"+Inf\"} ").Append(_latencyMicros.TotalCount.ToString(CultureInfo.InvariantCulture)).Append('\n');
            b.Append("linkage_fill_to_link_seconds_sum ").Append((_latencySumMicros / 1e6).ToString(CultureInfo.InvariantCulture)).Append('\n');
            b.Append("linkage_fill_to_link_seconds_count ").Append(_latencyMicros.TotalCount.ToString(CultureInfo.InvariantCulture)).Append('\n');
            b.Append("# HELP linkage_fill_to_link_quantile_seconds Fill-to-link latency quantiles since start (HdrHistogram, 3 digits).\n# TYPE linkage_fill_to_link_quantile_seconds gauge\n");
            foreach (var q in (double[])[50, 99, 100])
            {
                var value = _latencyMicros.TotalCount == 0 ? 0 : (q == 100 ? _latencyMicros.GetMaxValue() : _latencyMicros.GetValueAtPercentile(q)) / 1e6;
                b.Append("linkage_fill_to_link_quantile_seconds{quantile=\"").Append((q / 100).ToString(CultureInfo.InvariantCulture)).Append("\"} ")
                    .Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        b.Append("# HELP linkage_intake_requests_total Intake API requests answered, by endpoint and status.\n# TYPE linkage_intake_requests_total counter\n");
        lock (_intake)
        {
            foreach (var (labels, count) in _intake.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                b.Append("linkage_intake_requests_total{").Append(labels).Append("} ").Append(count.ToString(CultureInfo.InvariantCulture)).Append('\n');
            }
        }
        return b.ToString();
    }

    private static void Counter(StringBuilder b, string name, string help, long value) =>
        b.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" counter\n")
            .Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');

    private static void Gauge(StringBuilder b, string name, string help, double value) =>
        b.Append("# HELP ").Append(name).Append(' ').Append(help).Append("\n# TYPE ").Append(name).Append(" gauge\n")
            .Append(name).Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
}
