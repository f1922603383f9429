using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text.Json;

namespace Linkage.Wire.Tests;

/// <summary>
/// A client of <c>linkage exchange --scenario</c>, written as a careful bot would be: it reads the plan
/// (<c>GET /sim/scenario</c>), places each of the scenario's orders with its client order id when the script waits for
/// it (re-sending the same id when an answer is lost), keeps a <c>user</c> and <c>heartbeats</c> subscription open and
/// reconnects whenever it drops, and after every reconnect reconciles from REST List Fills. What it saw is kept for the
/// test to compare with the truth file.
/// </summary>
internal sealed class ScenarioClient : IDisposable
{
    private readonly ExchangeProcess _server;
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly HashSet<string> _resent = new(StringComparer.Ordinal);
    private Task? _reader;

    public ScenarioClient(ExchangeProcess server)
    {
        _server = server;
        _http = server.Http();
    }

    /// <summary>Every text message read, with the number of the connection (1, 2, ...) it came on.</summary>
    public List<(int Connection, string Json)> Messages { get; } = [];

    /// <summary>Client order id to exchange order id, for every order this client placed.</summary>
    public Dictionary<string, string> OrderIds { get; } = new(StringComparer.Ordinal);

    /// <summary>Client order ids whose create-order answer never came (the connection was reset).</summary>
    public HashSet<string> LostAnswers { get; } = new(StringComparer.Ordinal);

    /// <summary>Create-order answers that refused the order (the scenario's <c>ack: reject</c>), by client order id.</summary>
    public Dictionary<string, string> Refused { get; } = new(StringComparer.Ordinal);

    /// <summary>Every fill row List Fills gave, by <c>trade_id</c>.</summary>
    public Dictionary<string, JsonElement> RestFills { get; } = new(StringComparer.Ordinal);

    public int Connections { get; private set; }

    /// <summary>WebSocket connects the server refused (the scenario's outage).</summary>
    public int RefusedConnects { get; private set; }

    /// <summary>How many connections ended without this client asking.</summary>
    public int Drops { get; private set; }

    public List<string> Log { get; } = [];

    /// <summary>Subscribes, then plays the client's steps until the script has finished (bounded by <paramref name="timeout"/>).</summary>
    public async Task Play(TimeSpan timeout)
    {
        _reader = Task.Run(() => ReadFeed(_stop.Token));
        var clock = Stopwatch.StartNew();
        while (true)
        {
            Assert.That(clock.Elapsed, Is.LessThan(timeout), $"the script did not finish in time:\n{string.Join('\n', Log)}\nserver:\n{_server.Stderr}");
            using var plan = await Plan();
            var root = plan.RootElement;
            if (root.GetProperty("waiting_for").GetString() is { } label)
            {
                var step = root.GetProperty("steps").EnumerateArray().First(s => Label(s) == label && s.GetProperty("action").GetString() is "place" or "exit");
                await Place(step);
            }
            foreach (var resend in root.GetProperty("steps").EnumerateArray().Where(s => s.GetProperty("action").GetString() == "resend" && s.GetProperty("state").GetString() == "played"))
            {
                var order = resend.GetProperty("order").GetString()!;
                if (_resent.Add(order))
                {
                    await Place(root.GetProperty("steps").EnumerateArray().First(s => Label(s) == order && s.GetProperty("action").GetString() is "place" or "exit"));
                }
            }
            if (root.GetProperty("finished").GetBoolean())
            {
                break;
            }
            await Task.Delay(50);
        }
    }

    private static string? Label(JsonElement step) => step.TryGetProperty("order", out var order) ? order.GetString() : null;

    /// <summary>Stops reading the feed after <paramref name="settle"/> and reconciles once more.</summary>
    public async Task Finish(TimeSpan settle)
    {
        await Task.Delay(settle);
        await Reconcile();
        await _stop.CancelAsync();
        if (_reader is not null)
        {
            await _reader;
        }
    }

    public async Task<JsonDocument> Plan()
    {
        using var request = _server.Request(HttpMethod.Get, "/sim/scenario");
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
        return JsonDocument.Parse(body);
    }

    /// <summary>The step's create-order, re-sent with the same client order id until an answer comes (as a bot retries a timeout).</summary>
    private async Task Place(JsonElement step)
    {
        var coid = step.GetProperty("client_order_id").GetString()!;
        var size = step.GetProperty("size").GetString() ?? await Position(step.GetProperty("product_id").GetString()!);
        var configuration = step.GetProperty("limit_price").GetString() is { } price
            ? $$$"""{"limit_limit_gtc":{"base_size":"{{{size}}}","limit_price":"{{{price}}}","post_only":false}}"""
            : $$$"""{"market_market_ioc":{"base_size":"{{{size}}}"}}""";
        var body = $$$"""{"client_order_id":"{{{coid}}}","product_id":"{{{step.GetProperty("product_id").GetString()}}}","side":"{{{step.GetProperty("side").GetString()}}}","order_configuration":""" + configuration + "}";
        for (var attempt = 1; attempt <= 5; attempt++)
        {
            using var request = _server.Request(HttpMethod.Post, "/api/v3/brokerage/orders", body);
            // A fresh connection per create-order, so a reset one is never retried by the handler itself.
            request.Headers.ConnectionClose = true;
            string answer;
            try
            {
                using var response = await _http.SendAsync(request);
                answer = await response.Content.ReadAsStringAsync();
                Assert.That((int)response.StatusCode, Is.EqualTo(200), answer);
            }
            catch (HttpRequestException e)
            {
                lock (_gate)
                {
                    LostAnswers.Add(coid);
                    Log.Add($"create {coid}: no answer ({e.Message}); sending it again");
                }
                continue;
            }
            using var document = JsonDocument.Parse(answer);
            lock (_gate)
            {
                if (document.RootElement.GetProperty("success").GetBoolean())
                {
                    OrderIds[coid] = document.RootElement.GetProperty("success_response").GetProperty("order_id").GetString()!;
                }
                else
                {
                    Refused[coid] = document.RootElement.GetProperty("error_response").GetProperty("error").GetString()!;
                }
                Log.Add($"create {coid} (attempt {attempt}): {answer}");
            }
            return;
        }
        Assert.Fail($"create-order {coid} got no answer in 5 attempts:\n{_server.Stderr}");
    }

