using System.Collections.Concurrent;
using Linkage.Engine;

namespace Linkage.Stores.Sql;

/// <summary>
/// Order states known to have been committed (read from the database, or written by a batch that committed), kept by a
/// store without a read cache for one purpose: writing an order update as the columns that changed since the state
/// it was decided from (<see cref="BatchPlan"/>). Any entry is safe to use however old it is: the update applies only
/// over version <c>Version - 1</c>, versions only grow, and one committed version number has exactly one content.
/// Never used to answer a read on its own: a read-ahead asks the database only whether a known order moved past the known
/// version, and takes the known state when it did not (PostgreSQL's read-ahead). Thread safe; bounded (emptied when
/// full, then filled again by reads and writes).
/// </summary>
internal sealed class CommittedOrders
{
    /// <summary>Most orders kept before the map is emptied.</summary>
    public const int OrdersMax = 100_000;

    private readonly ConcurrentDictionary<string, OrderRecord> _orders = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, string> _clientIdByExchangeId = new(StringComparer.Ordinal);

    public OrderRecord? Find(ClientOrderId id) => _orders.TryGetValue(id.Value, out var order) ? order : null;

    /// <summary>The latest committed state known of the order bound to <paramref name="exchangeId"/>, or null.</summary>
    public OrderRecord? Find(string exchangeId) =>
        _clientIdByExchangeId.TryGetValue(exchangeId, out var clientId) && _orders.TryGetValue(clientId, out var order) ? order : null;

    public void Seen(OrderRecord order)
    {
        if (_orders.Count >= OrdersMax)
        {
            _orders.Clear();
            _clientIdByExchangeId.Clear();
        }
        _orders.AddOrUpdate(order.ClientOrderId.Value, order, (_, known) => known.Version >= order.Version ? known : order);
        if (order.ExchangeOrderId is { } exchangeId)
        {
            // An exchange order id is bound to one client order id forever.
            _clientIdByExchangeId[exchangeId.Value] = order.ClientOrderId.Value;
        }
    }

    /// <summary>Remembers the order states of a batch the database committed.</summary>
    public void Applied(DecisionBatch batch)
    {
        foreach (var decision in batch.Decisions)
        {
            if (decision is ExitAllocated allocated)
            {
                Seen(allocated.Entry);
            }
            if (decision is OrderDecision written)
            {
                Seen(written.Order);
            }
        }
    }
}
