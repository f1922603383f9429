using Linkage.Engine;

namespace Linkage.Sim.Exchange;

/// <summary>One execution on the simulated exchange: the truth the oracle judges links against.</summary>
/// <param name="OrderId">The exchange order id.</param>
/// <param name="EntryId">REST List Fills <c>entry_id</c>: unique per row.</param>
/// <param name="TradeId">REST List Fills <c>trade_id</c> (a UUID in Advanced Trade).</param>
/// <param name="LegacyTradeId">The legacy feed's integer <c>trade_id</c> for the same execution.</param>
/// <param name="Index">1-based position among the order's trades (execution order).</param>
/// <param name="Time">When it executed (also its <c>sequence_timestamp</c>).</param>
/// <param name="Size">Base quantity.</param>
/// <param name="Price">Execution price.</param>
/// <param name="Commission">Fee charged, rounded to <see cref="ExchangeRules.FeeDecimals"/>.</param>
/// <param name="OrderIsMaker">Whether the order rested on the book (limit) rather than took liquidity (market).</param>
public sealed record ExchangeTrade(
    string OrderId,
    string EntryId,
    string TradeId,
    long LegacyTradeId,
    int Index,
    DateTimeOffset Time,
    decimal Size,
    decimal Price,
    decimal Commission,
    bool OrderIsMaker)
{
    /// <summary>For a trade of an attached bracket order: the leg it executed (<c>take_profit</c> or <c>stop_loss</c>); else null.</summary>
    public string? Leg { get; init; }
}

/// <summary>
/// An order as the simulated exchange holds it. Quantities are cumulative and exact (decimal); the status is one of the
/// exchange's own (<see cref="OrderStatus"/>). Mutated only by <see cref="SimulatedExchange"/>.
/// </summary>
public sealed class ExchangeOrder
{
    private readonly List<ExchangeTrade> _trades = [];
    private OrderStatus _status = OrderStatus.Open;
    private DateTimeOffset _lastUpdateTime;

    internal ExchangeOrder(int number, string orderId, string clientOrderId, string product, Side side, decimal size, decimal? limitPrice, DateTimeOffset createdAt)
    {
        Number = number;
        OrderId = orderId;
        ClientOrderId = clientOrderId;
        Product = product;
        Side = side;
        Size = size;
        LimitPrice = limitPrice;
        CreatedAt = createdAt;
    }

    /// <summary>1-based creation order on the exchange.</summary>
    public int Number { get; }

    public string OrderId { get; }
    public string ClientOrderId { get; }
    public string Product { get; }
    public Side Side { get; }

    /// <summary>Base size ordered.</summary>
    public decimal Size { get; }

    /// <summary>Null for a market order.</summary>
    public decimal? LimitPrice { get; }

    public DateTimeOffset CreatedAt { get; }
    public OrderStatus Status
    {
        get => _status;
        internal set
        {
            _status = value;
            Revision++;
        }
    }

    public decimal CumulativeQuantity { get; private set; }
    public decimal FilledValue { get; private set; }
    public decimal TotalFees { get; private set; }
    public DateTimeOffset? LastFillTime { get; private set; }
    public DateTimeOffset LastUpdateTime
    {
        get => _lastUpdateTime;
        internal set
        {
            _lastUpdateTime = value;
            Revision++;
        }
    }

    /// <summary>One more at every change of the order (a trade, its status, its update time), so what is written from it can be kept until it changes.</summary>
    internal int Revision { get; private set; }

    /// <summary>The order's REST object as <see cref="CoinbaseWire"/> last wrote it, and the <see cref="Revision"/> it was written at.</summary>
    internal WrittenJson? RestJson { get; set; }


    /// <summary>Executions in order.</summary>
    public IReadOnlyList<ExchangeTrade> Trades => _trades;

    public int NumberOfFills => _trades.Count;

    /// <summary>What is not executed. (The wire's <c>leaves_quantity</c> is zero once the order is terminal.)</summary>
    public decimal Unfilled => Size - CumulativeQuantity;

    public decimal? AveragePrice => CumulativeQuantity == 0m ? null : Math.Round(FilledValue / CumulativeQuantity, ExchangeRules.AveragePriceDecimals);

    public bool IsLimit => LimitPrice is not null;

    /// <summary>
    /// The attached take-profit / stop-loss legs: on an entry placed with an <c>attached_order_configuration</c>, and on
    /// the child order the exchange created for it (<see cref="ParentOrderId"/> set). Null on every other order.
    /// </summary>
    public Bracket? Bracket { get; internal init; }

    /// <summary>On an attached bracket order: the exchange id of the order it is attached to (REST <c>originating_order_id</c>).</summary>
    public string? ParentOrderId { get; internal init; }

    /// <summary>On an order placed with a bracket: the exchange id of the attached order (<c>attached_order_id</c>).</summary>
    public string? AttachedOrderId { get; internal set; }

    /// <summary>On an attached bracket order: whether its stop triggered (a stop-loss trade executed), for <c>trigger_status</c>.</summary>
    public bool StopTriggered { get; internal set; }

    internal void Execute(ExchangeTrade trade)
    {
        Revision++;
        _trades.Add(trade);
        CumulativeQuantity += trade.Size;
        FilledValue += trade.Size * trade.Price;
        TotalFees += trade.Commission;
        LastFillTime = trade.Time;
        LastUpdateTime = trade.Time;
        if (CumulativeQuantity == Size)
        {
            Status = OrderStatus.Filled;
        }
    }

    /// <summary>UTF-8 JSON written from the order at <paramref name="Revision"/>.</summary>
    internal sealed record WrittenJson(int Revision, byte[] Utf8);
}
