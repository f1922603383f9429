using System.Globalization;
using System.Text;
using Linkage.Coinbase.Capture;
using Linkage.Engine;
using Linkage.Sim.Stores;
using Linkage.Sim.Audit;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Audit;

/// <summary>
/// Replays a scenario with capture on (engine design, memory store), audits the capture it wrote, and lists every way
/// the audit's links and external orders differ from the replay's. Without a restart the two engines saw the same
/// inputs, so they must agree exactly: the same link records (order, range, price, provenance, source key), hence the
/// same quantity and snapshot per client order id, and the same external orders with the same quantities. A restart on the memory store loses what the replay's engine held while
/// the audit reads the whole capture into one store, so there the comparable part is checked: every replay link is
/// matched by the audit with the same snapshot and at least the same quantity (except for orders the audit knows were
/// refused before the restart, see below), every replay external is external in the audit too, and no quantity the
/// audit links exceeds what the capture shows executed. Lines the audit's engine refuses are differences only
/// without restarts (after one, the audit refuses fills of a refused order that the replay's engine had forgotten).
/// </summary>
internal static class RoundTrip
{
    private static readonly RunOptions Options = new() { Store = StoreFactory.Memory, Capture = true };

    public static IReadOnlyList<string> Differences(Scenario scenario) => DifferencesBetween(scenario, scenario);

    /// <summary>The replay of <paramref name="scenario"/> against the audit of <paramref name="captured"/>'s capture (a test of the comparison itself).</summary>
    public static IReadOnlyList<string> DifferencesBetween(Scenario scenario, Scenario captured)
    {
        var replay = ScenarioRunner.Run(scenario, Options);
        var capture = ReferenceEquals(scenario, captured) ? replay : ScenarioRunner.Run(captured, Options);
        using var store = new MemoryStore();
        var report = CaptureAudit.Run(CaptureReader.Read(new StringReader(CaptureText(capture))), store);
        var restarted = scenario.Steps.Any(s => s is RestartStep);
        var differences = new List<string>();
        var replayLinks = Linked(replay.Links);
        if (restarted)
        {
            // A volatile store forgets a refused placement across a restart; the webhook then sends the intent again
            // and the exchange may accept it. The audit keeps the whole history, where a refused order never links
            // (the engine's law), so those orders are not comparable.
            foreach (var refused in store.Orders().Where(o => o.Placement == PlacementState.Rejected))
            {
                replayLinks.Remove(refused.ClientOrderId.Value);
            }
        }
        CompareLinks(replayLinks, Linked(store.Links()), restarted, differences);
        if (!restarted)
        {
            // Both engines decided the same inputs, so every link record must be the same: range, price, fee,
            // provenance, source key and time.
            var links = store.Links();
            differences.AddRange(replay.Links.Zip(links).Where(pair => pair.First != pair.Second).Take(3)
                .Select(pair => $"link differs: the replay made {pair.First}, the audit {pair.Second}"));
            if (links.Length != replay.Links.Length)
            {
                differences.Add($"the replay made {replay.Links.Length} links, the audit {links.Length}");
            }
        }
        CompareExternals(replay.ExternalOrders, store.ExternalOrders(), restarted, differences);
        if (!restarted)
        {
            // The report's exits are the allocations the replay's engine made, row for row: which lot each exit closed,
            // the entry's snapshot, quantity, prices, PnL and the exit's trigger (take_profit / stop_loss for a bracket).
            var expected = replay.Allocations.OrderBy(a => a.ExitClientOrderId.Value, StringComparer.Ordinal).ThenBy(a => a.Sequence)
                .Select(AuditedExit.From).ToList();
            differences.AddRange(expected.Zip(report.Exits).Where(pair => pair.First != pair.Second).Take(3)
                .Select(pair => $"exit differs: the replay allocated {pair.First}, the audit reports {pair.Second}"));
            if (expected.Count != report.Exits.Length)
            {
                differences.Add($"the replay made {expected.Count} exit allocations, the audit reports {report.Exits.Length}");
            }
        }
        if (!restarted)
        {
            // The report computes external quantities from the messages, independently of the engine, counting each fill
            // once: never more than the engine's record (which adds trade-level fills on top of cumulative rises), never
            // more than the exchange's cumulative, which counts trade-level fills too and so is at least the engine's.
            var engines = replay.ExternalOrders.ToDictionary(e => e.ExchangeOrderId.Value, StringComparer.Ordinal);
            foreach (var row in report.ExternalOrders)
            {
                if (!engines.TryGetValue(row.OrderId, out var engine) || row.ObservedQuantity > engine.ObservedQuantity
                    || row.ObservedQuantity > row.ExchangeCumulative || row.ExchangeCumulative < engine.ExchangeCumulative)
                {
                    differences.Add($"external row {row}: the replay's engine has {engine?.ToString() ?? "no such external order"}");
                }
            }
        }
        var problems = restarted ? [AnomalyKinds.LinkedAboveFilled, AnomalyKinds.StoreFailed] : new[] { AnomalyKinds.LinkedAboveFilled, AnomalyKinds.Quarantined, AnomalyKinds.StoreFailed };
        differences.AddRange(report.Anomalies.Where(a => problems.Contains(a.Kind)).Select(a => $"audit anomaly {a.Kind} at line {a.Line}: {a.Detail}"));
        return differences;
    }

