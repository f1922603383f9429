using System.Collections.Immutable;
using System.Globalization;
using Linkage.Engine;
using Linkage.Sim.Exchange;
using Linkage.Sim.Scenarios;

namespace Linkage.Sim.Oracle;

/// <summary>A simulation step, for naming the step that broke a law.</summary>
public readonly record struct StepRef(int Index, int Line, TimeSpan At);

/// <summary>The oracle's judgement of one run: a verdict per exchange trade, and every broken rule or expectation.</summary>
public sealed record OracleVerdict(ImmutableArray<TradeOutcome> Trades, ImmutableArray<Failure> Failures);

/// <summary>
/// The independent auditor. It knows every trade the exchange executed (<see cref="SimulatedExchange"/>) and which intent
/// created each order (<see cref="TruthOrder"/>), and judges the design's links against that truth: during the run, each
/// applied decision batch (<see cref="Observe"/>: a wrong link or linked above executed fails at the step that caused
/// it), and at the end the whole link set (<see cref="Judge"/>: the five rules of <c>docs/scenarios.md</c> and the scenario's
/// <c>expect</c>). It never reads the design's internal state, only its links and allocations.
/// </summary>
public sealed partial class LinkOracle
{
    /// <summary>Check names, as failures report them.</summary>
    public const string EverythingLinks = "everything-links";
    public const string NoWrongLink = "no-wrong-link";
    public const string ExactlyOnce = "exactly-once";
    public const string ExternalStaysExternal = "external-stays-external";
    public const string ExitsCloseEntries = "exits-close-entries";
    public const string NoStrayOrder = "no-stray-order";
    public const string ExitPnl = "exit-pnl";
    public const string ExternalObserved = "external-observed";
    public const string LinksPromptly = "links-promptly";
    public const string ExpectLinks = "expect-links";
    public const string ExpectExternal = "expect-external";
    public const string ExpectExits = "expect-exits";
    public const string ExpectLegacy = "legacy";

    private readonly SimulatedExchange _exchange;
    private readonly bool _durable;
    private readonly List<TruthOrder> _orders = [];
    private readonly Dictionary<string, TruthOrder> _byLabel = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TruthOrder> _byClientOrderId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TruthOrder> _manualByOrderId = new(StringComparer.Ordinal);
    private readonly List<DateTimeOffset> _restarts = [];
    private readonly Dictionary<string, decimal> _linkedByOrder = new(StringComparer.Ordinal);
    private readonly List<Failure> _failures = [];
    private readonly HashSet<string> _failureKeys = new(StringComparer.Ordinal);

    /// <param name="exchange">The truth: orders and trades.</param>
    /// <param name="durableStore">Whether the design's state survives a restart; if not, trades it could not link after one are <c>lost</c>, not <c>missing</c>.</param>
    public LinkOracle(SimulatedExchange exchange, bool durableStore)
    {
        _exchange = exchange;
        _durable = durableStore;
        _exchange.AttachedOrderCreated += OnAttachedOrderCreated;
    }

    /// <summary>
    /// The exchange created an entry's attached bracket order. It belongs to the entry's intent: an exit closing the
    /// entry's lot alone, under the client order id the engine derives from the entry's, linked to the entry's
    /// snapshot. It is known to the oracle by its exchange id (it carries no client order id).
    /// </summary>
    private void OnAttachedOrderCreated(ExchangeOrder parent, ExchangeOrder child)
    {
        if (FindByClientOrderId(parent.ClientOrderId) is not { Origin: OrderOrigin.Entry, ClientOrderId: { } parentId } entry)
        {
            return;
        }
        Add(new TruthOrder
        {
            Label = entry.Label + BracketLabelSuffix,
            Origin = OrderOrigin.Exit,
            Product = entry.Product,
            Side = entry.Side == Side.Buy ? Side.Sell : Side.Buy,
            PlacedAt = entry.PlacedAt,
            ClientOrderId = ClientOrderIds.ForAttached(ClientOrderId.From(parentId)).Value,
            ExchangeOrderId = child.OrderId,
            Snapshot = entry.Snapshot,
            SnapshotLabel = entry.SnapshotLabel,
            Closes = [parentId],
            BracketOf = entry.Label,
        });
    }

