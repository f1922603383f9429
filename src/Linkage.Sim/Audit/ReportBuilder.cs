using System.Collections.Immutable;
using Linkage.Engine;

namespace Linkage.Sim.Audit;

/// <summary>
/// Builds the report from the store's final state (orders, links, externals, parked fills) checked against what the
/// capture's messages said (<see cref="ExchangeView"/>). Fills are counted as the exchange's trades where the capture has
/// trade-level data, else as the feed's cumulative increases; a bot fill is linked when the order's linked quantity
/// covers it (fills are taken oldest first), under the provenance of the link that covers it.
/// </summary>
internal static class ReportBuilder
{
    /// <summary>The 0% linkage alert fires from this many bot fills on (the seed document's "more than 10 sighook trades").</summary>
    public const int ZeroRateAlertFillsMin = 10;

    /// <summary>The kind of the audit's own alert.</summary>
    public const string ZeroLinkageRateAlert = "zero_linkage_rate";

    public static AuditReport Build(
        ILinkageStore store,
        ExchangeView exchange,
        IReadOnlyDictionary<ClientOrderId, DateTimeOffset> firstRequestAt,
        AuditNotes notes,
        IReadOnlyList<AuditAnomaly> seen,
        int lines,
        DateTimeOffset captureStart)
    {
        var anomalies = new List<AuditAnomaly>(seen);
        var links = store.Links().GroupBy(l => l.ClientOrderId).ToDictionary(g => g.Key, g => g.OrderBy(l => l.Sequence).ToImmutableArray());
        var tally = new FillTally();
        var latencies = new List<long>();
        var orders = ImmutableArray.CreateBuilder<AuditedOrder>();
        var counted = new HashSet<ExchangeOrderId>();
        var quarantinedAbout = QuarantinedMessages.ByOrder(store.Quarantine());
        foreach (var order in store.Orders().OrderBy(o => o.ClientOrderId.Value, StringComparer.Ordinal))
        {
            var facts = (order.ExchangeOrderId is { } eid ? exchange.Find(eid) : null) ?? exchange.Find(order.ClientOrderId);
            if (facts is not null)
            {
                counted.Add(facts.Id);
            }
            var orderLinks = links.GetValueOrDefault(order.ClientOrderId, []);
            var about = quarantinedAbout.About(order);
            orders.Add(Row(order, facts, orderLinks, tally, about));
            Check(order, facts, about, notes, anomalies);
            if (facts?.FirstExecutionAt is { } filledAt && firstRequestAt.TryGetValue(order.ClientOrderId, out var sentAt))
            {
                latencies.Add((filledAt - sentAt).Ticks / TimeSpan.TicksPerMillisecond);
            }
        }
        var externals = ImmutableArray.CreateBuilder<AuditedExternalOrder>();
        foreach (var external in store.ExternalOrders().OrderBy(e => e.ExchangeOrderId.Value, StringComparer.Ordinal))
        {
            var row = External(external, exchange.Find(external.ExchangeOrderId), captureStart);
            tally.External += row.Trades;
            externals.Add(row);
        }
        Unresolved(store, exchange, counted, tally, anomalies);
        var quarantined = notes.Quarantined.OrderBy(q => q.Line).ThenBy(q => q.Reason, StringComparer.Ordinal).ToImmutableArray();
        anomalies.AddRange(quarantined.Select(q => new AuditAnomaly(AnomalyKinds.Quarantined, q.Line, q.Reason)));
        var alerts = notes.Alerts.ToList();
        if (tally.Bot >= ZeroRateAlertFillsMin && tally.Linked == 0)
        {
            alerts.Add(new AuditAlert(ZeroLinkageRateAlert, null, $"0% linkage: none of {tally.Bot} bot fills is linked to a strategy decision"));
        }
        var all = store.Orders();
        return new AuditReport
        {
            Lines = lines,
            Intents = all.Length,
            OrdersPlaced = all.Count(o => o.Placement == PlacementState.Accepted),
            OrdersRejected = all.Count(o => o.Placement == PlacementState.Rejected),
            OrdersUnknown = all.Count(o => o.Placement is PlacementState.Staged or PlacementState.Unknown),
            Orders = orders.ToImmutable(),
            ExternalOrders = externals.ToImmutable(),
            Fills = tally.ToCounts(),
            LinkageRate = tally.Bot == 0 ? null : Math.Round((decimal)tally.Linked / tally.Bot, AuditReport.RateDecimals, MidpointRounding.ToEven),
            PlacementToFirstFillMs = LatencySummary.Of(latencies),
            DuplicatesIgnored = notes.DuplicatesIgnored,
            ParkedFills = store.Parked().Length,
            Anomalies = [.. anomalies.Distinct().Order(Comparer<AuditAnomaly>.Create((a, b) => AuditText.CompareByLine(a.Line, a.Kind, a.Detail, b.Line, b.Kind, b.Detail)))],
            Quarantined = quarantined,
            Alerts = [.. alerts.Order(Comparer<AuditAlert>.Create((a, b) => AuditText.CompareByLine(a.Line, a.Kind, a.Detail, b.Line, b.Kind, b.Detail)))],
            Exits = [.. store.Allocations()
                .OrderBy(a => a.ExitClientOrderId.Value, StringComparer.Ordinal).ThenBy(a => a.Sequence)
                .Select(AuditedExit.From)],
        };
    }

