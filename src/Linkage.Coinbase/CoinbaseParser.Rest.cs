using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Linkage.Engine;

namespace Linkage.Coinbase;

public static partial class CoinbaseParser
{
    private const int TradeTypeLengthMax = 32;
    private const int LiquidityLengthMax = 64;

    private static FillsPage? ReadFillsPage(Node root, FieldReader r)
    {
        var fills = ImmutableArray.CreateBuilder<RestFill>();
        foreach (var item in r.Array(root, "fills", Presence.Required, CoinbaseLimits.FillsPerPageMax))
        {
            if (ReadFill(item, r) is { } fill)
            {
                fills.Add(fill);
            }
        }
        var cursor = r.String(root, "cursor", Presence.Optional, CoinbaseLimits.CursorLengthMax);
        return r.Failed ? null : new FillsPage(fills.ToImmutable(), cursor);
    }

    /// <summary>
    /// One List Fills row. A row sized in quote currency (<c>size_in_quote: true</c>) is converted to base
    /// (<c>size / price</c>), the one unit the engine counts in; the conversion is refused when it leaves the bounds.
    /// </summary>
    private static RestFill? ReadFill(Node row, FieldReader r)
    {
        if (row.Element.ValueKind != JsonValueKind.Object)
        {
            r.Fail(row.Path, $"is a JSON {JsonInput.Kind(row.Element)}, expected a fill object");
            return null;
        }
        var entryId = r.String(row, "entry_id", Presence.Required, CoinbaseLimits.FillIdLengthMax);
        var tradeId = ReadTradeId(row, r);
        var order = r.ExchangeOrderId(row, "order_id", Presence.Required);
        var tradeType = ReadTradeType(row, r);
        var price = r.Decimal(row, "price", Presence.Required, Sign.Positive);
        var size = r.Decimal(row, "size", Presence.Required, Sign.Positive);
        var sizeInQuote = r.Bool(row, "size_in_quote", Presence.Optional) ?? false;
        var fill = new RestFill
        {
            Fill = new TradeFill
            {
                Key = new FillKey(order ?? default, FillSource.RestFills, entryId ?? ""),
                TradeType = tradeType ?? TradeType.Fill,
                Size = size ?? 0,
                Price = price ?? 0,
                Commission = r.Decimal(row, "commission", Presence.Optional) ?? 0,
                Product = r.ProductId(row, "product_id", Presence.Optional),
                Side = r.Side(row, "side", Presence.Optional),
                TradeId = tradeId,
                TradeTime = r.Time(row, "trade_time", Presence.Optional),
            },
            SequenceTimestamp = r.Time(row, "sequence_timestamp", Presence.Optional),
            LiquidityIndicator = r.String(row, "liquidity_indicator", Presence.Optional, LiquidityLengthMax),
            SizeInQuote = sizeInQuote,
        };
        if (r.Failed)
        {
            return null;
        }
        if (!sizeInQuote)
        {
            return fill;
        }
        // Comparing before dividing keeps a tiny price from overflowing the division.
        if (size!.Value > Limits.QuantityMax * price!.Value)
        {
            r.Fail(row.Child("size"), $"is {Invariant(size.Value)} in quote at price {Invariant(price.Value)}: more than {Invariant(Limits.QuantityMax)} in base");
            return null;
        }
        var baseSize = size.Value / price.Value;
        if (baseSize == 0)
        {
            r.Fail(row.Child("size"), $"is {Invariant(size.Value)} in quote at price {Invariant(price.Value)}: nothing in base");
            return null;
        }
        return fill with { Fill = fill.Fill with { Size = baseSize } };
    }

    /// <summary>Advanced Trade's <c>trade_id</c> is a UUID string; an integer (the legacy shape) is read as its digits.</summary>
    private static string? ReadTradeId(Node row, FieldReader r)
    {
        if (!r.TryGet(row, "trade_id", out var node))
        {
            return null;
        }
        return node.Element.ValueKind == JsonValueKind.Number
            ? r.Integer(row, "trade_id", Presence.Optional)?.ToString(CultureInfo.InvariantCulture)
            : r.StringValue(node, Presence.Optional, CoinbaseLimits.FillIdLengthMax);
    }

    private static TradeType? ReadTradeType(Node row, FieldReader r)
    {
        var text = r.String(row, "trade_type", Presence.Required, TradeTypeLengthMax);
        if (text is null)
        {
            return null;
        }
        TradeType? type = Spelling.Normal(text) switch
        {
            "FILL" => TradeType.Fill,
            "REVERSAL" => TradeType.Reversal,
            "CORRECTION" => TradeType.Correction,
            "SYNTHETIC" => TradeType.Synthetic,
            _ => null,
        };
        if (type is null)
        {
            r.Fail(row.Child("trade_type"), $"'{TextBounds.Excerpt(text)}' is not FILL, REVERSAL, CORRECTION or SYNTHETIC");
        }
        return type;
    }

    private static OrderReport? ReadGetOrder(Node root, FieldReader r) =>
        r.Object(root, "order", Presence.Required) is { } order ? OrderReader.Read(order, r, OrderReader.Rest) : null;

    private static OrdersPage? ReadOrdersPage(Node root, FieldReader r)
    {
        var orders = ImmutableArray.CreateBuilder<OrderReport>();
        foreach (var item in r.Array(root, "orders", Presence.Required, CoinbaseLimits.OrdersPerPageMax))
        {
            if (OrderReader.Read(item, r, OrderReader.Rest) is { } order)
            {
                orders.Add(order);
            }
        }
        var hasNext = r.Bool(root, "has_next", Presence.Optional) ?? false;
        var cursor = r.String(root, "cursor", Presence.Optional, CoinbaseLimits.CursorLengthMax);
        return r.Failed ? null : new OrdersPage(orders.ToImmutable(), hasNext, cursor);
    }

    private static string Invariant(decimal value) => value.ToString(CultureInfo.InvariantCulture);
}
