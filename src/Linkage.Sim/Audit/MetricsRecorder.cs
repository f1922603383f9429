using System.Collections.Immutable;
using System.Diagnostics.Metrics;
using Linkage.Host;

namespace Linkage.Sim.Audit;

/// <summary>
/// Collects the engine's instruments with a <see cref="MeterListener"/> while an audit runs: only those of one
/// <see cref="LinkageMetrics"/> instance (compared by meter reference, since every instance shares the meter's name).
/// Counters are summed per tag set; up-down counters too (their sum is the current value). Dispose to stop listening.
/// Thread safety: measurements may arrive from any thread; reads take the same lock.
/// </summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Series> _series = new(StringComparer.Ordinal);

    public MetricsRecorder(LinkageMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(metrics);
        var meter = metrics.Meter;
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (ReferenceEquals(instrument.Meter, meter))
            {
                lock (_gate)
                {
                    _series.TryAdd(instrument.Name, new Series(instrument.Name, instrument.Description ?? "", IsGauge(instrument)));
                }
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.SetMeasurementEventCallback<decimal>((instrument, value, tags, _) => Add(instrument, value, tags));
        _listener.Start();
    }

    /// <summary>Every instrument seen, by name, with its values per tag set (tags sorted by key, ordinal).</summary>
    public ImmutableArray<InstrumentValues> Snapshot()
    {
        lock (_gate)
        {
            return
            [
                .. _series.Values.OrderBy(s => s.Name, StringComparer.Ordinal).Select(s => new InstrumentValues(
                    s.Name, s.Description, s.IsGauge,
                    [.. s.Values.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => new TaggedValue(v.Value.Tags, v.Value.Sum))])),
            ];
        }
    }

    public void Dispose() => _listener.Dispose();

    /// <summary>An up-down counter's running sum is a level (a gauge); a counter's only grows.</summary>
    private static bool IsGauge(Instrument instrument) =>
        instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(UpDownCounter<>);

    private void Add(Instrument instrument, decimal value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var sorted = tags.ToArray()
            .Select(t => (t.Key, Value: Convert.ToString(t.Value, System.Globalization.CultureInfo.InvariantCulture) ?? ""))
            .OrderBy(t => t.Key, StringComparer.Ordinal)
            .ToImmutableArray();
        var key = string.Join("\u001f", sorted.Select(t => t.Key + "\u001e" + t.Value));
        lock (_gate)
        {
            if (!_series.TryGetValue(instrument.Name, out var series))
            {
                return;
            }
            series.Values[key] = series.Values.TryGetValue(key, out var known) ? known with { Sum = known.Sum + value } : new Point(sorted, value);
        }
    }

    private sealed record Series(string Name, string Description, bool IsGauge)
    {
        public Dictionary<string, Point> Values { get; } = new(StringComparer.Ordinal);
    }

    private sealed record Point(ImmutableArray<(string Key, string Value)> Tags, decimal Sum);
}

/// <summary>One instrument's collected values.</summary>
public sealed record InstrumentValues(string Name, string Description, bool IsGauge, ImmutableArray<TaggedValue> Values);

/// <summary>The sum of an instrument's measurements for one tag set.</summary>
public sealed record TaggedValue(ImmutableArray<(string Key, string Value)> Tags, decimal Value);
