using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Linkage.Coinbase;
using Linkage.Coinbase.Capture;
using Linkage.Engine;
using Linkage.Sim.Exchange;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;

namespace Linkage.Sim.Server;

/// <summary>
/// The Advanced Trade REST paths over the truth book. Every handler answers in Coinbase's shapes and nothing throws
/// out of one: a bad request is a 400 with the gRPC-style error body, an unexpected failure a 500 with the same shape.
/// Private paths pass <see cref="JwtVerifier"/> first and go through the fault profile.
/// </summary>
internal sealed class RestApi(ExchangeBook book, UserFeed feed, JwtVerifier verifier, WireFaults faults, Transcript transcript, TextWriter log)
{
    /// <summary>Largest request body read (Coinbase's own bound is not published; a create-order is well under a kilobyte).</summary>
    public const long RequestBodyBytesMax = 1024 * 1024;

    /// <summary>Largest page a list call returns, whatever <c>limit</c> asks.</summary>
    public const int PageSizeMax = 1000;

    /// <summary>The rate limit the <c>x-ratelimit-*</c> headers announce (Coinbase's private REST limit per second).</summary>
    public const int RateLimitPerSecond = 30;

    public const string Prefix = "/api/v3/brokerage";

    /// <summary>Longest a scripted create-order answer is held on the wall clock, whatever the scenario asks.</summary>
    public static readonly TimeSpan AnswerHoldMax = TimeSpan.FromDays(1);

    public void Map(WebApplication app)
    {
        // Public: what a client loads before it trades.
        app.MapGet(Prefix + "/time", ctx => Answer(ctx, false, () => Ok(Time())));
        app.MapGet(Prefix + "/market/products", ctx => Answer(ctx, false, () => Ok(ProductList(ctx.Request.Query))));
        app.MapGet(Prefix + "/market/products/{id}", ctx => Answer(ctx, false, () => OneProduct((string)ctx.Request.RouteValues["id"]!)));
        app.MapGet("/v2/currencies", ctx => Answer(ctx, false, () => Ok(Currencies(crypto: false))));
        app.MapGet("/v2/currencies/crypto", ctx => Answer(ctx, false, () => Ok(Currencies(crypto: true))));
        app.MapGet("/v2/exchange-rates", ctx => Answer(ctx, false, () => Ok(ExchangeRates())));
        // Private.
        app.MapGet(Prefix + "/products", ctx => Answer(ctx, true, () => Ok(ProductList(ctx.Request.Query))));
        app.MapGet(Prefix + "/products/{id}", ctx => Answer(ctx, true, () => OneProduct((string)ctx.Request.RouteValues["id"]!)));
        app.MapGet(Prefix + "/transaction_summary", ctx => Answer(ctx, true, () => Ok(TransactionSummary())));
        app.MapGet(Prefix + "/accounts", ctx => Answer(ctx, true, () => Ok(Accounts())));
        app.MapPost(Prefix + "/orders", CreateOrderRoute);
        app.MapPost(Prefix + "/orders/batch_cancel", BatchCancelRoute);
        app.MapGet(Prefix + "/orders/historical/batch", ctx => Answer(ctx, true, () => ListOrders(Query(ctx.Request.Query))));
        app.MapGet(Prefix + "/orders/historical/fills", ctx => Answer(ctx, true, () => ListFills(Query(ctx.Request.Query))));
        app.MapGet(Prefix + "/orders/historical/{order_id}", ctx => Answer(ctx, true, () => GetOrder((string)ctx.Request.RouteValues["order_id"]!)));
        // Simulator control (authenticated like the private paths, never faulted): force every WebSocket client to reconnect.
        app.MapPost("/sim/ws/drop", ctx => Answer(ctx, true, () => Ok(WireJson.Write(w => w.WriteNumber("dropped", feed.DropAll()))), faulted: false));
        app.MapGet("/sim/scenario", ctx => Answer(ctx, true, Scenario, faulted: false));
        app.MapFallback(ctx => Answer(ctx, false, () => (404, WireJson.Error("NOT_FOUND", 5, $"no route {ctx.Request.Method} {ctx.Request.Path}"))));
    }

    private static (int, string) Ok(string body) => (200, body);

