using Linkage.Engine;
using Linkage.Sim.Generation;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Generation;

/// <summary>
/// Generated markets look like real ones (issue 14, item 1): every fill has a price of its product's range, and every
/// order is worth what Coinbase would accept. Before: <c>fuzz --runs 1000 --seed 7 --store memory</c> failed at scenario
/// 189, a PEPE-USD market order of 12,958,619 units left to the simulated exchange's product-blind market price
/// (90,478.88), whose filled value passed <see cref="Limits.QuantityMax"/> and was quarantined.
/// </summary>
public sealed class ProductCatalogTests
{
    /// <summary>Seeds and indices walked: the failing run's seed and a few others, each far enough to reach large scenarios.</summary>
    private static readonly ulong[] Seeds = [7, 1, 2, 3];

    private const int PerSeed = 300;

    [Test]
    public void Every_listed_product_has_order_sizes_worth_between_its_minimum_and_maximum() => Assert.Multiple(() =>
    {
        foreach (var spec in ProductCatalog.Listed)
        {
            Assert.That(spec.OrderUnitsMin, Is.LessThanOrEqualTo(spec.OrderUnitsMax), spec.Id);
            Assert.That(spec.OrderUnitsMin * spec.BaseIncrement * spec.PriceMin, Is.GreaterThanOrEqualTo(spec.QuoteMin), spec.Id);
            Assert.That(spec.OrderUnitsMax * spec.BaseIncrement * spec.PriceMax, Is.LessThanOrEqualTo(spec.QuoteMax), spec.Id);
        }
    });

    [Test]
    public void Generated_orders_fill_at_a_price_of_their_product_and_are_worth_what_coinbase_accepts()
    {
        var listed = ProductCatalog.Listed.ToDictionary(p => p.Id, StringComparer.Ordinal);
        var problems = new List<string>();
        foreach (var seed in Seeds)
        {
            for (var i = 0; i < PerSeed && problems.Count < 10; i++)
            {
                var scenario = SwarmGenerator.Generate(GenerationOptions.Default, seed, i);
                var orders = new Dictionary<string, (string Product, decimal? Size, decimal? Limit, bool Entry)>(StringComparer.Ordinal);
                var values = new Dictionary<string, decimal>(StringComparer.Ordinal);
                foreach (var step in scenario.Steps)
                {
                    switch (step)
                    {
                        case PlaceStep p:
                            orders[p.Order] = (p.Product, p.Size, p.Price, true);
                            break;
                        case ExitStep x:
                            orders[x.Order] = (x.Product, x.Size, x.Price, false); // an exit sells a position: several entries' worth
                            break;
                        case ManualStep m:
                            orders[m.Order] = (m.Product, m.Size, m.Price, false);
                            break;
                        case FillStep f:
                            var order = orders[f.Order];
                            var where = $"seed {seed}, scenario {i}, order {f.Order} on {order.Product}";
                            if ((f.Price ?? order.Limit) is not { } price)
                            {
                                problems.Add($"{where}: a market fill without a price, left to the exchange's product-blind market price");
                                break;
                            }
                            if (listed.TryGetValue(order.Product, out var spec) && (price < spec.PriceMin || price > spec.PriceMax))
                            {
                                problems.Add($"{where}: fills at {price}, outside {spec.PriceMin} to {spec.PriceMax}");
                            }
                            var size = f.Size ?? order.Size ?? 0m;
                            values[f.Order] = values.GetValueOrDefault(f.Order) + size * price;
                            if (order.Size is { } ordered && order.Entry && ordered * price > 1_000_000m)
                            {
                                problems.Add($"{where}: an order of {ordered} at {price} is worth {ordered * price}, more than an entry's 1,000,000");
                            }
                            break;
                    }
                }
                problems.AddRange(values.Where(v => v.Value > Limits.QuantityMax).Select(v => $"seed {seed}, scenario {i}, order {v.Key}: filled value {v.Value} above Limits.QuantityMax"));
            }
        }
        Assert.That(problems, Is.Empty);
    }
}