    /// <summary>How reports name an entry's attached bracket order: the entry's label and this suffix.</summary>
    public const string BracketLabelSuffix = "/bracket";

    /// <summary>The step being run, named by failures found while it (or what it set off) runs.</summary>
    public StepRef? CurrentStep { get; set; }

    public TruthOrder? Find(string label) => _byLabel.GetValueOrDefault(label);

    /// <summary>The bot order whose intent has this client order id, if any.</summary>
    public TruthOrder? FindByClientOrderId(string clientOrderId) => _byClientOrderId.GetValueOrDefault(clientOrderId);

    /// <summary>
    /// The exchange received the create-order of the bot order labelled <paramref name="label"/> with this client order
    /// id: from now on the order's links must name it.
    /// </summary>
    public void Attribute(string label, string clientOrderId)
    {
        var truth = _byLabel[label] with { ClientOrderId = clientOrderId };
        _orders[_orders.FindIndex(o => o.Label == label)] = truth;
        _byLabel[label] = truth;
        _byClientOrderId[clientOrderId] = truth;
    }

    public void Add(TruthOrder order)
    {
        _orders.Add(order);
        _byLabel[order.Label] = order;
        if (order.ClientOrderId is { } coid)
        {
            _byClientOrderId[coid] = order;
        }
        if (order.ExchangeOrderId is { } orderId)
        {
            _manualByOrderId[orderId] = order;
        }
    }

    /// <summary>
    /// The webhook restarted. What the design still holds is what its store kept: the running tallies start again from
    /// <paramref name="surviving"/> (empty for a volatile store).
    /// </summary>
    /// <param name="at">When the new process started.</param>
    /// <param name="surviving">The links the store kept.</param>
    /// <param name="survivingAllocations">The exit allocations the store kept (the lots' closed quantities start again from them).</param>
    public void Restarted(DateTimeOffset at, ImmutableArray<LinkRecord> surviving, ImmutableArray<AllocationRecord> survivingAllocations = default)
    {
        _restarts.Add(at);
        _linkedByOrder.Clear();
        _linkedByClientId.Clear();
        _linkedValueByClientId.Clear();
        _linkPricesByClientId.Clear();
        _mixedSources.Clear();
        _sourceOf.Clear();
        _allocatedByClientId.Clear();
        foreach (var link in surviving)
        {
            _linkedByOrder[link.ExchangeOrderId.Value] = _linkedByOrder.GetValueOrDefault(link.ExchangeOrderId.Value) + link.Quantity;
            _linkedByClientId[link.ClientOrderId.Value] = _linkedByClientId.GetValueOrDefault(link.ClientOrderId.Value) + link.Quantity;
            AddLinkedValue(link);
        }
        foreach (var allocation in survivingAllocations.IsDefault ? [] : survivingAllocations)
        {
            Allocated(allocation);
        }
    }

    /// <summary>
    /// The webhook is about to restart: a volatile store forgets everything, so what the engine was given before (an
    /// order's identity, feed fills, where an external order's observation began) no longer binds it. Called before the
    /// new process starts, because its first reconciliation gives the engine things again.
    /// </summary>
    public void Restarting()
    {
        if (!_durable)
        {
            _stagedAt.Clear();
            ForgetGiven();
        }
    }

