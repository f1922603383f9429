namespace Linkage.Engine;

/// <summary>Order state messages: feed updates and snapshots, REST orders, legacy received and done.</summary>
internal sealed partial class Decider
{
    private void OnOrderUpdate(OrderUpdate input)
    {
        if (Validation.OrderUpdate(input) is { } problem)
        {
            Reject(input, problem);
            return;
        }
        var state = input.Order;
        var order = state.ClientOrderId is { } clientId
            ? _view.FindByClientOrderId(clientId)
            : _view.FindByExchangeOrderId(state.ExchangeOrderId);
        if (order is null)
        {
            OnUnknownOrderState(input);
            return;
        }
        if ((Contradiction(order, state.Product, state.Side) ?? CumulativeBeyondIntent(order, state.CumulativeQuantity)) is { } contradiction)
        {
            Reject(input, contradiction);
            return;
        }
        if (order.Placement == PlacementState.Rejected)
        {
            RejectForRejectedOrder(input, order, state.CumulativeQuantity is > 0m);
            return;
        }
        var mark = _decisions.Count;
        var provenance = input.FromReconciliation ? LinkProvenance.Reconciliation
            : state.ClientOrderId is not null ? LinkProvenance.ClientOrderId
            : LinkProvenance.ExchangeOrderId;
        if (state.ClientOrderId is not null)
        {
            // The binding's provenance says how the ids were tied: by the feed's client order id, or by reconciliation.
            var bindBy = input.FromReconciliation ? LinkProvenance.Reconciliation : LinkProvenance.ClientOrderId;
            if (Bind(order, state.ExchangeOrderId, bindBy) is not { } bound)
            {
                return;
            }
            order = bound;
        }
        order = AdoptStatus(order, state.Status);
        AbsorbQuantities(order, input, provenance);
        ReleaseParked(state.ExchangeOrderId);
        if (state.AttachedOrderId is { } attached)
        {
            AdoptAttachedAndRelease(order, attached, input.FromReconciliation ? LinkProvenance.Reconciliation : LinkProvenance.ExchangeOrderId);
        }
        if (_decisions.Count == mark)
        {
            Duplicate(DuplicateKind.StaleCumulative, SyntheticKey(state.ExchangeOrderId, state.CumulativeQuantity));
        }
    }

    /// <summary>A message about a bot order that names another product or side than its intent is not about that order.</summary>
    private static Problem? Contradiction(OrderRecord order, ProductId? product, Side? side)
    {
        if (product is { } p && p != order.Intent.Product)
        {
            return new("product_id", $"product {p} contradicts client order {order.ClientOrderId}'s product {order.Intent.Product}");
        }
        return side is { } s && s != order.Intent.Side
            ? new("side", $"side {s} contradicts client order {order.ClientOrderId}'s side {order.Intent.Side}")
            : null;
    }

    private static Problem? CumulativeBeyondIntent(OrderRecord order, decimal? cumulative) =>
        cumulative is { } c && order.Intent.Size is { } size ? Validation.CumulativeWithinSize(c, size) : null;

    private void RejectForRejectedOrder(EngineInput input, OrderRecord order, bool isFill)
    {
        Reject(input, new("order_id", $"client order {order.ClientOrderId} was rejected by the exchange; nothing may link to it"));
        if (isFill)
        {
            Alert(AlertKind.FillForRejectedOrder, $"a fill arrived for client order {order.ClientOrderId}, which the exchange rejected",
                order.ClientOrderId, order.ExchangeOrderId);
        }
    }

    /// <summary>Adopts a reported status unless the order is already terminal: terminal is final, later messages are absorbed.</summary>
    private OrderRecord AdoptStatus(OrderRecord order, OrderStatus? status)
    {
        if (status is not { } reported || reported == OrderStatus.Unknown || reported == order.Status || order.Status.IsTerminal())
        {
            return order;
        }
        var next = Next(order, order with { Status = reported, TerminalAt = reported.IsTerminal() ? _now : order.TerminalAt });
        Emit(new OrderStatusChanged(next, $"status {reported}"));
        return next;
    }

