namespace Linkage.Engine;

/// <summary>Staging intents (write-ahead, before the order is sent) and the create-order outcome.</summary>
internal sealed partial class Decider
{
    private void OnIntent(IntentReceived input)
    {
        if (Validation.Intent(input.Intent) is { } problem)
        {
            Reject(input, problem);
            return;
        }
        var intent = input.Intent;
        var clientId = ClientOrderIds.For(intent);
        if (_view.FindByClientOrderId(clientId) is { } staged)
        {
            // Retention drops bulky metadata, so a late re-delivery is compared with what retention would have kept.
            var same = staged.IntentPurged ? Purged(intent).Equals(staged.Intent) : intent.Equals(staged.Intent);
            if (same)
            {
                Duplicate(DuplicateKind.Intent, clientId.Value);
            }
            else
            {
                Reject(input, new("client_order_id", $"client order id {clientId} is already staged for a different intent"));
            }
            return;
        }
        Emit(new IntentStaged(new OrderRecord { ClientOrderId = clientId, Intent = intent, StagedAt = _now }));
    }

    private void OnPlacement(PlacementOutcome input)
    {
        if (Validation.Placement(input) is { } problem)
        {
            Reject(input, problem);
            return;
        }
        if (_view.FindByClientOrderId(input.ClientOrderId) is not { } order)
        {
            Reject(input, new("client_order_id", $"no intent is staged under client order id {input.ClientOrderId}"));
            return;
        }
        switch (input.Result)
        {
            case PlacementResult.Accepted:
                OnAccepted(input, order);
                break;
            case PlacementResult.Rejected:
                OnRejected(input, order);
                break;
            default:
                OnUnknown(order);
                break;
        }
    }

    private void OnAccepted(PlacementOutcome input, OrderRecord order)
    {
        if (order.Placement == PlacementState.Rejected)
        {
            Reject(input, new("result", $"the exchange rejected client order {order.ClientOrderId} earlier; an acceptance contradicts it"));
            return;
        }
        if (input.ExchangeOrderId is not { } exchangeId)
        {
            if (order.Placement == PlacementState.Accepted)
            {
                Duplicate(DuplicateKind.Placement, order.ClientOrderId.Value);
                return;
            }
            Emit(new OrderStatusChanged(Next(order, order with { Placement = PlacementState.Accepted }), "accepted; exchange order id not known yet"));
            return;
        }
        if (order.ExchangeOrderId == exchangeId)
        {
            Duplicate(DuplicateKind.Placement, order.ClientOrderId.Value);
        }
        else if (Bind(order, exchangeId, LinkProvenance.ExchangeOrderId) is not { } bound)
        {
            return;
        }
        else
        {
            order = bound;
        }
        ReleaseParked(exchangeId);
        if (input.AttachedExchangeOrderId is { } attached)
        {
            // After the parent's parked fills: the child's fills close the parent's lot, which they may now find open.
            AdoptAttachedAndRelease(order, attached, LinkProvenance.ExchangeOrderId);
        }
    }

    private void OnRejected(PlacementOutcome input, OrderRecord order)
    {
        if (order.Placement == PlacementState.Rejected)
        {
            Duplicate(DuplicateKind.Placement, order.ClientOrderId.Value);
            return;
        }
        // A retry with the same client order id can be refused as a duplicate while the first request created the
        // order; the order's existence wins, or its fills would never link.
        if (order.Placement == PlacementState.Accepted || order.ExchangeOrderId is not null || order.Status != OrderStatus.Unknown)
        {
            Reject(input, new("result", $"client order {order.ClientOrderId} exists on the exchange ({order.ExchangeOrderId?.Value ?? "accepted"}, {order.Status}); a rejection contradicts it"));
            return;
        }
        var rejected = order with
        {
            Placement = PlacementState.Rejected,
            RejectReason = input.RejectReason,
            Status = OrderStatus.Failed,
            TerminalAt = _now,
        };
        Emit(new OrderStatusChanged(Next(order, rejected), $"rejected: {input.RejectReason ?? "no reason given"}"));
    }

    private void OnUnknown(OrderRecord order)
    {
        if (order.Placement != PlacementState.Staged)
        {
            Duplicate(DuplicateKind.Placement, order.ClientOrderId.Value);
            return;
        }
        Emit(new OrderStatusChanged(Next(order, order with { Placement = PlacementState.Unknown }), "placement outcome unknown (timeout)"));
    }

    /// <summary>What retention keeps of an intent: everything that identifies it, without the bulky indicator breakdown.</summary>
    private static Intent Purged(Intent intent) => intent with { IndicatorsJson = null, IndicatorsFired = null };
}