    /// <summary>Checks one applied batch as it happens: every new link names its order's own intent, and no order is linked above what it executed so far.</summary>
    /// <remarks>
    /// A batch the engine refused (an <see cref="InputRejected"/>) gave it nothing to act on; otherwise the oracle
    /// notes what the input told the engine (an order's identity, a feed fill, an external order's quantity), checks
    /// each allocation in full (L3) and, at the batch's end, that every feed fill the engine can link is linked (promptness).
    /// </remarks>
    public void Observe(DecisionBatch batch)
    {
        var refused = batch.Decisions.Any(d => d is InputRejected);
        if (!refused)
        {
            ObserveInput(batch.Input);
        }
        var inputOrder = OrderIdOf(batch.Input);
        var linkedBefore = inputOrder is null ? 0m : _linkedByOrder.GetValueOrDefault(inputOrder);
        Dictionary<string, List<LinkRecord>>? batchLinks = null;
        foreach (var decision in batch.Decisions)
        {
            switch (decision)
            {
                case IntentStaged staged:
                    _stagedAt.TryAdd(staged.Order.ClientOrderId.Value, staged.Order.StagedAt);
                    break;
                case Linked linked:
                    ObserveLink(linked.Link);
                    batchLinks ??= new(StringComparer.Ordinal);
                    if (!batchLinks.TryGetValue(linked.Link.ClientOrderId.Value, out var links))
                    {
                        batchLinks[linked.Link.ClientOrderId.Value] = links = [];
                    }
                    links.Add(linked.Link);
                    break;
                case ExitAllocated allocated:
                    ObserveAllocation(allocated.Allocation);
                    CheckAllocationInFull(allocated.Allocation, batchLinks?.GetValueOrDefault(allocated.Allocation.ExitClientOrderId.Value));
                    Allocated(allocated.Allocation);
                    break;
            }
        }
        if (!refused)
        {
            CheckPromptness(batch, linkedBefore);
        }
    }

    private void Allocated(AllocationRecord allocation)
    {
        _allocatedByClientId[allocation.ExitClientOrderId.Value] = _allocatedByClientId.GetValueOrDefault(allocation.ExitClientOrderId.Value) + allocation.Quantity;
        _allocatedByClientId[allocation.EntryClientOrderId.Value] = _allocatedByClientId.GetValueOrDefault(allocation.EntryClientOrderId.Value) + allocation.Quantity;
    }

    private void ObserveLink(LinkRecord link)
    {
        var orderId = link.ExchangeOrderId.Value;
        var order = _exchange.Find(orderId);
        var truth = order is null ? null : TruthOf(order);
        if (truth is null || !Names(link, truth))
        {
            Fail(NoWrongLink, orderId + "/" + link.Sequence.ToString(CultureInfo.InvariantCulture),
                $"link {link.Sequence} of exchange order {orderId} names another intent",
                trade: null, expected: truth is null ? "no link (not a scenario order)" : Describe(truth), actual: DescribeLink(link));
        }
        _linkedByClientId[link.ClientOrderId.Value] = _linkedByClientId.GetValueOrDefault(link.ClientOrderId.Value) + link.Quantity;
        AddLinkedValue(link);
        if (truth is { BracketOf: not null } && LegProblem(truth.ClientOrderId!, link.Trigger, "link") is { } legProblem)
        {
            Fail(ExitsCloseEntries, orderId + "/" + link.Sequence.ToString(CultureInfo.InvariantCulture) + "/leg", legProblem,
                trade: null, expected: string.Join(" or ", LegsExecuted(truth)), actual: link.Trigger ?? "no trigger");
        }
        var total = _linkedByOrder.GetValueOrDefault(orderId) + link.Quantity;
        _linkedByOrder[orderId] = total;
        var executed = order?.CumulativeQuantity ?? 0m;
        if (total > executed)
        {
            Fail(ExactlyOnce, orderId, $"exchange order {orderId} ({truth?.Label ?? "?"}) is linked above what it executed so far",
                trade: null, expected: "linked <= " + Dec(executed), actual: "linked " + Dec(total));
        }
    }

