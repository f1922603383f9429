using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Linkage.Engine;

namespace Linkage.Sim.Oracle;

/// <summary>
/// The laws the link set alone cannot show: L3 in full (which lot each allocation closes, in what quantity, at what
/// entry and exit price, with what realized PnL, for long and short positions), an external order's observed quantity,
/// and promptness (a fill the feed delivered links from that message, not later by reconciliation). Each is judged
/// from the exchange's truth and the messages the engine was given, never by calling engine code.
/// </summary>
public sealed partial class LinkOracle
{
    /// <summary>How far an allocation's price may sit from the truth's: the feed's <c>filled_value</c> is exact, so only division rounding.</summary>
    private const decimal PriceToleranceRelative = 0.000000001m;

    /// <summary>Linked quantity per client order id, as the observed links add up (the lots an exit may close, and exits' own).</summary>
    private readonly Dictionary<string, decimal> _linkedByClientId = new(StringComparer.Ordinal);

    /// <summary>
    /// The exchange's value (price x quantity) of what is linked per client order id, link by link from the truth (see
    /// <see cref="TruthValue"/>); absent once a link's value cannot be told.
    /// </summary>
    private readonly Dictionary<string, decimal?> _linkedValueByClientId = new(StringComparer.Ordinal);

    /// <summary>
    /// Orders whose links came from more than one source (legacy matches, REST fill rows, cumulative updates). Each source
    /// keys fills its own way, so a later source links what the earlier did not cover under a key of its own, and which
    /// trades a link covers is no longer told by its key or its range: the per-allocation prices are not judged for them
    /// (the quantities, lots and PnL arithmetic still are).
    /// </summary>
    private readonly HashSet<string> _mixedSources = new(StringComparer.Ordinal);

    private readonly Dictionary<string, string> _sourceOf = new(StringComparer.Ordinal);

    /// <summary>The exchange's price of each observed link, per client order id (what an allocation's exit price may be).</summary>
    private readonly Dictionary<string, List<decimal?>> _linkPricesByClientId = new(StringComparer.Ordinal);

    /// <summary>Allocated quantity per client order id (entries: closed; exits: placed), as the observed allocations add up.</summary>
    private readonly Dictionary<string, decimal> _allocatedByClientId = new(StringComparer.Ordinal);

    /// <summary>When each intent was first staged (the engine's "oldest first" is by staging time, then client order id).</summary>
    private readonly Dictionary<string, DateTimeOffset> _stagedAt = new(StringComparer.Ordinal);

    /// <summary>Exchange order ids of bot orders whose identity (client order id to exchange order id) the engine was given.</summary>
    private readonly HashSet<string> _identityGiven = new(StringComparer.Ordinal);

    /// <summary>Per exchange order id: the highest cumulative quantity a feed update gave the engine.</summary>
    private readonly Dictionary<string, decimal> _feedCumulative = new(StringComparer.Ordinal);

    /// <summary>Per exchange order id: the sum of the distinct legacy matches the feed gave the engine.</summary>
    private readonly Dictionary<string, decimal> _feedMatched = new(StringComparer.Ordinal);

    /// <summary>Trade keys of the legacy matches summed in <see cref="_feedMatched"/>.</summary>
    private readonly HashSet<string> _tradeKeysGiven = new(StringComparer.Ordinal);

    /// <summary>External orders: the baseline of observation, set by the first message about the order that carried a quantity.</summary>
    private readonly Dictionary<string, decimal> _externalBaseline = new(StringComparer.Ordinal);

    /// <summary>External orders: the cumulative of the first order state heard of, when a snapshot or REST order (what cumulative states are measured from).</summary>
    private readonly Dictionary<string, decimal> _externalStateBaseline = new(StringComparer.Ordinal);

    /// <summary>External orders: the highest cumulative quantity any order state gave the engine.</summary>
    private readonly Dictionary<string, decimal> _externalCumulative = new(StringComparer.Ordinal);

