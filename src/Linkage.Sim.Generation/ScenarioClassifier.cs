using System.Collections.Immutable;
using Linkage.Sim.Scenarios;

namespace Linkage.Sim.Generation;

/// <summary>A situation a generated scenario may contain: what coverage counts, so a run proves it met each one.</summary>
public enum ScenarioClass
{
    /// <summary>Two bot orders on one product open at once: the old design's overwrite.</summary>
    SameProductCrowd,

    /// <summary>A bot order fills before its create-order response can have arrived.</summary>
    FillBeforeResponse,

    /// <summary>A bot order whose response never arrives fills.</summary>
    LostResponse,

    /// <summary>A create-order response arrives late.</summary>
    DelayedResponse,

    /// <summary>The exchange refuses an order.</summary>
    Rejected,

    /// <summary>An order fills in two or more parts.</summary>
    PartialFills,

    /// <summary>An order fills in four or more parts.</summary>
    ManyPartials,

    /// <summary>An order is cancelled after some fills.</summary>
    CancelAfterPartial,

    /// <summary>Feed messages may be lost without a disconnect: a sequence gap.</summary>
    SequenceGap,

    /// <summary>Feed messages may be delivered twice.</summary>
    FeedDuplicates,

    /// <summary>Feed messages may be held back past later ones.</summary>
    FeedReorder,

    /// <summary>An order fills while the WebSocket is down.</summary>
    FillDuringDisconnect,

    /// <summary>The WebSocket comes back (or a restart reconnects) on the orders feed while a bot order is open: a snapshot baseline.</summary>
    ReconnectSnapshot,

    /// <summary>A restart falls between two fills of one order.</summary>
    RestartMidPartials,

    /// <summary>The webhook is killed without a clean shutdown.</summary>
    AbruptRestart,

    /// <summary>An exit executes more than any one lot it may close: it spans lots.</summary>
    ExitAcrossLots,

    /// <summary>An exit names the entries it closes.</summary>
    ExitNamesLots,

    /// <summary>An exit sells the whole position (no size).</summary>
    WholePositionExit,

    /// <summary>A BUY exit closes SELL entries: a short position, whose realized PnL is negated.</summary>
    ShortExit,

    /// <summary>A manual order fills on a product the bot trades.</summary>
    ManualOnSameProduct,

    /// <summary>The strategy's webhook for an order is delivered again.</summary>
    Resend,

    /// <summary>A resend arrives a day or more after its order finished: past the engine's retention.</summary>
    ResendDaysLater,

    /// <summary>A fill message is delivered again (a <c>duplicate</c> step).</summary>
    Duplicate,

    /// <summary>A fill message is delivered again a day or more after the order's last fill: past retention.</summary>
    DuplicateDaysLater,

    /// <summary>A fill message is delivered again naming another order's client id.</summary>
    DuplicateAsOther,

    /// <summary>A gap of a day or more between steps.</summary>
    DaysOfSilence,

    /// <summary>The legacy Exchange feed (per-trade matches).</summary>
    TradesFeed,

    /// <summary>Two or more products.</summary>
    MultiProduct,

    /// <summary>A market order (no price) fills.</summary>
    MarketOrder,

    /// <summary>A strategy entry sells.</summary>
    SellEntry,

    /// <summary>One hundred orders or more.</summary>
    Large,

    /// <summary>
    /// A fill message is delivered again a day or more after the last fill of an order cancelled with room left under
    /// its size: past retention, only the fill key (not the size check) tells the copy from a new trade.
    /// </summary>
    DuplicateDaysLaterWithRoom,

    /// <summary>An order is cancelled within a second of a fill, or fills and is cancelled while the WebSocket is down: the webhook may learn CANCELLED first.</summary>
    FillRacesCancel,

    /// <summary>An exit sells less than the product's open position.</summary>
    PartialExit,

    /// <summary>The exchange answers re-sent client order ids with an error, and something is re-sent (a lost answer's retry, a resend).</summary>
    ResendAnsweredWithError,

    /// <summary>
    /// An exit's fill can reach the engine before a lot it closes links, and must wait for it: the exit fills within
    /// seconds of a reconnect, a lot filled while the WebSocket was down, and REST answers lag the feed; or, on the trades
    /// feed, a lot filled and its create-order answer comes after the exit's (or never).
    /// </summary>
    ExitRacesItsLot,

    /// <summary>An entry's attached bracket fills on its take-profit leg.</summary>
    BracketTakeProfit,

    /// <summary>An entry's attached bracket fills on its stop-loss leg.</summary>
    BracketStopLoss,
}

/// <summary>
/// Classifies a scenario by what it contains (from the steps alone, so classifying needs no run). The classes are what
/// coverage requires a test run to have met, each at least a set number of times.
/// </summary>
public static class ScenarioClassifier
{
    /// <summary>A day: past the engine's retention after an order finished.</summary>
    private static readonly TimeSpan Days = TimeSpan.FromDays(1);