    private void ObserveAllocation(AllocationRecord allocation)
    {
        var problem = AllocationProblem(allocation) ?? LegProblem(allocation.ExitClientOrderId.Value, allocation.ExitTrigger, "allocation");
        if (problem is not null)
        {
            Fail(ExitsCloseEntries, allocation.ExitClientOrderId.Value + "/" + allocation.Sequence.ToString(CultureInfo.InvariantCulture),
                problem, trade: null, expected: "an entry the exit closes", actual: allocation.EntryClientOrderId.Value);
        }
    }

    /// <summary>
    /// Judges the final state: a verdict per exchange trade and the failures of the five rules and of <paramref name="expect"/>.
    /// </summary>
    /// <param name="links">Every link the design holds at the end.</param>
    /// <param name="allocations">Every exit allocation the design holds at the end.</param>
    /// <param name="expect">The scenario's extra checks.</param>
    /// <param name="design"><c>engine</c> or <c>legacy</c> (the <c>legacy</c> expectation is checked only for the latter).</param>
    /// <param name="feed">Which feed ran: trades are named by the id that feed carries.</param>
    /// <param name="snapshotOf">Maps a snapshot label of <c>expect</c> to its UUID.</param>
    /// <param name="classifiedExternal">Exchange order ids the design recorded as external, when it keeps such a record.</param>
    /// <param name="externalRecords">The design's external order records, when it keeps them: their observed quantities are judged.</param>
    public OracleVerdict Judge(
        ImmutableArray<LinkRecord> links,
        ImmutableArray<AllocationRecord> allocations,
        Expectations? expect,
        string design,
        FeedKind feed,
        Func<string, string> snapshotOf,
        IReadOnlySet<string>? classifiedExternal,
        ImmutableArray<ExternalOrderRecord> externalRecords = default)
    {
        var linksByOrder = links.GroupBy(l => l.ExchangeOrderId.Value, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.OrderBy(l => l.From).ThenBy(l => l.At).ThenBy(l => l.ClientOrderId.Value, StringComparer.Ordinal).ThenBy(l => l.Sequence).ToList(), StringComparer.Ordinal);
        var trades = ImmutableArray.CreateBuilder<TradeOutcome>();
        var judged = new Dictionary<string, OrderJudgement>(StringComparer.Ordinal);
        foreach (var order in _exchange.Orders)
        {
            var truth = TruthOf(order);
            if (truth is null)
            {
                Fail(NoStrayOrder, order.OrderId, $"the exchange holds order {order.OrderId} (client order id {order.ClientOrderId}) that no scenario step created",
                    trade: null, expected: "no such order", actual: order.ClientOrderId);
                continue;
            }
            var judgement = JudgeOrder(order, truth, linksByOrder.GetValueOrDefault(order.OrderId) ?? [], feed);
            judged[truth.Label] = judgement;
            trades.AddRange(judgement.Trades);
        }
        foreach (var (orderId, orderLinks) in linksByOrder.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            if (_exchange.Find(orderId) is null)
            {
                Fail(NoWrongLink, orderId, $"{orderLinks.Count} link(s) name exchange order {orderId}, which does not exist",
                    trade: null, expected: "no link", actual: DescribeLink(orderLinks[0]));
            }
        }
        foreach (var unsent in _orders.Where(o => o.IsBot && o.ClientOrderId is null))
        {
            // The strategy delivered the intent, but no create-order for it ever reached the exchange (say the webhook
            // minted it the id of another intent and took it for a re-delivery): whatever the scenario executes for it
            // is never linked to it.
            FailAt(EverythingLinks, unsent.Label, unsent.DeliveredAt, $"{unsent.Label}: the strategy delivered this intent, but the exchange never received a create-order for it",
                expected: "a create-order for " + unsent.Label, actual: "none");
        }
        CheckAllocations(allocations);
        if (!externalRecords.IsDefault)
        {
            CheckExternalObserved(externalRecords);
        }
        var verdicts = trades.ToImmutable();
        if (expect is not null)
        {
            CheckExpectations(expect, verdicts, judged, links, allocations, design, snapshotOf, classifiedExternal);
        }
        return new OracleVerdict(verdicts, [.. _failures]);
    }