    private Task CreateOrderRoute(HttpContext ctx) => AnswerWithBody(ctx, body => CreateOrder(body, ctx.RequestAborted));

    private Task BatchCancelRoute(HttpContext ctx) => AnswerWithBody(ctx, body => Task.FromResult(BatchCancel(body)));

    private static (int, string) BadRequest(string message) => (400, WireJson.Error("INVALID_ARGUMENT", 3, message));

    // ---- the envelope every handler runs in ----

    private async Task Answer(HttpContext ctx, bool isPrivate, Func<(int Status, string Body)> handle, bool faulted = true)
    {
        try
        {
            if (isPrivate && !await Gate(ctx, faulted))
            {
                return;
            }
            var (status, body) = handle();
            await Send(ctx, status, body);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Fail(ctx, e);
        }
    }

    /// <summary>Like <see cref="Answer"/> for a JSON body; a null answer resets the connection (a lost answer, as a dying proxy loses it).</summary>
    private async Task AnswerWithBody(HttpContext ctx, Func<JsonObject, Task<(int Status, string? Body)>> handle)
    {
        try
        {
            if (!await Gate(ctx))
            {
                return;
            }
            var (body, status, error) = await ReadBody(ctx);
            if (body is null)
            {
                await Send(ctx, status, error!);
                return;
            }
            var (answerStatus, answer) = await handle(body);
            if (answer is null)
            {
                ctx.Abort();
                return;
            }
            await Send(ctx, answerStatus, answer);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Fail(ctx, e);
        }
    }

    private async Task Fail(HttpContext ctx, Exception e)
    {
        log.WriteLine($"error: {ctx.Request.Method} {ctx.Request.Path}: {e.GetType().Name}: {e.Message}");
        if (!ctx.Response.HasStarted)
        {
            await Send(ctx, 500, WireJson.Error("INTERNAL", 13, "internal error"));
        }
    }

