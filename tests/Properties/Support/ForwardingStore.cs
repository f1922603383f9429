using Linkage.Engine;
using Moq;

namespace Linkage.Properties.Support;

/// <summary>
/// A Moq store whose reads forward to a real store, so a test plants faults only where it means to (commit, apply)
/// and everything else behaves as the real store does.
/// </summary>
internal static class ForwardingStore
{
    /// <summary>A mock of <paramref name="inner"/>: every read of a read set forwards to it; writes are left to the caller.</summary>
    public static Mock<ILinkageStore> Over(ILinkageStore inner, MockBehavior behavior = MockBehavior.Default)
    {
        var mock = new Mock<ILinkageStore>(behavior);
        mock.Setup(s => s.FindByClientOrderId(It.IsAny<ClientOrderId>())).Returns((ClientOrderId id) => inner.FindByClientOrderId(id));
        mock.Setup(s => s.FindByExchangeOrderId(It.IsAny<ExchangeOrderId>())).Returns((ExchangeOrderId id) => inner.FindByExchangeOrderId(id));
        mock.Setup(s => s.IsFillKeySeen(It.IsAny<FillKey>())).Returns((FillKey key) => inner.IsFillKeySeen(key));
        mock.Setup(s => s.ParkedFor(It.IsAny<ExchangeOrderId>())).Returns((ExchangeOrderId id) => inner.ParkedFor(id));
        mock.Setup(s => s.ParkedCount).Returns(() => inner.ParkedCount);
        mock.Setup(s => s.FindExternal(It.IsAny<ExchangeOrderId>())).Returns((ExchangeOrderId id) => inner.FindExternal(id));
        mock.Setup(s => s.OpenEntryLots(It.IsAny<ProductId>())).Returns((ProductId p) => inner.OpenEntryLots(p));
        mock.Setup(s => s.ExitsAwaitingAllocation(It.IsAny<ProductId>())).Returns((ProductId p) => inner.ExitsAwaitingAllocation(p));

        // The read set is fetched through the mock's point reads, so a fault planted on one of them is met while fetching.
        mock.Setup(s => s.Read(It.IsAny<ReadSetKeys>())).Returns((ReadSetKeys keys) => ReadSet.Fetch(mock.Object, keys));
        return mock;
    }
}
