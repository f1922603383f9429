using System.Collections.Immutable;
using Linkage.Host;
using Linkage.Engine;

namespace Linkage.Properties.Engine;

/// <summary>Builders for engine inputs, with the values of the seed document (BTC-USD, snapshots aaa/bbb).</summary>
internal static class Make
{
    public static readonly DateTimeOffset T0 = new(2025, 12, 29, 21, 0, 0, TimeSpan.Zero);

    public static readonly ProductId Btc = ProductId.From("BTC-USD");

    public static DateTimeOffset At(double seconds) => T0.AddSeconds(seconds);

    public static Intent Entry(string snapshot, decimal? size = 0.002m, decimal? price = 50000m, Side side = Side.Buy,
        ProductId? product = null, decimal? buyScore = 75.3m, int decidedSecond = 0) => new()
    {
        Kind = IntentKind.Entry,
        Product = product ?? Btc,
        Side = side,
        Size = size,
        Price = price,
        Snapshot = SnapshotId.From(snapshot),
        BuyScore = buyScore,
        Trigger = "roc_momo",
        IndicatorsJson = """{"roc":1.5}""",
        IndicatorsFired = 1,
        DecidedAt = At(decidedSecond),
    };

    public static Intent Exit(decimal? size, string trigger = "stop_loss", decimal? sellScore = 12.5m, ProductId? product = null,
        int decidedSecond = 3600, params string[] closes) => new()
    {
        Kind = IntentKind.Exit,
        Product = product ?? Btc,
        Side = Side.Sell,
        Size = size,
        SellScore = sellScore,
        Trigger = trigger,
        Closes = [.. closes.Select(ClientOrderId.From)],
        DecidedAt = At(decidedSecond),
    };

    public static ClientOrderId Coid(Intent intent) => ClientOrderIds.For(intent);

    public static ExchangeOrderId Eid(string value) => ExchangeOrderId.From(value);

    public static IntentReceived Received(Intent intent, double second = 0) => new(At(second), intent);

    public static PlacementOutcome Ack(Intent intent, string exchangeId, double second = 0.2) =>
        new(At(second), Coid(intent), PlacementResult.Accepted, Eid(exchangeId));

    public static PlacementOutcome Refused(Intent intent, double second = 0.2, string reason = "INSUFFICIENT_FUND") =>
        new(At(second), Coid(intent), PlacementResult.Rejected, RejectReason: reason);

    public static PlacementOutcome Timeout(Intent intent, double second = 30) => new(At(second), Coid(intent), PlacementResult.Unknown);

    /// <summary>A feed update (cumulative state) with value = cumulative × price, fees 0.6 % of value.</summary>
    public static OrderUpdate Update(string exchangeId, Intent? intent, decimal cumulative, decimal price = 50000m,
        OrderStatus status = OrderStatus.Open, double second = 1, OrderStateSource source = OrderStateSource.FeedUpdate,
        bool reconciliation = false) =>
        new(At(second), new OrderState
        {
            ExchangeOrderId = Eid(exchangeId),
            ClientOrderId = intent is null ? null : Coid(intent),
            Product = Btc,
            Side = intent?.Side,
            Status = status,
            CumulativeQuantity = cumulative,
            FilledValue = cumulative * price,
            AveragePrice = cumulative == 0m ? null : price,
            TotalFees = cumulative * price * 0.006m,
        }, source)
        { FromReconciliation = reconciliation };

    public static TradeFillReceived Rest(string exchangeId, string entryId, decimal size, decimal price = 50000m,
        TradeType type = TradeType.Fill, double second = 2, bool reconciliation = false) =>
        new(At(second), new TradeFill
        {
            Key = new FillKey(Eid(exchangeId), FillSource.RestFills, entryId),
            TradeType = type,
            Size = size,
            Price = price,
            Commission = size * price * 0.006m,
            Product = Btc,
            TradeId = entryId,
        })
        { FromReconciliation = reconciliation };

    public static TradeFillReceived Match(string exchangeId, long tradeId, decimal size, decimal price = 50000m, double second = 2) =>
        new(At(second), new TradeFill
        {
            Key = new FillKey(Eid(exchangeId), FillSource.LegacyMatch, tradeId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            TradeType = TradeType.Fill,
            Size = size,
            Price = price,
            Product = Btc,
            TradeId = tradeId.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });

    public static OrderUpdate LegacyReceived(string exchangeId, Intent intent, double second = 0.1) =>
        new(At(second), new OrderState { ExchangeOrderId = Eid(exchangeId), ClientOrderId = Coid(intent), Product = Btc }, OrderStateSource.LegacyReceived);

    public static OrderUpdate LegacyDone(string exchangeId, double second = 5) =>
        new(At(second), new OrderState { ExchangeOrderId = Eid(exchangeId), Status = OrderStatus.Filled }, OrderStateSource.LegacyDone);
}

/// <summary>The engine over the reference store, fed input by input, with the read-outs tests check.</summary>
internal sealed class Rig : IDisposable
{
    public MemoryStore Store { get; } = new();

    public EngineCorrelator Correlator { get; }

    public Rig() => Correlator = new EngineCorrelator(Store);

    /// <summary>Processes each input and returns the last batch; every input must be applied.</summary>
    public DecisionBatch Feed(params EngineInput[] inputs)
    {
        DecisionBatch? last = null;
        foreach (var input in inputs)
        {
            var result = Correlator.Process(input);
            Assert.That(result.Status, Is.EqualTo(ProcessStatus.Applied), result.Detail);
            last = result.Batch;
        }
        return last ?? throw new ArgumentException("no inputs", nameof(inputs));
    }

    public OrderRecord Order(Intent intent) => Store.FindByClientOrderId(Make.Coid(intent)) ?? throw new AssertionException("order not staged");

    public ImmutableArray<LinkRecord> LinksOf(Intent intent) => [.. Store.Links().Where(l => l.ClientOrderId == Make.Coid(intent))];

    public decimal LinkedQuantity(Intent intent) => LinksOf(intent).Sum(l => l.Quantity);

    public void Dispose() => Store.Dispose();
}

/// <summary>Decision-list and store helpers.</summary>
internal static class BatchExtensions
{
    /// <summary>
    /// Everything the store holds, printed in its read-out orders, for before/after comparison. Quarantine and alerts
    /// are left out on request, for checks that a rejected input changed nothing else.
    /// </summary>
    public static string Snapshot(this MemoryStore store, bool withQuarantine = true) => string.Join("\n",
        new IEnumerable<object>[]
        {
            store.Orders(), store.Links(), store.Fills(), store.Parked(), store.ExternalOrders(), store.Allocations(),
            withQuarantine ? store.Quarantine() : [], withQuarantine ? store.Alerts() : [],
        }.SelectMany(list => list).Select(item => item.ToString()));

    public static ImmutableArray<T> Of<T>(this DecisionBatch batch)
        where T : Decision => [.. batch.Decisions.OfType<T>()];
}
