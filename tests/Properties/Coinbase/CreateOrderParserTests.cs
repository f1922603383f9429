using Linkage.Coinbase;
using Linkage.Engine;

namespace Linkage.Properties.Coinbase;

public sealed class CreateOrderParserTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 14, 15, 9, 21, TimeSpan.Zero);
    private static readonly ClientOrderId Coid = ClientOrderId.From(Examples.ClientOrderId);

    [Test]
    public void Request_reads_ids_side_and_the_single_configuration()
    {
        var request = CoinbaseParser.ParseCreateOrderRequest(Examples.CreateOrderRequest).Value;
        Assert.Multiple(() =>
        {
            Assert.That(request.ClientOrderId, Is.EqualTo(Coid));
            Assert.That(request.Product.Value, Is.EqualTo("BTC-USD"));
            Assert.That(request.Side, Is.EqualTo(Side.Buy));
            Assert.That(request.ConfigurationKind, Is.EqualTo("limit_limit_gtc"));
            Assert.That(request.BaseSize, Is.EqualTo(0.05m));
            Assert.That(request.LimitPrice, Is.EqualTo(64250m));
            Assert.That(request.PostOnly, Is.False);
            Assert.That(request.QuoteSize, Is.Null);
        });
    }

    [Test]
    public void Request_with_quote_size_market_order_has_no_base_size()
    {
        var json = """{"client_order_id":"abc-1","product_id":"BTC-USD","side":"sell","order_configuration":{"market_market_ioc":{"quote_size":"50"}}}""";
        var request = CoinbaseParser.ParseCreateOrderRequest(json).Value;
        Assert.Multiple(() =>
        {
            Assert.That(request.QuoteSize, Is.EqualTo(50m));
            Assert.That(request.BaseSize, Is.Null);
            Assert.That(request.Side, Is.EqualTo(Side.Sell));
        });
    }

    [TestCase("""{"product_id":"BTC-USD","side":"BUY","order_configuration":{"market_market_ioc":{"quote_size":"5"}}}""", "client_order_id", "missing")]
    [TestCase("""{"client_order_id":"has space","product_id":"BTC-USD","side":"BUY","order_configuration":{"market_market_ioc":{"quote_size":"5"}}}""", "client_order_id", "outside")]
    [TestCase("""{"client_order_id":"a","product_id":"BTC-USD","side":"HOLD","order_configuration":{"market_market_ioc":{"quote_size":"5"}}}""", "side", "neither BUY nor SELL")]
    [TestCase("""{"client_order_id":"a","product_id":"BTC-USD","side":"BUY","order_configuration":{"a":{"quote_size":"5"},"b":{"base_size":"1"}}}""", "order_configuration", "more than one")]
    [TestCase("""{"client_order_id":"a","product_id":"BTC-USD","side":"BUY","order_configuration":{}}""", "order_configuration", "no configuration")]
    [TestCase("""{"client_order_id":"a","product_id":"BTC-USD","side":"BUY","order_configuration":{"limit_limit_gtc":{"limit_price":"5"}}}""", "order_configuration.limit_limit_gtc", "neither base_size nor quote_size")]
    [TestCase("""{"client_order_id":"a","product_id":"BTC-USD","side":"BUY","order_configuration":{"limit_limit_gtc":{"base_size":"-1"}}}""", "order_configuration.limit_limit_gtc.base_size", "positive")]
    public void Request_refuses_what_matters_and_names_the_field(string json, string field, string reason)
    {
        Refused.At(CoinbaseParser.ParseCreateOrderRequest(json), field, reason);
    }

    [Test]
    public void Success_response_is_accepted_with_the_exchange_order_id()
    {
        var response = CoinbaseParser.ParseCreateOrderResponse(Examples.CreateOrderSuccess).Value;
        var outcome = CoinbaseParser.ToPlacementOutcome(response, At, Coid).Value;
        Assert.Multiple(() =>
        {
            Assert.That(response.Kind, Is.EqualTo(CreateOrderResponseKind.Success));
            Assert.That(response.ClientOrderId, Is.EqualTo(Coid));
            Assert.That(outcome.Result, Is.EqualTo(PlacementResult.Accepted));
            Assert.That(outcome.ExchangeOrderId?.Value, Is.EqualTo(Examples.OrderId));
            Assert.That(outcome.ClientOrderId, Is.EqualTo(Coid));
            Assert.That(outcome.At, Is.EqualTo(At));
        });
    }

    [Test]
    public void Failure_response_is_rejected_with_the_new_order_failure_reason()
    {
        var response = CoinbaseParser.ParseCreateOrderResponse(Examples.CreateOrderFailure).Value;
        var outcome = CoinbaseParser.ToPlacementOutcome(response, At, Coid).Value;
        Assert.Multiple(() =>
        {
            Assert.That(response.Kind, Is.EqualTo(CreateOrderResponseKind.Failure));
            Assert.That(response.Message, Is.EqualTo("Insufficient balance in source account"));
            Assert.That(response.PreviewFailureReason, Is.EqualTo("PREVIEW_INSUFFICIENT_FUND"));
            Assert.That(outcome.Result, Is.EqualTo(PlacementResult.Rejected));
            Assert.That(outcome.RejectReason, Is.EqualTo("INSUFFICIENT_FUND"));
        });
    }

    [Test]
    public void Failure_for_a_duplicate_client_order_id_is_unknown_because_the_order_exists()
    {
        var json = """{"success":false,"error_response":{"error":"UNKNOWN_FAILURE_REASON","new_order_failure_reason":"DUPLICATE_CLIENT_ORDER_ID"}}""";
        var outcome = CoinbaseParser.ToPlacementOutcome(CoinbaseParser.ParseCreateOrderResponse(json).Value, At, Coid).Value;
        Assert.That(outcome.Result, Is.EqualTo(PlacementResult.Unknown));
    }

    [Test]
    public void Failure_without_error_response_is_rejected_with_unknown_reason()
    {
        var outcome = CoinbaseParser.ToPlacementOutcome(CoinbaseParser.ParseCreateOrderResponse("""{"success":false}""").Value, At, Coid).Value;
        Assert.Multiple(() =>
        {
            Assert.That(outcome.Result, Is.EqualTo(PlacementResult.Rejected));
            Assert.That(outcome.RejectReason, Is.EqualTo(CoinbaseParser.UnknownFailureReason));
        });
    }

    [Test]
    public void Timeout_record_is_unknown_and_carries_its_client_order_id()
    {
        var response = CoinbaseParser.ParseCreateOrderResponse(Examples.CreateOrderTimeout).Value;
        var outcome = CoinbaseParser.ToPlacementOutcome(response, At).Value;
        Assert.Multiple(() =>
        {
            Assert.That(response.Kind, Is.EqualTo(CreateOrderResponseKind.Timeout));
            Assert.That(outcome.Result, Is.EqualTo(PlacementResult.Unknown));
            Assert.That(outcome.ClientOrderId, Is.EqualTo(Coid));
        });
    }

    [Test]
    public void Non_200_error_body_is_unknown_not_rejected()
    {
        var json = """{"error":"INTERNAL","code":13,"message":"internal error","details":[]}""";
        var response = CoinbaseParser.ParseCreateOrderResponse(json).Value;
        var outcome = CoinbaseParser.ToPlacementOutcome(response, At, Coid).Value;
        Assert.Multiple(() =>
        {
            Assert.That(response.Kind, Is.EqualTo(CreateOrderResponseKind.HttpError));
            Assert.That(response.Error, Is.EqualTo("INTERNAL"));
            Assert.That(outcome.Result, Is.EqualTo(PlacementResult.Unknown));
        });
    }

    [Test]
    public void Removed_top_level_order_id_is_not_relied_on()
    {
        // The 2024 shape: a top-level order_id and failure_reason, but no success_response.
        var json = """{"success":true,"order_id":"a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b","failure_reason":"UNKNOWN_FAILURE_REASON"}""";
        var result = CoinbaseParser.ParseCreateOrderResponse(json);
        Assert.Multiple(() =>
        {
            Assert.That(result.IsSuccess, Is.False);
            Assert.That(result.Field, Is.EqualTo("success_response"));
        });
    }

    [Test]
    public void Success_without_order_id_names_the_field()
    {
        var json = """{"success":true,"success_response":{"client_order_id":"abc"}}""";
        Assert.That(CoinbaseParser.ParseCreateOrderResponse(json).Field, Is.EqualTo("success_response.order_id"));
    }

    [Test]
    public void Response_for_another_client_order_id_is_refused()
    {
        var response = CoinbaseParser.ParseCreateOrderResponse(Examples.CreateOrderSuccess).Value;
        var result = CoinbaseParser.ToPlacementOutcome(response, At, ClientOrderId.From("lk-other"));
        Assert.Multiple(() =>
        {
            Assert.That(result.IsSuccess, Is.False);
            Assert.That(result.Field, Is.EqualTo("success_response.client_order_id"));
        });
    }

    [Test]
    public void Failure_without_a_known_client_order_id_cannot_be_mapped()
    {
        var response = CoinbaseParser.ParseCreateOrderResponse(Examples.CreateOrderFailure).Value;
        Assert.That(CoinbaseParser.ToPlacementOutcome(response, At).Field, Is.EqualTo("client_order_id"));
    }

    [Test]
    public void Success_field_of_the_wrong_type_is_refused()
    {
        Refused.At(CoinbaseParser.ParseCreateOrderResponse("""{"success":"yes"}"""), "success", "not true or false");
    }
}
