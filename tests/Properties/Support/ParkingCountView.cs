using System.Collections.Immutable;
using Linkage.Engine;

namespace Linkage.Properties.Support;

/// <summary>
/// A store's view whose parked count starts at <paramref name="baseline"/> instead of what the store holds, and moves
/// with it after: the parking bound (<see cref="Limits.ParkedFillsMax"/>) without parking 10,000 real fills. Every
/// other read is the store's.
/// </summary>
internal sealed class ParkingCountView(ILinkageStoreView store, int baseline) : ILinkageStoreView
{
    private readonly int _shift = baseline - store.ParkedCount;

    public int ParkedCount => store.ParkedCount + _shift;

    public OrderRecord? FindByClientOrderId(ClientOrderId id) => store.FindByClientOrderId(id);

    public OrderRecord? FindByExchangeOrderId(ExchangeOrderId id) => store.FindByExchangeOrderId(id);

    public bool IsFillKeySeen(FillKey key) => store.IsFillKeySeen(key);

    public ImmutableArray<ParkedFill> ParkedFor(ExchangeOrderId id) => store.ParkedFor(id);

    public ExternalOrderRecord? FindExternal(ExchangeOrderId id) => store.FindExternal(id);

    public ImmutableArray<OrderRecord> OpenEntryLots(ProductId product) => store.OpenEntryLots(product);

    public ImmutableArray<OrderRecord> ExitsAwaitingAllocation(ProductId product) => store.ExitsAwaitingAllocation(product);

    public ImmutableArray<OrderRecord> TerminalBefore(DateTimeOffset cutoff, int max) => store.TerminalBefore(cutoff, max);
}
