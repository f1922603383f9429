using System.Collections.Immutable;
using Bogus;

namespace Linkage.Sim.Generation;

/// <summary>
/// A tradable product as the generator sizes and prices it: Coinbase's increments (sizes are whole multiples of
/// <see cref="BaseIncrement"/>, prices of <see cref="QuoteIncrement"/>), the range its price and a bot's order size
/// usually fall in, expressed in increments so every value is an exact decimal, and the order value (size times price,
/// in the quote currency) Coinbase accepts for it: at least <see cref="QuoteMin"/> (its <c>quote_min_size</c>) and, for
/// a bot's order, at most <see cref="QuoteMax"/>. Every order the generator sizes is worth between the two at any price
/// of the range (<see cref="SizeUnits"/>), so no generated order carries a value the exchange could not report.
/// </summary>
public sealed record ProductSpec(string Id, decimal BaseIncrement, decimal QuoteIncrement, long PriceTicksMin, long PriceTicksMax, long SizeUnitsMin, long SizeUnitsMax)
{
    /// <summary>Smallest order value, in the quote currency (Coinbase's <c>quote_min_size</c>: 1 USD on USD books).</summary>
    public decimal QuoteMin { get; init; } = 1m;

    /// <summary>Largest value of one bot order, in the quote currency: a large retail order, far inside Coinbase's <c>quote_max_size</c>.</summary>
    public decimal QuoteMax { get; init; } = 1_000_000m;

    /// <summary>Lowest price of the range.</summary>
    public decimal PriceMin => PriceTicksMin * QuoteIncrement;

    /// <summary>Highest price of the range, and of any fill (price improvement only moves a limit towards the buyer or seller within it, see <see cref="Improve"/>).</summary>
    public decimal PriceMax => PriceTicksMax * QuoteIncrement;

    /// <summary>The fewest base increments an order may have: worth at least <see cref="QuoteMin"/> at the lowest price.</summary>
    public long OrderUnitsMin => Math.Max(SizeUnitsMin, (long)Math.Ceiling(QuoteMin / (PriceMin * BaseIncrement)));

    /// <summary>The most base increments an order may have: worth at most <see cref="QuoteMax"/> at the highest price.</summary>
    public long OrderUnitsMax => Math.Min(SizeUnitsMax, (long)Math.Floor(QuoteMax / (PriceMax * BaseIncrement)));

    /// <summary>A price the product plausibly trades at.</summary>
    public decimal Price(Randomizer random) => random.Long(PriceTicksMin, PriceTicksMax) * QuoteIncrement;

    /// <summary>A size a bot plausibly orders, in whole base increments, worth between <see cref="QuoteMin"/> and <see cref="QuoteMax"/> at any price of the range.</summary>
    public long SizeUnits(Randomizer random) => random.Long(OrderUnitsMin, Math.Max(OrderUnitsMin, OrderUnitsMax));

    /// <summary>A price a little better for the buyer or seller than <paramref name="limit"/> (never below one tick).</summary>
    public decimal Improve(decimal limit, bool buy, Randomizer random)
    {
        var ticks = (long)(limit / QuoteIncrement);
        var improvement = random.Long(1, Math.Max(1, ticks / 200));
        return Math.Clamp(buy ? ticks - improvement : ticks + improvement, PriceTicksMin, PriceTicksMax) * QuoteIncrement;
    }
}

/// <summary>
/// Products the bot trades: real Coinbase listings with their published increments and realistic ranges (from BTC at
/// tens of thousands of dollars for thousandths of a coin to PEPE at millionths of a dollar for millions), and tickers
/// Bogus invents in the same shapes, so the engine never meets only the products it was tried on.
/// </summary>
public static class ProductCatalog
{
    public static readonly ImmutableArray<ProductSpec> Listed =
    [
        new("BTC-USD", 0.00000001m, 0.01m, 2_000_000, 12_000_000, 10_000, 5_000_000),
        new("ETH-USD", 0.00000001m, 0.01m, 100_000, 500_000, 100_000, 200_000_000),
        new("SOL-USD", 0.00000001m, 0.01m, 1_000, 30_000, 1_000_000, 5_000_000_000),
        new("AVNT-USD", 0.1m, 0.0001m, 1_000, 30_000, 10, 100_000),
        new("DOGE-USD", 0.1m, 0.00001m, 5_000, 50_000, 100, 200_000),
        new("XRP-USD", 0.000001m, 0.0001m, 3_000, 30_000, 1_000_000, 5_000_000_000),
        new("ADA-USD", 0.00000001m, 0.0001m, 2_000, 20_000, 100_000_000, 500_000_000_000),
        new("PEPE-USD", 1m, 0.00000001m, 100, 2_000, 1_000_000, 100_000_000),
        new("BTC-USDC", 0.00000001m, 0.01m, 2_000_000, 12_000_000, 10_000, 5_000_000),
        new("ETH-BTC", 0.00000001m, 0.00001m, 1_000, 10_000, 100_000, 200_000_000) { QuoteMin = 0.00001m, QuoteMax = 10m },
    ];

    private static readonly string[] Quotes = ["USD", "USD", "USDC", "EUR"];

    /// <summary>Draws <paramref name="count"/> distinct products: mostly listed ones, sometimes a ticker Bogus makes up.</summary>
    public static ImmutableArray<ProductSpec> Draw(Randomizer random, int count)
    {
        ArgumentNullException.ThrowIfNull(random);
        var chosen = new List<ProductSpec>(count);
        while (chosen.Count < count)
        {
            var spec = random.Bool(0.75f) ? random.ArrayElement(Listed.ToArray()) : Invent(random);
            if (chosen.All(p => p.Id != spec.Id))
            {
                chosen.Add(spec);
            }
        }
        return [.. chosen];
    }

    /// <summary>
    /// A made-up listing: a 2 to 5 letter ticker, a quote currency, a price range of a plausible magnitude, a base
    /// increment worth at most the smallest order (as Coinbase sets them), and sizes worth 1 to 1,000,000 of the quote
    /// currency at any price of the range, as <see cref="ProductSpec.SizeUnits"/> keeps them.
    /// </summary>
    private static ProductSpec Invent(Randomizer random)
    {
        var ticker = random.String2(random.Int(2, 5), "ABCDEFGHIJKLMNOPQRSTUVWXYZ");
        var quoteScale = random.Int(2, 8);
        var quoteIncrement = new decimal(1, 0, 0, false, (byte)quoteScale);
        var priceTicks = random.Long(100, 1_000_000);
        var priceMax = priceTicks * 5 * quoteIncrement;
        var baseScale = random.Int(0, 8);
        while (baseScale < 8 && new decimal(1, 0, 0, false, (byte)baseScale) * priceMax > 1m)
        {
            baseScale++;
        }
        var baseIncrement = new decimal(1, 0, 0, false, (byte)baseScale);
        var spec = new ProductSpec(ticker + "-" + random.ArrayElement(Quotes), baseIncrement, quoteIncrement, priceTicks, priceTicks * 5, 1, long.MaxValue / 4);
        var units = random.Long(spec.OrderUnitsMin, Math.Max(spec.OrderUnitsMin, spec.OrderUnitsMax / 20));
        return spec with { SizeUnitsMin = units, SizeUnitsMax = units * 20 };
    }
}