    /// <summary>
    /// One bot order's row. A quarantined message that showed the order executed more than the valid messages did is one
    /// more bot fill, unlinked: a fill Linkage could not link counts against every rate, whatever the reason (issue 14:
    /// such a fill once dropped out of the denominator and the audit said 100%).
    /// </summary>
    private static AuditedOrder Row(OrderRecord order, OrderFacts? facts, ImmutableArray<LinkRecord> links, FillTally tally, QuarantinedMessages.Found about)
    {
        var linked = order.Linked.Quantity;
        var sizes = facts is null ? [] : ExchangeView.TradeSizes(facts);
        var executed = facts is null ? 0m : ExchangeView.ExecutedQuantity(facts);
        if (about.Quantity > executed)
        {
            sizes = sizes.Add(about.Quantity - executed);
            executed = about.Quantity;
        }
        var cumulative = 0m;
        var linkedTrades = 0;
        foreach (var size in sizes)
        {
            cumulative += size;
            tally.Bot++;
            if (cumulative > linked)
            {
                tally.Unresolved++;
                continue;
            }
            linkedTrades++;
            var end = cumulative;
            tally.Linked++;
            tally.Count((links.FirstOrDefault(l => l.From < end && end <= l.To) ?? links[0]).Provenance);
        }
        var intent = order.Intent;
        return new AuditedOrder(
            order.ClientOrderId.Value,
            order.ExchangeOrderId?.Value,
            intent.Product.Value,
            intent.Side == Side.Buy ? "BUY" : "SELL",
            intent.Snapshot?.Value,
            executed,
            linked,
            sizes.Length,
            linkedTrades,
            links.IsEmpty ? null : Provenance(links[0].Provenance),
            AuditText.Snake(intent.Kind.ToString()),
            AuditText.Snake(order.Placement.ToString()),
            AuditText.Snake(order.Status.ToString()))
        {
            Unlinked = linkedTrades == sizes.Length && about.Lines.IsEmpty ? null : Why(executed, linked, about),
        };
    }

    private static string Why(decimal executed, decimal linked, QuarantinedMessages.Found about)
    {
        var gap = executed > linked ? $"executed {AuditText.Quantity(executed)}, linked {AuditText.Quantity(linked)}" : "every trade the capture shows is linked";
        return about.Lines.IsEmpty
            ? $"{gap}: no message the engine accepted showed the rest (see unlinked_quantity)"
            : $"{gap}; {about.Lines.Length} message(s) about it quarantined (line {string.Join(", ", about.Lines)}): {about.Reason}";
    }