    /// <summary>External orders: the fills given to the engine, per order and source (REST rows, legacy matches), each trade once.</summary>
    private readonly Dictionary<(string Order, FillSource Source), decimal> _externalTraded = [];

    /// <summary>Trade keys summed in <see cref="_externalTraded"/>.</summary>
    private readonly HashSet<string> _externalTradeKeys = new(StringComparer.Ordinal);

    /// <summary>
    /// Orders: the most quantity reconciliation gave the engine (REST fill rows, each trade once, or a REST order's
    /// filled size), for the provenance half of promptness.
    /// </summary>
    private readonly Dictionary<string, decimal> _reconciledRows = new(StringComparer.Ordinal);

    private readonly Dictionary<string, decimal> _reconciledState = new(StringComparer.Ordinal);

    /// <summary>Trade keys summed in <see cref="_reconciledRows"/>.</summary>
    private readonly HashSet<string> _reconciledKeys = new(StringComparer.Ordinal);

    /// <summary>
    /// Bot orders: quantity a <c>user</c> snapshot reported executed beyond what feed updates had delivered (fills made
    /// while the WebSocket was down). A snapshot is a baseline, not fills: reconciliation links that quantity, and a
    /// later update restating it delivers no new fill.
    /// </summary>
    private readonly Dictionary<string, decimal> _snapshotJump = new(StringComparer.Ordinal);

    /// <summary>Bot orders: the highest cumulative a <c>user</c> snapshot reported.</summary>
    private readonly Dictionary<string, decimal> _snapshotSeen = new(StringComparer.Ordinal);

    /// <summary>Records what the input gave the engine: an order's identity, a feed fill, an external order's quantity.</summary>
    private void ObserveInput(EngineInput input)
    {
        switch (input)
        {
            case PlacementOutcome { Result: PlacementResult.Accepted, ExchangeOrderId: { } given } placement:
                GiveIdentity(placement.ClientOrderId.Value, given.Value);
                break;
            case OrderUpdate update:
                ObserveOrderState(update);
                if (update.FromReconciliation && update.Order.CumulativeQuantity is { } cumulative)
                {
                    var id = update.Order.ExchangeOrderId.Value;
                    _reconciledState[id] = Math.Max(_reconciledState.GetValueOrDefault(id), cumulative);
                }
                break;
            case TradeFillReceived fill:
                ObserveTrade(fill);
                if (fill.FromReconciliation && fill.Fill.TradeType == TradeType.Fill && _reconciledKeys.Add(fill.Fill.Key.Source + ":" + fill.Fill.Key.Key))
                {
                    var id = fill.Fill.ExchangeOrderId.Value;
                    _reconciledRows[id] = _reconciledRows.GetValueOrDefault(id) + fill.Fill.Size;
                }
                break;
        }
    }

    /// <summary>The most quantity reconciliation has given the engine about an order.</summary>
    private decimal Reconciled(string orderId) => Math.Max(_reconciledRows.GetValueOrDefault(orderId), _reconciledState.GetValueOrDefault(orderId));

