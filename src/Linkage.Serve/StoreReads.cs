using Linkage.Engine;

namespace Linkage.Serve;

/// <summary>An order with everything linked to it, as <c>GET /v1/orders/{client_order_id}</c> shows it.</summary>
internal sealed record OrderView(OrderRecord Order, IReadOnlyList<LinkRecord> Links, IReadOnlyList<FillRecord> Fills, IReadOnlyList<AllocationRecord> Allocations);

/// <summary>A page of links in the store's stable order, and the cursor of the next.</summary>
internal sealed record LinksView(IReadOnlyList<LinkRecord> Links, long Next, bool HasMore);

/// <summary>The reads of the intake API, over the store.</summary>
internal static class StoreReads
{
    public static OrderView? Detail(ILinkageStore store, ClientOrderId id)
    {
        if (store.FindByClientOrderId(id) is not { } order)
        {
            return null;
        }
        return new OrderView(order,
            [.. store.Links().Where(l => l.ClientOrderId == id)],
            [.. store.Fills().Where(f => f.ClientOrderId == id)],
            [.. store.Allocations().Where(a => a.ExitClientOrderId == id || a.EntryClientOrderId == id)]);
    }

    public static LinksView LinksAfter(ILinkageStore store, long after, int limit)
    {
        var all = store.Links();
        var page = all.Skip((int)Math.Min(after, int.MaxValue)).Take(limit).ToList();
        var next = after + page.Count;
        return new LinksView(page, next, next < all.Length);
    }
}
