using Linkage.Engine;
using Linkage.Host;

namespace Linkage.Sim.Legacy;

/// <summary>
/// The legacy design's ledger: the old webhook kept nothing but a product-keyed cache, so the host remembers what it
/// sent in this process's life and sizes exits from the account's position (what the old position monitor read).
/// </summary>
public sealed class MemoryLedger(Func<ProductId, decimal> accountPosition) : IHostLedger
{
    private readonly SortedDictionary<string, ExchangeOrderId?> _sent = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Intent> _intents = new(StringComparer.Ordinal);

    public IReadOnlyList<InFlightOrder> InFlight() => [.. _sent.Select(p => new InFlightOrder(ClientOrderId.From(p.Key), p.Value))];

    /// <summary>The old webhook knew no order status; every order it sent stays in flight.</summary>
    public IReadOnlyList<InFlightOrder> Terminal(DateTimeOffset since) => [];

    public decimal OpenQuantity(ProductId product, IReadOnlyList<ClientOrderId> closes) => accountPosition(product);

    public IReadOnlyList<ExchangeOrderId> ParkedOrders() => [];

    public bool IsKnown(ClientOrderId clientOrderId) => _sent.ContainsKey(clientOrderId.Value);

    /// <summary>The old design's cache keeps no ledger.</summary>
    public decimal? LinkedQuantity(ClientOrderId clientOrderId) => null;

    public bool AwaitsPlacement(ClientOrderId clientOrderId) => _sent.TryGetValue(clientOrderId.Value, out var bound) && bound is null;

    public Intent? IntentOf(ClientOrderId clientOrderId) => _intents.GetValueOrDefault(clientOrderId.Value);

    public void Sent(ClientOrderId clientOrderId, Intent intent)
    {
        _sent.TryAdd(clientOrderId.Value, null);
        _intents.TryAdd(clientOrderId.Value, intent);
    }

    public void Bound(ClientOrderId clientOrderId, ExchangeOrderId exchangeOrderId) => _sent[clientOrderId.Value] = exchangeOrderId;
}