    private void ObserveOrderState(OrderUpdate update)
    {
        var state = update.Order;
        var orderId = state.ExchangeOrderId.Value;
        if (state.ClientOrderId is { } clientId)
        {
            GiveIdentity(clientId.Value, orderId);
            if (_exchange.Find(orderId) is { } named && named.ClientOrderId != clientId.Value)
            {
                // A forged copy (`duplicate ... as`): a message the exchange never sends, naming another order's client
                // order id. The engine must refuse it, so it delivers nothing the laws could hold the engine to.
                return;
            }
        }
        if (state.CumulativeQuantity is not { } cumulative)
        {
            if (update.Source == OrderStateSource.LegacyReceived && IsExternal(orderId))
            {
                // The legacy feed's received is the order's creation: nothing had executed, so observation began at zero.
                _externalBaseline.TryAdd(orderId, 0m);
            }
            return;
        }
        if (update.Source == OrderStateSource.FeedUpdate && !update.FromReconciliation)
        {
            _feedCumulative[orderId] = Math.Max(_feedCumulative.GetValueOrDefault(orderId), cumulative);
        }
        if (update.Source == OrderStateSource.FeedSnapshot && !IsExternal(orderId))
        {
            // Beyond the most any feed message reported before it, updates or an earlier snapshot (fuzz 1101 #5107: a
            // second restart's snapshot after an update had restated the first one's).
            var seen = Math.Max(Math.Max(_feedCumulative.GetValueOrDefault(orderId), _feedMatched.GetValueOrDefault(orderId)), _snapshotSeen.GetValueOrDefault(orderId));
            if (cumulative > seen)
            {
                _snapshotJump[orderId] = _snapshotJump.GetValueOrDefault(orderId) + cumulative - seen;
                _snapshotSeen[orderId] = cumulative;
            }
        }
        if (IsExternal(orderId))
        {
            // Observation begins at the first quantity the engine hears of: a REST order states what was executed before
            // it (a baseline); so does a snapshot, which FeedDelivered saw on the wire before the engine read it; a feed
            // update is itself a fill, so observation began at zero.
            _externalBaseline.TryAdd(orderId, 0m);
            _externalStateBaseline.TryAdd(orderId, update.Source is OrderStateSource.RestOrder or OrderStateSource.FeedSnapshot ? cumulative : 0m);
            _externalCumulative[orderId] = Math.Max(_externalCumulative.GetValueOrDefault(orderId), cumulative);
        }
    }

    /// <summary>
    /// A feed message reached the webhook. The oracle reads the simulator's own wire for the <c>user</c> channel's
    /// snapshots, so whether a message was a snapshot (a baseline) is known without trusting the webhook's parser.
    /// </summary>
    public void FeedDelivered(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        if (!json.Contains("\"snapshot\"", StringComparison.Ordinal))
        {
            return;
        }
        JsonNode? message;
        try
        {
            message = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return;
        }
        if (message?["channel"]?.GetValue<string>() != "user" || message["events"] is not JsonArray events)
        {
            return;
        }
        foreach (var e in events.OfType<JsonObject>().Where(e => e["type"]?.GetValue<string>() == "snapshot"))
        {
            foreach (var order in (e["orders"] as JsonArray ?? []).OfType<JsonObject>())
            {
                if (order["order_id"]?.GetValue<string>() is { } orderId && IsExternal(orderId)
                    && decimal.TryParse(order["cumulative_quantity"]?.GetValue<string>(), NumberStyles.Number, CultureInfo.InvariantCulture, out var cumulative))
                {
                    _externalBaseline.TryAdd(orderId, cumulative);
                    _externalStateBaseline.TryAdd(orderId, cumulative);
                }
            }
        }
    }

    private void ObserveTrade(TradeFillReceived input)
    {
        var fill = input.Fill;
        var orderId = fill.ExchangeOrderId.Value;
        var external = IsExternal(orderId);
        if (external)
        {
            _externalBaseline.TryAdd(orderId, 0m);
            if (_externalTradeKeys.Add(fill.Key.Source + ":" + fill.Key.Key))
            {
                _externalTraded[(orderId, fill.Key.Source)] = _externalTraded.GetValueOrDefault((orderId, fill.Key.Source)) + fill.Size;
            }
        }
        if (!external && fill.TradeType == TradeType.Fill && fill.Key.Source == FillSource.LegacyMatch && !input.FromReconciliation
            && _tradeKeysGiven.Add(fill.Key.Source + ":" + fill.Key.Key))
        {
            _feedMatched[orderId] = _feedMatched.GetValueOrDefault(orderId) + fill.Size;
        }
    }

    /// <summary>The engine was told that <paramref name="clientOrderId"/> is exchange order <paramref name="orderId"/>; only a true pairing counts.</summary>
    private void GiveIdentity(string clientOrderId, string orderId)
    {
        if (_byClientOrderId.ContainsKey(clientOrderId) && _exchange.FindByClientOrderId(clientOrderId)?.OrderId == orderId)
        {
            _identityGiven.Add(orderId);
        }
    }

