namespace Linkage.Engine;

/// <summary>Trade-level fills (REST List Fills rows, legacy matches), exit allocation and retention.</summary>
internal sealed partial class Decider
{
    private void OnTradeFill(TradeFillReceived input)
    {
        if (Validation.TradeFill(input.Fill) is { } problem)
        {
            Reject(input, problem);
            return;
        }
        var fill = input.Fill;
        if (_view.IsFillKeySeen(fill.Key))
        {
            Duplicate(DuplicateKind.FillKey, fill.Key.ToString());
            return;
        }
        var exchangeId = fill.ExchangeOrderId;
        if (_view.FindByExchangeOrderId(exchangeId) is { } order)
        {
            OnBotTrade(input, order);
            return;
        }
        if (_view.FindExternal(exchangeId) is { } external)
        {
            Emit(new FillRecorded(new FillRecord { Fill = fill, At = _now }));
            // REST rows, legacy matches and cumulative states are three sources: each is a lower bound of what executed,
            // so the observed quantity is the largest, never a sum (a REST row restates what the feed counted). A trade
            // row is a fill seen, whenever it executed; only cumulative states are measured from the baseline.
            var size = fill.TradeType == TradeType.Fill ? fill.Size : 0m;
            var rest = fill.Key.Source == FillSource.RestFills ? external.TradedQuantity + size : external.TradedQuantity;
            var matched = fill.Key.Source == FillSource.RestFills ? external.MatchedQuantity : external.MatchedQuantity + size;
            Emit(new ExternalRecorded(external with
            {
                ObservedQuantity = Math.Max(external.ObservedQuantity, Math.Max(rest, matched)),
                TradedQuantity = rest,
                MatchedQuantity = matched,
                Trades = external.Trades + 1,
                Product = external.Product ?? fill.Product,
                Version = external.Version + 1,
            }));
            return;
        }
        Park(input, exchangeId, $"{fill.Key.Source}:{fill.Key.Key}");
    }

    private void OnBotTrade(TradeFillReceived input, OrderRecord order)
    {
        var fill = input.Fill;
        var isFill = fill.TradeType == TradeType.Fill;
        var moved = fill.Key.Source == FillSource.RestFills ? LedgerSource.RestFills : LedgerSource.LegacyMatches;
        var source = moved == LedgerSource.RestFills ? order.Rest : order.Matches;
        var executed = isFill
            ? new Executed(source.Quantity + fill.Size, source.Value + (fill.Size * fill.Price), source.Fees + fill.Commission)
            : source;
        var problem = Contradiction(order, fill.Product, fill.Side)
            ?? (order.Intent.Size is { } size && executed.Quantity > size
                ? new Problem("size", $"distinct {fill.Key.Source} fills of client order {order.ClientOrderId} would add up to {Validation.Text(executed.Quantity)}, beyond its size {Validation.Text(size)}")
                : null);
        if (problem is not null)
        {
            Reject(input, problem);
            return;
        }
        if (order.Placement == PlacementState.Rejected)
        {
            RejectForRejectedOrder(input, order, isFill: true);
            return;
        }
        // The key is recorded for every trade type, so a re-delivered adjustment is recognised too; only FILL rows are
        // executed quantity (REVERSAL, CORRECTION and SYNTHETIC rows are adjustments).
        Emit(new FillRecorded(new FillRecord { Fill = fill, ClientOrderId = order.ClientOrderId, At = _now }));
        if (isFill)
        {
            var provenance = input.FromReconciliation ? LinkProvenance.Reconciliation : LinkProvenance.ExchangeOrderId;
            Advance(order, moved, executed, order.ExchangeFilledQuantity, provenance, fill.Key.Key);
        }
        ReleaseParked(fill.ExchangeOrderId);
    }

