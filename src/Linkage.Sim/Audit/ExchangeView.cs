using System.Collections.Immutable;
using Linkage.Engine;

namespace Linkage.Sim.Audit;

/// <summary>
/// What the exchange said about each order, read straight from the capture's messages and independent of the engine,
/// so the audit can check the engine's links against it (a linked quantity above what any message showed executed is
/// an anomaly, not something to trust). Keyed by exchange order id. Single-threaded; one per audit.
/// </summary>
internal sealed class ExchangeView
{
    private readonly Dictionary<ExchangeOrderId, OrderFacts> _orders = [];
    private readonly Dictionary<ClientOrderId, (ExchangeOrderId Order, int Line)> _byClientOrderId = [];
    private readonly HashSet<(string, string)> _conflictsReported = [];
    private readonly List<AuditAnomaly> _anomalies;

    public ExchangeView(List<AuditAnomaly> anomalies) => _anomalies = anomalies;

    /// <summary>The facts of one exchange order, or null when no message named it.</summary>
    public OrderFacts? Find(ExchangeOrderId id) => _orders.GetValueOrDefault(id);

    /// <summary>The facts of the first exchange order reported with <paramref name="id"/>, or null.</summary>
    public OrderFacts? Find(ClientOrderId id) => _byClientOrderId.TryGetValue(id, out var first) ? Find(first.Order) : null;

    /// <summary>An order state from the feed (update or snapshot) or from REST (Get Order, List Orders).</summary>
    public void OnOrderState(OrderState state, OrderStateSource source, DateTimeOffset at, int line)
    {
        var facts = Facts(state.ExchangeOrderId);
        Identify(facts, state.ClientOrderId, line);
        facts.Product ??= state.Product;
        facts.Side ??= state.Side;
        if (state.CumulativeQuantity is not { } cumulative)
        {
            return;
        }
        var before = ExecutedQuantity(facts);
        // Observation starts at the first cumulative quantity seen: a snapshot or REST order states what happened before
        // (a baseline), while a first update is itself a fill from zero.
        facts.Baseline ??= source == OrderStateSource.FeedUpdate ? 0m : cumulative;
        if (source == OrderStateSource.FeedUpdate && cumulative > facts.Cumulative)
        {
            facts.UpdateIncrements.Add(cumulative - facts.Cumulative);
        }
        facts.Cumulative = Math.Max(facts.Cumulative, cumulative);
        if (cumulative > 0m)
        {
            facts.Executed(before, at, line);
        }
    }

    /// <summary>A trade-level fill: a REST List Fills row or a legacy match for one of the user's orders.</summary>
    public void OnTradeFill(TradeFill fill, DateTimeOffset at, int line)
    {
        var facts = Facts(fill.ExchangeOrderId);
        facts.Product ??= fill.Product;
        facts.Side ??= fill.Side;
        var before = ExecutedQuantity(facts);
        var rows = fill.Key.Source == FillSource.RestFills ? facts.RestRows : facts.Matches;
        if (fill.TradeType == TradeType.Fill && rows.TryAdd(fill.Key.Key, fill))
        {
            facts.Executed(before, at, line);
        }
    }

    /// <summary>A create-order response that ties a client order id to an exchange order id.</summary>
    public void OnBinding(ExchangeOrderId order, ClientOrderId? clientOrderId, int line) => Identify(Facts(order), clientOrderId, line);

    /// <summary>The largest quantity any message showed executed: cumulative states, distinct REST rows, distinct matches.</summary>
    public static decimal ExecutedQuantity(OrderFacts facts) =>
        Math.Max(facts.Cumulative, Math.Max(Sum(facts.RestRows.Values), Sum(facts.Matches.Values)));

    /// <summary>
    /// The order's fills, oldest first, as sizes: trade-level rows where the capture has them (the source that saw the
    /// most), else the feed's cumulative increases; what the largest executed quantity leaves unexplained is one more fill.
    /// </summary>
    public static ImmutableArray<decimal> TradeSizes(OrderFacts facts)
    {
        var rows = Sum(facts.RestRows.Values) >= Sum(facts.Matches.Values) ? facts.RestRows.Values : facts.Matches.Values;
        var sizes = rows.Count > 0
            ? [.. rows.OrderBy(f => f.TradeTime ?? DateTimeOffset.MinValue).ThenBy(f => f.Key.Key, StringComparer.Ordinal).Select(f => f.Size)]
            : facts.UpdateIncrements.ToImmutableArray();
        var rest = ExecutedQuantity(facts) - sizes.Sum();
        return rest > 0m ? sizes.Add(rest) : sizes;
    }