    private bool IsExternal(string orderId) => _exchange.Find(orderId) is { } order && TruthOf(order) is { IsBot: false };

    /// <summary>The exchange order an input is about, when it is about one.</summary>
    private static string? OrderIdOf(EngineInput input) => input switch
    {
        PlacementOutcome { ExchangeOrderId: { } id } => id.Value,
        OrderUpdate update => update.Order.ExchangeOrderId.Value,
        TradeFillReceived fill => fill.Fill.ExchangeOrderId.Value,
        _ => null,
    };

    /// <summary>
    /// Promptness: once the engine holds both a feed fill and its order's identity (whichever came last), the fill is
    /// linked by the end of that batch, from the feed's message: a fill the feed delivered never waits for REST
    /// reconciliation. The links of the batch that covered it carry the feed's provenance.
    /// </summary>
    private void CheckPromptness(DecisionBatch batch, decimal linkedBefore)
    {
        if (OrderIdOf(batch.Input) is not { } orderId || !_identityGiven.Contains(orderId)
            || _exchange.Find(orderId) is not { } order || TruthOf(order) is not { IsBot: true } truth
            // A volatile store that restarted since the intent was staged no longer holds the intent to link to.
            || IsExcusedLoss(truth.PlacedAt))
        {
            return;
        }
        var delivered = Math.Max(_feedCumulative.GetValueOrDefault(orderId), _feedMatched.GetValueOrDefault(orderId));
        var linked = _linkedByOrder.GetValueOrDefault(orderId);
        var label = truth.Label;
        // What a snapshot reported first is reconciliation's to link: an update restating it delivers nothing new.
        if (linked + _snapshotJump.GetValueOrDefault(orderId) < delivered)
        {
            Fail(LinksPromptly, orderId, $"{label}: the feed delivered {Dec(delivered)} executed and the engine knows the order, but only {Dec(linked)} is linked",
                trade: null, expected: "linked >= " + Dec(delivered), actual: "linked " + Dec(linked));
            return;
        }
        // Reconciliation's provenance is right for quantity reconciliation gave the engine first: a REST row parked
        // beside the feed's match of the same trade (both before the identity) is released first.
        if (linkedBefore >= delivered || batch.Input is OrderUpdate { FromReconciliation: true } or TradeFillReceived { FromReconciliation: true }
            || Reconciled(orderId) >= linked)
        {
            return;
        }
        var late = batch.Decisions.OfType<Linked>().Select(l => l.Link)
            .FirstOrDefault(l => l.ExchangeOrderId.Value == orderId && l.Provenance == LinkProvenance.Reconciliation);
        if (late is not null)
        {
            Fail(LinksPromptly, orderId + "/provenance", $"{label}: a fill the feed delivered was linked with reconciliation's provenance",
                trade: null, expected: "provenance client_order_id or exchange_order_id", actual: late.Provenance.ToString());
        }
    }