    /// <summary>The replay's capture lines as the file a webhook would have written.</summary>
    public static string CaptureText(ScenarioResult replay)
    {
        var text = new StringBuilder();
        foreach (var line in replay.Capture)
        {
            text.Append(CaptureWriter.Format(line.At, CaptureKinds.TryParse(line.Kind) ?? throw new InvalidOperationException($"kind {line.Kind}"), line.DataJson));
        }
        return text.ToString();
    }

    private static SortedDictionary<string, (decimal Quantity, string Snapshot)> Linked(IEnumerable<LinkRecord> links) =>
        new(links.GroupBy(l => l.ClientOrderId.Value).ToDictionary(
            g => g.Key,
            g => (g.Sum(l => l.Quantity), string.Join(",", g.Select(l => l.Snapshot?.Value ?? "(exit)").Distinct().Order(StringComparer.Ordinal)))),
            StringComparer.Ordinal);

    private static void CompareLinks(
        SortedDictionary<string, (decimal Quantity, string Snapshot)> replay,
        SortedDictionary<string, (decimal Quantity, string Snapshot)> audit,
        bool restarted,
        List<string> differences)
    {
        foreach (var (coid, expected) in replay)
        {
            if (!audit.TryGetValue(coid, out var actual))
            {
                differences.Add($"{coid}: the replay linked {Text(expected)}, the audit nothing");
            }
            else if (actual.Snapshot != expected.Snapshot || (restarted ? actual.Quantity < expected.Quantity : actual.Quantity != expected.Quantity))
            {
                differences.Add($"{coid}: the replay linked {Text(expected)}, the audit {Text(actual)}");
            }
        }
        if (!restarted)
        {
            differences.AddRange(audit.Keys.Except(replay.Keys).Select(coid => $"{coid}: the audit linked {Text(audit[coid])}, the replay nothing"));
        }
    }

    private static void CompareExternals(IEnumerable<ExternalOrderRecord> replay, IEnumerable<ExternalOrderRecord> audit, bool restarted, List<string> differences)
    {
        var expected = replay.ToDictionary(e => e.ExchangeOrderId.Value, StringComparer.Ordinal);
        var actual = audit.ToDictionary(e => e.ExchangeOrderId.Value, StringComparer.Ordinal);
        foreach (var (id, external) in expected)
        {
            if (!actual.TryGetValue(id, out var seen))
            {
                differences.Add($"external {id}: the audit does not classify it external");
            }
            else if (!restarted && (seen.ObservedQuantity, seen.ExchangeCumulative) != (external.ObservedQuantity, external.ExchangeCumulative))
            {
                differences.Add($"external {id}: the replay observed {external.ObservedQuantity}/{external.ExchangeCumulative}, the audit {seen.ObservedQuantity}/{seen.ExchangeCumulative}");
            }
        }
        if (!restarted)
        {
            differences.AddRange(actual.Keys.Except(expected.Keys).Select(id => $"external {id}: only the audit classifies it external"));
        }
    }

    private static string Text((decimal Quantity, string Snapshot) link) =>
        $"{link.Quantity.ToString(CultureInfo.InvariantCulture)} to {link.Snapshot}";
}
