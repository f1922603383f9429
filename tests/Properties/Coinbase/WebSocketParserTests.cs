using Linkage.Coinbase;
using Linkage.Engine;

namespace Linkage.Properties.Coinbase;

public sealed class WebSocketParserTests
{
    private static T Parse<T>(string json)
        where T : FeedMessage
    {
        var result = CoinbaseParser.ParseWebSocket(json);
        Assert.That(result.IsSuccess, Is.True, () => result.ToString());
        return (T)result.Value;
    }

    private static OrderReport OnlyOrder(string json) => Parse<UserChannelMessage>(json).Events.Single().Orders.Single();

    /// <summary>The update example with one field's JSON text replaced (for drift and strictness cases).</summary>
    private static string Update(string field, string? json) => Mutate.SetField(Examples.UserUpdate, field, json);

    [Test]
    public void Update_reads_envelope_and_cumulative_order_state()
    {
        var message = Parse<UserChannelMessage>(Examples.UserUpdate);
        var order = message.Events.Single().Orders.Single();
        Assert.Multiple(() =>
        {
            Assert.That(message.Channel, Is.EqualTo("user"));
            Assert.That(message.ClientId, Is.EqualTo(""));
            Assert.That(message.SequenceNum, Is.EqualTo(14));
            Assert.That(message.Timestamp, Is.EqualTo(new DateTimeOffset(2025, 3, 14, 15, 9, 26, TimeSpan.Zero).AddTicks(5358979)));
            Assert.That(message.Events.Single().Type, Is.EqualTo(UserEventType.Update));
            Assert.That(order.State.ExchangeOrderId.Value, Is.EqualTo(Examples.OrderId));
            Assert.That(order.State.ClientOrderId?.Value, Is.EqualTo(Examples.ClientOrderId));
            Assert.That(order.State.Product?.Value, Is.EqualTo("BTC-USD"));
            Assert.That(order.State.Side, Is.EqualTo(Side.Buy));
            Assert.That(order.State.Status, Is.EqualTo(OrderStatus.Open));
            Assert.That(order.State.CumulativeQuantity, Is.EqualTo(0.02m));
            Assert.That(order.State.LeavesQuantity, Is.EqualTo(0.03m));
            Assert.That(order.State.AveragePrice, Is.EqualTo(64250m));
            Assert.That(order.State.FilledValue, Is.EqualTo(1285m));
            Assert.That(order.State.TotalFees, Is.EqualTo(7.71m));
            Assert.That(order.State.NumberOfFills, Is.EqualTo(1));
            Assert.That(order.State.OrderSize, Is.Null, "the user channel does not carry the order size");
            Assert.That(order.OrderType, Is.EqualTo("LIMIT"));
            Assert.That(order.LimitPrice, Is.EqualTo(64250m));
            Assert.That(order.PostOnly, Is.False);
            Assert.That(order.RejectReason, Is.Null);
            Assert.That(order.CreatedAt, Is.EqualTo(new DateTimeOffset(2025, 3, 14, 15, 9, 21, TimeSpan.Zero).AddTicks(1043320)));
        });
    }

    [Test]
    public void Snapshot_event_is_typed_snapshot()
    {
        var message = Parse<UserChannelMessage>(Examples.UserSnapshot);
        Assert.Multiple(() =>
        {
            Assert.That(message.Events.Single().Type, Is.EqualTo(UserEventType.Snapshot));
            Assert.That(message.Events.Single().Orders, Is.Empty);
        });
    }

    [Test]
    public void Client_id_may_be_absent_or_empty()
    {
        var absent = Parse<UserChannelMessage>(Mutate.RemoveField(Examples.UserUpdate, "client_id"));
        var empty = Parse<UserChannelMessage>(Examples.UserUpdate);
        Assert.Multiple(() =>
        {
            Assert.That(absent.ClientId, Is.Null);
            Assert.That(empty.ClientId, Is.EqualTo(""));
            Assert.That(absent.Events.Single().Orders.Single().State, Is.EqualTo(empty.Events.Single().Orders.Single().State));
        });
    }