    /// <summary>
    /// L3 per allocation: it closes the lot FIFO (or the named order of <c>closes</c>) would close next, as much as
    /// both the exit and the lot have open; its entry price is the lot's executed average over what is linked of it,
    /// its exit price the exit's over the quantity whose link set it off (else all of the exit's linked quantity), and
    /// its realized PnL is (exit − entry) × quantity for a long lot, negated for a short one. Trigger and sell score are
    /// the exit intent's.
    /// </summary>
    private void CheckAllocationInFull(AllocationRecord allocation, List<LinkRecord>? exitLinks)
    {
        var exitId = allocation.ExitClientOrderId.Value;
        var entryId = allocation.EntryClientOrderId.Value;
        var key = exitId + "/" + allocation.Sequence.ToString(CultureInfo.InvariantCulture);
        var exit = _byClientOrderId.GetValueOrDefault(exitId);
        var entry = _byClientOrderId.GetValueOrDefault(entryId);
        if (exit is null || entry is null)
        {
            return;
        }
        var lots = (exit.Closes.IsEmpty
                ? _orders.Where(o => o.Origin == OrderOrigin.Entry && o.Product == exit.Product && o.ClientOrderId is not null)
                    .OrderBy(o => _stagedAt.TryGetValue(o.ClientOrderId!, out var at) ? at : o.PlacedAt).ThenBy(o => o.ClientOrderId, StringComparer.Ordinal)
                : exit.Closes.Select(c => _byClientOrderId.GetValueOrDefault(c)).OfType<TruthOrder>())
            .Where(o => o.Origin == OrderOrigin.Entry && o.Product == exit.Product && o.Side != exit.Side && OpenOf(o.ClientOrderId!) > 0m);
        var next = lots.FirstOrDefault();
        var exitOpen = OpenOf(exitId);
        if (next is null || next.ClientOrderId != entryId)
        {
            Fail(ExitsCloseEntries, key + "/lot", $"{exit.Label}: allocated to {entry.Label}, but the lot to close next ({(exit.Closes.IsEmpty ? "oldest open first" : "in the order closes names")}) is {next?.Label ?? "none"}",
                trade: null, expected: next?.Label ?? "no allocation", actual: entry.Label);
        }
        else if (allocation.Quantity != Math.Min(exitOpen, OpenOf(entryId)))
        {
            Fail(ExitsCloseEntries, key + "/quantity", $"{exit.Label}: the allocation to {entry.Label} is not as much as both have open",
                trade: null, expected: Dec(Math.Min(exitOpen, OpenOf(entryId))), actual: Dec(allocation.Quantity));
        }
        // A bracket child's trigger is the leg that executed (checked with its links), and it has no score of its own.
        if (exit.BracketOf is null && (allocation.ExitTrigger != exit.Trigger || allocation.SellScore != exit.SellScore))
        {
            Fail(ExitsCloseEntries, key + "/intent", $"{exit.Label}: the allocation to {entry.Label} does not record the exit's trigger and sell score",
                trade: null, expected: $"{exit.Trigger ?? "(none)"}, {ScoreText(exit.SellScore)}", actual: $"{allocation.ExitTrigger ?? "(none)"}, {ScoreText(allocation.SellScore)}");
        }
        var entryLinked = _linkedByClientId.GetValueOrDefault(entryId);
        var entryPrice = entryLinked > 0m && _linkedValueByClientId.GetValueOrDefault(entryId) is { } entryValue ? entryValue / entryLinked : (decimal?)null;
        var exitLinked = _linkedByClientId.GetValueOrDefault(exitId);
        // The exit's links of this batch: one of them set the allocation off (a reconciliation batch may link several
        // trades of the exit, out of execution order, before allocating each), else the exit's whole linked average.
        // An exit waiting for its lot is allocated later at the price of the link it waited with, so any of the exit's
        // links may have set the allocation off; the message names the latest.
        var candidates = (exitLinks is { Count: > 0 } ? exitLinks.Select(l => TruthValue(l) / l.Quantity) : [])
            .Concat(_linkPricesByClientId.GetValueOrDefault(exitId) ?? [])
            .Append(exitLinked > 0m && _linkedValueByClientId.GetValueOrDefault(exitId) is { } exitValue ? exitValue / exitLinked : null)
            .ToList();
        var exitPrice = candidates.FirstOrDefault(c => c is { } p && Near(allocation.ExitPrice, p)) ?? candidates[0];
        if (_mixedSources.Contains(entryId))
        {
            entryPrice = null;
        }
        if (_mixedSources.Contains(exitId))
        {
            exitPrice = null;
        }
        if (entryPrice is { } entryTruth && !Near(allocation.EntryPrice, entryTruth))
        {
            Fail(ExitPnl, key + "/entry", $"{exit.Label}: the entry price of the allocation to {entry.Label} is not the lot's executed average",
                trade: null, expected: Dec(entryTruth), actual: Dec(allocation.EntryPrice));
        }
        if (exitPrice is { } exitTruth && !Near(allocation.ExitPrice, exitTruth))
        {
            Fail(ExitPnl, key + "/exit", $"{exit.Label}: the exit price of the allocation to {entry.Label} is not the exit's executed average",
                trade: null, expected: Dec(exitTruth), actual: Dec(allocation.ExitPrice));
        }
        // A long lot gains when the exit sells above its entry; a short lot (a SELL entry closed by a BUY) when it buys below.
        var gain = (allocation.ExitPrice - allocation.EntryPrice) * allocation.Quantity;
        var realized = entry.Side == Side.Buy ? gain : -gain;
        if (allocation.RealizedPnl != realized)
        {
            Fail(ExitPnl, key + "/pnl", $"{exit.Label}: the realized PnL of the allocation to {entry.Label} ({(entry.Side == Side.Buy ? "long" : "short")}) is not (exit - entry) x quantity{(entry.Side == Side.Buy ? "" : ", negated")}",
                trade: null, expected: Dec(realized), actual: Dec(allocation.RealizedPnl));
        }
    }