    /// <summary>
    /// Moves the ledger by what the message says was executed. Only feed updates are fills; a snapshot is a baseline
    /// (phantom fills otherwise) and a REST order's <c>filled_size</c> is recorded for the quantities-agree check.
    /// </summary>
    private void AbsorbQuantities(OrderRecord order, OrderUpdate input, LinkProvenance provenance)
    {
        if (input.Order.CumulativeQuantity is not { } cumulative)
        {
            return;
        }
        var reported = Math.Max(order.ExchangeFilledQuantity ?? 0m, cumulative);
        switch (input.Source)
        {
            case OrderStateSource.FeedUpdate when cumulative <= order.Feed.Quantity:
                if (cumulative > 0m)
                {
                    Duplicate(DuplicateKind.StaleCumulative, SyntheticKey(input.Order.ExchangeOrderId, cumulative));
                }
                break;
            case OrderStateSource.FeedUpdate:
                Advance(order, LedgerSource.FeedUpdate, FeedExecuted(order, input.Order, cumulative), reported, provenance,
                    SyntheticKey(input.Order.ExchangeOrderId, cumulative));
                break;
            case OrderStateSource.FeedSnapshot when cumulative > order.Feed.Quantity:
                var baseline = FeedExecuted(order, input.Order, cumulative);
                Emit(new LedgerUpdated(Next(order, order with { Feed = baseline, ExchangeFilledQuantity = reported })));
                break;
            case OrderStateSource.RestOrder:
                if (order.ExchangeFilledQuantity != reported)
                {
                    order = Next(order, order with { ExchangeFilledQuantity = reported });
                    Emit(new LedgerUpdated(order));
                }
                // A finished order's filled size is final: linking more than it means something counted twice (S2).
                if (input.Order.Status is { } status && status.IsTerminal() && cumulative < order.Linked.Quantity)
                {
                    Alert(AlertKind.QuantityMismatch,
                        $"exchange reports {Validation.Text(cumulative)} filled for finished order {order.ExchangeOrderId}, but {Validation.Text(order.Linked.Quantity)} is linked",
                        order.ClientOrderId, order.ExchangeOrderId);
                }
                break;
            default:
                break;
        }
    }

    /// <summary>
    /// The feed's cumulative triple. Value is <c>filled_value</c>, else <c>avg_price</c> times quantity, else the limit
    /// price times quantity; fees are <c>total_fees</c>, else the last known (fees never go down).
    /// </summary>
    private static Executed FeedExecuted(OrderRecord order, OrderState state, decimal cumulative) =>
        new(cumulative,
            state.FilledValue ?? state.AveragePrice * cumulative ?? order.Intent.Price * cumulative ?? order.Feed.Value,
            state.TotalFees ?? order.Feed.Fees);

    /// <summary>The feed has no trade id: a fill is identified by its order and cumulative quantity (as NautilusTrader does).</summary>
    private static string SyntheticKey(ExchangeOrderId exchangeId, decimal? cumulative) =>
        $"{exchangeId.Value}-{(cumulative is { } c ? Validation.Text(c) : "none")}";

    /// <summary>
    /// Writes the order with one source of its ledger (<paramref name="moved"/>) moved to <paramref name="source"/>, and
    /// its <see cref="OrderRecord.ExchangeFilledQuantity"/> set to <paramref name="exchangeFilled"/>; when that source
    /// now exceeds the linked quantity, links the difference. Linked becomes that source's triple: sources are never
    /// added together, so no quantity is counted twice and linked never exceeds executed (S2).
    /// </summary>
    private void Advance(OrderRecord read, LedgerSource moved, Executed source, decimal? exchangeFilled, LinkProvenance provenance, string sourceKey)
    {
        var linked = read.Linked;
        var links = source.Quantity > linked.Quantity;
        // One copy of the order for the whole change: a fill's cost on the memory store is mostly allocation.
        var next = read with
        {
            Feed = moved == LedgerSource.FeedUpdate ? source : read.Feed,
            FeedLinkable = moved == LedgerSource.FeedUpdate ? source : read.FeedLinkable,
            Rest = moved == LedgerSource.RestFills ? source : read.Rest,
            Matches = moved == LedgerSource.LegacyMatches ? source : read.Matches,
            ExchangeFilledQuantity = exchangeFilled,
            Linked = links ? source : linked,
            LinkCount = links ? read.LinkCount + 1 : read.LinkCount,
            Version = read.Version + 1,
        };
        CheckInvariants(next);
        if (!links)
        {
            Emit(new LedgerUpdated(next));
            return;
        }
        var quantity = source.Quantity - linked.Quantity;
        var value = source.Value - linked.Value;
        var intent = read.Intent;
        // Sources disagree slightly on value (rounding of avg_price, a different subset of trades); a non-positive
        // difference is not a price, so the source's average stands in for it.
        var price = value > 0m ? value / quantity : source.AveragePrice ?? 0m;
        var link = new LinkRecord
        {
            ClientOrderId = read.ClientOrderId,
            ExchangeOrderId = read.ExchangeOrderId ?? throw new InvalidOperationException($"client order {read.ClientOrderId} links before it is bound"),
            Sequence = read.LinkCount + 1,
            Kind = intent.Kind,
            Snapshot = intent.Snapshot,
            Product = intent.Product,
            Side = intent.Side,
            From = linked.Quantity,
            To = source.Quantity,
            Price = price,
            Fee = Math.Max(0m, source.Fees - linked.Fees),
            Provenance = provenance,
            SourceKey = sourceKey,
            BuyScore = intent.BuyScore,
            SellScore = intent.SellScore,
            Trigger = ExitTrigger(read, price),
            At = _now,
        };
        Emit(new Linked(next, link));
        AfterLink(next, link);
    }

    /// <summary>The ledger source a message moves: the feed's updates (linkable), REST fill rows, or legacy matches.</summary>
    private enum LedgerSource
    {
        FeedUpdate,
        RestFills,
        LegacyMatches,
    }