    private OrderJudgement JudgeOrder(ExchangeOrder order, TruthOrder truth, List<LinkRecord> links, FeedKind feed)
    {
        // A link covers a quantity of the order, not a named trade: take the links in the order of the ranges they claim
        // and hand their quantities to the trades in execution order.
        var portions = new List<(LinkRecord Link, decimal Quantity)>[order.Trades.Count];
        for (var i = 0; i < portions.Length; i++)
        {
            portions[i] = [];
        }
        var tradeIndex = 0;
        var room = order.Trades.Count > 0 ? order.Trades[0].Size : 0m;
        var overflow = 0m;
        foreach (var link in links)
        {
            var left = link.Quantity;
            while (left > 0m && tradeIndex < order.Trades.Count)
            {
                var take = Math.Min(left, room);
                portions[tradeIndex].Add((link, take));
                left -= take;
                room -= take;
                if (room == 0m && ++tradeIndex < order.Trades.Count)
                {
                    room = order.Trades[tradeIndex].Size;
                }
            }
            overflow += left;
        }
        if (overflow > 0m)
        {
            Fail(ExactlyOnce, order.OrderId, $"{truth.Label}: linked quantity exceeds what the exchange executed",
                trade: null, expected: "linked " + Dec(order.CumulativeQuantity), actual: "linked " + Dec(order.CumulativeQuantity + overflow));
        }
        var outcomes = new List<TradeOutcome>(order.Trades.Count);
        var rightQuantity = 0m;
        for (var i = 0; i < order.Trades.Count; i++)
        {
            var trade = order.Trades[i];
            var tradeName = feed == FeedKind.Trades ? trade.LegacyTradeId.ToString(CultureInfo.InvariantCulture) : trade.TradeId;
            var covered = portions[i].Sum(p => p.Quantity);
            var stranger = portions[i].Select(p => p.Link).FirstOrDefault(l => !truth.IsBot || !Names(l, truth));
            rightQuantity += portions[i].Where(p => truth.IsBot && Names(p.Link, truth)).Sum(p => p.Quantity);
            TradeVerdict verdict;
            if (stranger is not null)
            {
                verdict = TradeVerdict.Wrong;
                var check = truth.IsBot ? NoWrongLink : ExternalStaysExternal;
                Fail(check, tradeName, $"{truth.Label}: trade {trade.Index} is linked to another intent",
                    trade: tradeName, expected: truth.IsBot ? Describe(truth) : "external, linked to nothing", actual: DescribeLink(stranger));
            }
            else if (!truth.IsBot)
            {
                verdict = TradeVerdict.External;
            }
            else if (covered == trade.Size)
            {
                verdict = TradeVerdict.Linked;
            }
            else if (IsExcusedLoss(truth.PlacedAt))
            {
                verdict = TradeVerdict.Lost;
            }
            else
            {
                verdict = TradeVerdict.Missing;
                Fail(EverythingLinks, tradeName, $"{truth.Label}: trade {trade.Index} ({Dec(trade.Size)} at {Dec(trade.Price)}) is not linked in full",
                    trade: tradeName, expected: Describe(truth) + " for " + Dec(trade.Size), actual: covered == 0m ? "not linked" : "linked " + Dec(covered));
            }
            var linkedTo = stranger is not null ? NameOf(stranger) : covered > 0m ? truth.Label : null;
            outcomes.Add(new TradeOutcome(truth.Label, tradeName, trade.Size, trade.Price, verdict, linkedTo));
        }
        return new OrderJudgement(order, outcomes, rightQuantity);
    }

