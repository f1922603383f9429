using Linkage.Coinbase;
using Linkage.Engine;

namespace Linkage.Properties.Coinbase;

public sealed class IntentPayloadParserTests
{
    private static readonly DateTimeOffset Received = new(2025, 12, 29, 21, 4, 12, TimeSpan.Zero);

    private static Intent Parse(string json)
    {
        var result = IntentPayloadParser.Parse(json, Received);
        Assert.That(result.IsSuccess, Is.True, () => result.ToString());
        return result.Value;
    }

    [Test]
    public void Seed_log_payload_is_an_entry_with_null_scores()
    {
        var intent = Parse(Examples.IntentFromSeedLog);
        Assert.Multiple(() =>
        {
            Assert.That(intent.Kind, Is.EqualTo(IntentKind.Entry));
            Assert.That(intent.Product.Value, Is.EqualTo("AVNT-USD"));
            Assert.That(intent.Side, Is.EqualTo(Side.Buy));
            Assert.That(intent.Size, Is.EqualTo(120m));
            Assert.That(intent.Price, Is.EqualTo(0.4125m));
            Assert.That(intent.Snapshot?.Value, Is.EqualTo("b042c0bb-6184-4d40-aa65-2f7c8d83a243"));
            Assert.That(intent.BuyScore, Is.Null);
            Assert.That(intent.SellScore, Is.Null);
            Assert.That(intent.Trigger, Is.EqualTo("roc_momo"));
            Assert.That(intent.DecidedAt, Is.EqualTo(new DateTimeOffset(2025, 12, 29, 21, 4, 11, 532, TimeSpan.Zero)));
            Assert.That(intent.ClientOrderId?.Value, Is.EqualTo("lk-00000000000000000000000000000001"));
        });
    }

    [TestCase("""{"buy_score":75.3,"sell_score":"12.5"}""")]
    [TestCase("""{"Buy Score":"75.3","Sell Score":12.5}""")]
    [TestCase("""{"buy":75.3,"sell":12.5}""")]
    [TestCase("""{"BUY_SCORE":75.30,"sell":"1.25e1"}""")]
    public void Scores_read_in_every_spelling(string scores)
    {
        foreach (var key in new[] { "score", "scores" })
        {
            var intent = Parse(Mutate.SetField(Examples.IntentFromSeedLog, "score", null).Replace("\"trigger\"", $"\"{key}\":{scores},\"trigger\"", StringComparison.Ordinal));
            Assert.Multiple(() =>
            {
                Assert.That(intent.BuyScore, Is.EqualTo(75.3m), key);
                Assert.That(intent.SellScore, Is.EqualTo(12.5m), key);
            });
        }
    }

    [Test]
    public void Bare_score_is_the_score_of_the_intents_side()
    {
        var buy = Parse(Mutate.SetField(Examples.IntentFromSeedLog, "score", "81"));
        var sell = Parse(Mutate.SetField(Mutate.SetField(Examples.IntentFromSeedLog, "score", "\"81\""), "side", "\"SELL\""));
        Assert.Multiple(() =>
        {
            Assert.That(buy.BuyScore, Is.EqualTo(81m));
            Assert.That(sell.SellScore, Is.EqualTo(81m));
            Assert.That(sell.BuyScore, Is.Null);
        });
    }

    [Test]
    public void Product_id_base_size_and_limit_price_spellings_read_alike()
    {
        var json = """{"product_id":"AVNT-USD","side":"BUY","base_size":"120","limit_price":"0.4125","snapshot_id":"s-1","decided_at":"2025-12-29T21:04:11.532Z"}""";
        var intent = Parse(json);
        Assert.Multiple(() =>
        {
            Assert.That(intent.Product.Value, Is.EqualTo("AVNT-USD"));
            Assert.That(intent.Size, Is.EqualTo(120m));
            Assert.That(intent.Price, Is.EqualTo(0.4125m));
            Assert.That(intent.DecidedAt, Is.EqualTo(new DateTimeOffset(2025, 12, 29, 21, 4, 11, 532, TimeSpan.Zero)));
        });
    }

    [Test]
    public void Pair_with_a_slash_reads_as_coinbase_product() =>
        Assert.That(Parse(Mutate.SetField(Examples.IntentFromSeedLog, "pair", "\"avnt/usd\"")).Product.Value, Is.EqualTo("AVNT-USD"));

    [Test]
    public void Quote_size_is_converted_with_the_price()
    {
        var json = Mutate.SetField(Examples.IntentFromSeedLog, "size", null).Replace("\"price\"", "\"quote_size\":\"49.5\",\"price\"", StringComparison.Ordinal);
        Assert.That(Parse(json).Size, Is.EqualTo(120m));
    }

    [Test]
    public void Quote_size_without_price_is_refused()
    {
        var json = """{"pair":"BTC-USD","side":"buy","quote_size":"50","snapshot_id":"s-1"}""";
        Refused.At(IntentPayloadParser.Parse(json, Received), "quote_size", "without a price");
    }