    private static async Task Send(HttpContext ctx, int status, string body)
    {
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body, Encoding.UTF8);
    }

    /// <summary>Authentication, then the request-level faults. False when the request was answered here.</summary>
    private async Task<bool> Gate(HttpContext ctx, bool faulted = true)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        var refusal = verifier.Check(token, ctx.Request.Method, ctx.Request.Path.Value ?? "");
        if (refusal != TokenRefusal.None)
        {
            log.WriteLine($"refused {ctx.Request.Method} {ctx.Request.Path}: {refusal}");
            await Unauthorized(ctx);
            return false;
        }
        var now = book.Run(v =>
        {
            v.ClientArrived();
            return v.Now;
        });
        if (!faulted)
        {
            return true;
        }
        var target = $"{ctx.Request.Method} {ctx.Request.Path}";
        var profile = faults.Profile;
        if (faults.Draw("latency", profile.Latency, now, target))
        {
            await Task.Delay(WireFaults.LatencyDelay, ctx.RequestAborted);
        }
        if (faults.Draw("unauthorized", profile.SpuriousUnauthorized, now, target))
        {
            await Unauthorized(ctx);
            return false;
        }
        if (faults.Draw("rate_limit", profile.RateLimited, now, target))
        {
            ctx.Response.Headers["x-ratelimit-limit"] = RateLimitPerSecond.ToString(CultureInfo.InvariantCulture);
            ctx.Response.Headers["x-ratelimit-remaining"] = "0";
            ctx.Response.Headers["x-ratelimit-reset"] = (now.ToUnixTimeSeconds() + 1).ToString(CultureInfo.InvariantCulture);
            ctx.Response.StatusCode = 429;
            // Some paths answer a rate limit with the load balancer's HTML page rather than JSON.
            if (ctx.Request.Method == "GET")
            {
                ctx.Response.ContentType = "text/html";
                await ctx.Response.WriteAsync("<html><head><title>429 Too Many Requests</title></head><body><h1>Too Many Requests</h1></body></html>\n");
            }
            else
            {
                ctx.Response.ContentType = "application/json";
                await ctx.Response.WriteAsync(WireJson.Error("RESOURCE_EXHAUSTED", 8, "Too many requests"));
            }
            return false;
        }
        if (faults.Draw("unavailable", profile.Unavailable, now, target))
        {
            await Send(ctx, 503, WireJson.Error("UNAVAILABLE", 14, "service unavailable"));
            return false;
        }
        return true;
    }

    private static async Task Unauthorized(HttpContext ctx)
    {
        ctx.Response.StatusCode = 401;
        ctx.Response.ContentType = "text/plain; charset=utf-8";
        await ctx.Response.WriteAsync("Unauthorized\n");
    }

    /// <summary>The body as a snake_case JSON object; or the status (400, 413) and error body to answer instead.</summary>
    private static async Task<(JsonObject? Body, int Status, string? Error)> ReadBody(HttpContext ctx)
    {
        if (ctx.Request.ContentLength > RequestBodyBytesMax)
        {
            return (null, 413, WireJson.Error("PAYLOAD_TOO_LARGE", 3, $"request body over {RequestBodyBytesMax} bytes"));
        }
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        while (true)
        {
            var read = await ctx.Request.Body.ReadAsync(chunk, ctx.RequestAborted);
            if (read == 0)
            {
                break;
            }
            if (buffer.Length + read > RequestBodyBytesMax)
            {
                return (null, 413, WireJson.Error("PAYLOAD_TOO_LARGE", 3, $"request body over {RequestBodyBytesMax} bytes"));
            }
            buffer.Write(chunk, 0, read);
        }
        string text;
        try
        {
            text = new UTF8Encoding(false, true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }
        catch (DecoderFallbackException)
        {
            return (null, 400, WireJson.Error("INVALID_ARGUMENT", 3, "request body is not UTF-8"));
        }
        var body = WireJson.ParseBody(text, out var error);
        return body is null ? (null, 400, WireJson.Error("INVALID_ARGUMENT", 3, error!)) : (body, 200, null);
    }

    // ---- create order ----

    /// <summary>
    /// A null body means the answer is lost: the connection is reset after the order exists. With <c>--scenario</c> the
    /// step's ack may hold the answer (its <c>latency.ack</c>, or <c>ack: { delay }</c>) or lose it (<c>ack: lost</c>).
    /// </summary>
    private async Task<(int Status, string? Body)> CreateOrder(JsonObject body, CancellationToken aborted)
    {
        var request = ReadPlaceRequest(body, out var problem);
        if (request is null)
        {
            return BadRequest(problem!);
        }
        var (answer, now, lost, hold) = book.Run(view =>
        {
            var result = view.Place(request);
            var json = result.Order is { } order
                ? CoinbaseWire.CreateOrderSuccess(order)
                : CoinbaseWire.CreateOrderFailure(request.BaseSize ?? request.QuoteSize ?? 0m, request.LimitPrice, result.FailureReason!, result.Message!);
            var lostAck = result.Answer?.Lost == true
                || (result.Order is not null && !result.Existing
                    && faults.Draw("ack_lost", faults.Profile.AckLost, view.Now, $"POST /orders client_order_id={request.ClientOrderId} order_id={result.Order.OrderId}"));
            return (json, view.Now, lostAck, result.Answer?.Hold ?? TimeSpan.Zero);
        });
        transcript.Write(now, CaptureKind.OrderRequest, body.ToJsonString());
        if (lost)
        {
            return (200, null);
        }
        if (hold > TimeSpan.Zero)
        {
            // Bounded: a scenario may hold an answer for days of virtual time, but Task.Delay takes at most ~49 days.
            await Task.Delay(book.WallTime(hold) < AnswerHoldMax ? book.WallTime(hold) : AnswerHoldMax, aborted);
            now = book.Run(v => v.Now);
        }
        transcript.Write(now, CaptureKind.OrderResponse, answer);
        return (200, answer);
    }

    /// <summary><c>GET /sim/scenario</c>: the scenario's plan and where its script stands; 404 without <c>--scenario</c>.</summary>
    private (int, string) Scenario() => book.Run(view => view.Player is { } player
        ? (200, WireJson.Write(player.Write))
        : (404, WireJson.Error("NOT_FOUND", 5, "no scenario is being played (start the server with --scenario FILE)")));

    private static PlaceRequest? ReadPlaceRequest(JsonObject body, out string? problem)
    {
        problem = null;
        var coid = WireJson.Text(body, "client_order_id");
        var product = WireJson.Text(body, "product_id");
        var sideText = WireJson.Text(body, "side");
        if (string.IsNullOrEmpty(coid) || coid.Length > 128)
        {
            problem = "client_order_id is required (at most 128 characters)";
            return null;
        }
        if (string.IsNullOrEmpty(product))
        {
            problem = "product_id is required";
            return null;
        }
        Side side;
        switch (sideText?.ToUpperInvariant())
        {
            case "BUY":
                side = Side.Buy;
                break;
            case "SELL":
                side = Side.Sell;
                break;
            default:
                problem = "side must be BUY or SELL";
                return null;
        }
        if (body["order_configuration"] is not JsonObject configuration)
        {
            problem = "order_configuration is required";
            return null;
        }
        var entries = configuration.Where(p => p.Value is not null).ToList();
        if (entries.Count != 1 || entries[0].Value is not JsonObject config)
        {
            problem = "order_configuration must hold exactly one configuration object";
            return null;
        }
        if (!WireJson.TryDecimal(config, "base_size", out var baseSize) || !WireJson.TryDecimal(config, "quote_size", out var quoteSize)
            || !WireJson.TryDecimal(config, "limit_price", out var limitPrice))
        {
            problem = "base_size, quote_size and limit_price must be decimal strings";
            return null;
        }
        if (baseSize <= 0m || quoteSize <= 0m || limitPrice <= 0m)
        {
            problem = "sizes and prices must be positive";
            return null;
        }
        var postOnly = config["post_only"] switch
        {
            JsonValue v when v.TryGetValue<bool>(out var b) => b,
            JsonValue v when v.TryGetValue<string>(out var s) => string.Equals(s, "true", StringComparison.OrdinalIgnoreCase),
            _ => false,
        };
        DateTimeOffset? endTime = null;
        if (WireJson.Text(config, "end_time") is { } endText)
        {
            if (!DateTimeOffset.TryParse(endText, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var end))
            {
                problem = "end_time must be an RFC 3339 time";
                return null;
            }
            endTime = end;
        }
        string? attached = null;
        if (body["attached_order_configuration"] is { } attachedNode)
        {
            if (attachedNode is not JsonObject attachedObject || attachedObject.Where(p => p.Value is not null).ToList() is not [var only] || only.Value is not JsonObject)
            {
                problem = "attached_order_configuration must hold exactly one configuration object";
                return null;
            }
            attached = only.Key;
        }
        return new PlaceRequest(coid, product, side, entries[0].Key, baseSize, quoteSize, limitPrice, postOnly, endTime) { Attached = attached };
    }

    // ---- cancel ----

    private (int, string?) BatchCancel(JsonObject body)
    {
        if (body["order_ids"] is not JsonArray ids || ids.Count == 0 || ids.Count > PageSizeMax)
        {
            return BadRequest($"order_ids must be a list of 1 to {PageSizeMax} order ids");
        }
        var orderIds = ids.Select(i => i is JsonValue v && v.TryGetValue<string>(out var s) ? s : null).ToList();
        if (orderIds.Any(i => i is null))
        {
            return BadRequest("order_ids must be strings");
        }
        var results = book.Run(view => orderIds.Select(id =>
        {
            if (view.Find(id!) is not { } order)
            {
                return (id!, false, "UNKNOWN_CANCEL_ORDER");
            }
            if (order.Status == OrderStatus.Filled)
            {
                return (id!, false, "ORDER_IS_FULLY_FILLED");
            }
            return view.Cancel(id!) is null ? (id!, true, "UNKNOWN_CANCEL_FAILURE_REASON") : (id!, false, "COMMANDER_REJECTED_CANCEL_ORDER");
        }).ToList());
        return Ok(WireJson.Write(w =>
        {
            w.WriteStartArray("results");
            foreach (var (id, success, reason) in results)
            {
                w.WriteStartObject();
                w.WriteBoolean("success", success);
                w.WriteString("failure_reason", reason);
                w.WriteString("order_id", id);
                w.WriteEndObject();
            }
            w.WriteEndArray();
        }));
    }

    // ---- orders and fills ----

    private (int, string) GetOrder(string orderId)
    {
        var (status, body, now) = book.Run(view => view.Find(orderId) is { } order
            ? (200, CoinbaseWire.GetOrder(order), view.Now)
            : (404, WireJson.Error("NOT_FOUND", 5, "order with this orderID was not found"), view.Now));
        if (status == 200)
        {
            transcript.Write(now, CaptureKind.Order, body);
        }
        return (status, body);
    }

    /// <summary>Query keys in snake_case, each with every value it was given (repeated keys and comma lists both).</summary>
    private static Dictionary<string, List<string>> Query(IQueryCollection query)
    {
        var result = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (key, values) in query)
        {
            var name = WireJson.Snake(key);
            if (!result.TryGetValue(name, out var list))
            {
                list = [];
                result.Add(name, list);
            }
            foreach (var value in values.OfType<string>())
            {
                list.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
            }
        }
        return result;
    }

    private static string? One(Dictionary<string, List<string>> q, string key) => q.TryGetValue(key, out var v) && v.Count > 0 ? v[0] : null;

    private static List<string> Many(Dictionary<string, List<string>> q, string key) => q.TryGetValue(key, out var v) ? v : [];

    private static bool TryPaging(Dictionary<string, List<string>> q, int defaultLimit, out int limit, out int start, out string? problem)
    {
        limit = defaultLimit;
        start = 0;
        problem = null;
        if (One(q, "limit") is { } limitText && (!int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1))
        {
            problem = "limit must be a positive integer";
            return false;
        }
        limit = Math.Min(limit, PageSizeMax);
        if (One(q, "cursor") is { Length: > 0 } cursor && (!int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out start) || start < 0))
        {
            problem = "cursor is not one this server gave";
            return false;
        }
        return true;
    }

    private static bool TryTime(Dictionary<string, List<string>> q, string key, out DateTimeOffset? at, out string? problem)
    {
        at = null;
        problem = null;
        if (One(q, key) is not { } text)
        {
            return true;
        }
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
        {
            problem = $"{key} must be an RFC 3339 time";
            return false;
        }
        at = parsed;
        return true;
    }

    private (int, string) ListOrders(Dictionary<string, List<string>> q)
    {
        if (!TryPaging(q, ExchangeRules.ListOrdersPageSizeDefault, out var limit, out var start, out var problem)
            || !TryTime(q, "start_date", out var from, out problem) || !TryTime(q, "end_date", out var until, out problem))
        {
            return BadRequest(problem!);
        }
        var products = Many(q, "product_ids").Concat(Many(q, "product_id")).ToHashSet(StringComparer.Ordinal);
        var statuses = new HashSet<OrderStatus>();
        foreach (var text in Many(q, "order_status"))
        {
            if (OrderStatuses.TryParse(text) is not { } status)
            {
                return BadRequest($"order_status {text} is not a status");
            }
            statuses.Add(status);
        }
        var side = One(q, "order_side")?.ToUpperInvariant();
        var ids = Many(q, "order_ids").ToHashSet(StringComparer.Ordinal);
        var (body, now) = book.Run(view =>
        {
            // Newest first, as Coinbase lists them.
            var matching = view.Orders.Reverse()
                .Where(o => products.Count == 0 || products.Contains(o.Product))
                .Where(o => statuses.Count == 0 || statuses.Contains(o.Status))
                .Where(o => ids.Count == 0 || ids.Contains(o.OrderId))
                .Where(o => side is null || (side == "BUY") == (o.Side == Side.Buy))
                .Where(o => from is null || o.CreatedAt >= from)
                .Where(o => until is null || o.CreatedAt < until)
                .ToList();
            var page = matching.Skip(start).Take(limit).ToList();
            var end = start + page.Count;
            return (CoinbaseWire.ListOrders(page, end < matching.Count ? end.ToString(CultureInfo.InvariantCulture) : ""), view.Now);
        });
        transcript.Write(now, CaptureKind.Orders, body);
        return Ok(body);
    }

    private (int, string) ListFills(Dictionary<string, List<string>> q)
    {
        if (!TryPaging(q, ExchangeRules.ListFillsPageSizeDefault, out var limit, out var start, out var problem)
            || !TryTime(q, "start_sequence_timestamp", out var from, out problem) || !TryTime(q, "end_sequence_timestamp", out var until, out problem))
        {
            return BadRequest(problem!);
        }
        var orderIds = Many(q, "order_ids").Concat(Many(q, "order_id")).ToHashSet(StringComparer.Ordinal);
        var products = Many(q, "product_ids").Concat(Many(q, "product_id")).ToHashSet(StringComparer.Ordinal);
        var tradeIds = Many(q, "trade_ids").ToHashSet(StringComparer.Ordinal);
        var (body, now) = book.Run(view =>
        {
            var matching = view.Trades
                .Where(t => orderIds.Count == 0 || orderIds.Contains(t.Order.OrderId))
                .Where(t => products.Count == 0 || products.Contains(t.Order.Product))
                .Where(t => tradeIds.Count == 0 || tradeIds.Contains(t.Trade.TradeId))
                .Where(t => from is null || t.Trade.Time >= from)
                .Where(t => until is null || t.Trade.Time < until)
                .ToList();
            var page = matching.Skip(start).Take(limit).ToList();
            var end = start + page.Count;
            return (CoinbaseWire.ListFills(page, end < matching.Count ? end.ToString(CultureInfo.InvariantCulture) : ""), view.Now);
        });
        transcript.Write(now, CaptureKind.Fills, body);
        return Ok(body);
    }

    // ---- catalogue and account ----

    private string Time() => book.Run(view => WireJson.Write(w =>
    {
        w.WriteString("iso", CoinbaseWire.Micros(view.Now));
        w.WriteString("epochSeconds", view.Now.ToUnixTimeSeconds().ToString(CultureInfo.InvariantCulture));
        w.WriteString("epochMillis", view.Now.ToUnixTimeMilliseconds().ToString(CultureInfo.InvariantCulture));
    }));

    private string ProductList(IQueryCollection query)
    {
        // Futures are not traded here: a client asking for them (ccxt does, while loading markets) gets an empty list.
        var type = query["product_type"].ToString();
        var spot = type.Length == 0 || string.Equals(type, "SPOT", StringComparison.OrdinalIgnoreCase);
        return book.Run(view => WireJson.Write(w =>
        {
            w.WriteStartArray("products");
            if (spot)
            {
                foreach (var p in Products.All)
                {
                    WriteProduct(w, p, view.Price(p.Id));
                }
            }
            w.WriteEndArray();
            w.WriteNumber("num_products", spot ? Products.All.Count : 0);
        }));
    }

    private (int, string) OneProduct(string id) => Products.Find(id) is { } product
        ? (200, book.Run(view => { var price = view.Price(product.Id); return WireJson.Write(w => WriteProductFields(w, product, price)); }))
        : (404, WireJson.Error("NOT_FOUND", 5, "ProductID is invalid"));

    private static void WriteProduct(Utf8JsonWriter w, Product p, decimal price)
    {
        w.WriteStartObject();
        WriteProductFields(w, p, price);
        w.WriteEndObject();
    }

    private static void WriteProductFields(Utf8JsonWriter w, Product p, decimal price)
    {
        w.WriteString("product_id", p.Id);
        w.WriteString("price", WireJson.Dec(price));
        w.WriteString("price_percentage_change_24h", "0");
        w.WriteString("volume_24h", "0");
        w.WriteString("volume_percentage_change_24h", "0");
        w.WriteString("base_increment", WireJson.Dec(p.BaseIncrement));
        w.WriteString("quote_increment", WireJson.Dec(p.QuoteIncrement));
        w.WriteString("quote_min_size", WireJson.Dec(p.QuoteMinSize));
        w.WriteString("quote_max_size", "150000000");
        w.WriteString("base_min_size", WireJson.Dec(p.BaseMinSize));
        w.WriteString("base_max_size", WireJson.Dec(p.BaseMaxSize));
        w.WriteString("base_name", p.BaseName);
        w.WriteString("quote_name", "US Dollar");
        w.WriteBoolean("watched", false);
        w.WriteBoolean("is_disabled", false);
        w.WriteBoolean("new", false);
        w.WriteString("status", "online");
        w.WriteBoolean("cancel_only", false);
        w.WriteBoolean("limit_only", false);
        w.WriteBoolean("post_only", false);
        w.WriteBoolean("trading_disabled", false);
        w.WriteBoolean("auction_mode", false);
        w.WriteString("product_type", "SPOT");
        w.WriteString("quote_currency_id", p.Quote);
        w.WriteString("base_currency_id", p.Base);
        w.WriteNull("fcm_trading_session_details");
        w.WriteString("mid_market_price", "");
        w.WriteString("alias", "");
        w.WriteStartArray("alias_to");
        w.WriteEndArray();
        w.WriteString("base_display_symbol", p.Base);
        w.WriteString("quote_display_symbol", p.Quote);
        w.WriteBoolean("view_only", false);
        w.WriteString("price_increment", WireJson.Dec(p.QuoteIncrement));
        w.WriteString("display_name", p.Id);
        w.WriteString("product_venue", "CBE");
    }

    private static string TransactionSummary() => WireJson.Write(w =>
    {
        w.WriteString("total_volume", "0");
        w.WriteString("total_fees", "0");
        w.WriteStartObject("fee_tier");
        w.WriteString("pricing_tier", "Advanced 1");
        w.WriteString("usd_from", "0");
        w.WriteString("usd_to", "1000");
        w.WriteString("taker_fee_rate", WireJson.Dec(ExchangeRules.TakerFeeRate));
        w.WriteString("maker_fee_rate", WireJson.Dec(ExchangeRules.MakerFeeRate));
        w.WriteString("aop_from", "");
        w.WriteString("aop_to", "");
        w.WriteEndObject();
        w.WriteNull("margin_rate");
        w.WriteNull("goods_and_services_tax");
        w.WriteString("advanced_trade_only_volume", "0");
        w.WriteString("advanced_trade_only_fees", "0");
        w.WriteString("coinbase_pro_volume", "0");
        w.WriteString("coinbase_pro_fees", "0");
        w.WriteString("total_balance", "");
        w.WriteBoolean("has_promo_fee", false);
    });

    private string Accounts() => book.Run(view =>
    {
        var accounts = view.Accounts();
        return WireJson.Write(w =>
        {
            w.WriteStartArray("accounts");
            foreach (var (currency, name, balance, hold) in accounts)
            {
                w.WriteStartObject();
                w.WriteString("uuid", "00000000-0000-4000-8000-" + string.Concat(currency.Select(c => ((int)c).ToString("x2", CultureInfo.InvariantCulture))).PadLeft(12, '0')[..12]);
                w.WriteString("name", currency + " Wallet");
                w.WriteString("currency", currency);
                w.WriteStartObject("available_balance");
                w.WriteString("value", WireJson.Dec(balance - hold));
                w.WriteString("currency", currency);
                w.WriteEndObject();
                w.WriteBoolean("default", true);
                w.WriteBoolean("active", true);
                w.WriteString("type", currency == "USD" ? "ACCOUNT_TYPE_FIAT" : "ACCOUNT_TYPE_CRYPTO");
                w.WriteBoolean("ready", true);
                w.WriteStartObject("hold");
                w.WriteString("value", WireJson.Dec(hold));
                w.WriteString("currency", currency);
                w.WriteEndObject();
                w.WriteString("retail_portfolio_id", "");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteBoolean("has_next", false);
            w.WriteString("cursor", "");
            w.WriteNumber("size", accounts.Count);
        });
    });

    private static string Currencies(bool crypto) => WireJson.Write(w =>
    {
        w.WriteStartArray("data");
        foreach (var (currency, name, _) in Products.Balances.Where(b => (b.Currency != "USD") == crypto))
        {
            w.WriteStartObject();
            if (crypto)
            {
                w.WriteString("asset_id", "00000000-0000-4000-8000-000000000000");
                w.WriteString("code", currency);
                w.WriteString("name", name);
                w.WriteString("color", "#0052FF");
                w.WriteString("sort_index", "100");
                w.WriteString("exponent", "8");
                w.WriteString("type", "crypto");
            }
            else
            {
                w.WriteString("id", currency);
                w.WriteString("name", name);
                w.WriteString("min_size", "0.01");
            }
            w.WriteEndObject();
        }
        w.WriteEndArray();
    });

    private string ExchangeRates() => book.Run(view => WireJson.Write(w =>
    {
        w.WriteStartObject("data");
        w.WriteString("currency", "USD");
        w.WriteStartObject("rates");
        w.WriteString("USD", "1");
        foreach (var p in Products.All)
        {
            w.WriteString(p.Base, WireJson.Dec(Math.Round(1m / view.Price(p.Id), 12)));
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }));
}