    /// <summary>
    /// What an order filled after the capture began at <paramref name="start"/>: the rise of its cumulative quantity
    /// over the baseline (a snapshot's or REST order's first statement), its legacy matches (delivered live), or its
    /// REST rows timed from <paramref name="start"/> on (REST lists history too), whichever saw more; and how many
    /// fills that is.
    /// </summary>
    public static (decimal Quantity, int Fills) Observed(OrderFacts facts, DateTimeOffset start)
    {
        var rest = facts.RestRows.Values.Where(f => f.TradeTime is not { } t || t >= start).ToList();
        var matches = facts.Matches.Values.ToList();
        var rows = Sum(rest) >= Sum(matches) ? rest : matches;
        var rise = facts.Cumulative - (facts.Baseline ?? facts.Cumulative);
        return Sum(rows) >= rise && rows.Count > 0 ? (Sum(rows), rows.Count) : (rise, facts.UpdateIncrements.Count);
    }

    private static decimal Sum(IEnumerable<TradeFill> fills) => fills.Sum(f => f.Size);

    private OrderFacts Facts(ExchangeOrderId id)
    {
        if (!_orders.TryGetValue(id, out var facts))
        {
            facts = new OrderFacts(id);
            _orders[id] = facts;
        }
        return facts;
    }

    /// <summary>
    /// Records which client order id the exchange names for an order; a second one for the same order, or a second order
    /// for the same client order id, is an anomaly (reported once per pair), because one of them would be linked wrongly.
    /// </summary>
    private void Identify(OrderFacts facts, ClientOrderId? clientOrderId, int line)
    {
        if (clientOrderId is not { } coid)
        {
            return;
        }
        if (facts.ClientOrderId is not { } known)
        {
            facts.ClientOrderId = coid;
            facts.ClientOrderIdLine = line;
        }
        else if (known != coid && _conflictsReported.Add((facts.Id.Value, coid.Value)))
        {
            _anomalies.Add(new AuditAnomaly(AnomalyKinds.ConflictingClientOrderIds, line,
                $"exchange order {facts.Id} is reported with client order id {coid}, but line {facts.ClientOrderIdLine} gave {known}"));
        }
        if (!_byClientOrderId.TryGetValue(coid, out var first))
        {
            _byClientOrderId[coid] = (facts.Id, line);
        }
        else if (first.Order != facts.Id && _conflictsReported.Add((coid.Value, facts.Id.Value)))
        {
            _anomalies.Add(new AuditAnomaly(AnomalyKinds.ConflictingOrderIds, line,
                $"client order id {coid} is reported for exchange order {facts.Id}, but line {first.Line} gave exchange order {first.Order}"));
        }
    }
}

/// <summary>What the capture's messages say about one exchange order.</summary>
internal sealed class OrderFacts(ExchangeOrderId id)
{
    public ExchangeOrderId Id { get; } = id;
    public ClientOrderId? ClientOrderId { get; set; }
    public int ClientOrderIdLine { get; set; }
    public ProductId? Product { get; set; }
    public Side? Side { get; set; }

    /// <summary>The largest cumulative quantity reported (feed updates, snapshots, REST orders).</summary>
    public decimal Cumulative { get; set; }


    /// <summary>The first cumulative quantity seen, when it was a baseline (snapshot or REST order); zero after a first update.</summary>
    public decimal? Baseline { get; set; }

    /// <summary>
    /// Each rise of <see cref="Cumulative"/> that a feed update showed, in arrival order: the fills a feed reader can
    /// derive (a rise shown first by a snapshot or REST order is a baseline and is not among them).
    /// </summary>
    public List<decimal> UpdateIncrements { get; } = [];

    /// <summary>Distinct REST List Fills rows of type FILL, by <c>entry_id</c>.</summary>
    public Dictionary<string, TradeFill> RestRows { get; } = new(StringComparer.Ordinal);

    /// <summary>Distinct legacy matches, by their key.</summary>
    public Dictionary<string, TradeFill> Matches { get; } = new(StringComparer.Ordinal);

    /// <summary>The capture time of the first line that showed any quantity executed.</summary>
    public DateTimeOffset? FirstExecutionAt { get; private set; }

    /// <summary>The line at which the largest executed quantity (<see cref="ExchangeView.ExecutedQuantity"/>) was first shown.</summary>
    public int? ExecutedLine { get; private set; }

    /// <summary>A line showed execution; <paramref name="before"/> is the executed quantity before it.</summary>
    public void Executed(decimal before, DateTimeOffset at, int line)
    {
        if (FirstExecutionAt is null || at < FirstExecutionAt)
        {
            FirstExecutionAt = at;
        }
        if (ExchangeView.ExecutedQuantity(this) > before)
        {
            ExecutedLine = line;
        }
    }
}