    /// <summary>
    /// After an order gained linked quantity: an exit allocates it to entry lots; an entry opens a lot that exits of
    /// the product waiting for one may now close.
    /// </summary>
    private void AfterLink(OrderRecord order, LinkRecord link)
    {
        if (order.Intent.Kind == IntentKind.Exit)
        {
            AllocateExit(order, link.Price, alertRemainder: true);
            return;
        }
        foreach (var waiting in _view.ExitsAwaitingAllocation(order.Intent.Product))
        {
            if (waiting.Intent.Side != order.Intent.Side && _view.FindByClientOrderId(waiting.ClientOrderId) is { } exit)
            {
                AllocateExit(exit, exit.Linked.AveragePrice ?? link.Price, alertRemainder: false);
            }
        }
    }

    /// <summary>
    /// Allocates the exit's unallocated linked quantity to the entry lots it closes: those it names (in its order),
    /// else the product's open lots oldest first, split across lots, one allocation per lot. A lot must be an entry of
    /// the same product on the other side. What no lot can take waits for one, with an alert when the exit linked it.
    /// </summary>
    private void AllocateExit(OrderRecord exit, decimal exitPrice, bool alertRemainder)
    {
        var remaining = exit.Open;
        var lots = exit.Intent.Closes.IsDefaultOrEmpty
            ? [.. _view.OpenEntryLots(exit.Intent.Product).Select(o => o.ClientOrderId)]
            : exit.Intent.Closes;
        foreach (var lotId in lots)
        {
            if (remaining <= 0m)
            {
                break;
            }
            // A plain local, not a pattern variable: a mutation tool's rewrite of this condition must still compile.
            var entry = _view.FindByClientOrderId(lotId);
            if (entry is null || !MayClose(exit, entry))
            {
                continue;
            }
            var quantity = Math.Min(remaining, entry.Open);
            var entryPrice = entry.Linked.AveragePrice ?? 0m;
            var gain = (exitPrice - entryPrice) * quantity;
            exit = Next(exit, exit with { Allocated = exit.Allocated + quantity });
            var closed = Next(entry, entry with { Allocated = entry.Allocated + quantity });
            Emit(new ExitAllocated(exit, closed, new AllocationRecord
            {
                ExitClientOrderId = exit.ClientOrderId,
                EntryClientOrderId = entry.ClientOrderId,
                // The exit's version after this allocation: unique and increasing per exit, and kept by every store.
                Sequence = checked((int)exit.Version),
                EntrySnapshot = entry.Intent.Snapshot,
                Product = exit.Intent.Product,
                Quantity = quantity,
                ExitPrice = exitPrice,
                EntryPrice = entryPrice,
                RealizedPnl = entry.Intent.Side == Side.Buy ? gain : -gain,
                ExitTrigger = ExitTrigger(exit, exitPrice),
                SellScore = exit.Intent.SellScore,
                At = _now,
            }));
            remaining -= quantity;
        }
        if (remaining > 0m && alertRemainder)
        {
            Alert(AlertKind.ExitExceedsOpenLots,
                $"exit {exit.ClientOrderId} linked {Validation.Text(remaining)} more than the open entry lots it may close; the rest waits for a lot",
                exit.ClientOrderId, exit.ExchangeOrderId);
        }
    }

    /// <summary>Whether <paramref name="entry"/> is a lot <paramref name="exit"/> may close: an entry of its product, on the other side, with linked quantity not yet allocated.</summary>
    private static bool MayClose(OrderRecord exit, OrderRecord entry) =>
        entry.Open > 0m && entry.Intent.Kind == IntentKind.Entry
        && entry.Intent.Product == exit.Intent.Product && entry.Intent.Side != exit.Intent.Side;

    /// <summary>
    /// Retention: intents of orders terminal for <see cref="Limits.RetentionAfterTerminal"/> lose their bulky metadata,
    /// at most <see cref="Limits.RetentionBatchMax"/> per tick. Bindings, ledgers and fill keys stay, so a duplicate
    /// arriving days later is still recognised and never links twice.
    /// </summary>
    private void OnTick(Tick input)
    {
        if (input.At - DateTimeOffset.MinValue < Limits.RetentionAfterTerminal)
        {
            return;
        }
        foreach (var order in _view.TerminalBefore(input.At - Limits.RetentionAfterTerminal, Limits.RetentionBatchMax))
        {
            Emit(new IntentPurged(Next(order, order with { Intent = Purged(order.Intent), IntentPurged = true })));
        }
    }
}
