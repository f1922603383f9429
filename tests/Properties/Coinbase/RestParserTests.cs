using Linkage.Coinbase;
using Linkage.Engine;

namespace Linkage.Properties.Coinbase;

public sealed class RestParserTests
{
    private static string FirstFill(string field, string? json) => Mutate.SetField(Examples.ListFills, field, json);

    [Test]
    public void List_fills_reads_every_row_keyed_by_entry_id()
    {
        var page = CoinbaseParser.ParseListFills(Examples.ListFills).Value;
        var first = page.Fills[0];
        Assert.Multiple(() =>
        {
            Assert.That(page.Fills, Has.Length.EqualTo(2));
            Assert.That(page.IsLastPage, Is.True);
            Assert.That(first.Fill.Key, Is.EqualTo(new FillKey(ExchangeOrderId.From(Examples.OrderId), FillSource.RestFills, "9b0f3c1e-2d4a-4c8e-8f6b-0a1b2c3d4e5f")));
            Assert.That(first.Fill.TradeId, Is.EqualTo("c2e81f07-77aa-4d3b-9e0c-5f6a7b8c9d01"));
            Assert.That(first.Fill.TradeType, Is.EqualTo(TradeType.Fill));
            Assert.That(first.Fill.Size, Is.EqualTo(0.03m));
            Assert.That(first.Fill.Price, Is.EqualTo(64249.50m));
            Assert.That(first.Fill.Commission, Is.EqualTo(11.56491m));
            Assert.That(first.Fill.Side, Is.EqualTo(Side.Buy));
            Assert.That(first.Fill.Product?.Value, Is.EqualTo("BTC-USD"));
            Assert.That(first.Fill.TradeTime, Is.EqualTo(new DateTimeOffset(2025, 3, 14, 15, 9, 28, TimeSpan.Zero).AddTicks(3112000)));
            Assert.That(first.SequenceTimestamp, Is.EqualTo(new DateTimeOffset(2025, 3, 14, 15, 9, 28, TimeSpan.Zero).AddTicks(3188740)));
            Assert.That(first.LiquidityIndicator, Is.EqualTo("MAKER"));
            Assert.That(page.Fills.Sum(f => f.Fill.Size), Is.EqualTo(0.05m), "the rows add up to the order's filled size");
        });
    }

    [TestCase("FILL", TradeType.Fill)]
    [TestCase("REVERSAL", TradeType.Reversal)]
    [TestCase("CORRECTION", TradeType.Correction)]
    [TestCase("SYNTHETIC", TradeType.Synthetic)]
    [TestCase("correction", TradeType.Correction)]
    public void Trade_type_reads_every_kind(string word, TradeType expected) =>
        Assert.That(CoinbaseParser.ParseListFills(FirstFill("trade_type", $"\"{word}\"")).Value.Fills[0].Fill.TradeType, Is.EqualTo(expected));

    [Test]
    public void Size_in_quote_is_converted_to_base()
    {
        // 1927.485 USD at 64249.50 is 0.03 BTC.
        var json = FirstFill("size_in_quote", "true").Replace("\"size\":\"0.03\"", "\"size\":\"1927.485\"", StringComparison.Ordinal);
        var fill = CoinbaseParser.ParseListFills(json).Value.Fills[0];
        Assert.Multiple(() =>
        {
            Assert.That(fill.SizeInQuote, Is.True);
            Assert.That(fill.Fill.Size, Is.EqualTo(0.03m));
        });
    }

    [Test]
    public void Size_in_quote_that_converts_beyond_bounds_is_refused()
    {
        var json = FirstFill("size_in_quote", "true").Replace("\"price\":\"64249.50\"", "\"price\":\"0.00000000000000000001\"", StringComparison.Ordinal);
        Refused.At(CoinbaseParser.ParseListFills(json), "fills[0].size", "in base");
    }

    [Test]
    public void Non_empty_cursor_means_more_pages()
    {
        var page = CoinbaseParser.ParseListFills(Mutate.SetField(Examples.ListFills, "cursor", "\"abc\"")).Value;
        Assert.Multiple(() =>
        {
            Assert.That(page.IsLastPage, Is.False);
            Assert.That(page.Cursor, Is.EqualTo("abc"));
        });
    }

    [Test]
    public void Legacy_integer_trade_id_reads_as_its_digits() =>
        Assert.That(CoinbaseParser.ParseListFills(FirstFill("trade_id", "189463217")).Value.Fills[0].Fill.TradeId, Is.EqualTo("189463217"));

    [TestCase("entry_id", null, "fills[0].entry_id", "missing")]
    [TestCase("order_id", null, "fills[0].order_id", "missing")]
    [TestCase("trade_type", "\"ADJUSTMENT\"", "fills[0].trade_type", "not FILL")]
    [TestCase("trade_type", null, "fills[0].trade_type", "missing")]
    [TestCase("price", "\"0\"", "fills[0].price", "positive")]
    [TestCase("size", "\"-0.03\"", "fills[0].size", "positive")]
    [TestCase("size", "\"0.03.1\"", "fills[0].size", "not a decimal")]
    [TestCase("commission", "\"-1\"", "fills[0].commission", "non-negative")]
    [TestCase("side", "\"SHORT\"", "fills[0].side", "neither BUY nor SELL")]
    [TestCase("trade_time", "\"not a time\"", "fills[0].trade_time", "RFC 3339")]
    [TestCase("fills", "{}", "fills", "expected an array")]
    [TestCase("fills", null, "fills", "missing")]
    public void List_fills_strictness_names_the_field(string field, string? json, string path, string reason) =>
        Refused.At(CoinbaseParser.ParseListFills(FirstFill(field, json)), path, reason);