    /// <summary>How soon after a reconnect an exit's fill counts as racing reconciliation (<see cref="ScenarioClass.ExitRacesItsLot"/>).</summary>
    private static readonly TimeSpan ExitRaceWindow = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether reconciliation's REST answers reach the webhook well after feed messages (by more than the 300 ms an
    /// exit racing its lot takes to be sent and fill): only then can the exit's fill link before the lot's missed fill.
    /// </summary>
    public static bool ReconciliationLagsFeed(Latency latency)
    {
        ArgumentNullException.ThrowIfNull(latency);
        return latency.Rest > latency.Feed + TimeSpan.FromMilliseconds(300);
    }

    public static ImmutableSortedSet<ScenarioClass> Classify(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var classes = ImmutableSortedSet.CreateBuilder<ScenarioClass>();
        var book = new ScenarioBook();
        var created = Creations(scenario);
        var fillsOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var restartsSeen = 0;
        var restartsAtFill = new Dictionary<string, int>(StringComparer.Ordinal);
        var connected = true;
        var disconnectedAt = TimeSpan.Zero;
        // The orders that filled while the WebSocket was down before the latest reconnect, and when that reconnect was.
        var filledWhileDown = new HashSet<string>(StringComparer.Ordinal);
        var filledDuringLastOutage = new HashSet<string>(StringComparer.Ordinal);
        TimeSpan? reconnectedAt = null;
        var previous = TimeSpan.Zero;
        void Add(ScenarioClass c, bool when)
        {
            if (when)
            {
                classes.Add(c);
            }
        }
        foreach (var step in scenario.Steps)
        {
            Add(ScenarioClass.DaysOfSilence, step.At - previous >= Days);
            previous = step.At;
            switch (step)
            {
                case PlaceStep p:
                    Add(ScenarioClass.SameProductCrowd, book.Orders.Any(o => o.Kind != BookOrderKind.Manual && o.Product == p.Product && !o.Rejected && !o.Finished));
                    Add(ScenarioClass.DelayedResponse, p.Ack is AckDelay);
                    Add(ScenarioClass.Rejected, p.Ack is AckReject);
                    Add(ScenarioClass.SellEntry, p.Side == Engine.Side.Sell);
                    Add(ScenarioClass.ResendAnsweredWithError, scenario.ResendAnswer == ResendAnswer.Error && p.Ack is AckLost);
                    break;
                case ExitStep x:
                    Add(ScenarioClass.DelayedResponse, x.Ack is AckDelay);
                    Add(ScenarioClass.Rejected, x.Ack is AckReject);
                    Add(ScenarioClass.ExitNamesLots, !x.Closes.IsEmpty);
                    Add(ScenarioClass.WholePositionExit, x.Size is null && x.Ack is not AckReject);
                    Add(ScenarioClass.PartialExit, x.Size is { } sold && x.Ack is not AckReject && sold < book.Capacity(x.Product, []));
                    Add(ScenarioClass.ResendAnsweredWithError, scenario.ResendAnswer == ResendAnswer.Error && x.Ack is AckLost);
                    Add(ScenarioClass.ShortExit, x.Side == Engine.Side.Buy && x.Ack is not AckReject);
                    break;
                case FillStep { Leg: { } leg }:
                    Add(ScenarioClass.BracketTakeProfit, leg == BracketLeg.TakeProfit);
                    Add(ScenarioClass.BracketStopLoss, leg == BracketLeg.StopLoss);
                    Add(ScenarioClass.FillDuringDisconnect, !connected);
                    break;
                case FillStep f when book.Find(f.Order) is { } order:
                    var count = fillsOf[f.Order] = fillsOf.GetValueOrDefault(f.Order) + 1;
                    Add(ScenarioClass.PartialFills, count >= 2);
                    Add(ScenarioClass.ManyPartials, count >= 4);
                    Add(ScenarioClass.RestartMidPartials, restartsAtFill.TryGetValue(f.Order, out var before) && before < restartsSeen);
                    restartsAtFill[f.Order] = restartsSeen;
                    Add(ScenarioClass.FillDuringDisconnect, !connected);
                    if (!connected)
                    {
                        filledWhileDown.Add(f.Order);
                    }
                    Add(ScenarioClass.MarketOrder, created[f.Order].Price is null && order.Kind != BookOrderKind.Manual);
                    if (order.Kind == BookOrderKind.Manual)
                    {
                        Add(ScenarioClass.ManualOnSameProduct, book.Orders.Any(o => o.Kind != BookOrderKind.Manual && o.Product == order.Product));
                    }
                    else
                    {
                        var ack = created[f.Order].Ack;
                        Add(ScenarioClass.LostResponse, ack is AckLost);
                        var answeredAfter = ack switch
                        {
                            AckDelay d => d.Delay,
                            AckLost => TimeSpan.MaxValue,
                            _ => scenario.Latency.Ack,
                        };
                        Add(ScenarioClass.FillBeforeResponse, answeredAfter == TimeSpan.MaxValue || f.At - order.PlacedAt < answeredAfter);
                    }
                    if (order.Kind == BookOrderKind.Exit)
                    {
                        var lots = book.LotsOf(order.Product, order.Side).Where(l => order.Closes.IsEmpty || order.Closes.Contains(l.Label, StringComparer.Ordinal));
                        var executed = order.Executed + (f.Size ?? order.Left);
                        Add(ScenarioClass.ExitAcrossLots, lots.All(l => l.Executed < executed));
                        Add(ScenarioClass.ExitRacesItsLot, ReconciliationLagsFeed(scenario.Latency) && connected && reconnectedAt is { } back && f.At - back <= ExitRaceWindow
                            && lots.Any(l => filledDuringLastOutage.Contains(l.Label)));
                        // On the trades feed a lot's match waits for its create-order answer; the exit's waits for its own.
                        Add(ScenarioClass.ExitRacesItsLot, scenario.Feed == FeedKind.Trades && AnsweredAt(scenario, order, created[f.Order].Ack) is { } exitAnswered
                            && lots.Any(l => l.HasFill && (AnsweredAt(scenario, l, created[l.Label].Ack) ?? TimeSpan.MaxValue) > exitAnswered));
                    }
                    break;
                case CancelStep c:
                    Add(ScenarioClass.CancelAfterPartial, book.Find(c.Order) is { HasFill: true });
                    Add(ScenarioClass.FillRacesCancel, book.Find(c.Order)?.LastFillAt is { } lastFill
                        && (c.At - lastFill < TimeSpan.FromSeconds(1) || (!connected && lastFill >= disconnectedAt)));
                    break;
                case ReconnectStep or RestartStep:
                    Add(ScenarioClass.ReconnectSnapshot, scenario.Feed == FeedKind.Orders
                        && book.Orders.Any(o => o.Kind != BookOrderKind.Manual && !o.Rejected && !o.Finished));
                    if (step is ReconnectStep && !connected)
                    {
                        reconnectedAt = step.At;
                        filledDuringLastOutage = [.. filledWhileDown];
                    }
                    connected = true;
                    if (step is RestartStep restart)
                    {
                        restartsSeen++;
                        Add(ScenarioClass.AbruptRestart, restart.Abrupt);
                    }
                    break;
                case DisconnectStep:
                    connected = false;
                    filledWhileDown.Clear();
                    disconnectedAt = step.At;
                    break;
                case DuplicateStep d:
                    classes.Add(ScenarioClass.Duplicate);
                    Add(ScenarioClass.DuplicateAsOther, d.As is not null);
                    Add(ScenarioClass.DuplicateDaysLater, book.Find(d.Order)?.LastFillAt is { } last && d.At - last >= Days);
                    Add(ScenarioClass.DuplicateDaysLaterWithRoom, book.Find(d.Order) is { Cancelled: true, LastFillAt: { } lastOfCancelled } cancelled
                        && cancelled.Executed < cancelled.Size && d.At - lastOfCancelled >= Days);
                    break;
                case ResendStep r:
                    classes.Add(ScenarioClass.Resend);
                    Add(ScenarioClass.ResendAnsweredWithError, scenario.ResendAnswer == ResendAnswer.Error);
                    Add(ScenarioClass.ResendDaysLater, book.Find(r.Order) is { } sent && r.At - (sent.LastFillAt ?? sent.PlacedAt) >= Days);
                    break;
            }
            // The book refuses nothing of a valid scenario; an invalid one is classified as far as it goes.
            if (book.Apply(step) is not null)
            {
                break;
            }
        }
        Add(ScenarioClass.SequenceGap, scenario.Faults.Drop > 0m && fillsOf.Count > 0);
        Add(ScenarioClass.FeedDuplicates, scenario.Faults.Duplicate > 0m && fillsOf.Count > 0);
        Add(ScenarioClass.FeedReorder, scenario.Faults.Reorder > 0m && fillsOf.Count > 0);
        Add(ScenarioClass.TradesFeed, scenario.Feed == FeedKind.Trades);
        Add(ScenarioClass.MultiProduct, book.Orders.Select(o => o.Product).Distinct(StringComparer.Ordinal).Count() > 1);
        Add(ScenarioClass.Large, book.Orders.Count >= 100);
        return classes.ToImmutable();
    }

    /// <summary>When the create-order answer of <paramref name="order"/> reaches the webhook; null when it never does.</summary>
    private static TimeSpan? AnsweredAt(Scenario scenario, BookOrder order, Ack? ack) => ack switch
    {
        AckOk => order.PlacedAt + scenario.Latency.Ack,
        AckDelay d => order.PlacedAt + scenario.Latency.Ack + d.Delay,
        _ => null,
    };

    /// <summary>Each order's limit price (null: a market order) and create-order ack (null: a manual order), by label.</summary>
    private static Dictionary<string, (decimal? Price, Ack? Ack)> Creations(Scenario scenario)
    {
        var result = new Dictionary<string, (decimal? Price, Ack? Ack)>(StringComparer.Ordinal);
        foreach (var step in scenario.Steps)
        {
            switch (step)
            {
                case PlaceStep p:
                    result.TryAdd(p.Order, (p.Price, p.Ack));
                    break;
                case ExitStep x:
                    result.TryAdd(x.Order, (x.Price, x.Ack));
                    break;
                case ManualStep m:
                    result.TryAdd(m.Order, (m.Price, null));
                    break;
            }
        }
        return result;
    }
}
