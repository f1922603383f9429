using System.Collections.Immutable;
using Linkage.Engine;

namespace Linkage.Properties.Stores;

/// <summary>Everything a store's read-outs return, to compare two stores or one store before and after.</summary>
internal sealed record StoreContents(
    ImmutableArray<OrderRecord> Orders,
    ImmutableArray<LinkRecord> Links,
    ImmutableArray<FillRecord> Fills,
    ImmutableArray<AllocationRecord> Allocations,
    ImmutableArray<ParkedFill> Parked,
    ImmutableArray<ExternalOrderRecord> ExternalOrders,
    ImmutableArray<QuarantineRecord> Quarantine,
    ImmutableArray<AlertRecord> Alerts,
    int ParkedCount)
{
    public static StoreContents Of(ILinkageStore store) => new(
        store.Orders(),
        store.Links(),
        store.Fills(),
        store.Allocations(),
        store.Parked(),
        store.ExternalOrders(),
        store.Quarantine(),
        store.Alerts(),
        store.ParkedCount);

    /// <summary>Asserts <paramref name="actual"/> holds exactly this, list by list, in order.</summary>
    public void AssertSame(StoreContents actual, string because = "")
    {
        Assert.Multiple(() =>
        {
            Assert.That(actual.Orders, Is.EqualTo(Orders), $"orders {because}");
            Assert.That(actual.Links, Is.EqualTo(Links), $"links {because}");
            Assert.That(actual.Fills, Is.EqualTo(Fills), $"fills {because}");
            Assert.That(actual.Allocations, Is.EqualTo(Allocations), $"allocations {because}");
            Assert.That(actual.Parked, Is.EqualTo(Parked), $"parked {because}");
            Assert.That(actual.ExternalOrders, Is.EqualTo(ExternalOrders), $"external orders {because}");
            Assert.That(actual.Quarantine, Is.EqualTo(Quarantine), $"quarantine {because}");
            Assert.That(actual.Alerts, Is.EqualTo(Alerts), $"alerts {because}");
            Assert.That(actual.ParkedCount, Is.EqualTo(ParkedCount), $"parked count {because}");
        });
    }
}
