using System.Collections.Immutable;
using System.Globalization;
using Linkage.Engine;

namespace Linkage.Coinbase;

/// <summary>
/// Turns parsed messages into engine inputs, every one stamped with the given <c>at</c> (the time the host received
/// the message; the engine reads no clock) and <c>origin</c>. Feed messages become live inputs; REST pages become
/// inputs marked <c>FromReconciliation</c>. Messages that carry nothing for linkage (heartbeats, subscriptions, legacy
/// <c>open</c> and <c>change</c>) give no inputs. Outputs keep message order. Stateless and thread-safe.
/// </summary>
public static class FeedInputs
{
    /// <summary>
    /// Inputs for one feed message: an <see cref="OrderUpdate"/> per order of a <c>user</c> event (FeedSnapshot or
    /// FeedUpdate), per legacy <c>received</c> (LegacyReceived, binding <c>client_oid</c>) and <c>done</c> (LegacyDone);
    /// a <see cref="TradeFillReceived"/> per our order of a legacy <c>match</c>, keyed <c>{product}:{trade_id}</c>.
    /// </summary>
    public static ImmutableArray<EngineInput> From(FeedMessage message, DateTimeOffset at, string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(message);
        var inputs = ImmutableArray.CreateBuilder<EngineInput>();
        switch (message)
        {
            case UserChannelMessage user:
                foreach (var e in user.Events)
                {
                    var source = e.Type == UserEventType.Snapshot ? OrderStateSource.FeedSnapshot : OrderStateSource.FeedUpdate;
                    foreach (var order in e.Orders)
                    {
                        inputs.Add(new OrderUpdate(at, order.State, source) { Origin = origin });
                    }
                }
                break;
            case LegacyReceived received:
                var state = new OrderState
                {
                    ExchangeOrderId = received.OrderId,
                    ClientOrderId = received.ClientOrderId,
                    Product = received.Product,
                    Side = received.Side,
                    Status = OrderStatus.Pending,

                    // A limit order's size is in base; a market order's funds are quote and say nothing of base size.
                    OrderSize = received.Size,
                };
                inputs.Add(new OrderUpdate(at, state, OrderStateSource.LegacyReceived) { Origin = origin });
                break;
            case LegacyDone done:
                var terminal = new OrderState { ExchangeOrderId = done.OrderId, Product = done.Product, Side = done.Side, Status = done.Status };
                inputs.Add(new OrderUpdate(at, terminal, OrderStateSource.LegacyDone) { Origin = origin });
                break;
            case LegacyMatch match:
                foreach (var fill in Fills(match))
                {
                    inputs.Add(new TradeFillReceived(at, fill) { Origin = origin });
                }
                break;
            default:
                // Heartbeats, subscriptions, other channels, legacy open/change/other: nothing to link.
                break;
        }
        return inputs.ToImmutable();
    }

    /// <summary>One reconciliation input per List Fills row, in page order.</summary>
    public static ImmutableArray<EngineInput> From(FillsPage page, DateTimeOffset at, string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        return [.. page.Fills.Select(f => (EngineInput)new TradeFillReceived(at, f.Fill) { FromReconciliation = true, Origin = origin })];
    }

    /// <summary>One reconciliation input per List Orders order, in page order.</summary>
    public static ImmutableArray<EngineInput> From(OrdersPage page, DateTimeOffset at, string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(page);
        return [.. page.Orders.Select(o => From(o, at, origin))];
    }

    /// <summary>The reconciliation input for one REST order (Get Order, or one order of a List Orders page).</summary>
    public static EngineInput From(OrderReport order, DateTimeOffset at, string? origin = null)
    {
        ArgumentNullException.ThrowIfNull(order);
        return new OrderUpdate(at, order.State, OrderStateSource.RestOrder) { FromReconciliation = true, Origin = origin };
    }

    /// <summary>
    /// The trade-level fills of a legacy match for the order(s) that are ours (both, for a self-trade). The feed's
    /// <c>side</c> is the maker's; the taker traded the other side. The key <c>{product}:{trade_id}</c> is the same for
    /// both orders of a self-trade, which stay distinct by their order id.
    /// </summary>
    public static ImmutableArray<TradeFill> Fills(LegacyMatch match)
    {
        ArgumentNullException.ThrowIfNull(match);
        var key = $"{match.Product.Value}:{match.TradeId.ToString(CultureInfo.InvariantCulture)}";
        var fills = ImmutableArray.CreateBuilder<TradeFill>(2);
        if (match.OurRole is MatchRole.Maker or MatchRole.Both)
        {
            fills.Add(Fill(match, match.MakerOrderId, match.MakerSide, match.MakerFeeRate, key));
        }
        if (match.OurRole is MatchRole.Taker or MatchRole.Both)
        {
            var takerSide = match.MakerSide == Side.Buy ? Side.Sell : Side.Buy;
            fills.Add(Fill(match, match.TakerOrderId, takerSide, match.TakerFeeRate, key));
        }
        return fills.ToImmutable();
    }

    private static TradeFill Fill(LegacyMatch match, ExchangeOrderId order, Side side, decimal? feeRate, string key) => new()
    {
        Key = new FillKey(order, FillSource.LegacyMatch, key),
        TradeType = TradeType.Fill,
        Size = match.Size,
        Price = match.Price,
        Commission = Commission(match.Size, match.Price, feeRate),
        Product = match.Product,
        Side = side,
        TradeId = match.TradeId.ToString(CultureInfo.InvariantCulture),
        TradeTime = match.Time,
    };

    /// <summary>size × price × rate when the feed names our fee rate (the parser bounds rates to [0, 1]), else 0.</summary>
    private static decimal Commission(decimal size, decimal price, decimal? rate) => rate is { } r ? size * price * r : 0;
}