    /// <summary>ccxt's <c>ccxt-&lt;uuid&gt;</c> (41 characters, <c>docs/formats.md</c>) on an order someone else placed, beside one of ours in the same message.</summary>
    [TestCase("\"ccxt-3f1c9a52-6b1e-4d0a-9c77-2e5d8b41a0f3\"")]
    [TestCase("\"clientOrderId with spaces\"")]
    public void A_client_order_id_no_intent_can_carry_reads_as_foreign_and_refuses_nothing_else(string foreign)
    {
        var theirs = Mutate.SetField(Examples.UserUpdate, "client_order_id", foreign).Replace("a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b", "b8e3d2f5-69c4-4a1f-87ba-2d3e4f5a6b7c", StringComparison.Ordinal);
        var ours = Examples.UserUpdate;
        var both = ours.Replace("\"orders\":[{", "\"orders\":[" + OrderObject(theirs) + ",{", StringComparison.Ordinal);

        var orders = Parse<UserChannelMessage>(both).Events.Single().Orders;

        Assert.Multiple(() =>
        {
            Assert.That(orders, Has.Length.EqualTo(2));
            Assert.That(orders[0].State.ClientOrderId, Is.Null, "their id cannot name an intent of ours");
            Assert.That(orders[0].State.ExchangeOrderId.Value, Is.EqualTo("b8e3d2f5-69c4-4a1f-87ba-2d3e4f5a6b7c"));
            Assert.That(orders[1].State.ClientOrderId?.Value, Is.EqualTo(Examples.ClientOrderId));
        });
    }

    [Test]
    public void A_nul_in_free_text_is_replaced_and_costs_nothing_else()
    {
        var order = OnlyOrder(Update("cancel_reason", "\"user\\u0000cancelled\""));

        Assert.That(order.CancelReason, Is.EqualTo("user\uFFFDcancelled"));
        Assert.That(order.State.CumulativeQuantity, Is.EqualTo(0.02m));
    }

    [Test]
    public void An_error_quoting_a_bad_value_writes_its_control_characters_visibly()
    {
        var result = CoinbaseParser.ParseWebSocket(Update("order_side", "\"B\\u0007\\nUY\""));

        Assert.That(result.IsSuccess, Is.False);
        Assert.That(result.ToString(), Does.Contain("'B\\u0007\\u000AUY' is neither BUY nor SELL").And.Not.Contain("\n"));
    }

    /// <summary>The single order object of an update message, as JSON text.</summary>
    private static string OrderObject(string update)
    {
        var start = update.IndexOf("\"orders\":[", StringComparison.Ordinal) + "\"orders\":[".Length;
        var end = update.LastIndexOf("]}]}", StringComparison.Ordinal);
        return update[start..end];
    }

    [TestCase("\"Limit\"", "LIMIT")]
    [TestCase("\"LIMIT\"", "LIMIT")]
    [TestCase("\"Stop Limit\"", "STOP_LIMIT")]
    [TestCase("\"market\"", "MARKET")]
    public void Order_type_reads_in_any_casing(string json, string expected) =>
        Assert.That(OnlyOrder(Update("order_type", json)).OrderType, Is.EqualTo(expected));

    [TestCase("\"false\"", false)]
    [TestCase("false", false)]
    [TestCase("\"true\"", true)]
    [TestCase("true", true)]
    public void Post_only_reads_as_string_or_boolean(string json, bool expected) =>
        Assert.That(OnlyOrder(Update("post_only", json)).PostOnly, Is.EqualTo(expected));

    [TestCase("reject_Reason")]
    [TestCase("reject_reason")]
    [TestCase("REJECT_REASON")]
    public void Reject_reason_reads_in_any_casing(string key)
    {
        var json = Mutate.RemoveField(Examples.UserUpdate, "reject_reason").Replace("\"cancel_reason\"", $"\"{key}\":\"INSUFFICIENT_FUND\",\"cancel_reason\"", StringComparison.Ordinal);
        Assert.That(OnlyOrder(json).RejectReason, Is.EqualTo("INSUFFICIENT_FUND"));
    }

    [Test]
    public void Two_spellings_of_one_key_are_ambiguous()
    {
        var json = Mutate.RemoveField(Examples.UserUpdate, "reject_reason").Replace("\"cancel_reason\"", "\"reject_Reason\":\"A\",\"REJECT_REASON\":\"B\",\"cancel_reason\"", StringComparison.Ordinal);
        Refused.At(CoinbaseParser.ParseWebSocket(json), "events[0].orders[0].reject_reason", "different cases");
    }

    [TestCase("\"0.05\"")]
    [TestCase("\"0.05000000\"")]
    [TestCase("\"5E-2\"")]
    [TestCase("0.05")]
    public void Decimals_of_any_scale_read_as_the_same_quantity(string json) =>
        Assert.That(OnlyOrder(Update("cumulative_quantity", json)).State.CumulativeQuantity, Is.EqualTo(0.05m));

