using System.Collections.Immutable;
using Linkage.Engine;
using Linkage.Sim.Audit;

namespace Linkage.Properties.Audit;

/// <summary>
/// A memory store whose <see cref="Apply"/> throws (as a full disk would) for every batch of inputs from one capture
/// line, and whose lookups by exchange order id throw once <see cref="FailLookups"/> is set; everything else is the
/// real <see cref="MemoryStore"/>. A hand-written fault at the store boundary.
/// </summary>
internal sealed class FailingStore(int failOnLine) : ILinkageStore
{
    /// <summary>Whether <see cref="FindByExchangeOrderId"/> throws, as a lost connection would.</summary>
    public bool FailLookups { get; set; }

    private readonly MemoryStore _inner = new();

    public string Name => _inner.Name;
    public bool IsDurable => _inner.IsDurable;
    public int ParkedCount => _inner.ParkedCount;

    public ApplyResult Apply(DecisionBatch batch) =>
        AuditOrigin.LineOf(batch.Input.Origin) == failOnLine ? throw new IOException("disk full") : _inner.Apply(batch);

    public OrderRecord? FindByClientOrderId(ClientOrderId id) => _inner.FindByClientOrderId(id);
    public OrderRecord? FindByExchangeOrderId(ExchangeOrderId id) =>
        FailLookups ? throw new IOException("connection reset") : _inner.FindByExchangeOrderId(id);
    public bool IsFillKeySeen(FillKey key) => _inner.IsFillKeySeen(key);
    public ImmutableArray<ParkedFill> ParkedFor(ExchangeOrderId id) => _inner.ParkedFor(id);
    public ExternalOrderRecord? FindExternal(ExchangeOrderId id) => _inner.FindExternal(id);
    public ImmutableArray<OrderRecord> OpenEntryLots(ProductId product) => _inner.OpenEntryLots(product);
    public ImmutableArray<OrderRecord> ExitsAwaitingAllocation(ProductId product) => _inner.ExitsAwaitingAllocation(product);
    public ImmutableArray<OrderRecord> TerminalBefore(DateTimeOffset cutoff, int max) => _inner.TerminalBefore(cutoff, max);
    public ImmutableArray<OrderRecord> InFlightOrders() => _inner.InFlightOrders();
    public ImmutableArray<OrderRecord> TerminalSince(DateTimeOffset since) => _inner.TerminalSince(since);
    public ImmutableArray<ExchangeOrderId> ParkedOrderIds() => _inner.ParkedOrderIds();
    public ImmutableArray<OrderRecord> Orders() => _inner.Orders();
    public ImmutableArray<LinkRecord> Links() => _inner.Links();
    public ImmutableArray<FillRecord> Fills() => _inner.Fills();
    public ImmutableArray<AllocationRecord> Allocations() => _inner.Allocations();
    public ImmutableArray<ParkedFill> Parked() => _inner.Parked();
    public ImmutableArray<ExternalOrderRecord> ExternalOrders() => _inner.ExternalOrders();
    public ImmutableArray<QuarantineRecord> Quarantine() => _inner.Quarantine();
    public ImmutableArray<AlertRecord> Alerts() => _inner.Alerts();

    public void Dispose() => _inner.Dispose();
}
