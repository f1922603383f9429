using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Linkage.Engine;
using Linkage.Host;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Linkage.Serve;

/// <summary>
/// The daemon's HTTP side (docs/api.md): the intake a bot's webhook calls (<c>POST /v1/intents</c>,
/// <c>POST /v1/orders</c>), the reads (<c>GET /v1/orders/{client_order_id}</c>, <c>GET /v1/links</c>), and the
/// operator's (<c>GET /healthz</c>, <c>GET /metrics</c>). Every refusal is a 4xx or 503 whose JSON names the field and
/// the reason; nothing refused reaches the store; no handler lets an exception out (a 500 with a JSON reason instead).
/// </summary>
internal sealed class IntakeApi(LiveDriver driver, ILinkageStore store, DaemonMetrics metrics, ServeSettings settings, TimeProvider time, ILogger log)
{
    /// <summary>The largest request body taken (64 KiB); a larger one is refused with 413.</summary>
    public const int BodyBytesMax = 64 * 1024;

    /// <summary>Most links one <c>GET /v1/links</c> page holds.</summary>
    public const int LinksPageMax = 1000;

    private static readonly System.Collections.Immutable.ImmutableArray<HostCommand> NoCommands = [];

    private readonly byte[]? _token = settings.IntakeToken is { } t ? Encoding.UTF8.GetBytes(t) : null;
    private volatile bool _closed;

    /// <summary>Stops taking intents (a clean shutdown drains what was taken); reads go on until the server stops.</summary>
    public void Close() => _closed = true;

    public void Map(WebApplication app)
    {
        app.MapPost("/v1/intents", Handle("intents", context => Stage(context, place: false)));
        app.MapPost("/v1/orders", Handle("orders", context => Stage(context, place: true)));
        app.MapGet("/v1/orders/{clientOrderId}", Handle("order", Order));
        app.MapGet("/v1/links", Handle("links", Links));
        app.MapGet("/healthz", Handle("healthz", _ => Health()));
        app.MapGet("/metrics", Handle("metrics", _ => Task.FromResult(new Reply(200, metrics.Prometheus(time.GetUtcNow()), "text/plain; version=0.0.4"))));
        app.MapFallback(Handle("unknown", context => Task.FromResult(Refuse(404, "not_found", null, $"no endpoint {context.Request.Method} {context.Request.Path}; see docs/api.md"))));
    }

    private sealed record Reply(int Status, string Body, string ContentType = "application/json");

    private static Reply Refuse(int status, string code, string? field, string reason) => new(status, ApiJson.Error(code, field, reason));

    private RequestDelegate Handle(string endpoint, Func<HttpContext, Task<Reply>> handle) => context => Guarded(context, endpoint, handle);

    private async Task Guarded(HttpContext context, string endpoint, Func<HttpContext, Task<Reply>> handle)
    {
        Reply reply;
        try
        {
            reply = context.Request.Path.StartsWithSegments("/v1") && !Authorized(context.Request)
                ? Refuse(401, "unauthorized", "Authorization", "send 'Authorization: Bearer TOKEN' with the daemon's Intake:Token")
                : await handle(context);
        }
        catch (ObjectDisposedException)
        {
            reply = Refuse(503, "stopping", null, "the daemon is stopping; ask again once it is back");
        }
        catch (Exception e)
        {
            log.LogError(e, "{Method} {Path} failed: {Error}", context.Request.Method, context.Request.Path, e.Message);
            reply = Refuse(500, "internal_error", null, $"the daemon failed to answer: {e.Message}");
        }
        metrics.Intake(endpoint, reply.Status);
        context.Response.StatusCode = reply.Status;
        context.Response.ContentType = reply.ContentType;
        await context.Response.WriteAsync(reply.Body);
    }