    private void CheckAllocations(ImmutableArray<AllocationRecord> allocations)
    {
        foreach (var allocation in allocations)
        {
            ObserveAllocation(allocation);
        }
        var byExit = allocations.GroupBy(a => a.ExitClientOrderId.Value, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(a => a.Quantity), StringComparer.Ordinal);
        var byEntry = allocations.GroupBy(a => a.EntryClientOrderId.Value, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.Sum(a => a.Quantity), StringComparer.Ordinal);
        foreach (var truth in _orders)
        {
            // An attached bracket order carries no client order id: the exchange knows it by its own id.
            var exchangeOrder = truth.BracketOf is not null && truth.ExchangeOrderId is { } id ? _exchange.Find(id)
                : truth.ClientOrderId is { } known ? _exchange.FindByClientOrderId(known) : null;
            if (truth.ClientOrderId is not { } coid || exchangeOrder is not { } order)
            {
                continue;
            }
            if (truth.Origin == OrderOrigin.Exit)
            {
                var allocated = byExit.GetValueOrDefault(coid);
                var excused = allocated < order.CumulativeQuantity && IsExcusedLoss(EarliestLotPlacement(truth));
                if (allocated != order.CumulativeQuantity && !excused)
                {
                    Fail(ExitsCloseEntries, coid, $"{truth.Label}: the exit's executed quantity is not allocated to entry lots exactly",
                        trade: null, expected: "allocated " + Dec(order.CumulativeQuantity), actual: "allocated " + Dec(allocated));
                }
            }
            else if (truth.Origin == OrderOrigin.Entry && byEntry.GetValueOrDefault(coid) > order.CumulativeQuantity)
            {
                Fail(ExitsCloseEntries, coid, $"{truth.Label}: exits closed more of this entry than it executed",
                    trade: null, expected: "closed <= " + Dec(order.CumulativeQuantity), actual: "closed " + Dec(byEntry[coid]));
            }
        }
    }

    /// <summary>
    /// For an attached bracket order: the trigger recorded must be a leg that executed on the exchange (take profit or
    /// stop loss); null when it is, or when the exit is no bracket.
    /// </summary>
    private string? LegProblem(string exitClientOrderId, string? trigger, string what)
    {
        if (_byClientOrderId.GetValueOrDefault(exitClientOrderId) is not { BracketOf: not null } bracket)
        {
            return null;
        }
        var legs = LegsExecuted(bracket);
        return trigger is not null && legs.Contains(trigger, StringComparer.Ordinal) ? null
            : $"{bracket.Label}: the {what} records trigger {trigger ?? "(none)"}, but the bracket executed {(legs.Count == 0 ? "nothing" : string.Join(" and ", legs))}";
    }

