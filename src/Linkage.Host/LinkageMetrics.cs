using Linkage.Engine;
using System.Diagnostics.Metrics;

namespace Linkage.Host;

/// <summary>
/// The engine's instruments (Meter <see cref="MeterName"/>), fed from applied decision batches so that
/// <see cref="LinkageEngine.Decide"/> stays pure. Names and tags are documented in <c>src/Linkage.Engine/README.md</c>.
/// Thread safety: <see cref="Record"/> may be called concurrently (instruments are thread safe).
/// </summary>
public sealed class LinkageMetrics : IDisposable
{
    /// <summary>The meter's name, for listeners and exporters.</summary>
    public const string MeterName = "Linkage";

    private readonly Meter meter;
    private readonly Counter<long> intentsStaged;
    private readonly Counter<long> links;
    private readonly Counter<decimal> linkedQuantity;
    private readonly UpDownCounter<long> parked;
    private readonly Counter<long> externalFills;
    private readonly Counter<long> duplicates;
    private readonly Counter<long> rejected;
    private readonly Counter<long> alerts;
    private readonly Counter<long> allocations;
    private readonly Counter<long> purged;

    /// <summary>Creates the meter and its instruments.</summary>
    public LinkageMetrics()
    {
        meter = new Meter(MeterName);
        intentsStaged = meter.CreateCounter<long>("linkage.intents.staged", "{intent}", "Intents staged (write-ahead, before the order is sent).");
        links = meter.CreateCounter<long>("linkage.links", "{link}", "Link records written; tag provenance: ClientOrderId, ExchangeOrderId or Reconciliation.");
        linkedQuantity = meter.CreateCounter<decimal>("linkage.linked_quantity", "{base}", "Base quantity linked to intents; tag provenance.");
        parked = meter.CreateUpDownCounter<long>("linkage.fills.parked", "{fill}", "Fills waiting for their order's identity (up when parked, down when released).");
        externalFills = meter.CreateCounter<long>("linkage.external_fills", "{fill}", "Trade-level fills recorded for external orders (never linked).");
        duplicates = meter.CreateCounter<long>("linkage.duplicates_ignored", "{input}", "Inputs recognised as duplicates or stale; tag kind.");
        rejected = meter.CreateCounter<long>("linkage.inputs_rejected", "{input}", "Inputs refused into quarantine; tag field.");
        alerts = meter.CreateCounter<long>("linkage.alerts", "{alert}", "Alerts raised; tag kind.");
        allocations = meter.CreateCounter<long>("linkage.exit_allocations", "{allocation}", "Exit quantities allocated to entry lots.");
        purged = meter.CreateCounter<long>("linkage.intents.purged", "{intent}", "Intents whose metadata retention removed.");
    }

    /// <summary>
    /// The meter of this instance's instruments. Several instances share <see cref="MeterName"/> (one per correlator,
    /// one per test), so a <see cref="MeterListener"/> that must hear only this one compares <c>instrument.Meter</c>
    /// with it by reference.
    /// </summary>
    public Meter Meter => meter;

    /// <summary>Counts what an applied batch did. Call it only after the store applied the batch.</summary>
    public void Record(DecisionBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        foreach (var decision in batch.Decisions)
        {
            switch (decision)
            {
                case IntentStaged:
                    intentsStaged.Add(1);
                    break;
                case Linked linked:
                    var provenance = new KeyValuePair<string, object?>("provenance", linked.Link.Provenance.ToString());
                    links.Add(1, provenance);
                    linkedQuantity.Add(linked.Link.Quantity, provenance);
                    break;
                case FillParked:
                    parked.Add(1);
                    break;
                case FillUnparked:
                    parked.Add(-1);
                    break;
                case FillRecorded { Fill.ClientOrderId: null }:
                    externalFills.Add(1);
                    break;
                case DuplicateIgnored duplicate:
                    duplicates.Add(1, new KeyValuePair<string, object?>("kind", duplicate.Kind.ToString()));
                    break;
                case InputRejected refused:
                    rejected.Add(1, new KeyValuePair<string, object?>("field", refused.Record.Field ?? "none"));
                    break;
                case AlertRaised raised:
                    alerts.Add(1, new KeyValuePair<string, object?>("kind", raised.Alert.Kind.ToString()));
                    break;
                case ExitAllocated:
                    allocations.Add(1);
                    break;
                case IntentPurged:
                    purged.Add(1);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Disposes the meter.</summary>
    public void Dispose() => meter.Dispose();
}
