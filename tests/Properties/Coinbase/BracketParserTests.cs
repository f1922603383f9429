using Linkage.Coinbase;
using Linkage.Engine;

namespace Linkage.Properties.Coinbase;

/// <summary>
/// The bracket fields of Coinbase's messages (docs/formats.md section 2a): the request's
/// <c>attached_order_configuration</c>, the answer's <c>attached_order_id</c>, a REST order's
/// <c>originating_order_id</c> / <c>attached_order_id</c>, and the strategy payload's two legs. Bad values are refused
/// naming the field.
/// </summary>
public sealed class BracketParserTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 14, 15, 9, 21, TimeSpan.Zero);

    private const string Head = """{"client_order_id":"lk-1","product_id":"BTC-USD","side":"BUY","order_configuration":{"limit_limit_gtc":{"base_size":"0.002","limit_price":"50000","post_only":false}}""";

    [Test]
    public void Request_reads_the_attached_bracket_and_our_writer_writes_what_it_reads()
    {
        var written = CreateOrderRequests.Request("lk-1", "BTC-USD", Side.Buy, 0.002m, 50000m, new Bracket(55000m, 45000m));
        var request = CoinbaseParser.ParseCreateOrderRequest(written).Value;
        Assert.Multiple(() =>
        {
            Assert.That(written, Does.Contain("\"attached_order_configuration\":{\"trigger_bracket_gtc\":{\"limit_price\":\"55000\",\"stop_trigger_price\":\"45000\"}}"));
            Assert.That(request.Bracket, Is.EqualTo(new Bracket(55000m, 45000m)));
            Assert.That(CoinbaseParser.ParseCreateOrderRequest(Head + "}").Value.Bracket, Is.Null);
        });
    }

    [TestCase("""{"trigger_bracket_gtd":{"limit_price":"55000","stop_trigger_price":"45000","end_time":"2026-01-01T00:00:00Z"}}""", "attached_order_configuration.trigger_bracket_gtd")]
    [TestCase("""{"trigger_bracket_gtc":{"base_size":"0.002","limit_price":"55000","stop_trigger_price":"45000"}}""", "attached_order_configuration.trigger_bracket_gtc.base_size")]
    [TestCase("""{"trigger_bracket_gtc":{"limit_price":"55000"}}""", "attached_order_configuration.trigger_bracket_gtc.stop_trigger_price")]
    [TestCase("""{"trigger_bracket_gtc":{"stop_trigger_price":"45000"}}""", "attached_order_configuration.trigger_bracket_gtc.limit_price")]
    [TestCase("""{"trigger_bracket_gtc":{"limit_price":"-1","stop_trigger_price":"45000"}}""", "attached_order_configuration.trigger_bracket_gtc.limit_price")]
    [TestCase("""{"trigger_bracket_gtc":"55000"}""", "attached_order_configuration.trigger_bracket_gtc")]
    public void Request_with_a_bad_attached_configuration_is_refused_naming_the_field(string attached, string field)
    {
        var parsed = CoinbaseParser.ParseCreateOrderRequest(Head + ",\"attached_order_configuration\":" + attached + "}");
        Assert.That(parsed.Field, Is.EqualTo(field), parsed.ToString());
    }

    [Test]
    public void Answer_names_the_attached_order_and_the_outcome_carries_it()
    {
        var json = """{"success":true,"success_response":{"order_id":"p-1","product_id":"BTC-USD","side":"BUY","client_order_id":"lk-1","attached_order_id":"c-1"}}""";
        var outcome = CoinbaseParser.ToPlacementOutcome(CoinbaseParser.ParseCreateOrderResponse(json).Value, At, ClientOrderId.From("lk-1")).Value;
        var plain = json.Replace("\"c-1\"", "\"\"", StringComparison.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(outcome.AttachedExchangeOrderId, Is.EqualTo(ExchangeOrderId.From("c-1")));
            Assert.That(CoinbaseParser.ParseCreateOrderResponse(plain).Value.AttachedOrderId, Is.Null, "an empty id is absent");
            Assert.That(CoinbaseParser.ParseCreateOrderResponse(json.Replace("\"c-1\"", "7", StringComparison.Ordinal)).Field,
                Is.EqualTo("success_response.attached_order_id"));
        });
    }

    [Test]
    public void Rest_order_reads_originating_and_attached_ids_trigger_status_and_stop_price()
    {
        var child = """{"order":{"order_id":"c-1","client_order_id":"","product_id":"BTC-USD","side":"SELL","status":"OPEN","filled_size":"0","order_type":"BRACKET","trigger_status":"STOP_PENDING","originating_order_id":"p-1","attached_order_id":"","order_configuration":{"trigger_bracket_gtc":{"base_size":"0.002","limit_price":"55000","stop_trigger_price":"45000"}}}}""";
        var report = CoinbaseParser.ParseGetOrder(child).Value;
        Assert.Multiple(() =>
        {
            Assert.That(report.State.OriginatingOrderId, Is.EqualTo(ExchangeOrderId.From("p-1")));
            Assert.That(report.State.AttachedOrderId, Is.Null);
            Assert.That(report.State.ClientOrderId, Is.Null);
            Assert.That(report.State.OrderSize, Is.EqualTo(0.002m));
            Assert.That((report.OrderType, report.TriggerStatus, report.LimitPrice, report.StopPrice), Is.EqualTo(("BRACKET", "STOP_PENDING", 55000m, 45000m)));
            Assert.That(CoinbaseParser.ParseGetOrder(child.Replace("\"originating_order_id\":\"p-1\"", "\"originating_order_id\":\"c-1\"", StringComparison.Ordinal)).Field,
                Is.EqualTo("order.originating_order_id"));
        });
    }

    [Test]
    public void Payload_legs_make_a_bracket_and_half_a_bracket_or_one_on_an_exit_is_refused()
    {
        const string entry = """{"product_id":"BTC-USD","side":"BUY","size":"0.002","snapshot_id":"aaa","timestamp":"2025-03-14T15:09:21Z" """;
        Assert.Multiple(() =>
        {
            Assert.That(IntentPayloadParser.Parse(entry + ""","take_profit_price":"55000","stop_loss_price":"45000"}""").Value.Bracket,
                Is.EqualTo(new Bracket(55000m, 45000m)));
            Assert.That(IntentPayloadParser.Parse(entry + ""","take_profit_price":"55000"}""").Field, Is.EqualTo("stop_loss_price"));
            Assert.That(IntentPayloadParser.Parse(entry.Replace("\"snapshot_id\":\"aaa\",", "", StringComparison.Ordinal) + ""","take_profit_price":"55000","stop_loss_price":"45000"}""").Field,
                Is.EqualTo("take_profit_price"));
        });
    }
}
