using System.Diagnostics.Metrics;
using Linkage.Host;
using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>Rule 10: the metrics observe applied batches under their documented names and tags.</summary>
public sealed class LinkageMetricsTests
{
    [Test]
    public void Metrics_count_links_parking_duplicates_rejections_and_alerts_with_their_tags()
    {
        var seen = new List<string>();
        var lockObject = new Lock();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == LinkageMetrics.MeterName)
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        void Record<T>(Instrument instrument, T value, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
        {
            var tagText = string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"));
            lock (lockObject)
            {
                seen.Add($"{instrument.Name} {value} {tagText}".TrimEnd());
            }
        }
        listener.SetMeasurementEventCallback<long>(Record);
        listener.SetMeasurementEventCallback<decimal>(Record);
        listener.Start();

        using var metrics = new LinkageMetrics();
        using var store = new MemoryStore();
        var correlator = new EngineCorrelator(store, metrics);
        var entry = Entry("aaa");
        foreach (var input in new EngineInput[]
        {
            Received(entry), Rest("x1", "e1", 0.002m), Ack(entry, "x1"), Rest("x1", "e1", 0.002m, second: 3),
            Rest("x1", "e2", -1m), Ack(Entry("bbb"), "x1"),
        })
        {
            correlator.Process(input);
        }
        listener.Dispose();

        Assert.That(seen, Is.EqualTo(new[]
        {
            "linkage.intents.staged 1",
            "linkage.fills.parked 1",
            "linkage.fills.parked -1",
            "linkage.links 1 provenance=ExchangeOrderId",
            "linkage.linked_quantity 0.002 provenance=ExchangeOrderId",
            "linkage.duplicates_ignored 1 kind=FillKey",
            "linkage.inputs_rejected 1 field=size",
            "linkage.inputs_rejected 1 field=client_order_id",
        }));
    }
}
