using System.Net;
using System.Text;
using System.Text.Json;
using Linkage.Coinbase;

namespace Linkage.Wire.Tests;

/// <summary>The REST paths against a running server over HTTPS: shapes our own parsers read, errors in Coinbase's shapes.</summary>
[TestFixture]
[NonParallelizable]
public sealed class RestTests
{
    private ExchangeProcess _server = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _server = ExchangeProcess.Start(["--speed", "20"]);
        _http = _server.Http();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http?.Dispose();
        _server?.Dispose();
    }

    private async Task<(HttpStatusCode Status, string Body)> Send(HttpMethod method, string path, string? body = null, string? token = null)
    {
        using var request = _server.Request(method, path, body, token);
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    private static string Limit(string coid, string price, string size = "0.01", string side = "BUY", string product = "BTC-USD") =>
        $$$$"""{"client_order_id":"{{{{coid}}}}","product_id":"{{{{product}}}}","side":"{{{{side}}}}","order_configuration":{"limit_limit_gtc":{"base_size":"{{{{size}}}}","limit_price":"{{{{price}}}}","post_only":false}}}""";

    private static string NewCoid() => "wire-" + Guid.NewGuid().ToString("N")[..20];

    [Test]
    public async Task Create_order_answers_in_coinbase_shape_and_our_parser_reads_it()
    {
        var coid = NewCoid();
        var (status, body) = await Send(HttpMethod.Post, "/api/v3/brokerage/orders", Limit(coid, "1000.00"));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
        var parsed = CoinbaseParser.ParseCreateOrderResponse(body);
        Assert.That(parsed.TryGetValue(out var response), Is.True, parsed.Error?.ToString());
        Assert.That(response!.Kind, Is.EqualTo(CreateOrderResponseKind.Success));
        using var document = JsonDocument.Parse(body);
        Assert.That(document.RootElement.GetProperty("success_response").GetProperty("client_order_id").GetString(), Is.EqualTo(coid));
    }

    [Test]
    public async Task A_client_order_id_already_used_returns_that_order_and_places_nothing()
    {
        var coid = NewCoid();
        var (_, first) = await Send(HttpMethod.Post, "/api/v3/brokerage/orders", Limit(coid, "1000.00"));
        var (_, second) = await Send(HttpMethod.Post, "/api/v3/brokerage/orders", Limit(coid, "1000.00", size: "0.02"));
        Assert.That(OrderId(second), Is.EqualTo(OrderId(first)));
        var (_, list) = await Send(HttpMethod.Get, "/api/v3/brokerage/orders/historical/batch?limit=1000");
        using var document = JsonDocument.Parse(list);
        var count = document.RootElement.GetProperty("orders").EnumerateArray().Count(o => o.GetProperty("client_order_id").GetString() == coid);
        Assert.That(count, Is.EqualTo(1));
    }

    [Test]
    public async Task CamelCase_bodies_and_query_keys_are_read_as_snake_case()
    {
        var coid = NewCoid();
        var body = $$$$"""{"clientOrderId":"{{{{coid}}}}","productId":"ETH-USD","side":"BUY","orderConfiguration":{"limitLimitGtc":{"baseSize":"0.5","limitPrice":"100.00","postOnly":false}}}""";
        var (status, answer) = await Send(HttpMethod.Post, "/api/v3/brokerage/orders", body);
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), answer);
        var id = OrderId(answer);
        var (_, list) = await Send(HttpMethod.Get, "/api/v3/brokerage/orders/historical/batch?productIds=ETH-USD&orderStatus=OPEN&limit=1000");
        Assert.That(list, Does.Contain(id));
        Assert.That(list, Does.Not.Contain("\"product_id\":\"BTC-USD\""));
    }

    [Test]
    public async Task Refusals_carry_a_real_new_order_failure_reason()
    {
        async Task<string> Reason(string body)
        {
            var (status, answer) = await Send(HttpMethod.Post, "/api/v3/brokerage/orders", body);
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), answer);
            using var document = JsonDocument.Parse(answer);
            Assert.That(document.RootElement.GetProperty("success").GetBoolean(), Is.False, answer);
            return document.RootElement.GetProperty("error_response").GetProperty("new_order_failure_reason").GetString()!;
        }
        Assert.That(await Reason(Limit(NewCoid(), "1.00", product: "NOPE-USD")), Is.EqualTo("INVALID_PRODUCT_ID"));
        Assert.That(await Reason(Limit(NewCoid(), "1.00", size: "0.05", product: "AVNT-USD")), Is.EqualTo("INVALID_SIZE_PRECISION"));
        Assert.That(await Reason(Limit(NewCoid(), "60000.00", size: "1000")), Is.EqualTo("INSUFFICIENT_FUND"));
        Assert.That(await Reason(Limit(NewCoid(), "60000.001")), Is.EqualTo("INVALID_PRICE_PRECISION"));
    }

    [Test]
    public async Task Malformed_json_is_a_400_in_coinbase_error_shape()
    {
        // The last one is valid JSON whose string is no valid text (a lone surrogate escape).
        foreach (var body in new[] { "{bad", "[]", "\"x\"", "{\"client_order_id\":5}", "", "{\"client_order_id\":\"a\",\"product_id\":\"BTC-USD\",\"side\":\"UP\"}",
                     "{\"client_order_id\":\"\\ud800\",\"product_id\":\"BTC-USD\",\"side\":\"BUY\",\"order_configuration\":{\"market_market_ioc\":{\"base_size\":\"1\"}}}" })
        {
            var (status, answer) = await Send(HttpMethod.Post, "/api/v3/brokerage/orders", body);
            Assert.That(status, Is.EqualTo(HttpStatusCode.BadRequest), body);
            using var document = JsonDocument.Parse(answer);
            Assert.That(document.RootElement.GetProperty("error").GetString(), Is.EqualTo("INVALID_ARGUMENT"));
            Assert.That(document.RootElement.GetProperty("code").GetInt32(), Is.EqualTo(3));
        }
    }

    [Test]
    public async Task A_body_over_one_mebibyte_is_a_413()
    {
        var big = "{\"x\":\"" + new string('a', 1024 * 1024) + "\"}";
        var (status, answer) = await Send(HttpMethod.Post, "/api/v3/brokerage/orders", big);
        Assert.That(status, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge), answer);
        // Without a Content-Length (chunked), the bound is kept while reading.
        using (var request = _server.Request(HttpMethod.Post, "/api/v3/brokerage/orders"))
        {
            request.Content = new ChunkedContent(Encoding.UTF8.GetBytes(big));
            using var response = await _http.SendAsync(request);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.RequestEntityTooLarge));
        }
        var (after, _) = await Send(HttpMethod.Get, "/api/v3/brokerage/orders/historical/batch?limit=1");
        Assert.That(after, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task List_orders_pages_with_has_next_and_cursor_to_the_end()
    {
        var product = "SOL-USD";
        var ids = new HashSet<string>();
        for (var i = 0; i < 7; i++)
        {
            var (_, answer) = await Send(HttpMethod.Post, "/api/v3/brokerage/orders", Limit(NewCoid(), "1.00", size: "1", product: product));
            ids.Add(OrderId(answer));
        }
        var seen = new List<string>();
        string? cursor = null;
        for (var page = 0; page < 20; page++)
        {
            var (status, body) = await Send(HttpMethod.Get, $"/api/v3/brokerage/orders/historical/batch?product_ids={product}&order_status=OPEN&limit=3" + (cursor is null ? "" : "&cursor=" + cursor));
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
            var parsed = CoinbaseParser.ParseListOrders(body);
            Assert.That(parsed.TryGetValue(out var orders), Is.True, parsed.Error?.ToString());
            using var document = JsonDocument.Parse(body);
            seen.AddRange(document.RootElement.GetProperty("orders").EnumerateArray().Select(o => o.GetProperty("order_id").GetString()!));
            if (!document.RootElement.GetProperty("has_next").GetBoolean())
            {
                Assert.That(document.RootElement.GetProperty("cursor").GetString(), Is.Empty);
                break;
            }
            cursor = document.RootElement.GetProperty("cursor").GetString();
        }
        Assert.That(seen, Is.Unique);
        Assert.That(seen, Is.SupersetOf(ids));
    }

    [Test]
    public async Task Fills_page_through_the_cursor_and_match_get_order()
    {
        var coid = NewCoid();
        var body = $$$$"""{"client_order_id":"{{{{coid}}}}","product_id":"BTC-USD","side":"BUY","order_configuration":{"market_market_ioc":{"base_size":"0.03"}}}""";
        var (_, created) = await Send(HttpMethod.Post, "/api/v3/brokerage/orders", body);
        var id = OrderId(created);
        var sizes = new List<decimal>();
        var entries = new HashSet<string>();
        string cursor = "";
        for (var page = 0; page < 20; page++)
        {
            var (status, answer) = await Send(HttpMethod.Get, $"/api/v3/brokerage/orders/historical/fills?order_ids={id}&limit=1&cursor={cursor}");
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), answer);
            var parsed = CoinbaseParser.ParseListFills(answer);
            Assert.That(parsed.TryGetValue(out _), Is.True, parsed.Error?.ToString());
            using var document = JsonDocument.Parse(answer);
            foreach (var fill in document.RootElement.GetProperty("fills").EnumerateArray())
            {
                Assert.That(entries.Add(fill.GetProperty("entry_id").GetString()!), Is.True);
                sizes.Add(decimal.Parse(fill.GetProperty("size").GetString()!, System.Globalization.CultureInfo.InvariantCulture));
            }
            cursor = document.RootElement.GetProperty("cursor").GetString()!;
            if (cursor.Length == 0)
            {
                break;
            }
        }
        Assert.That(cursor, Is.Empty, "paging must end");
        Assert.That(sizes.Sum(), Is.EqualTo(0.03m));
        var (orderStatus, order) = await Send(HttpMethod.Get, "/api/v3/brokerage/orders/historical/" + id);
        Assert.That(orderStatus, Is.EqualTo(HttpStatusCode.OK));
        var report = CoinbaseParser.ParseGetOrder(order);
        Assert.That(report.TryGetValue(out _), Is.True, report.Error?.ToString());
        Assert.That(order, Does.Contain("\"status\":\"FILLED\""));
    }

    [Test]
    public async Task Unknown_order_is_404_and_cancel_reports_per_order()
    {
        var (status, _) = await Send(HttpMethod.Get, "/api/v3/brokerage/orders/historical/00000000-0000-4000-8000-000000000000");
        Assert.That(status, Is.EqualTo(HttpStatusCode.NotFound));
        var (_, created) = await Send(HttpMethod.Post, "/api/v3/brokerage/orders", Limit(NewCoid(), "1000.00"));
        var id = OrderId(created);
        var (cancelStatus, cancel) = await Send(HttpMethod.Post, "/api/v3/brokerage/orders/batch_cancel", $$$$"""{"order_ids":["{{{{id}}}}","nope"]}""");
        Assert.That(cancelStatus, Is.EqualTo(HttpStatusCode.OK), cancel);
        using var document = JsonDocument.Parse(cancel);
        var results = document.RootElement.GetProperty("results").EnumerateArray().ToList();
        Assert.That(results[0].GetProperty("success").GetBoolean(), Is.True);
        Assert.That(results[1].GetProperty("success").GetBoolean(), Is.False);
        Assert.That(results[1].GetProperty("failure_reason").GetString(), Is.EqualTo("UNKNOWN_CANCEL_ORDER"));
        var (_, order) = await Send(HttpMethod.Get, "/api/v3/brokerage/orders/historical/" + id);
        Assert.That(order, Does.Contain("\"status\":\"CANCELLED\""));
    }

    [Test]
    public async Task A_good_till_date_order_expires_at_its_end_time_and_post_only_never_crosses()
    {
        // Virtual time runs at 20x here, so an end time 40 virtual seconds ahead passes in about 2 s of wall time.
        var (_, time) = await Send(HttpMethod.Get, "/api/v3/brokerage/time");
        using var now = JsonDocument.Parse(time);
        var end = DateTimeOffset.Parse(now.RootElement.GetProperty("iso").GetString()!, System.Globalization.CultureInfo.InvariantCulture).AddSeconds(40);
        var body = $$$$"""{"client_order_id":"{{{{NewCoid()}}}}","product_id":"BTC-USD","side":"BUY","order_configuration":{"limit_limit_gtd":{"base_size":"0.01","limit_price":"1000.00","end_time":"{{{{end.UtcDateTime:yyyy-MM-ddTHH:mm:ss.ffffffZ}}}}"}}}""";
        var (_, created) = await Send(HttpMethod.Post, "/api/v3/brokerage/orders", body);
        var id = OrderId(created);
        var status = "";
        for (var i = 0; i < 50 && status != "EXPIRED"; i++)
        {
            await Task.Delay(200);
            var (_, order) = await Send(HttpMethod.Get, "/api/v3/brokerage/orders/historical/" + id);
            using var document = JsonDocument.Parse(order);
            status = document.RootElement.GetProperty("order").GetProperty("status").GetString()!;
        }
        Assert.That(status, Is.EqualTo("EXPIRED"));
        var crossing = $$$$"""{"client_order_id":"{{{{NewCoid()}}}}","product_id":"BTC-USD","side":"BUY","order_configuration":{"limit_limit_gtc":{"base_size":"0.01","limit_price":"90000.00","post_only":true}}}""";
        var (_, refused) = await Send(HttpMethod.Post, "/api/v3/brokerage/orders", crossing);
        Assert.That(refused, Does.Contain("\"new_order_failure_reason\":\"INVALID_LIMIT_PRICE_POST_ONLY\""));
    }

    [Test]
    public async Task An_entry_with_an_attached_bracket_is_refused_by_name_not_placed_without_its_bracket()
    {
        // The wire exchange places no bracket orders yet: accepting the entry alone would leave the bot waiting for a
        // take-profit / stop-loss order that never comes.
        var coid = NewCoid();
        var bracketed = Limit(coid, "1000.00")[..^1]
            + ""","attached_order_configuration":{"trigger_bracket_gtc":{"limit_price":"1100.00","stop_trigger_price":"900.00"}}}""";
        var (status, refused) = await Send(HttpMethod.Post, "/api/v3/brokerage/orders", bracketed);
        var parsed = CoinbaseParser.ParseCreateOrderResponse(refused);
        var (_, list) = await Send(HttpMethod.Get, "/api/v3/brokerage/orders/historical/batch?limit=1000");
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(HttpStatusCode.OK), refused);
            Assert.That(parsed.TryGetValue(out var response) ? response.Kind : (CreateOrderResponseKind?)null, Is.EqualTo(CreateOrderResponseKind.Failure), refused);
            Assert.That(refused, Does.Contain("\"new_order_failure_reason\":\"UNSUPPORTED_ORDER_CONFIGURATION\""));
            Assert.That(refused, Does.Contain("attached_order_configuration trigger_bracket_gtc is not supported"));
            Assert.That(list, Does.Not.Contain(coid), "nothing was placed");
        });
    }

    [Test]
    public void Help_names_every_option_with_its_default()
    {
        var (fileName, prefix) = ExchangeProcess.Command();
        var help = ExchangeProcess.RunToEnd(fileName, [.. prefix, "--help"]);
        foreach (var option in new[] { "--key", "--dir", "--host", "--port", "--plain", "--seed", "--speed", "--faults", "--strict-uri", "--duration", "--truth", "--transcript", "--ready-file", "--cert", "--cert-key", "--scenario", "--algorithm", "exit codes", "example" })
        {
            Assert.That(help, Does.Contain(option));
        }
        // Each option's entry (its line and the indented lines continuing it) states its default in brackets.
        var entries = new List<string>();
        foreach (var line in help.Split('\n'))
        {
            if (line.TrimStart().StartsWith("--", StringComparison.Ordinal))
            {
                entries.Add(line);
            }
            else if (entries.Count > 0 && line.StartsWith(new string(' ', 20), StringComparison.Ordinal))
            {
                entries[^1] += line;
            }
        }
        Assert.That(entries, Has.Count.GreaterThanOrEqualTo(17));
        Assert.That(entries.Where(e => !e.Contains('[', StringComparison.Ordinal)), Is.Empty, "each option states its default in brackets");
    }

    [Test]
    public void Docs_give_every_option_of_the_help_with_its_default()
    {
        var (fileName, prefix) = ExchangeProcess.Command();
        var help = ExchangeProcess.RunToEnd(fileName, [.. prefix, "--help"]);
        var options = help.Split('\n').Select(l => l.Trim()).Where(l => l.StartsWith("--", StringComparison.Ordinal)).Select(l => l.Split(' ')[0]).ToList();
        Assert.That(options, Has.Count.GreaterThanOrEqualTo(17));
        var rows = File.ReadAllLines(Path.Combine(ExchangeProcess.RepositoryRoot(), "docs", "exchange.md")).Where(l => l.StartsWith("| `", StringComparison.Ordinal)).ToList();
        foreach (var option in options.Where(o => o != "--algorithm"))
        {
            var row = rows.FirstOrDefault(r => r.StartsWith("| `" + option + "`", StringComparison.Ordinal) || r.StartsWith("| `" + option + " ", StringComparison.Ordinal));
            Assert.That(row, Is.Not.Null, $"docs/exchange.md has a row for {option}");
            Assert.That(row, Does.Contain("[").Or.StartWith("| `--help"), $"the row for {option} gives its default in brackets");
        }
        Assert.That(rows.Any(r => r.StartsWith("| `keys DIR [--algorithm", StringComparison.Ordinal)), Is.True);
    }

    [Test]
    public async Task Market_products_are_public_and_list_the_catalogue()
    {
        using var response = await _http.GetAsync("/api/v3/brokerage/market/products");
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body);
        Assert.That(body, Does.Contain("\"product_id\":\"BTC-USD\""));
    }

    /// <summary>A body sent chunked: its length is not known in advance.</summary>
    private sealed class ChunkedContent(byte[] bytes) : HttpContent
    {
        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => stream.WriteAsync(bytes).AsTask();

        protected override bool TryComputeLength(out long length)
        {
            length = 0;
            return false;
        }
    }

    internal static string OrderId(string createAnswer)
    {
        using var document = JsonDocument.Parse(createAnswer);
        return document.RootElement.GetProperty("success_response").GetProperty("order_id").GetString()!;
    }
}