    private void AddLinkedValue(LinkRecord link)
    {
        var id = link.ClientOrderId.Value;
        var family = SourceFamily(link);
        if (_sourceOf.TryGetValue(id, out var earlier) && earlier != family)
        {
            _mixedSources.Add(id);
        }
        _sourceOf.TryAdd(id, family);
        var before = _linkedValueByClientId.TryGetValue(id, out var known) ? known : 0m;
        var value = TruthValue(link);
        _linkedValueByClientId[id] = before + value;
        if (!_linkPricesByClientId.TryGetValue(id, out var prices))
        {
            _linkPricesByClientId[id] = prices = [];
        }
        prices.Add(value / link.Quantity);
    }

    /// <summary>
    /// The exchange's value of what <paramref name="link"/> covers: the trade it names (its source key is the trade's
    /// <c>entry_id</c>, trade id or legacy <c>PRODUCT:trade_id</c>, and the quantities agree), else the order's trades over the link's range of linked
    /// quantity in execution order (a cumulative update's range). Links may come out of execution order (a dropped
    /// match linked later by reconciliation), so a named trade is priced as itself, never by its place in the range.
    /// </summary>
    private decimal? TruthValue(LinkRecord link)
    {
        if (_exchange.FindByClientOrderId(link.ClientOrderId.Value) is not { } order)
        {
            return null;
        }
        foreach (var trade in order.Trades)
        {
            // REST fills name the trade's entry_id; a legacy match, "PRODUCT:trade_id" (the trade id counts per product).
            if (trade.Size == link.Quantity && (trade.EntryId == link.SourceKey || trade.TradeId == link.SourceKey
                || link.SourceKey == order.Product + ":" + trade.LegacyTradeId.ToString(CultureInfo.InvariantCulture)))
            {
                return trade.Price * link.Quantity;
            }
        }
        // A link a source made for quantity another source had not covered (a REST row counted against what a legacy
        // match linked) covers the missing trade, whichever row's key it carries: when exactly one trade has the
        // link's quantity, that is the trade.
        var sized = order.Trades.Where(t => t.Size == link.Quantity).ToList();
        if (sized.Count == 1)
        {
            return sized[0].Price * link.Quantity;
        }
        return AveragePrice(link.ClientOrderId.Value, link.From, link.To) * link.Quantity;
    }

    private string SourceFamily(LinkRecord link)
    {
        var order = _exchange.FindByClientOrderId(link.ClientOrderId.Value);
        return order is not null && link.SourceKey.StartsWith(order.Product + ":", StringComparison.Ordinal) ? "legacy"
            : order is not null && order.Trades.Any(t => t.EntryId == link.SourceKey) ? "rest"
            : "cumulative";
    }

