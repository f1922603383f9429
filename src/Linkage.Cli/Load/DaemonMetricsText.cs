using System.Globalization;

namespace Linkage.Cli.Load;

/// <summary>
/// What <c>linkage load</c> reads from a daemon's <c>GET /metrics</c> (Prometheus text, docs/api.md): the fill-to-link
/// quantiles and histogram, links committed, fills parked. Series it does not know are ignored.
/// </summary>
internal sealed record DaemonMetricsText
{
    /// <summary>Every sample line, by its series name with labels as written (<c>name{a="b"}</c>).</summary>
    public required IReadOnlyDictionary<string, double> Samples { get; init; }

    public double Value(string series) => Samples.TryGetValue(series, out var value) ? value : 0;

    public long Links => (long)Value("linkage_links_total");
    public long Parked => (long)Value("linkage_fills_parked");
    public long Duplicates => (long)Value("linkage_duplicates_total");
    public long Quarantined => (long)Value("linkage_quarantined_total");
    public long Reconnects => (long)Value("linkage_feed_reconnects_total");
    public long LatencyCount => (long)Value("linkage_fill_to_link_seconds_count");
    public double P50Seconds => Value("linkage_fill_to_link_quantile_seconds{quantile=\"0.5\"}");
    public double P99Seconds => Value("linkage_fill_to_link_quantile_seconds{quantile=\"0.99\"}");
    public double MaxSeconds => Value("linkage_fill_to_link_quantile_seconds{quantile=\"1\"}");

    /// <summary>The histogram's cumulative buckets: upper bound in seconds (+Inf last) and count.</summary>
    public IReadOnlyList<(double Le, long Count)> Buckets =>
        Samples.Where(s => s.Key.StartsWith("linkage_fill_to_link_seconds_bucket{le=\"", StringComparison.Ordinal))
            .Select(s => (Le: s.Key["linkage_fill_to_link_seconds_bucket{le=\"".Length..^2] is var le && le == "+Inf" ? double.PositiveInfinity : double.Parse(le, CultureInfo.InvariantCulture), Count: (long)s.Value))
            .OrderBy(b => b.Le)
            .ToList();

    /// <summary>Reads the text exposition; a line that is not <c>series value</c> is skipped.</summary>
    public static DaemonMetricsText Parse(string text)
    {
        var samples = new Dictionary<string, double>(StringComparer.Ordinal);
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0 || line[0] == '#')
            {
                continue;
            }
            var space = line.LastIndexOf(' ');
            if (space <= 0 || !double.TryParse(line[(space + 1)..], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
            {
                continue;
            }
            samples[line[..space]] = value;
        }
        return new DaemonMetricsText { Samples = samples };
    }

    /// <summary>
    /// The quantile <paramref name="q"/> (0 to 1) of the fills recorded between <paramref name="before"/> and this, from
    /// the histogram's buckets: the upper bound of the bucket it falls in (so at most that), +Inf above the last
    /// bound. For a daemon that was not started for the phase, whose HdrHistogram quantiles cover its whole life.
    /// </summary>
    public double BucketQuantile(DaemonMetricsText before, double q)
    {
        var now = Buckets;
        var then = before.Buckets.ToDictionary(b => b.Le, b => b.Count);
        var total = now.Count == 0 ? 0 : now[^1].Count - then.GetValueOrDefault(now[^1].Le);
        if (total <= 0)
        {
            return 0;
        }
        var rank = Math.Ceiling(q * total);
        foreach (var (le, count) in now)
        {
            if (count - then.GetValueOrDefault(le) >= rank)
            {
                return le;
            }
        }
        return double.PositiveInfinity;
    }
}