    [TestCase("PENDING", OrderStatus.Pending)]
    [TestCase("OPEN", OrderStatus.Open)]
    [TestCase("FILLED", OrderStatus.Filled)]
    [TestCase("CANCEL_QUEUED", OrderStatus.CancelQueued)]
    [TestCase("CANCELLED", OrderStatus.Cancelled)]
    [TestCase("canceled", OrderStatus.Cancelled)]
    [TestCase("EXPIRED", OrderStatus.Expired)]
    [TestCase("FAILED", OrderStatus.Failed)]
    [TestCase("Open", OrderStatus.Open)]
    public void Status_reads_every_word_in_any_casing(string word, OrderStatus expected) =>
        Assert.That(OnlyOrder(Update("status", $"\"{word}\"")).State.Status, Is.EqualTo(expected));

    [Test]
    public void Empty_client_order_id_reads_as_none()
    {
        Assert.That(OnlyOrder(Update("client_order_id", "\"\"")).State.ClientOrderId, Is.Null);
    }

    [TestCase("order_id", null, "events[0].orders[0].order_id", "missing")]
    [TestCase("order_id", "\"\"", "events[0].orders[0].order_id", "missing")]
    [TestCase("client_order_id", "42", "events[0].orders[0].client_order_id", "expected a string")]
    [TestCase("cumulative_quantity", null, "events[0].orders[0].cumulative_quantity", "missing")]
    [TestCase("cumulative_quantity", "\"-0.01\"", "events[0].orders[0].cumulative_quantity", "non-negative")]
    [TestCase("cumulative_quantity", "\"abc\"", "events[0].orders[0].cumulative_quantity", "not a decimal")]
    [TestCase("cumulative_quantity", "\"1e400\"", "events[0].orders[0].cumulative_quantity", "not a decimal")]
    [TestCase("cumulative_quantity", "1e400", "events[0].orders[0].cumulative_quantity", "not a decimal")]
    [TestCase("cumulative_quantity", "\"99999999999999999999999999999\"", "events[0].orders[0].cumulative_quantity", "not a decimal")]
    [TestCase("cumulative_quantity", "\"9999999999999\"", "events[0].orders[0].cumulative_quantity", "more than")]
    [TestCase("cumulative_quantity", "true", "events[0].orders[0].cumulative_quantity", "expected a decimal")]
    [TestCase("total_fees", "\"-1\"", "events[0].orders[0].total_fees", "non-negative")]
    [TestCase("number_of_fills", "\"one\"", "events[0].orders[0].number_of_fills", "whole number")]
    [TestCase("order_side", "\"LONG\"", "events[0].orders[0].order_side", "neither BUY nor SELL")]
    [TestCase("status", "\"PARTIALLY_FILLED\"", "events[0].orders[0].status", "not a known order status")]
    [TestCase("creation_time", "\"yesterday\"", "events[0].orders[0].creation_time", "RFC 3339")]
    [TestCase("sequence_num", null, "sequence_num", "missing")]
    [TestCase("sequence_num", "-1", "sequence_num", "non-negative")]
    [TestCase("sequence_num", "1.5", "sequence_num", "whole number")]
    [TestCase("timestamp", "\"2025-03-14 15:09\"", "timestamp", "RFC 3339")]
    [TestCase("timestamp", "\"2025-02-30T00:00:00Z\"", "timestamp", "not a valid date")]
    [TestCase("type", "\"delta\"", "events[0].type", "neither snapshot nor update")]
    [TestCase("orders", "{}", "events[0].orders", "expected an array")]
    [TestCase("order_id", "\"a7d2\\u0000\"", "events[0].orders[0].order_id", "U+0000")]
    [TestCase("product_id", "\"BTC\\u0000USD\"", "events[0].orders[0].product_id", "U+0000")]
    public void Strictness_names_the_field(string field, string? json, string path, string reason)
    {
        Refused.At(CoinbaseParser.ParseWebSocket(Update(field, json)), path, reason);
    }

    [Test]
    public void Error_in_the_second_order_names_its_index()
    {
        var json = Examples.UserUpdate.Replace("}]}]}", "},{\"order_id\":\"b\",\"cumulative_quantity\":\"x\"}]}]}", StringComparison.Ordinal);
        Assert.That(CoinbaseParser.ParseWebSocket(json).Field, Is.EqualTo("events[0].orders[1].cumulative_quantity"));
    }

    [TestCase("3050")]
    [TestCase("\"3050\"")]
    public void Heartbeat_counter_reads_as_integer_or_string(string counter)
    {
        var heartbeat = Parse<HeartbeatMessage>(Mutate.SetField(Examples.Heartbeat, "heartbeat_counter", counter));
        Assert.Multiple(() =>
        {
            Assert.That(heartbeat.Counter, Is.EqualTo(3050));
            Assert.That(heartbeat.SequenceNum, Is.EqualTo(16));
            Assert.That(heartbeat.CurrentTime, Does.StartWith("2025-03-14 15:09:27"));
        });
    }

