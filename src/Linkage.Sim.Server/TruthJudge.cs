using System.Globalization;
using System.Text.Json;
using Linkage.Engine;

namespace Linkage.Sim.Server;

/// <summary>One law broken, with the order it concerns.</summary>
internal sealed record JudgeFailure(string Law, string Detail);

/// <summary>
/// The verdict on a run of a real client against <c>linkage exchange</c>: what was checked and every law broken.
/// </summary>
internal sealed record JudgeReport(
    int TruthOrders,
    int TruthTrades,
    int BotOrders,
    int ExternalOrders,
    int LinksChecked,
    decimal LinkedQuantity,
    int ExitsChecked,
    IReadOnlyList<JudgeFailure> Failures)
{
    public bool Passed => Failures.Count == 0;

    /// <summary>One line of counts, for a test's output and the closing note.</summary>
    public string Summary => string.Create(CultureInfo.InvariantCulture,
        $"truth: {TruthOrders} orders, {TruthTrades} trades; ours {BotOrders}, external {ExternalOrders}; {LinksChecked} links checked ({LinkedQuantity} linked), {ExitsChecked} exits; {Failures.Count} failures");
}

/// <summary>
/// Judges a store against the exchange's truth file (docs/exchange.md) with the simulator's laws (docs/laws.md): no
/// wrong link (every link names the order the exchange says its client order id belongs to), exactly once (no order
/// linked beyond what the exchange filled), everything links (every order of ours linked to exactly what the exchange
/// filled), external stays external (no link on an order whose client order id the store never staged), exits close
/// entries (an exit's linked quantity allocated to entry lots). The truth is the exchange's own book, so nothing the
/// client saw (or missed) can bias it.
/// </summary>
internal static class TruthJudge
{
    private sealed record TruthOrder(string OrderId, string? ClientOrderId, decimal Filled);

    public static JudgeReport Judge(string truthJson, ILinkageStore store)
    {
        ArgumentNullException.ThrowIfNull(store);
        using var document = JsonDocument.Parse(truthJson);
        var root = document.RootElement;
        var trades = root.GetProperty("trades").EnumerateArray().ToList();
        var tradeTotals = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var trade in trades)
        {
            var orderId = trade.GetProperty("order_id").GetString()!;
            tradeTotals[orderId] = tradeTotals.GetValueOrDefault(orderId) + Dec(trade.GetProperty("size"));
        }
        var truth = new Dictionary<string, TruthOrder>(StringComparer.Ordinal);
        foreach (var order in root.GetProperty("orders").EnumerateArray())
        {
            var id = order.GetProperty("order_id").GetString()!;
            var coid = order.TryGetProperty("client_order_id", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
            truth[id] = new TruthOrder(id, string.IsNullOrEmpty(coid) ? null : coid, tradeTotals.GetValueOrDefault(id));
        }
        var failures = new List<JudgeFailure>();
        var ours = store.Orders().ToDictionary(o => o.ClientOrderId.Value, StringComparer.Ordinal);
        var byCoid = truth.Values.Where(t => t.ClientOrderId is not null).GroupBy(t => t.ClientOrderId!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.ToList(), StringComparer.Ordinal);
        foreach (var (coid, orders) in byCoid.Where(p => p.Value.Count > 1 && ours.ContainsKey(p.Key)))
        {
            failures.Add(new("exactly once", $"client order id {coid} placed {orders.Count} orders on the exchange ({string.Join(", ", orders.Select(o => o.OrderId))})"));
        }
        var links = store.Links();
        var linked = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var link in links)
        {
            var eid = link.ExchangeOrderId.Value;
            if (!truth.TryGetValue(eid, out var order))
            {
                failures.Add(new("no wrong link", $"link {link.ClientOrderId}#{link.Sequence} names order {eid}, which the exchange never had"));
                continue;
            }
            if (order.ClientOrderId != link.ClientOrderId.Value)
            {
                failures.Add(new(order.ClientOrderId is { } theirs && !ours.ContainsKey(theirs) ? "external stays external" : "no wrong link",
                    $"link {link.ClientOrderId}#{link.Sequence} names order {eid}, whose client order id is {order.ClientOrderId ?? "(none)"}"));
            }
            linked[eid] = linked.GetValueOrDefault(eid) + link.Quantity;
        }
        var botOrders = 0;
        foreach (var order in truth.Values)
        {
            var done = linked.GetValueOrDefault(order.OrderId);
            if (done > order.Filled)
            {
                failures.Add(new("exactly once", $"order {order.OrderId} ({order.ClientOrderId}) is linked {Dec(done)} but the exchange filled {Dec(order.Filled)}"));
            }
            if (order.ClientOrderId is { } coid && ours.ContainsKey(coid))
            {
                botOrders++;
                if (done < order.Filled)
                {
                    failures.Add(new("everything links", $"order {order.OrderId} ({coid}) is linked {Dec(done)} of the {Dec(order.Filled)} the exchange filled"));
                }
            }
        }
        var exits = 0;
        foreach (var exit in ours.Values.Where(o => o.Intent.Kind == IntentKind.Exit && o.Linked.Quantity > 0m))
        {
            exits++;
            if (exit.Allocated != exit.Linked.Quantity)
            {
                failures.Add(new("exits close entries", $"exit {exit.ClientOrderId} sold {Dec(exit.Linked.Quantity)} but {Dec(exit.Allocated)} is allocated to entry lots"));
            }
        }
        return new JudgeReport(truth.Count, trades.Count, botOrders, truth.Count - botOrders, links.Length, links.Sum(l => l.Quantity), exits, failures);
    }

    private static decimal Dec(JsonElement e) => decimal.Parse(e.GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture);

    private static string Dec(decimal d) => (d / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);
}
