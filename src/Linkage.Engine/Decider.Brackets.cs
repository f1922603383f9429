namespace Linkage.Engine;

/// <summary>
/// Attached take-profit / stop-loss orders: an entry sent with Coinbase's <c>attached_order_configuration</c> makes the
/// exchange create a second order (the child) that no create-order of ours names. The child is ours: it gets a record
/// of its own, an exit closing exactly its parent's lot and carrying the parent's snapshot, scores and trigger, keyed by
/// an id derived from the parent's (<see cref="ClientOrderIds.ForAttached"/>), and bound to the child's exchange id as
/// soon as any message ties the two: the create-order answer's <c>attached_order_id</c>, or a REST order's
/// <c>attached_order_id</c> (on the parent) or <c>originating_order_id</c> (on the child). Until then the child's
/// messages carry no client order id of ours and wait parked, never external.
/// </summary>
internal sealed partial class Decider
{
    /// <summary>
    /// Binds <paramref name="childId"/> as the bracket order of <paramref name="parent"/>, staging the child's record on
    /// first sight. A contradiction (the parent asked for no bracket, or the id is bound to another order, or external)
    /// raises an alert and adopts nothing, since a wrong binding would link fills to the wrong intent (S1).
    /// </summary>
    /// <returns>The child's record, bound; or null after a contradiction.</returns>
    private OrderRecord? AdoptAttached(OrderRecord parent, ExchangeOrderId childId, LinkProvenance boundBy)
    {
        if (parent.Intent is not { Bracket: { } bracket, BracketOf: null } entry)
        {
            Alert(AlertKind.ConflictingBinding,
                $"exchange order {childId} is reported attached to client order {parent.ClientOrderId}, which asked for no bracket",
                parent.ClientOrderId, childId);
            return null;
        }
        var childClientId = ClientOrderIds.ForAttached(parent.ClientOrderId);
        if (_view.FindByClientOrderId(childClientId) is { } known)
        {
            return Bind(known, childId, boundBy);
        }
        if (HeldElsewhere(childId, parent.ClientOrderId, $"exchange order {childId} is reported attached to client order {parent.ClientOrderId}"))
        {
            return null;
        }
        var intent = new Intent
        {
            Kind = IntentKind.Exit,
            Product = entry.Product,
            Side = entry.Side == Side.Buy ? Side.Sell : Side.Buy,
            Size = entry.Size,
            Price = bracket.TakeProfit,
            Snapshot = entry.Snapshot,
            BuyScore = entry.BuyScore,
            SellScore = entry.SellScore,
            Trigger = entry.Trigger,
            Closes = [parent.ClientOrderId],
            DecidedAt = entry.DecidedAt,
            ClientOrderId = childClientId,
            // The exchange placed it: no host may ever send a create-order for it.
            PlacedByCaller = true,
            Bracket = bracket,
            BracketOf = parent.ClientOrderId,
        };
        var staged = new OrderRecord { ClientOrderId = childClientId, Intent = intent, StagedAt = _now };
        Emit(new IntentStaged(staged));
        return Bind(staged, childId, boundBy);
    }

    /// <summary>Adopts the child a message named for <paramref name="parent"/> and decides what was parked under it.</summary>
    private void AdoptAttachedAndRelease(OrderRecord parent, ExchangeOrderId childId, LinkProvenance boundBy)
    {
        if (AdoptAttached(parent, childId, boundBy) is not null)
        {
            ReleaseParked(childId);
        }
    }

    /// <summary>
    /// An order state about an unknown order that names the order it is attached to (REST <c>originating_order_id</c>).
    /// Attached to our entry with a bracket: it is that entry's child, adopted, and the state is decided as the child's.
    /// Attached to an order that is external or asked for no bracket: external. Attached to an order not known yet: not
    /// handled here (false), so it parks like any unknown order.
    /// </summary>
    private bool OnAttachedState(OrderUpdate input, ExchangeOrderId parentId)
    {
        var childId = input.Order.ExchangeOrderId;
        if (_view.FindByExchangeOrderId(parentId) is { } parent)
        {
            if (parent.Intent is not { Bracket: not null, BracketOf: null })
            {
                RecordExternalState(input);
                return true;
            }
            var provenance = input.FromReconciliation ? LinkProvenance.Reconciliation : LinkProvenance.ExchangeOrderId;
            if (AdoptAttached(parent, childId, provenance) is not null)
            {
                // Bound now: deciding the state again finds the child by its exchange id (and releases what was parked).
                OnOrderUpdate(input);
            }
            return true;
        }
        if (_view.FindExternal(parentId) is not null)
        {
            RecordExternalState(input);
            return true;
        }
        return false;
    }

    /// <summary>
    /// The exit trigger of a fill at <paramref name="price"/>: for an attached bracket order, the leg that executed
    /// (<see cref="Bracket.LegAt"/>); for any other order, its intent's trigger.
    /// </summary>
    private static string? ExitTrigger(OrderRecord order, decimal price) =>
        order.Intent is { BracketOf: not null, Bracket: { } bracket } intent ? bracket.LegAt(intent.Side, price) : order.Intent.Trigger;
}