    private bool Authorized(HttpRequest request)
    {
        if (_token is null)
        {
            return true;
        }
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.Ordinal))
        {
            return false;
        }
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header["Bearer ".Length..].Trim()), _token);
    }

    private static async Task<(string? Body, Reply? Refused)> ReadBody(HttpRequest request)
    {
        if (request.ContentLength > BodyBytesMax)
        {
            return (null, Refuse(413, "body_too_large", "body", $"the body is {request.ContentLength} bytes; at most {BodyBytesMax} are taken"));
        }
        var buffer = new byte[BodyBytesMax + 1];
        var read = 0;
        while (read < buffer.Length)
        {
            var n = await request.Body.ReadAsync(buffer.AsMemory(read));
            if (n == 0)
            {
                break;
            }
            read += n;
        }
        if (read > BodyBytesMax)
        {
            return (null, Refuse(413, "body_too_large", "body", $"the body is over {BodyBytesMax} bytes"));
        }
        if (read == 0)
        {
            return (null, Refuse(400, "invalid_intent", "body", "the body is empty; send the intent as a JSON object"));
        }
        try
        {
            return (new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer, 0, read), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, Refuse(400, "invalid_intent", "body", "the body is not UTF-8 text"));
        }
    }

    private async Task<Reply> Stage(HttpContext context, bool place)
    {
        if (_closed)
        {
            return Refuse(503, "stopping", null, "the daemon is stopping and takes no more intents");
        }
        var (body, refused) = await ReadBody(context.Request);
        if (refused is not null)
        {
            return refused;
        }
        // An intent the caller places itself is staged in a burst with others waiting (one commit for all); one the daemon
        // places goes alone, since its create-order is sent from the same event.
        var (answer, placing) = !place ? (await driver.StageCallerIntent(body!), null) : await driver.Ask(() =>
        {
            var result = driver.Host.StageIntent(time.GetUtcNow(), body!, place);
            if (result.Answer.Status == IntakeStatus.Staged)
            {
                settings.Kill.Pass("after-staging");
            }
            var sent = result.Answer.ClientOrderId is { } coid && result.Commands.OfType<SendCreateOrder>().Any(s => s.ClientOrderId == coid)
                ? driver.PlacementAnswer(coid)
                : null;
            return ((result.Answer, sent), result.Commands);
        });
        switch (answer.Status)
        {
            case IntakeStatus.Invalid:
                return Refuse(400, "invalid_intent", answer.Field ?? "body", answer.Reason ?? "the intent cannot be read");
            case IntakeStatus.Conflict:
                return Refuse(409, "conflict", answer.Field ?? "client_order_id", answer.Reason ?? "a different intent is staged under this client order id");
            case IntakeStatus.StoreUnavailable:
                return Refuse(503, "store_unavailable", null, answer.Reason ?? "the store is not taking writes");
            case IntakeStatus.Stopped:
                return Refuse(503, "stopping", null, answer.Reason ?? "the daemon is stopping");
        }
        var coid = answer.ClientOrderId!.Value;
        var status = answer.Status == IntakeStatus.Staged ? 201 : 200;
        var staged = answer.Status == IntakeStatus.Staged ? "staged" : "already_staged";
        if (!place)
        {
            return new Reply(status, ApiJson.Write(w =>
            {
                w.WriteString("client_order_id", coid.Value);
                w.WriteString("status", staged);
            }));
        }
        RestResponse? response = null;
        if (placing is not null)
        {
            var done = await Task.WhenAny(placing, Task.Delay(settings.OrderWait, time));
            response = done == placing ? await placing : null;
            if (response is null)
            {
                driver.ForgetPlacement(coid, placing);
            }
        }
        var order = await driver.Ask(() => (store.FindByClientOrderId(coid), NoCommands));
        var outcome = order?.Placement switch
        {
            PlacementState.Accepted => "accepted",
            PlacementState.Rejected => "rejected",
            _ => "unknown",
        };
        return new Reply(outcome == "unknown" ? 202 : status, ApiJson.Write(w =>
        {
            w.WriteString("client_order_id", coid.Value);
            w.WriteString("status", staged);
            w.WriteString("outcome", outcome);
            if (order?.ExchangeOrderId is { } eid)
            {
                w.WriteString("order_id", eid.Value);
            }
            if (order?.RejectReason is { } why)
            {
                w.WriteString("reject_reason", why);
            }
            if (response is { Body.Length: > 0 } answered)
            {
                w.WritePropertyName("response");
                w.WriteRawValue(answered.Body);
            }
            else if (outcome == "unknown")
            {
                w.WriteString("reason", "the exchange has not answered yet; the daemon retries with the same client order id and reconciles. GET /v1/orders/" + coid.Value + " later");
            }
        }));
    }

    private async Task<Reply> Order(HttpContext context)
    {
        var text = context.Request.RouteValues["clientOrderId"] as string ?? "";
        if (!ClientOrderId.TryCreate(text, out var coid, out var error))
        {
            return Refuse(400, "invalid_client_order_id", "client_order_id", error ?? "not a client order id");
        }
        var detail = await driver.Ask(() => (store.Detail(coid), NoCommands));
        if (detail is null)
        {
            return Refuse(404, "not_found", "client_order_id", $"no intent is staged under client order id {coid}");
        }
        return new Reply(200, ApiJson.Write(w =>
        {
            w.WriteStartObject("order");
            ApiJson.Order(w, detail.Order);
            w.WriteEndObject();
            ApiJson.Array(w, "links", detail.Links, ApiJson.Link);
            ApiJson.Array(w, "fills", detail.Fills, ApiJson.Fill);
            ApiJson.Array(w, "allocations", detail.Allocations, ApiJson.Allocation);
        }));
    }

    private async Task<Reply> Links(HttpContext context)
    {
        var query = context.Request.Query;
        long after = 0;
        if (query.TryGetValue("after", out var afterText) && !(long.TryParse(afterText, NumberStyles.None, CultureInfo.InvariantCulture, out after)))
        {
            return Refuse(400, "invalid_cursor", "after", $"'{afterText}' is not a cursor: pass the next_cursor of the page before, or nothing for the first page");
        }
        var limit = 100;
        if (query.TryGetValue("limit", out var limitText) && !(int.TryParse(limitText, NumberStyles.None, CultureInfo.InvariantCulture, out limit) && limit is >= 1 and <= LinksPageMax))
        {
            return Refuse(400, "invalid_limit", "limit", $"limit must be a whole number from 1 to {LinksPageMax}, not '{limitText}'");
        }
        var page = await driver.Ask(() => (store.LinksAfter(after, limit), NoCommands));
        return new Reply(200, ApiJson.Write(w =>
        {
            ApiJson.Array(w, "links", page.Links, ApiJson.Link);
            w.WriteString("next_cursor", page.Next.ToString(CultureInfo.InvariantCulture));
            w.WriteBoolean("has_more", page.More);
        }));
    }

    private async Task<Reply> Health()
    {
        string storeState;
        try
        {
            var probe = driver.Ask(() => (store.FindByClientOrderId(ClientOrderId.From("lk-healthz")) is null, NoCommands));
            storeState = await Task.WhenAny(probe, Task.Delay(TimeSpan.FromSeconds(2), time)) == probe && probe.IsCompletedSuccessfully ? "ok" : "unreachable";
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            storeState = "unreachable";
        }
        var now = time.GetUtcNow();
        var connected = metrics.FeedConnected;
        var age = metrics.LastMessageAt is { } last ? (now - last).TotalSeconds : (double?)null;
        var healthy = storeState == "ok" && connected && age is < 10;
        return new Reply(healthy ? 200 : 503, ApiJson.Write(w =>
        {
            w.WriteString("status", healthy ? "ok" : "degraded");
            w.WriteString("store", storeState);
            w.WriteString("feed", connected ? "connected" : "disconnected");
            if (age is { } seconds)
            {
                w.WriteNumber("last_message_age_seconds", Math.Round(seconds, 3));
            }
            else
            {
                w.WriteNull("last_message_age_seconds");
            }
            w.WriteNumber("linkage_rate", Math.Round(metrics.LinkageRate, 6));
        }));
    }
}