    [Test]
    public void Indicator_breakdown_is_canonical_json_with_sorted_keys()
    {
        var a = Parse(WithBreakdown("""{"rsi":{"value":28.5,"fired":true},"macd":[1,2.50]}"""));
        var b = Parse(WithBreakdown("""{ "macd" : [1, 2.50], "rsi": {"fired":true, "value":28.5} }"""));
        Assert.Multiple(() =>
        {
            Assert.That(a.IndicatorsJson, Is.EqualTo("""{"macd":[1,2.50],"rsi":{"fired":true,"value":28.5}}"""));
            Assert.That(b.IndicatorsJson, Is.EqualTo(a.IndicatorsJson));
        });
    }

    private static string WithBreakdown(string breakdown) =>
        Examples.IntentFromSeedLog.Replace("\"trigger\"", $"\"indicator_breakdown\":{breakdown},\"trigger\"", StringComparison.Ordinal);

    [TestCase("3", 3)]
    [TestCase("\"3\"", 3)]
    [TestCase("""["rsi","macd"]""", 2)]
    public void Indicators_fired_reads_a_count_or_a_list(string json, int expected) =>
        Assert.That(Parse(Examples.IntentFromSeedLog.Replace("\"trigger\"", $"\"indicators_fired\":{json},\"trigger\"", StringComparison.Ordinal)).IndicatorsFired, Is.EqualTo(expected));

    [Test]
    public void Exit_without_snapshot_is_an_exit_with_its_closes()
    {
        var json = """{"pair":"AVNT-USD","side":"sell","size":"120","trigger":"take_profit","score":{"sell_score":64},"closes":["lk-a","lk-b"],"timestamp":"2025-12-30T01:00:00Z"}""";
        var intent = Parse(json);
        Assert.Multiple(() =>
        {
            Assert.That(intent.Kind, Is.EqualTo(IntentKind.Exit));
            Assert.That(intent.Snapshot, Is.Null);
            Assert.That(intent.SellScore, Is.EqualTo(64m));
            Assert.That(intent.Closes.Select(c => c.Value), Is.EqualTo(new[] { "lk-a", "lk-b" }));
            Assert.That(intent.ClientOrderId, Is.Null);
        });
    }

    [Test]
    public void Exit_without_size_sells_the_open_position() =>
        Assert.That(Parse("""{"pair":"AVNT-USD","side":"sell","trigger":"stop_loss"}""").Size, Is.Null);

    [Test]
    public void Missing_timestamp_takes_the_callers_time() =>
        Assert.That(Parse(Mutate.RemoveField(Examples.IntentFromSeedLog, "timestamp")).DecidedAt, Is.EqualTo(Received));

    [Test]
    public void Missing_timestamp_without_a_callers_time_is_refused() =>
        Refused.At(IntentPayloadParser.Parse(Mutate.RemoveField(Examples.IntentFromSeedLog, "timestamp")), "timestamp", "missing");

    [Test]
    public void Same_payload_parses_to_the_same_intent_and_client_order_id()
    {
        var json = Mutate.RemoveField(Examples.IntentFromSeedLog, "client_order_id");
        var reformatted = json.Replace("\"120\"", "\"120.000\"", StringComparison.Ordinal);
        Assert.That(ClientOrderIds.For(Parse(reformatted)), Is.EqualTo(ClientOrderIds.For(Parse(json))));
    }

    [TestCase("pair", null, "product_id", "missing")]
    [TestCase("side", "\"hold\"", "side", "neither BUY nor SELL")]
    [TestCase("side", null, "side", "missing")]
    [TestCase("size", "\"-5\"", "size", "positive")]
    [TestCase("size", "\"1e400\"", "size", "not a decimal")]
    [TestCase("price", "{}", "price", "expected a decimal")]
    [TestCase("client_order_id", "\"not/valid\"", "client_order_id", "outside")]
    [TestCase("timestamp", "\"29/12/2025\"", "timestamp", "RFC 3339")]
    [TestCase("trigger", "42", "trigger", "expected a string")]
    [TestCase("score", """{"buy_score":"high"}""", "score.buy_score", "not a number")]
    [TestCase("score", """{"buy_score":[1]}""", "score.buy_score", "expected a number")]
    [TestCase("snapshot_id", "\"   \"", "snapshot_id", "snapshot id is missing")]
    [TestCase("trigger", "\"roc\\u0000momo\"", "trigger", "U+0000 (NUL) at character 4")]
    [TestCase("snapshot_id", "\"b042c0bb\\u0000\"", "snapshot_id", "U+0000")]
    public void Strictness_names_the_field(string field, string? json, string path, string reason) =>
        Refused.At(IntentPayloadParser.Parse(Mutate.SetField(Examples.IntentFromSeedLog, field, json), Received), path, reason);

    [Test]
    public void Entry_naming_closes_is_refused() =>
        Refused.At(IntentPayloadParser.Parse(Examples.IntentFromSeedLog.Replace("\"trigger\"", "\"closes\":[\"lk-a\"],\"trigger\"", StringComparison.Ordinal), Received), "closes", "only exits");

    [Test]
    public void Too_many_closes_are_refused()
    {
        var closes = string.Join(",", Enumerable.Range(0, Limits.ExitClosesMax + 1).Select(i => $"\"lk-{i}\""));
        Refused.At(IntentPayloadParser.Parse($$"""{"pair":"AVNT-USD","side":"sell","closes":[{{closes}}]}""", Received), "closes", "more than");
    }
}
