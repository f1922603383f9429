using Linkage.Engine;
using Linkage.Sim.Exchange;
using Linkage.Sim.Server;

namespace Linkage.Wire.Tests;

/// <summary>
/// <c>linkage exchange --market-partials N</c>, which <c>linkage load</c> relies on to know its fill rate: every market
/// order fills in exactly N trades, each in a <c>user</c> update of its own (no coalescing). Without it a market order
/// fills in 1 to 3 seeded partials, and a quarter of the non-final trades' updates are merged into the next.
/// </summary>
public sealed class MarketPartialsTests
{
    private static (List<ExchangeOrder> Orders, Dictionary<string, int> FillUpdates) PlaceMarketOrders(int? partials, int count)
    {
        var book = new ExchangeBook(7, new DateTimeOffset(2026, 12, 1, 12, 0, 0, TimeSpan.Zero), 1, partials);
        var fillUpdates = new Dictionary<string, int>(StringComparer.Ordinal);
        var sent = new Dictionary<string, decimal>(StringComparer.Ordinal);
        book.OrderUpdated += (order, _, _) =>
        {
            if (order.CumulativeQuantity > sent.GetValueOrDefault(order.OrderId))
            {
                sent[order.OrderId] = order.CumulativeQuantity;
                fillUpdates[order.OrderId] = fillUpdates.GetValueOrDefault(order.OrderId) + 1;
            }
        };
        var orders = new List<ExchangeOrder>();
        for (var i = 0; i < count; i++)
        {
            var request = new PlaceRequest($"partials-{i}", "BTC-USD", Side.Buy, "market_market_ioc", 0.00001m, null, null, false, null);
            var placed = book.Run(view => view.Place(request));
            Assert.That(placed.Order, Is.Not.Null, placed.Message);
            orders.Add(placed.Order!);
        }
        return (orders, fillUpdates);
    }

    [TestCase(1)]
    [TestCase(3)]
    [TestCase(7)]
    public void Every_market_order_fills_in_exactly_the_partials_asked_each_in_an_update_of_its_own(int partials)
    {
        var (orders, fillUpdates) = PlaceMarketOrders(partials, 200);
        Assert.Multiple(() =>
        {
            Assert.That(orders.Select(o => o.NumberOfFills).Distinct(), Is.EqualTo(new[] { partials }), "trades per order");
            Assert.That(orders.Select(o => fillUpdates.GetValueOrDefault(o.OrderId)).Distinct(), Is.EqualTo(new[] { partials }), "updates that raise the filled size, per order");
            Assert.That(orders.All(o => o.CumulativeQuantity == 0.00001m), Is.True, "each order filled in full");
        });
    }

    [Test]
    public void Without_the_option_orders_fill_in_one_to_three_seeded_partials_and_updates_coalesce()
    {
        var (orders, fillUpdates) = PlaceMarketOrders(null, 200);
        Assert.Multiple(() =>
        {
            Assert.That(orders.Select(o => o.NumberOfFills).Distinct().Order(), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(orders.Sum(o => fillUpdates.GetValueOrDefault(o.OrderId)), Is.LessThan(orders.Sum(o => o.NumberOfFills)), "some trades coalesced");
        });
    }
}
