using System.Diagnostics;
using System.Net.WebSockets;
using System.Text.Json;
using Linkage.Coinbase;

namespace Linkage.Wire.Tests;

/// <summary>The WebSocket user endpoint: acknowledgements, heartbeats, snapshot then updates, contiguous sequence numbers, the subscribe deadline.</summary>
[TestFixture]
[NonParallelizable]
public sealed class UserFeedTests
{
    private ExchangeProcess _server = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _server = ExchangeProcess.Start(["--speed", "5"]);
        _http = _server.Http();
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http?.Dispose();
        _server?.Dispose();
    }

    private async Task<string> Create(string coid, string configuration)
    {
        var body = "{\"client_order_id\":\"" + coid + "\",\"product_id\":\"BTC-USD\",\"side\":\"BUY\",\"order_configuration\":" + configuration + "}";
        using var request = _server.Request(HttpMethod.Post, "/api/v3/brokerage/orders", body);
        using var response = await _http.SendAsync(request);
        return RestTests.OrderId(await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Snapshot_then_updates_with_contiguous_sequence_numbers_that_our_parser_reads()
    {
        var resting = await Create("feed-rest-" + Guid.NewGuid().ToString("N")[..8], """{"limit_limit_gtc":{"base_size":"0.01","limit_price":"1000.00"}}""");
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        using var socket = await _server.ConnectWs(cancel.Token);
        await socket.SendText(WsClient.Subscribe("heartbeats", _server.Token(null, null)), cancel.Token);
        await socket.SendText(WsClient.Subscribe("user", _server.Token(null, null)), cancel.Token);
        var coid = "feed-mkt-" + Guid.NewGuid().ToString("N")[..8];
        var messages = new List<string>();
        var created = false;
        var clock = Stopwatch.StartNew();
        var filled = false;
        while (clock.Elapsed < TimeSpan.FromSeconds(30) && !(filled && messages.Count(m => WsClient.Channel(m) == "heartbeats") >= 3))
        {
            var message = await socket.ReceiveText(TimeSpan.FromSeconds(10));
            Assert.That(message, Is.Not.Null, "the feed went quiet");
            messages.Add(message!);
            if (!created && WsClient.Channel(message!) == "subscriptions" && message!.Contains("\"user\"", StringComparison.Ordinal))
            {
                created = true;
                await Create(coid, """{"market_market_ioc":{"base_size":"0.02"}}""");
            }
            filled |= message!.Contains(coid, StringComparison.Ordinal) && message.Contains("\"FILLED\"", StringComparison.Ordinal);
        }
        Assert.That(filled, Is.True, "the market order's FILLED update never came");
        var sequence = 0L;
        var sawSnapshotWithResting = false;
        long? lastCounter = null;
        foreach (var message in messages)
        {
            var parsed = CoinbaseParser.ParseWebSocket(message);
            Assert.That(parsed.TryGetValue(out _), Is.True, $"{parsed.Error}: {message}");
            using var document = JsonDocument.Parse(message);
            Assert.That(document.RootElement.GetProperty("sequence_num").GetInt64(), Is.EqualTo(sequence++), message);
            var channel = document.RootElement.GetProperty("channel").GetString();
            var ev = document.RootElement.GetProperty("events")[0];
            if (channel == "user" && ev.GetProperty("type").GetString() == "snapshot")
            {
                Assert.That(sequence, Is.GreaterThan(1), "the snapshot follows the heartbeats acknowledgement");
                sawSnapshotWithResting |= message.Contains(resting, StringComparison.Ordinal);
            }
            if (channel == "heartbeats")
            {
                var counter = ev.GetProperty("heartbeat_counter");
                Assert.That(counter.ValueKind, Is.EqualTo(JsonValueKind.Number));
                if (lastCounter is { } last)
                {
                    Assert.That(counter.GetInt64(), Is.EqualTo(last + 1));
                }
                lastCounter = counter.GetInt64();
            }
        }
        Assert.That(sawSnapshotWithResting, Is.True, "the open order must be in the snapshot");
    }

    [Test]
    public async Task A_connection_without_a_subscribe_is_closed_after_five_seconds()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await _server.ConnectWs(cancel.Token);
        var clock = Stopwatch.StartNew();
        var message = await socket.ReceiveText(TimeSpan.FromSeconds(15));
        Assert.That(message, Is.Null);
        Assert.That(clock.Elapsed, Is.GreaterThan(TimeSpan.FromSeconds(4)).And.LessThan(TimeSpan.FromSeconds(10)));
        Assert.That(socket.State, Is.Not.EqualTo(WebSocketState.Open));
    }

    [Test]
    public async Task Unsubscribing_heartbeats_stops_them()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await _server.ConnectWs(cancel.Token);
        await socket.SendText(WsClient.Subscribe("heartbeats", _server.Token(null, null)), cancel.Token);
        Assert.That(WsClient.Channel((await socket.ReceiveText(TimeSpan.FromSeconds(5)))!), Is.EqualTo("subscriptions"));
        Assert.That(WsClient.Channel((await socket.ReceiveText(TimeSpan.FromSeconds(5)))!), Is.EqualTo("heartbeats"));
        await socket.SendText(WsClient.Subscribe("heartbeats", _server.Token(null, null), "unsubscribe"), cancel.Token);
        string? message;
        do
        {
            message = await socket.ReceiveText(TimeSpan.FromSeconds(3));
        }
        while (message is not null && WsClient.Channel(message) == "heartbeats");
        Assert.That(message, Is.Not.Null);
        Assert.That(WsClient.Channel(message!), Is.EqualTo("subscriptions"));
        Assert.That(await socket.ReceiveText(TimeSpan.FromSeconds(2.5)), Is.Null, "no heartbeat after unsubscribing");
    }
}
