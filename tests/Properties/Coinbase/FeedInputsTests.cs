using Linkage.Coinbase;
using Linkage.Engine;

namespace Linkage.Properties.Coinbase;

public sealed class FeedInputsTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 14, 15, 9, 30, TimeSpan.Zero);

    private static FeedMessage Feed(string json) => CoinbaseParser.ParseWebSocket(json).Value;

    [Test]
    public void Update_event_orders_become_feed_updates_stamped_with_the_given_time()
    {
        var input = (OrderUpdate)FeedInputs.From(Feed(Examples.UserUpdate), At, "line 7").Single();
        Assert.Multiple(() =>
        {
            Assert.That(input.Source, Is.EqualTo(OrderStateSource.FeedUpdate));
            Assert.That(input.At, Is.EqualTo(At));
            Assert.That(input.Origin, Is.EqualTo("line 7"));
            Assert.That(input.FromReconciliation, Is.False);
            Assert.That(input.Order.CumulativeQuantity, Is.EqualTo(0.02m));
            Assert.That(input.Order.ClientOrderId?.Value, Is.EqualTo(Examples.ClientOrderId));
        });
    }

    [Test]
    public void Snapshot_event_orders_become_baselines_never_updates()
    {
        var json = Examples.UserUpdate.Replace("\"type\":\"update\"", "\"type\":\"snapshot\"", StringComparison.Ordinal);
        var input = (OrderUpdate)FeedInputs.From(Feed(json), At).Single();
        Assert.That(input.Source, Is.EqualTo(OrderStateSource.FeedSnapshot));
    }

    [Test]
    public void Several_events_keep_message_order()
    {
        var json = Examples.UserUpdate.Replace("\"events\":[", "\"events\":[{\"type\":\"snapshot\",\"orders\":[{\"order_id\":\"first\",\"cumulative_quantity\":\"0\"}]},", StringComparison.Ordinal);
        var inputs = FeedInputs.From(Feed(json), At).Cast<OrderUpdate>().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(inputs.Select(i => i.Order.ExchangeOrderId.Value), Is.EqualTo(new[] { "first", Examples.OrderId }));
            Assert.That(inputs.Select(i => i.Source), Is.EqualTo(new[] { OrderStateSource.FeedSnapshot, OrderStateSource.FeedUpdate }));
        });
    }

    [Test]
    public void Legacy_received_binds_client_oid_to_the_exchange_order()
    {
        var input = (OrderUpdate)FeedInputs.From(Feed(Examples.LegacyReceived), At).Single();
        Assert.Multiple(() =>
        {
            Assert.That(input.Source, Is.EqualTo(OrderStateSource.LegacyReceived));
            Assert.That(input.Order.ClientOrderId?.Value, Is.EqualTo(Examples.ClientOrderId));
            Assert.That(input.Order.ExchangeOrderId.Value, Is.EqualTo(Examples.OrderId));
            Assert.That(input.Order.OrderSize, Is.EqualTo(0.05m));
            Assert.That(input.Order.CumulativeQuantity, Is.Null, "received carries no quantities");
        });
    }

    [Test]
    public void Legacy_done_is_a_terminal_status()
    {
        var input = (OrderUpdate)FeedInputs.From(Feed(Examples.LegacyDone), At).Single();
        Assert.Multiple(() =>
        {
            Assert.That(input.Source, Is.EqualTo(OrderStateSource.LegacyDone));
            Assert.That(input.Order.Status, Is.EqualTo(OrderStatus.Filled));
        });
    }

    [Test]
    public void Legacy_match_is_a_trade_fill_keyed_by_product_and_trade_id()
    {
        var input = (TradeFillReceived)FeedInputs.From(Feed(Examples.LegacyMatch), At).Single();
        Assert.Multiple(() =>
        {
            Assert.That(input.Fill.Key, Is.EqualTo(new FillKey(ExchangeOrderId.From(Examples.OrderId), FillSource.LegacyMatch, "BTC-USD:189463217")));
            Assert.That(input.Fill.Size, Is.EqualTo(0.02m));
            Assert.That(input.Fill.Price, Is.EqualTo(36250m));
            Assert.That(input.Fill.Side, Is.EqualTo(Side.Buy));
            Assert.That(input.Fill.Commission, Is.EqualTo(0.02m * 36250m * 0.004m));
            Assert.That(input.FromReconciliation, Is.False);
        });
    }

    [Test]
    public void Legacy_match_as_taker_fills_the_taker_order_on_the_other_side()
    {
        var json = Examples.LegacyMatch.Replace("maker_user_id", "taker_user_id", StringComparison.Ordinal);
        var fill = ((TradeFillReceived)FeedInputs.From(Feed(json), At).Single()).Fill;
        Assert.Multiple(() =>
        {
            Assert.That(fill.ExchangeOrderId.Value, Is.EqualTo("0c9b8a7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d"));
            Assert.That(fill.Side, Is.EqualTo(Side.Sell));
        });
    }

    [Test]
    public void Self_trade_fills_both_orders_with_distinct_keys()
    {
        var json = Examples.LegacyMatch.Replace("\"side\"", "\"taker_user_id\":\"u\",\"side\"", StringComparison.Ordinal);
        var keys = FeedInputs.From(Feed(json), At).Cast<TradeFillReceived>().Select(i => i.Fill.Key).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(keys, Has.Length.EqualTo(2));
            Assert.That(keys.Distinct().Count(), Is.EqualTo(2));
        });
    }

    [Test]
    public void Heartbeats_subscriptions_open_and_change_give_no_inputs()
    {
        foreach (var json in new[] { Examples.Heartbeat, Examples.Subscriptions, Examples.LegacyOpen, Examples.LegacyChange })
        {
            Assert.That(FeedInputs.From(Feed(json), At), Is.Empty, json);
        }
    }

    [Test]
    public void Rest_fills_are_reconciliation_inputs_in_page_order()
    {
        var inputs = FeedInputs.From(CoinbaseParser.ParseListFills(Examples.ListFills).Value, At).Cast<TradeFillReceived>().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(inputs.Select(i => i.Fill.Key.Key), Is.EqualTo(new[] { "9b0f3c1e-2d4a-4c8e-8f6b-0a1b2c3d4e5f", "1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d" }));
            Assert.That(inputs.All(i => i.FromReconciliation && i.At == At), Is.True);
        });
    }

    [Test]
    public void Rest_orders_are_reconciliation_order_updates()
    {
        var inputs = FeedInputs.From(CoinbaseParser.ParseListOrders(Examples.ListOrders).Value, At).Cast<OrderUpdate>().ToArray();
        var single = (OrderUpdate)FeedInputs.From(CoinbaseParser.ParseGetOrder(Examples.GetOrder).Value, At);
        Assert.Multiple(() =>
        {
            Assert.That(inputs, Has.Length.EqualTo(2));
            Assert.That(inputs.All(i => i.FromReconciliation && i.Source == OrderStateSource.RestOrder), Is.True);
            Assert.That(single.Order, Is.EqualTo(inputs[0].Order));
            Assert.That(single.FromReconciliation, Is.True);
        });
    }
}