    private List<string> LegsExecuted(TruthOrder bracket) =>
        bracket.ExchangeOrderId is { } id && _exchange.Find(id) is { } order
            ? [.. order.Trades.Select(t => t.Leg).OfType<string>().Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal)]
            : [];

    private string? AllocationProblem(AllocationRecord allocation)
    {
        var exit = _byClientOrderId.GetValueOrDefault(allocation.ExitClientOrderId.Value);
        var entry = _byClientOrderId.GetValueOrDefault(allocation.EntryClientOrderId.Value);
        if (exit is not { Origin: OrderOrigin.Exit })
        {
            return $"allocation names {allocation.ExitClientOrderId.Value} as its exit, which is no exit of the scenario";
        }
        if (entry is not { Origin: OrderOrigin.Entry } || entry.Product != exit.Product)
        {
            return $"{exit.Label}: allocated to {entry?.Label ?? allocation.EntryClientOrderId.Value}, which is no entry on {exit.Product}";
        }
        if (!exit.Closes.IsEmpty && !exit.Closes.Contains(entry.ClientOrderId!, StringComparer.Ordinal))
        {
            return $"{exit.Label}: allocated to {entry.Label}, which its closes list does not name";
        }
        return null;
    }

    private void CheckExpectations(
        Expectations expect,
        ImmutableArray<TradeOutcome> trades,
        Dictionary<string, OrderJudgement> judged,
        ImmutableArray<LinkRecord> links,
        ImmutableArray<AllocationRecord> allocations,
        string design,
        Func<string, string> snapshotOf,
        IReadOnlySet<string>? classifiedExternal)
    {
        foreach (var expected in expect.Links)
        {
            var truth = _byLabel.GetValueOrDefault(expected.Order);
            var judgement = judged.GetValueOrDefault(expected.Order);
            var orderLinks = judgement is null ? [] : links.Where(l => l.ExchangeOrderId.Value == judgement.Order.OrderId).ToList();
            if (expected.Snapshot is { } label)
            {
                var snapshot = snapshotOf(label);
                var other = orderLinks.FirstOrDefault(l => l.Snapshot?.Value != snapshot);
                if (other is not null || (truth?.Snapshot is { } own && own != snapshot))
                {
                    FailExpectation(ExpectLinks, expected.Line, $"{expected.Order} links to snapshot {label}", "snapshot " + label,
                        other is null ? "the order's own snapshot is " + SnapshotName(truth?.Snapshot) : DescribeLink(other));
                }
            }
            var linkedTrades = judgement?.Trades.Count(t => t.Verdict == TradeVerdict.Linked) ?? 0;
            if (expected.Fills is { } fills && fills != linkedTrades)
            {
                FailExpectation(ExpectLinks, expected.Line, $"{expected.Order} has {fills} linked trade(s)", fills.ToString(CultureInfo.InvariantCulture), linkedTrades.ToString(CultureInfo.InvariantCulture));
            }
            var filled = judgement?.RightQuantity ?? 0m;
            if (expected.Filled is { } quantity && quantity != filled)
            {
                FailExpectation(ExpectLinks, expected.Line, $"{expected.Order} links {Dec(quantity)} in total", Dec(quantity), Dec(filled));
            }
        }
        if (expect.External is { } externalOrders)
        {
            var count = judged.Values.Count(j =>
                TruthOf(j.Order) is { IsBot: false } && j.Trades.Count > 0 && j.Trades.All(t => t.Verdict == TradeVerdict.External)
                && (classifiedExternal is null || classifiedExternal.Contains(j.Order.OrderId)));
            if (count != externalOrders)
            {
                FailExpectation(ExpectExternal, 0, "external orders whose fills were classified external", externalOrders.ToString(CultureInfo.InvariantCulture), count.ToString(CultureInfo.InvariantCulture));
            }
        }
        foreach (var expected in expect.Exits)
        {
            CheckExpectedExit(expected, links, allocations);
        }
        if (design == "legacy" && expect.Legacy is { } legacy)
        {
            var wrong = trades.Count(t => t.Verdict == TradeVerdict.Wrong);
            var missing = trades.Count(t => t.Verdict == TradeVerdict.Missing);
            if ((legacy.Wrong is { } w && w != wrong) || (legacy.Missing is { } m && m != missing))
            {
                FailExpectation(ExpectLegacy, 0, "what the old design gets wrong",
                    $"wrong {legacy.Wrong?.ToString(CultureInfo.InvariantCulture) ?? "any"}, missing {legacy.Missing?.ToString(CultureInfo.InvariantCulture) ?? "any"}",
                    $"wrong {wrong.ToString(CultureInfo.InvariantCulture)}, missing {missing.ToString(CultureInfo.InvariantCulture)}");
            }
        }
    }

    private void CheckExpectedExit(ExpectedExit expected, ImmutableArray<LinkRecord> links, ImmutableArray<AllocationRecord> allocations)
    {
        var exit = _byLabel.GetValueOrDefault(expected.Order);
        if (exit?.ClientOrderId is not { } coid)
        {
            FailExpectation(ExpectExits, expected.Line, $"{expected.Order} is an exit of the scenario", "an exit", "none");
            return;
        }
        var own = allocations.Where(a => a.ExitClientOrderId.Value == coid).ToList();
        if (!expected.Closes.IsEmpty)
        {
            var closed = own.Select(a => LabelOf(a.EntryClientOrderId.Value)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            var wanted = expected.Closes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (!closed.SequenceEqual(wanted, StringComparer.Ordinal))
            {
                FailExpectation(ExpectExits, expected.Line, $"{expected.Order} closes the entries named", string.Join(",", wanted), string.Join(",", closed));
            }
        }
        if (expected.Trigger is { } trigger)
        {
            var off = own.Select(a => a.ExitTrigger).Concat(links.Where(l => l.ClientOrderId.Value == coid).Select(l => l.Trigger))
                .FirstOrDefault(t => t != trigger);
            if (off is not null || !own.Any())
            {
                FailExpectation(ExpectExits, expected.Line, $"{expected.Order} records trigger {trigger} on the lots it closes", trigger, own.Any() ? off ?? "(none)" : "no allocation");
            }
        }
    }

    private TruthOrder? TruthOf(ExchangeOrder order) =>
        _manualByOrderId.GetValueOrDefault(order.OrderId) ?? _byClientOrderId.GetValueOrDefault(order.ClientOrderId);

    /// <summary>Whether a link names this order's own intent: its client order id and, for entries, its snapshot.</summary>
    private static bool Names(LinkRecord link, TruthOrder truth) =>
        truth.IsBot && link.ClientOrderId.Value == truth.ClientOrderId
        && link.Snapshot?.Value == truth.Snapshot
        && link.Kind == (truth.Origin == OrderOrigin.Entry ? IntentKind.Entry : IntentKind.Exit);

    /// <summary>A volatile store that restarted after the order was placed may have lost it: that is <c>lost</c>, not <c>missing</c>.</summary>
    private bool IsExcusedLoss(DateTimeOffset placedAt) => !_durable && _restarts.Any(r => r >= placedAt);

    private DateTimeOffset EarliestLotPlacement(TruthOrder exit) =>
        _orders.Where(o => o.Origin == OrderOrigin.Entry && o.Product == exit.Product).Select(o => o.PlacedAt).Append(exit.PlacedAt).Min();

    private string LabelOf(string clientOrderId) => _byClientOrderId.GetValueOrDefault(clientOrderId)?.Label ?? clientOrderId;

    private string NameOf(LinkRecord link) => LabelOf(link.ClientOrderId.Value);

    private static string Describe(TruthOrder truth) =>
        truth.Snapshot is not null ? $"{truth.Label} ({truth.ClientOrderId}, snapshot {truth.SnapshotLabel ?? truth.Snapshot})" : $"{truth.Label} ({truth.ClientOrderId})";

    private string DescribeLink(LinkRecord link) =>
        $"{NameOf(link)} ({link.ClientOrderId.Value}, snapshot {SnapshotName(link.Snapshot?.Value) ?? "none"}, {Dec(link.Quantity)})";

    /// <summary>A snapshot UUID as the scenario file named it (the label the simulator minted it from), else the UUID.</summary>
    private string? SnapshotName(string? uuid) =>
        uuid is null ? null : _orders.FirstOrDefault(o => o.Snapshot == uuid && o.SnapshotLabel is not null)?.SnapshotLabel ?? uuid;

    private void Fail(string check, string key, string message, string? trade, string? expected, string? actual) =>
        FailAt(check, key, CurrentStep, message, expected, actual, trade);

    private void FailAt(string check, string key, StepRef? step, string message, string? expected, string? actual, string? trade = null)
    {
        if (!_failureKeys.Add(check + "|" + key))
        {
            return;
        }
        _failures.Add(new Failure(check, message)
        {
            StepIndex = step?.Index,
            StepLine = step?.Line,
            At = step?.At,
            Trade = trade,
            Expected = expected,
            Actual = actual,
        });
    }

    private void FailExpectation(string check, int line, string message, string expected, string actual) =>
        _failures.Add(new Failure(check, message) { StepLine = line == 0 ? null : line, Expected = expected, Actual = actual });

    private static string Dec(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private sealed record OrderJudgement(ExchangeOrder Order, List<TradeOutcome> Trades, decimal RightQuantity);
}
