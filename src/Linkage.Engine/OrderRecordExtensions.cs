namespace Linkage.Engine;

/// <summary>What an order's record says about reconciliation, for hosts deciding which orders to ask the exchange about.</summary>
public static class OrderRecordExtensions
{
    /// <summary>
    /// Settled, as far as the record can tell: refused, or terminal with everything the exchange last reported executed
    /// linked. (That report may be older than the terminal status; the host's closing check covers that.) An order that
    /// is not settled is in flight: the host reconciles it (<see cref="ILinkageStore.InFlightOrders"/>).
    /// </summary>
    public static bool IsSettled(this OrderRecord order)
    {
        ArgumentNullException.ThrowIfNull(order);
        return order.Placement == PlacementState.Rejected
            || (order.Status.IsTerminal() && order.Linked.Quantity >= (order.ExchangeFilledQuantity ?? 0m));
    }

    /// <summary>
    /// The largest executed quantity any report has shown for the order: its ledger sources, the exchange's own
    /// <c>filled_size</c>, and, once the order is FILLED, its size. Linked quantity never exceeds the largest single
    /// source, so it can trail this when sources saw different trades (a REST listing mid-order and live matches after
    /// it); only a complete read of one source (REST List Fills for the order) closes that gap.
    /// </summary>
    public static decimal KnownExecutedQuantity(this OrderRecord order)
    {
        ArgumentNullException.ThrowIfNull(order);
        var known = Math.Max(Math.Max(order.Feed.Quantity, order.Rest.Quantity), Math.Max(order.Matches.Quantity, order.ExchangeFilledQuantity ?? 0m));
        return order.Status == OrderStatus.Filled && order.Intent.Size is { } size ? Math.Max(known, size) : known;
    }

    /// <summary>Quantity known to be executed but not linked yet: positive means the host should reconcile the order's fills.</summary>
    public static decimal UnlinkedQuantity(this OrderRecord order) => order.KnownExecutedQuantity() - order.Linked.Quantity;
}