    [Test]
    public void Get_order_of_an_order_placed_by_ccxt_reads_with_no_client_order_id()
    {
        var json = Mutate.SetField(Examples.GetOrder, "client_order_id", "\"ccxt-3f1c9a52-6b1e-4d0a-9c77-2e5d8b41a0f3\"");

        var order = CoinbaseParser.ParseGetOrder(json);

        Assert.That(order.IsSuccess, Is.True, () => order.ToString());
        Assert.That(order.Value.State.ClientOrderId, Is.Null);
    }

    [Test]
    public void Get_order_reads_rest_names_and_order_size()
    {
        var order = CoinbaseParser.ParseGetOrder(Examples.GetOrder).Value;
        Assert.Multiple(() =>
        {
            Assert.That(order.State.ExchangeOrderId.Value, Is.EqualTo(Examples.OrderId));
            Assert.That(order.State.ClientOrderId?.Value, Is.EqualTo(Examples.ClientOrderId));
            Assert.That(order.State.Side, Is.EqualTo(Side.Buy));
            Assert.That(order.State.Status, Is.EqualTo(OrderStatus.Filled));
            Assert.That(order.State.CumulativeQuantity, Is.EqualTo(0.05m));
            Assert.That(order.State.AveragePrice, Is.EqualTo(64249.70m));
            Assert.That(order.State.FilledValue, Is.EqualTo(3212.485m));
            Assert.That(order.State.TotalFees, Is.EqualTo(19.27491m));
            Assert.That(order.State.NumberOfFills, Is.EqualTo(2));
            Assert.That(order.State.OrderSize, Is.EqualTo(0.05m));
            Assert.That(order.State.LeavesQuantity, Is.Null);
            Assert.That(order.OrderType, Is.EqualTo("LIMIT"));
            Assert.That(order.LimitPrice, Is.EqualTo(64250m));
            Assert.That(order.SizeInQuote, Is.False);
            Assert.That(order.CreatedAt, Is.EqualTo(new DateTimeOffset(2025, 3, 14, 15, 9, 21, TimeSpan.Zero).AddTicks(1043320)));
        });
    }

    [TestCase("QUEUED", OrderStatus.Pending)]
    [TestCase("CANCEL_QUEUED", OrderStatus.CancelQueued)]
    [TestCase("EDIT_QUEUED", OrderStatus.Open)]
    [TestCase("UNKNOWN_ORDER_STATUS", OrderStatus.Unknown)]
    [TestCase("EXPIRED", OrderStatus.Expired)]
    public void Rest_status_set_maps_to_engine_statuses(string word, OrderStatus expected) =>
        Assert.That(CoinbaseParser.ParseGetOrder(Mutate.SetField(Examples.GetOrder, "status", $"\"{word}\"")).Value.State.Status, Is.EqualTo(expected));

    [Test]
    public void Cumulative_quantity_above_order_size_is_refused() =>
        Refused.At(CoinbaseParser.ParseGetOrder(Mutate.SetField(Examples.GetOrder, "filled_size", "\"0.06\"")), "order.filled_size", "more than the order size");

    [Test]
    public void Quote_sized_order_has_no_base_order_size()
    {
        var json = Mutate.SetField(Examples.GetOrder, "order_configuration", """{"market_market_ioc":{"quote_size":"3212.485"}}""");
        Assert.That(CoinbaseParser.ParseGetOrder(json).Value.State.OrderSize, Is.Null);
    }

    [Test]
    public void Configuration_keys_with_null_values_are_ignored()
    {
        var json = Mutate.SetField(Examples.GetOrder, "order_configuration", """{"market_market_ioc":null,"limit_limit_gtc":{"base_size":"0.05","limit_price":"64250.00"}}""");
        Assert.That(CoinbaseParser.ParseGetOrder(json).Value.State.OrderSize, Is.EqualTo(0.05m));
    }

    [TestCase("order", "[]", "order", "expected an object")]
    [TestCase("order_id", "\"\"", "order.order_id", "missing")]
    [TestCase("filled_size", "\"-1\"", "order.filled_size", "non-negative")]
    [TestCase("filled_size", null, "order.filled_size", "missing")]
    [TestCase("status", "\"DONE\"", "order.status", "not a known order status")]
    [TestCase("number_of_fills", "\"99999999999\"", "order.number_of_fills", "more than")]
    public void Get_order_strictness_names_the_field(string field, string? json, string path, string reason) =>
        Refused.At(CoinbaseParser.ParseGetOrder(Mutate.SetField(Examples.GetOrder, field, json)), path, reason);

    [Test]
    public void List_orders_reads_every_order_and_pagination()
    {
        var page = CoinbaseParser.ParseListOrders(Examples.ListOrders).Value;
        Assert.Multiple(() =>
        {
            Assert.That(page.Orders, Has.Length.EqualTo(2));
            Assert.That(page.HasNext, Is.True);
            Assert.That(page.Cursor, Is.EqualTo("789100"));
            Assert.That(page.Orders[1].State.Status, Is.EqualTo(OrderStatus.Pending));
            Assert.That(page.Orders[1].State.Side, Is.EqualTo(Side.Sell));
            Assert.That(page.Orders[1].PostOnly, Is.True);
            Assert.That(page.Orders[1].State.OrderSize, Is.EqualTo(1.5m));
        });
    }

    [Test]
    public void List_orders_error_names_the_order_index()
    {
        var json = Examples.ListOrders.Replace("\"filled_size\":\"0\"", "\"filled_size\":\"2\"", StringComparison.Ordinal);
        Refused.At(CoinbaseParser.ParseListOrders(json), "orders[1].filled_size", "more than the order size");
    }
}
