using System.Net;
using System.Net.WebSockets;
using System.Text;

namespace Linkage.Wire.Tests;

/// <summary>
/// Random and mutated HTTP bodies and WebSocket frames, from a fixed seed: the server never answers 500 (an exception
/// a handler did not turn into a Coinbase-shaped answer), logs no handler error, and still answers afterwards.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class FuzzTests
{
    private const int Seed = 13;
    private const int HttpCases = 400;
    private const int WsFrames = 200;

    private static readonly string[] ValidBodies =
    [
        """{"client_order_id":"fuzz-1","product_id":"BTC-USD","side":"BUY","order_configuration":{"limit_limit_gtc":{"base_size":"0.01","limit_price":"1000.00","post_only":false}}}""",
        """{"clientOrderId":"fuzz-2","productId":"ETH-USD","side":"SELL","orderConfiguration":{"marketMarketIoc":{"baseSize":"0.1"}}}""",
        """{"client_order_id":"fuzz-3","product_id":"BTC-USD","side":"BUY","order_configuration":{"limit_limit_gtd":{"base_size":"0.01","limit_price":"1000.00","end_time":"2099-01-01T00:00:00Z"}}}""",
        """{"order_ids":["a","b"]}""",
    ];

    private const string Specials = "{}[]\",:0-e\\\u0000é";

    private static readonly string[] Paths =
    [
        "/api/v3/brokerage/orders", "/api/v3/brokerage/orders/batch_cancel", "/api/v3/brokerage/orders/historical/batch",
        "/api/v3/brokerage/orders/historical/fills", "/api/v3/brokerage/orders/historical/x", "/api/v3/brokerage/accounts",
        "/api/v3/brokerage/market/products/BTC-USD", "/api/v3/brokerage/products", "/nope",
    ];

    private static readonly string[] Queries =
    [
        "", "?limit=0", "?limit=-1", "?limit=99999999999", "?cursor=abc", "?cursor=-5", "?cursor=99999999", "?order_status=NOPE",
        "?start_sequence_timestamp=yesterday", "?product_ids=BTC-USD&product_ids=ETH-USD", "?productIds=%00%ff", "?limit=1&cursor=1&orderIds=x,y,z",
        "?start_date=2020-01-01T00:00:00Z&end_date=1999", "?order_side=SIDEWAYS",
    ];

    private static string Mutate(Random random, string text)
    {
        var chars = text.ToCharArray().ToList();
        var edits = random.Next(1, 6);
        for (var i = 0; i < edits && chars.Count > 0; i++)
        {
            var at = random.Next(chars.Count);
            switch (random.Next(6))
            {
                case 0:
                    chars.RemoveAt(at);
                    break;
                case 1:
                    chars.Insert(at, Specials[random.Next(Specials.Length)]);
                    break;
                case 2:
                    chars[at] = (char)random.Next(32, 127);
                    break;
                case 3:
                    chars.RemoveRange(at, chars.Count - at);
                    break;
                case 4:
                    chars.InsertRange(at, "\"base_size\":\"1e400\",");
                    break;
                default:
                    chars.InsertRange(at, new string('[', random.Next(1, 200)));
                    break;
            }
        }
        return new string([.. chars]);
    }

    private static string Body(Random random) => random.Next(5) switch
    {
        0 => Encoding.Latin1.GetString([.. Enumerable.Range(0, random.Next(0, 300)).Select(_ => (byte)random.Next(256))]),
        1 => ValidBodies[random.Next(ValidBodies.Length)],
        _ => Mutate(random, ValidBodies[random.Next(ValidBodies.Length)]),
    };

    [Test]
    public async Task Random_and_mutated_requests_and_frames_never_crash_the_server()
    {
        using var server = ExchangeProcess.Start(["--speed", "10"]);
        using var http = server.Http();
        var random = new Random(Seed);
        var statuses = new SortedDictionary<int, int>();
        for (var i = 0; i < HttpCases; i++)
        {
            var method = random.Next(3) == 0 ? HttpMethod.Get : HttpMethod.Post;
            // Most bodies go where a body is read; the rest probe every path with every method.
            var path = method == HttpMethod.Post && random.Next(4) != 0
                ? (random.Next(4) == 0 ? "/api/v3/brokerage/orders/batch_cancel" : "/api/v3/brokerage/orders")
                : Paths[random.Next(Paths.Length)];
            var body = method == HttpMethod.Post ? Body(random) : null;
            using var request = server.Request(method, path + Queries[random.Next(Queries.Length)], body);
            if (body is not null && random.Next(10) == 0)
            {
                request.Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body));
            }
            using var response = await http.SendAsync(request);
            await response.Content.ReadAsStringAsync();
            statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
            Assert.That((int)response.StatusCode, Is.LessThan(500), $"{method} {path}: {body}\n{server.Stderr}");
        }
        TestContext.Out.WriteLine(string.Join(", ", statuses.Select(s => $"{s.Key}: {s.Value}")));

        var frames = 0;
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(120));
        var socket = await server.ConnectWs(cancel.Token);
        try
        {
            for (var i = 0; i < WsFrames; i++)
            {
                if (socket.State != WebSocketState.Open)
                {
                    socket.Dispose();
                    socket = await server.ConnectWs(cancel.Token);
                }
                var valid = WsClient.Subscribe(random.Next(2) == 0 ? "user" : "heartbeats", server.Token(null, null), random.Next(2) == 0 ? "subscribe" : "unsubscribe");
                var text = random.Next(4) switch
                {
                    0 => valid,
                    1 => Body(random),
                    _ => Mutate(random, valid),
                };
                var binary = random.Next(15) == 0;
                try
                {
                    await socket.SendAsync(Encoding.UTF8.GetBytes(text), binary ? WebSocketMessageType.Binary : WebSocketMessageType.Text, true, cancel.Token);
                    frames++;
                }
                catch (WebSocketException)
                {
                    // The server may close a connection (a frame over its bound); the next frame goes on a new one.
                }
            }
        }
        finally
        {
            socket.Dispose();
        }
        Assert.That(frames, Is.GreaterThan(WsFrames / 2));

        // Still answering: REST, and a fresh WebSocket subscription.
        using (var request = server.Request(HttpMethod.Get, "/api/v3/brokerage/orders/historical/batch?limit=1"))
        using (var response = await http.SendAsync(request))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        using var fresh = await server.ConnectWs(cancel.Token);
        await fresh.SendText(WsClient.Subscribe("heartbeats", server.Token(null, null)), cancel.Token);
        Assert.That(WsClient.Channel((await fresh.ReceiveText(TimeSpan.FromSeconds(10)))!), Is.EqualTo("subscriptions"));
        Assert.That(server.Stderr, Does.Not.Contain("error:"), "a handler hit an unexpected exception");
        Assert.That(server.Stop(), Is.EqualTo(0));
    }
}