    [TestCase(Examples.Heartbeat, "events[0]")]
    [TestCase(Examples.UserUpdate, "events[0]")]
    public void Event_that_is_not_an_object_is_named(string json, string path) =>
        Refused.At(CoinbaseParser.ParseWebSocket(Mutate.SetField(json, "events", "[5]")), path, "expected an object");

    [Test]
    public void Heartbeat_without_counter_names_the_field() =>
        Assert.That(CoinbaseParser.ParseWebSocket(Mutate.RemoveField(Examples.Heartbeat, "heartbeat_counter")).Field, Is.EqualTo("events[0].heartbeat_counter"));

    [Test]
    public void Subscriptions_list_channels_sorted()
    {
        var message = Parse<SubscriptionsMessage>(Examples.Subscriptions);
        Assert.Multiple(() =>
        {
            Assert.That(message.Channels, Is.EqualTo(new[] { "heartbeats", "user" }));
            Assert.That(message.SequenceNum, Is.EqualTo(0));
        });
    }

    [Test]
    public void Other_channels_are_kept_for_their_sequence_number()
    {
        var json = """{"channel":"ticker","timestamp":"2025-03-14T15:09:27Z","sequence_num":17,"events":[{"type":"update","tickers":[]}]}""";
        var message = Parse<OtherChannelMessage>(json);
        Assert.Multiple(() =>
        {
            Assert.That(message.Channel, Is.EqualTo("ticker"));
            Assert.That(message.SequenceNum, Is.EqualTo(17));
        });
    }

    [Test]
    public void Legacy_received_binds_client_oid()
    {
        var received = Parse<LegacyReceived>(Examples.LegacyReceived);
        Assert.Multiple(() =>
        {
            Assert.That(received.OrderId.Value, Is.EqualTo(Examples.OrderId));
            Assert.That(received.ClientOrderId?.Value, Is.EqualTo(Examples.ClientOrderId));
            Assert.That(received.Side, Is.EqualTo(Side.Buy));
            Assert.That(received.Size, Is.EqualTo(0.05m));
            Assert.That(received.Price, Is.EqualTo(36250m));
            Assert.That(received.Funds, Is.Null);
            Assert.That(received.Sequence, Is.EqualTo(25810331412L));
        });
    }

    [Test]
    public void Legacy_received_market_order_carries_funds()
    {
        var json = """{"type":"received","order_id":"o-1","side":"sell","order_type":"market","funds":"100.5","product_id":"BTC-USD"}""";
        var received = Parse<LegacyReceived>(json);
        Assert.Multiple(() =>
        {
            Assert.That(received.Funds, Is.EqualTo(100.5m));
            Assert.That(received.ClientOrderId, Is.Null);
            Assert.That(received.Side, Is.EqualTo(Side.Sell));
        });
    }

    [Test]
    public void Legacy_match_with_maker_user_id_is_ours_as_maker()
    {
        var match = Parse<LegacyMatch>(Examples.LegacyMatch);
        Assert.Multiple(() =>
        {
            Assert.That(match.TradeId, Is.EqualTo(189463217L));
            Assert.That(match.OurRole, Is.EqualTo(MatchRole.Maker));
            Assert.That(match.MakerOrderId.Value, Is.EqualTo(Examples.OrderId));
            Assert.That(match.MakerSide, Is.EqualTo(Side.Buy));
            Assert.That(match.Size, Is.EqualTo(0.02m));
            Assert.That(match.MakerFeeRate, Is.EqualTo(0.004m));
        });
    }

    [Test]
    public void Legacy_match_with_taker_user_id_is_ours_as_taker()
    {
        var json = Examples.LegacyMatch.Replace("maker_user_id", "taker_user_id", StringComparison.Ordinal)
            .Replace("maker_profile_id", "taker_profile_id", StringComparison.Ordinal).Replace("maker_fee_rate", "taker_fee_rate", StringComparison.Ordinal);
        var match = Parse<LegacyMatch>(json);
        Assert.Multiple(() =>
        {
            Assert.That(match.OurRole, Is.EqualTo(MatchRole.Taker));
            Assert.That(match.TakerFeeRate, Is.EqualTo(0.004m));
        });
    }

    [Test]
    public void Legacy_match_without_user_ids_defaults_to_maker() =>
        Assert.That(Parse<LegacyMatch>(Mutate.RemoveField(Examples.LegacyMatch, "maker_user_id")).OurRole, Is.EqualTo(MatchRole.Maker));