    private decimal OpenOf(string clientOrderId) => _linkedByClientId.GetValueOrDefault(clientOrderId) - _allocatedByClientId.GetValueOrDefault(clientOrderId);

    /// <summary>The truth's average price of the order's executed quantity from <paramref name="from"/> (exclusive) to <paramref name="to"/>, trades in execution order.</summary>
    private decimal? AveragePrice(string clientOrderId, decimal from, decimal to)
    {
        if (to <= from || _exchange.FindByClientOrderId(clientOrderId) is not { } order)
        {
            return null;
        }
        var done = 0m;
        var value = 0m;
        foreach (var trade in order.Trades)
        {
            var start = Math.Max(done, from);
            var end = Math.Min(done + trade.Size, to);
            if (end > start)
            {
                value += (end - start) * trade.Price;
            }
            done += trade.Size;
        }
        return done < to ? null : value / (to - from);
    }

    private static bool Near(decimal actual, decimal expected) => Math.Abs(actual - expected) <= Math.Abs(expected) * PriceToleranceRelative;

    private static string ScoreText(decimal? score) => score?.ToString(CultureInfo.InvariantCulture) ?? "(none)";

    /// <summary>
    /// An external order's observed quantity is what the exchange executed after observation began: a snapshot or REST
    /// order state the engine heard of first is a baseline, never fills. Never above what executed after a snapshot it
    /// was first seen in (the oracle reads snapshots off the wire), unless one source of fills (REST rows, legacy
    /// matches) gave it more; when an order state gave the engine the final cumulative, never below what executed after
    /// the first order state heard of. Trade rows are fills seen whenever they executed (as the audit counts them), so
    /// between the two bounds the engine may count them.
    /// </summary>
    private void CheckExternalObserved(ImmutableArray<ExternalOrderRecord> records)
    {
        foreach (var record in records.OrderBy(r => r.ExchangeOrderId.Value, StringComparer.Ordinal))
        {
            var orderId = record.ExchangeOrderId.Value;
            if (_exchange.Find(orderId) is not { } order || TruthOf(order) is not { IsBot: false } truth)
            {
                continue;
            }
            // Never above what executed after a snapshot the order was first seen in (a baseline, not fills), nor above
            // what one source of fills gave the engine: sources are never added together.
            var baseline = _externalBaseline.GetValueOrDefault(orderId);
            var most = Math.Max(order.CumulativeQuantity - baseline,
                _externalTraded.Where(t => t.Key.Order == orderId).Select(t => t.Value).DefaultIfEmpty(0m).Max());
            // When an order state gave the engine the final cumulative, at least what executed since the first state heard of.
            var least = _externalCumulative.GetValueOrDefault(orderId) == order.CumulativeQuantity
                ? order.CumulativeQuantity - _externalStateBaseline.GetValueOrDefault(orderId)
                : 0m;
            if (record.ObservedQuantity > most || record.ObservedQuantity < least)
            {
                Fail(ExternalObserved, orderId, $"{truth.Label}: the external order's observed quantity is not what the exchange executed after observation began (snapshot baseline {Dec(baseline)})",
                    trade: null, expected: least == most ? "observed " + Dec(most) : $"observed {Dec(least)} to {Dec(most)}", actual: "observed " + Dec(record.ObservedQuantity));
            }
        }
    }

    /// <summary>A volatile store forgot everything: what the engine was given before the restart no longer binds it.</summary>
    private void ForgetGiven()
    {
        _identityGiven.Clear();
        _feedCumulative.Clear();
        _feedMatched.Clear();
        _tradeKeysGiven.Clear();
        _externalBaseline.Clear();
        _externalCumulative.Clear();
        _externalStateBaseline.Clear();
        _externalTraded.Clear();
        _externalTradeKeys.Clear();
        _snapshotJump.Clear();
        _snapshotSeen.Clear();
        _reconciledRows.Clear();
        _reconciledState.Clear();
        _reconciledKeys.Clear();
    }
}
