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

    /// <summary>The instruments are a contract with dashboards: name, unit and help text, as published.</summary>
    [Test]
    public void The_instruments_publish_their_documented_names_units_and_help()
    {
        var published = new List<string>();
        using var metrics = new LinkageMetrics();
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (ReferenceEquals(instrument.Meter, metrics.Meter))
                {
                    published.Add($"{instrument.Name} {instrument.Unit} {instrument.Description}");
                }
            };
            listener.Start();
        }
        Assert.That(published, Is.EqualTo(new[]
        {
            "linkage.intents.staged {intent} Intents staged (write-ahead, before the order is sent).",
            "linkage.links {link} Link records written; tag provenance: ClientOrderId, ExchangeOrderId or Reconciliation.",
            "linkage.linked_quantity {base} Base quantity linked to intents; tag provenance.",
            "linkage.fills.parked {fill} Fills waiting for their order's identity (up when parked, down when released).",
            "linkage.external_fills {fill} Trade-level fills recorded for external orders (never linked).",
            "linkage.duplicates_ignored {input} Inputs recognised as duplicates or stale; tag kind.",
            "linkage.inputs_rejected {input} Inputs refused into quarantine; tag field.",
            "linkage.alerts {alert} Alerts raised; tag kind.",
            "linkage.exit_allocations {allocation} Exit quantities allocated to entry lots.",
            "linkage.intents.purged {intent} Intents whose metadata retention removed.",
        }));
    }

    [Test]
    public void External_fills_alerts_allocations_purges_and_fieldless_refusals_are_counted()
    {
        var seen = new List<string>();
        using var metrics = new LinkageMetrics();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (ReferenceEquals(instrument.Meter, metrics.Meter))
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
            seen.Add($"{instrument.Name} {value} {string.Join(",", tags.ToArray().Select(t => $"{t.Key}={t.Value}"))}".TrimEnd()));
        listener.Start();
        var entry = Entry("aaa", size: 0.002m);
        var exit = Exit(0.002m, decidedSecond: 10);
        metrics.Record(new DecisionBatch(new Tick(T0), [
            new FillRecorded(new FillRecord { Fill = Rest("ext-1", "t-1", 0.1m).Fill, At = T0 }),
            new FillRecorded(new FillRecord { Fill = Rest("ex-1", "t-2", 0.1m).Fill, ClientOrderId = Coid(entry), At = T0 }),
            new AlertRaised(new AlertRecord { At = T0, Kind = AlertKind.ExitExceedsOpenLots, Detail = "d" }),
            new InputRejected(Quarantine.Record(new Tick(T0), T0, "why", null)),
        ]));
        using var store = new MemoryStore();
        var correlator = new EngineCorrelator(store, metrics);
        foreach (var input in new EngineInput[]
        {
            Received(entry), Ack(entry, "x1"), Update("x1", entry, 0.002m, status: OrderStatus.Filled, second: 2),
            Received(exit, 10), Ack(exit, "x2", 10.2), Rest("x2", "e2", 0.002m, second: 11),
            new Tick(At(11) + Limits.RetentionAfterTerminal + TimeSpan.FromHours(1)),
        })
        {
            correlator.Process(input);
        }
        listener.Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(seen.Count(m => m == "linkage.external_fills 1"), Is.EqualTo(1), "only the fill of no order of ours");
            Assert.That(seen, Does.Contain("linkage.alerts 1 kind=ExitExceedsOpenLots"));
            Assert.That(seen, Does.Contain("linkage.inputs_rejected 1 field=none"));
            Assert.That(seen, Does.Contain("linkage.exit_allocations 1"));
            Assert.That(seen.Count(m => m == "linkage.intents.purged 1"), Is.EqualTo(1), "the filled entry, a day after it finished (the exit never reported a status)");
            Assert.Throws<ArgumentNullException>(() => metrics.Record(null!));
        });
    }
}
