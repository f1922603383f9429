namespace Linkage.Sim.Server;

/// <summary>One spot product the wire exchange lists: its increments, bounds and the price its seeded path starts from.</summary>
internal sealed record Product(string Id, string Base, string Quote, string BaseName, decimal StartPrice, decimal BaseIncrement, decimal QuoteIncrement, decimal BaseMinSize, decimal BaseMaxSize, decimal QuoteMinSize)
{
    /// <summary>Why Coinbase would refuse this base size (its <c>new_order_failure_reason</c> and a message), or null.</summary>
    public (string Reason, string Message)? SizeProblem(decimal size)
    {
        if (size % BaseIncrement != 0m)
        {
            return ("INVALID_SIZE_PRECISION", $"size {size} is not a multiple of the base increment {BaseIncrement}");
        }
        if (size < BaseMinSize || size > BaseMaxSize)
        {
            return ("INVALID_SIZE_PRECISION", $"size {size} is outside [{BaseMinSize}, {BaseMaxSize}]");
        }
        return null;
    }

    /// <summary>Why Coinbase would refuse this limit price (its <c>new_order_failure_reason</c> and a message), or null.</summary>
    public (string Reason, string Message)? PriceProblem(decimal price) =>
        price % QuoteIncrement != 0m ? ("INVALID_PRICE_PRECISION", $"limit_price {price} is not a multiple of the quote increment {QuoteIncrement}") : null;
}

/// <summary>
/// The products <c>linkage exchange</c> trades. A fixed list, so a client's market loading sees the same catalogue on
/// every run; start prices are round figures near real ones, and each product's path moves from there, seeded.
/// </summary>
internal static class Products
{
    public static readonly IReadOnlyList<Product> All =
    [
        new("BTC-USD", "BTC", "USD", "Bitcoin", 64250.00m, 0.00000001m, 0.01m, 0.00000001m, 3400m, 1m),
        new("ETH-USD", "ETH", "USD", "Ethereum", 3400.00m, 0.00000001m, 0.01m, 0.00000001m, 42000m, 1m),
        new("SOL-USD", "SOL", "USD", "Solana", 150.00m, 0.00000001m, 0.01m, 0.00000001m, 250000m, 1m),
        new("AVNT-USD", "AVNT", "USD", "Avantis", 1.2500m, 0.1m, 0.0001m, 0.1m, 1000000m, 1m),
    ];

    public static Product? Find(string? id) => All.FirstOrDefault(p => string.Equals(p.Id, id, StringComparison.Ordinal));

    /// <summary>The currencies the account holds, with the balance each starts with.</summary>
    public static readonly IReadOnlyList<(string Currency, string Name, decimal Start)> Balances =
    [
        ("USD", "US Dollar", 1_000_000m),
        ("BTC", "Bitcoin", 10m),
        ("ETH", "Ethereum", 100m),
        ("SOL", "Solana", 1000m),
        ("AVNT", "Avantis", 100000m),
    ];
}