    /// <summary>The engine's linked quantity against what the messages showed executed: above is a bug, below a gap.</summary>
    private static void Check(OrderRecord order, OrderFacts? facts, QuarantinedMessages.Found about, AuditNotes notes, List<AuditAnomaly> anomalies)
    {
        var filled = Math.Max(facts is null ? 0m : ExchangeView.ExecutedQuantity(facts), about.Quantity);
        var linked = order.Linked.Quantity;
        if (linked > filled)
        {
            anomalies.Add(new AuditAnomaly(AnomalyKinds.LinkedAboveFilled, notes.LastLinkLine(order.ClientOrderId),
                $"client order {order.ClientOrderId} is linked for {AuditText.Quantity(linked)}, but the capture shows {AuditText.Quantity(filled)} executed"));
        }
        else if (filled > linked)
        {
            anomalies.Add(new AuditAnomaly(AnomalyKinds.UnlinkedQuantity, facts?.ExecutedLine ?? about.Lines.FirstOrDefault(),
                $"client order {order.ClientOrderId} executed {AuditText.Quantity(filled)}, of which {AuditText.Quantity(linked)} is linked"));
        }
    }

    private static AuditedExternalOrder External(ExternalOrderRecord external, OrderFacts? facts, DateTimeOffset captureStart)
    {
        var (observed, fills) = facts is null ? (external.ObservedQuantity, external.Trades) : ExchangeView.Observed(facts, captureStart);
        return new AuditedExternalOrder(
            external.ExchangeOrderId.Value,
            (external.ClientOrderId ?? facts?.ClientOrderId)?.Value,
            (external.Product ?? facts?.Product)?.Value,
            observed,
            facts is null ? external.ExchangeCumulative : Math.Max(facts.Cumulative, ExchangeView.ExecutedQuantity(facts)),
            fills);
    }

    /// <summary>
    /// Fills still parked at the end belong to orders nobody identified: unresolved, one anomaly per order. An order
    /// whose fills a bot order's row already counted (its client order id was seen with it) is not counted twice.
    /// </summary>
    private static void Unresolved(ILinkageStore store, ExchangeView exchange, HashSet<ExchangeOrderId> counted, FillTally tally, List<AuditAnomaly> anomalies)
    {
        foreach (var group in store.Parked().GroupBy(p => p.ExchangeOrderId).OrderBy(g => g.Key.Value, StringComparer.Ordinal))
        {
            var facts = exchange.Find(group.Key);
            var fills = facts is null || counted.Contains(group.Key) ? 0 : ExchangeView.TradeSizes(facts).Length;
            tally.Bot += fills;
            tally.Unresolved += fills;
            var line = group.Select(p => AuditOrigin.LineOf(p.Input.Origin)).Min();
            anomalies.Add(new AuditAnomaly(AnomalyKinds.UnresolvedFills, line,
                $"{group.Count()} message(s) about exchange order {group.Key} are still parked: the capture never shows whose order it is"));
        }
    }

    /// <summary>The report's spelling of a provenance: <c>client_order_id</c>, <c>order_id</c>, <c>reconciliation</c>.</summary>
    public static string Provenance(LinkProvenance provenance) => provenance switch
    {
        LinkProvenance.ClientOrderId => "client_order_id",
        LinkProvenance.ExchangeOrderId => "order_id",
        _ => "reconciliation",
    };

    /// <summary>Running fill counts.</summary>
    private sealed class FillTally
    {
        public int Bot { get; set; }
        public int Linked { get; set; }
        public int External { get; set; }
        public int Unresolved { get; set; }
        private int ByClientOrderId { get; set; }
        private int ByOrderId { get; set; }
        private int ByReconciliation { get; set; }

        public void Count(LinkProvenance provenance)
        {
            switch (provenance)
            {
                case LinkProvenance.ClientOrderId:
                    ByClientOrderId++;
                    break;
                case LinkProvenance.ExchangeOrderId:
                    ByOrderId++;
                    break;
                default:
                    ByReconciliation++;
                    break;
            }
        }

        public FillCounts ToCounts() => new(Bot, Linked, ByClientOrderId, ByOrderId, ByReconciliation, External, Unresolved);
    }
}