    /// <summary>An exit without a size sells the open position: what this client's orders on the product bought, less what they sold.</summary>
    private async Task<string> Position(string product)
    {
        var position = 0m;
        List<string> orderIds;
        lock (_gate)
        {
            orderIds = [.. OrderIds.Values];
        }
        foreach (var orderId in orderIds)
        {
            using var request = _server.Request(HttpMethod.Get, "/api/v3/brokerage/orders/historical/" + orderId);
            using var response = await _http.SendAsync(request);
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            var order = document.RootElement.GetProperty("order");
            if (order.GetProperty("product_id").GetString() == product)
            {
                var filled = decimal.Parse(order.GetProperty("filled_size").GetString()!, CultureInfo.InvariantCulture);
                position += order.GetProperty("side").GetString() == "BUY" ? filled : -filled;
            }
        }
        return position.ToString(CultureInfo.InvariantCulture);
    }

    private async Task ReadFeed(CancellationToken stop)
    {
        while (!stop.IsCancellationRequested)
        {
            ClientWebSocket socket;
            try
            {
                socket = await _server.ConnectWs(stop);
            }
            catch (WebSocketException e)
            {
                lock (_gate)
                {
                    RefusedConnects++;
                    Log.Add($"ws connect refused: {e.Message}");
                }
                await Delay(stop);
                continue;
            }
            catch (OperationCanceledException)
            {
                return;
            }
            using (socket)
            {
                var number = ++Connections;
                await socket.SendText(WsClient.Subscribe("heartbeats", _server.Token(null, null)), stop);
                await socket.SendText(WsClient.Subscribe("user", _server.Token(null, null)), stop);
                if (number > 1)
                {
                    await Reconcile();
                }
                while (!stop.IsCancellationRequested)
                {
                    var message = await socket.ReceiveText(TimeSpan.FromSeconds(5));
                    if (message is null)
                    {
                        break;
                    }
                    lock (_gate)
                    {
                        Messages.Add((number, message));
                    }
                }
                if (!stop.IsCancellationRequested)
                {
                    lock (_gate)
                    {
                        Drops++;
                        Log.Add($"ws connection {number} ended ({socket.State})");
                    }
                }
                socket.Abort();
            }
        }
    }

    private static async Task Delay(CancellationToken stop)
    {
        try
        {
            await Task.Delay(100, stop);
        }
        catch (OperationCanceledException)
        {
        }
    }

    /// <summary>List Fills for every order placed or seen on the feed, page by page.</summary>
    public async Task Reconcile()
    {
        List<string> orderIds;
        lock (_gate)
        {
            orderIds = [.. OrderIds.Values.Concat(FeedOrders().Keys).Distinct(StringComparer.Ordinal)];
        }
        if (orderIds.Count == 0)
        {
            return;
        }
        var cursor = "";
        do
        {
            var query = string.Join('&', orderIds.Select(id => "order_ids=" + id)) + "&limit=2" + (cursor.Length > 0 ? "&cursor=" + cursor : "");
            using var request = _server.Request(HttpMethod.Get, "/api/v3/brokerage/orders/historical/fills?" + query);
            using var response = await _http.SendAsync(request);
            var body = await response.Content.ReadAsStringAsync();
            Assert.That((int)response.StatusCode, Is.EqualTo(200), body);
            using var document = JsonDocument.Parse(body);
            lock (_gate)
            {
                foreach (var fill in document.RootElement.GetProperty("fills").EnumerateArray())
                {
                    RestFills[fill.GetProperty("trade_id").GetString()!] = fill.Clone();
                }
            }
            cursor = document.RootElement.GetProperty("cursor").GetString() ?? "";
        }
        while (cursor.Length > 0);
    }

    /// <summary>The highest <c>cumulative_quantity</c> the feed showed for each order id (snapshots and updates).</summary>
    public Dictionary<string, decimal> FeedOrders(int? onConnection = null)
    {
        var result = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (connection, json) in Messages.ToList())
        {
            if (onConnection is { } only && connection != only)
            {
                continue;
            }
            using var document = JsonDocument.Parse(json);
            if (!document.RootElement.TryGetProperty("channel", out var channel) || channel.GetString() != "user")
            {
                continue;
            }
            foreach (var order in document.RootElement.GetProperty("events").EnumerateArray().SelectMany(e => e.GetProperty("orders").EnumerateArray()))
            {
                var id = order.GetProperty("order_id").GetString()!;
                var cumulative = decimal.Parse(order.GetProperty("cumulative_quantity").GetString()!, CultureInfo.InvariantCulture);
                result[id] = Math.Max(result.GetValueOrDefault(id), cumulative);
            }
        }
        return result;
    }

    public void Dispose()
    {
        _stop.Cancel();
        try
        {
            _reader?.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
        }
        _stop.Dispose();
        _http.Dispose();
    }
}
