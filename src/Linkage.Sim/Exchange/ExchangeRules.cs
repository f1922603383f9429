namespace Linkage.Sim.Exchange;

/// <summary>
/// The simulated exchange's fixed rules and realism settings, each a named constant. Values follow Coinbase where it
/// publishes them (snapshot batches of 50, List Fills default page of 100) and are plain choices where it does not.
/// </summary>
public static class ExchangeRules
{
    /// <summary>Commission rate of the side that rests on the book (our limit orders).</summary>
    public const decimal MakerFeeRate = 0.004m;

    /// <summary>Commission rate of the side that takes liquidity (market orders).</summary>
    public const decimal TakerFeeRate = 0.006m;

    /// <summary>Commissions are rounded to this many decimals, so the sum of trade commissions equals the order's total fees exactly.</summary>
    public const int FeeDecimals = 8;

    /// <summary>Decimals of <c>avg_price</c>: rounded, as the real feed's is, which is why fills are priced from <c>filled_value</c>.</summary>
    public const int AveragePriceDecimals = 10;

    /// <summary>Orders per <c>snapshot</c> event; the last batch has fewer ("look for the first message with less than 50 orders").</summary>
    public const int SnapshotBatchSize = 50;

    /// <summary>Rows per List Fills page when the caller sets no limit (Coinbase's default).</summary>
    public const int ListFillsPageSizeDefault = 100;

    /// <summary>Orders per List Orders page when the caller sets no limit.</summary>
    public const int ListOrdersPageSizeDefault = 100;

    /// <summary>
    /// How often the <c>heartbeats</c> channel speaks. The real one speaks every second; the simulator speaks less often to
    /// bound its event count. Any later message reveals a dropped one through <c>sequence_num</c>, so this bounds how
    /// long a drop at the end of a burst goes unnoticed.
    /// </summary>
    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(5);

    /// <summary>
    /// After this long without other traffic the simulator pauses the heartbeats channel, and resumes it with the next
    /// message. A real one never pauses; the simulator does so that idle days cost no events. The webhook sees the pause
    /// as heartbeat silence and reconciles once. It is longer than the runner's settle time after the last step, so the
    /// pause never hands a run a final reconciliation it did not earn.
    /// </summary>
    public static readonly TimeSpan HeartbeatQuietAfter = TimeSpan.FromMinutes(10);

    /// <summary>How long the exchange may hold an order's update to merge later trades into it (coalescing).</summary>
    public static readonly TimeSpan CoalesceWindow = TimeSpan.FromSeconds(1);

    /// <summary>Chance that a trade's update is held for <see cref="CoalesceWindow"/> and merged with any trades that follow.</summary>
    public const decimal CoalesceChanceDefault = 0.25m;

    /// <summary>How long a reordered message is held back beyond its normal feed latency, letting later messages pass it.</summary>
    public static readonly TimeSpan ReorderHoldback = TimeSpan.FromSeconds(2);

    /// <summary>Lowest and highest market price the seed may give a product (for market orders without a fill price).</summary>
    public const decimal MarketPriceMin = 1m;

    public const decimal MarketPriceMax = 100_000m;
}