    private void OnUnknownOrderState(OrderUpdate input)
    {
        var state = input.Order;
        var exchangeId = state.ExchangeOrderId;
        if (state.OriginatingOrderId is { } parentId && state.ClientOrderId is null && OnAttachedState(input, parentId))
        {
            return;
        }
        if (state.ClientOrderId is { } clientId && _view.FindByExchangeOrderId(exchangeId) is { } holder)
        {
            Alert(AlertKind.ConflictingBinding,
                $"exchange order {exchangeId} was reported with client order {clientId}, but it is bound to client order {holder.ClientOrderId}",
                clientId, exchangeId);
            return;
        }
        if (_view.FindExternal(exchangeId) is not null || state.ClientOrderId is { IsMintedByLinkage: false })
        {
            RecordExternalState(input);
            return;
        }
        var key = $"{input.Source}:{(state.CumulativeQuantity is { } c ? Validation.Text(c) : "none")}:{state.Status?.ToString() ?? "none"}";
        if (Park(input, exchangeId, key) && state.ClientOrderId is { } minted)
        {
            Alert(AlertKind.OrphanedOrder, $"client order {minted} carries our prefix but no intent is staged for it; its messages are parked",
                minted, exchangeId);
        }
    }

    /// <summary>
    /// Records or updates an external order from an order state. Observation begins at the first cumulative seen by a
    /// snapshot or REST order (a baseline, not fills); a first feed update is itself a fill, so its baseline is zero.
    /// </summary>
    private void RecordExternalState(OrderUpdate input)
    {
        var state = input.Order;
        var existing = _view.FindExternal(state.ExchangeOrderId);
        var cumulative = state.CumulativeQuantity;
        // The legacy feed's received is the order's creation: observation begins before anything executed.
        var firstBaseline = cumulative is { } c
            ? input.Source is OrderStateSource.FeedSnapshot or OrderStateSource.RestOrder ? c : 0m
            : input.Source == OrderStateSource.LegacyReceived ? 0m : (decimal?)null;
        // Once trades were seen filling, or a message about the order waits parked, observation has begun: a later
        // snapshot or REST order is no baseline any more.
        var heardBefore = existing is { TradedQuantity: > 0m } or { MatchedQuantity: > 0m } || !_view.ParkedFor(state.ExchangeOrderId).IsEmpty;
        var baseline = existing?.Baseline ?? (heardBefore ? 0m : firstBaseline);
        var exchangeCumulative = Math.Max(existing?.ExchangeCumulative ?? 0m, cumulative ?? 0m);
        var record = new ExternalOrderRecord
        {
            ExchangeOrderId = state.ExchangeOrderId,
            ClientOrderId = existing?.ClientOrderId ?? state.ClientOrderId,
            Product = existing?.Product ?? state.Product,
            ObservedQuantity = Math.Max(existing?.ObservedQuantity ?? 0m, exchangeCumulative - (baseline ?? exchangeCumulative)),
            ExchangeCumulative = exchangeCumulative,
            Baseline = baseline,
            TradedQuantity = existing?.TradedQuantity ?? 0m,
            MatchedQuantity = existing?.MatchedQuantity ?? 0m,
            Trades = existing?.Trades ?? 0,
            FirstSeenAt = existing?.FirstSeenAt ?? _now,
            Version = existing?.Version ?? 0,
        };
        if (record == existing)
        {
            Duplicate(DuplicateKind.StaleCumulative, SyntheticKey(state.ExchangeOrderId, cumulative));
        }
        else
        {
            Emit(new ExternalRecorded(record with { Version = record.Version + 1 }));
        }
        ReleaseParked(state.ExchangeOrderId);
    }

    private void OnOrderNotOurs(OrderNotOurs input)
    {
        var problem = Validation.ExchangeId(input.ExchangeOrderId, "order_id")
            ?? (input.ClientOrderId is { } given ? Validation.ClientId(given, "client_order_id") : null);
        if (problem is not null)
        {
            Reject(input, problem);
            return;
        }
        var exchangeId = input.ExchangeOrderId;
        var ours = _view.FindByExchangeOrderId(exchangeId)
            ?? (input.ClientOrderId is { } clientId ? _view.FindByClientOrderId(clientId) : null);
        if (ours is not null)
        {
            Reject(input, new("order_id", $"exchange order {exchangeId} belongs to bot order {ours.ClientOrderId}; it cannot be external"));
            Alert(AlertKind.ConflictingBinding, $"reconciliation called exchange order {exchangeId} not ours, but it belongs to client order {ours.ClientOrderId}",
                ours.ClientOrderId, exchangeId);
            return;
        }
        if (_view.FindExternal(exchangeId) is null)
        {
            Emit(new ExternalRecorded(new ExternalOrderRecord { ExchangeOrderId = exchangeId, ClientOrderId = input.ClientOrderId, FirstSeenAt = _now }));
        }
        else if (_view.ParkedFor(exchangeId).IsEmpty)
        {
            Duplicate(DuplicateKind.Placement, exchangeId.Value);
            return;
        }
        ReleaseParked(exchangeId);
    }
}