    [Test]
    public void Legacy_match_with_both_user_ids_is_a_self_trade() =>
        Assert.That(Parse<LegacyMatch>(Examples.LegacyMatch.Replace("\"side\"", "\"taker_user_id\":\"u\",\"side\"", StringComparison.Ordinal)).OurRole, Is.EqualTo(MatchRole.Both));

    [TestCase("trade_id", "\"x\"", "trade_id", "whole number")]
    [TestCase("trade_id", null, "trade_id", "missing")]
    [TestCase("size", "\"0\"", "size", "positive")]
    [TestCase("taker_order_id", "\"a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b\"", "taker_order_id", "same order")]
    [TestCase("maker_fee_rate", "\"2\"", "maker_fee_rate", "at most 1")]
    [TestCase("product_id", null, "product_id", "missing")]
    public void Legacy_match_strictness_names_the_field(string field, string? json, string path, string reason)
    {
        Refused.At(CoinbaseParser.ParseWebSocket(Mutate.SetField(Examples.LegacyMatch, field, json)), path, reason);
    }

    [TestCase("filled", OrderStatus.Filled)]
    [TestCase("canceled", OrderStatus.Cancelled)]
    public void Legacy_done_reason_is_a_terminal_status(string reason, OrderStatus expected) =>
        Assert.That(Parse<LegacyDone>(Mutate.SetField(Examples.LegacyDone, "reason", $"\"{reason}\"")).Status, Is.EqualTo(expected));

    [Test]
    public void Legacy_done_with_another_reason_is_refused() =>
        Assert.That(CoinbaseParser.ParseWebSocket(Mutate.SetField(Examples.LegacyDone, "reason", "\"rejected\"")).Field, Is.EqualTo("reason"));

    [Test]
    public void Legacy_open_and_change_are_read()
    {
        var open = Parse<LegacyOpen>(Examples.LegacyOpen);
        var change = Parse<LegacyChange>(Examples.LegacyChange);
        Assert.Multiple(() =>
        {
            Assert.That(open.RemainingSize, Is.EqualTo(0.05m));
            Assert.That(change.NewSize, Is.EqualTo(0.04m));
            Assert.That(change.Reason, Is.EqualTo("STP"));
        });
    }

    [Test]
    public void Legacy_heartbeat_is_other_and_an_unknown_type_is_refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Parse<LegacyOther>("""{"type":"heartbeat","sequence":1,"last_trade_id":2}""").Type, Is.EqualTo("heartbeat"));
            Assert.That(CoinbaseParser.ParseWebSocket("""{"type":"mtach"}""").Field, Is.EqualTo("type"));
        });
    }

    [TestCase("", null, "not valid JSON")]
    [TestCase("[]", null, "not an object")]
    [TestCase("{}", "channel", "missing")]
    [TestCase("""{"channel":"user","channel":"user"}""", null, "not valid JSON")]
    public void Whole_message_errors_say_why(string json, string? field, string reason)
    {
        Refused.At(CoinbaseParser.ParseWebSocket(json), field, reason);
    }

    [Test]
    public void Deep_nesting_is_refused_with_a_reason()
    {
        var json = "{\"channel\":\"user\",\"x\":" + new string('[', 100) + new string(']', 100) + "}";
        Assert.That(CoinbaseParser.ParseWebSocket(json).Reason, Does.Contain("depth"));
    }

    [Test]
    public void Message_over_the_length_limit_is_refused_before_parsing()
    {
        var json = "{\"channel\":\"" + new string('x', CoinbaseLimits.MessageLengthMax) + "\"}";
        Assert.That(CoinbaseParser.ParseWebSocket(json).Reason, Does.Contain("more than"));
    }

    [Test]
    public void Invalid_utf8_bytes_are_refused()
    {
        var bytes = System.Text.Encoding.UTF8.GetBytes(Examples.Heartbeat);
        bytes[30] = 0xC3;
        bytes[31] = 0x28;
        Assert.That(CoinbaseParser.ParseWebSocket(bytes).Reason, Does.Contain("UTF-8"));
    }

    [Test]
    public void Unpaired_surrogate_text_is_refused() =>
        Assert.That(CoinbaseParser.ParseWebSocket("{\"channel\":\"\ud800\"}").Reason, Does.Contain("surrogate"));

    [Test]
    public void Escaped_unpaired_surrogate_is_refused_not_thrown() =>
        Assert.That(CoinbaseParser.ParseWebSocket("{\"channel\":\"\\ud800\",\"timestamp\":\"2025-03-14T15:09:27Z\",\"sequence_num\":1}").IsSuccess, Is.False);
}
