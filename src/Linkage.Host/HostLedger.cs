using Linkage.Engine;

namespace Linkage.Host;

/// <summary>An order the webhook must ask the exchange about when it reconciles.</summary>
public readonly record struct InFlightOrder(ClientOrderId ClientOrderId, ExchangeOrderId? ExchangeOrderId)
{
    /// <summary>
    /// The quantity the design had linked to the order when the ledger listed it, where the ledger can say (else the host
    /// asks <see cref="IHostLedger.LinkedQuantity"/>): it spares a read per listed order when the host decides whether
    /// the order's fills must be listed.
    /// </summary>
    public decimal? Linked { get; init; }
}

/// <summary>
/// What the webhook reads of the design's committed state to do its job: which orders are in flight (to reconcile),
/// how much of a product is open (to size an exit that says "sell it all"), which exchange orders have fills parked
/// (to ask the exchange whose they are). The engine design answers from its store; the legacy design keeps nothing of
/// the sort and answers from the webhook's own memory.
/// </summary>
public interface IHostLedger
{
    /// <summary>Orders whose outcome or fills may still be incomplete, by client order id (ordinal).</summary>
    IReadOnlyList<InFlightOrder> InFlight();

    /// <summary>
    /// Accepted orders the design holds as terminal since <paramref name="since"/>, by client order id (ordinal):
    /// candidates for a closing check against REST, since a terminal status may arrive without (or ahead of) the last fills.
    /// </summary>
    IReadOnlyList<InFlightOrder> Terminal(DateTimeOffset since);

    /// <summary>The quantity an exit with no size sells: the open lots it names, else all open entry lots of the product.</summary>
    decimal OpenQuantity(ProductId product, IReadOnlyList<ClientOrderId> closes);

    /// <summary>Exchange orders with fills parked for want of their identity, ordinal.</summary>
    IReadOnlyList<ExchangeOrderId> ParkedOrders();

    /// <summary>Whether the design staged an intent under this client order id.</summary>
    bool IsKnown(ClientOrderId clientOrderId);

    /// <summary>The quantity the design has linked to this intent, or null when the design cannot say (then the host asks REST for its fills).</summary>
    decimal? LinkedQuantity(ClientOrderId clientOrderId);

    /// <summary>Whether the create-order for this intent still needs an answer (staged, or its outcome unknown).</summary>
    bool AwaitsPlacement(ClientOrderId clientOrderId);

    /// <summary>The intent staged under this client order id, to send its create-order again; null when unknown.</summary>
    Intent? IntentOf(ClientOrderId clientOrderId);

    /// <summary>The host sent a create-order (the legacy ledger remembers; the store already knows).</summary>
    void Sent(ClientOrderId clientOrderId, Intent intent);

    /// <summary>The host learned the exchange order id of an intent (the legacy ledger remembers; the store already knows).</summary>
    void Bound(ClientOrderId clientOrderId, ExchangeOrderId exchangeOrderId);
}

/// <summary>The engine design's ledger: everything is read from the store, so it survives a restart exactly as the store does.</summary>
public sealed class StoreLedger(ILinkageStore store) : IHostLedger
{
    /// <inheritdoc />
    public IReadOnlyList<InFlightOrder> InFlight() => [.. store.InFlightOrders().Select(Listed)];

    /// <inheritdoc />
    public IReadOnlyList<InFlightOrder> Terminal(DateTimeOffset since) =>
        [.. store.TerminalSince(since).Where(o => o.Status.IsTerminal() && o.ExchangeOrderId is not null).Select(Listed)];

    private static InFlightOrder Listed(OrderRecord order) => new(order.ClientOrderId, order.ExchangeOrderId) { Linked = order.Linked.Quantity };

    /// <inheritdoc />
    public decimal OpenQuantity(ProductId product, IReadOnlyList<ClientOrderId> closes) =>
        closes.Count == 0
            ? store.OpenEntryLots(product).Sum(o => o.Open)
            : closes.Select(store.FindByClientOrderId).Sum(o => o is { Intent.Kind: IntentKind.Entry } entry ? Math.Max(entry.Open, 0m) : 0m);

    /// <inheritdoc />
    public IReadOnlyList<ExchangeOrderId> ParkedOrders() => store.ParkedOrderIds();

    /// <inheritdoc />
    public bool IsKnown(ClientOrderId clientOrderId) => store.FindByClientOrderId(clientOrderId) is not null;

    /// <inheritdoc />
    public decimal? LinkedQuantity(ClientOrderId clientOrderId) => store.FindByClientOrderId(clientOrderId)?.Linked.Quantity;

    /// <inheritdoc />
    public bool AwaitsPlacement(ClientOrderId clientOrderId) =>
        store.FindByClientOrderId(clientOrderId) is { Placement: PlacementState.Staged or PlacementState.Unknown };

    /// <inheritdoc />
    public Intent? IntentOf(ClientOrderId clientOrderId) => store.FindByClientOrderId(clientOrderId)?.Intent;

    /// <inheritdoc />
    public void Sent(ClientOrderId clientOrderId, Intent intent)
    {
        // The store staged the intent before the host sent it: nothing more to remember.
    }

    /// <inheritdoc />
    public void Bound(ClientOrderId clientOrderId, ExchangeOrderId exchangeOrderId)
    {
        // The engine bound the ids when it processed the response or update.
    }
}
