using System.Net;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Linkage.Engine;
using Linkage.Sim.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Linkage.Benchmarks;

/// <summary>
/// <c>linkage exchange</c> on loopback (plain HTTP/WS, in this process) against a bare Kestrel endpoint in the same run:
/// a create-order round trip (JWT verified, a market order placed and filled) against a POST that answers a fixed body;
/// and WebSocket <c>user</c> updates to one subscriber against a bare WebSocket sending messages of the same size.
/// </summary>
[MemoryDiagnoser, GroupBenchmarksBy(BenchmarkDotNet.Configs.BenchmarkLogicalGroupRule.ByCategory), CategoriesColumn]
public class WireBenchmarks
{
    /// <summary>Market orders per fan-out invocation; each makes several <c>user</c> updates (PENDING, OPEN, fills).</summary>
    private const int FanOutOrders = 2_000;

    private string _directory = null!;
    private HttpClient _http = null!;
    private ExchangeBook _book = null!;
    private WebApplication _bare = null!;
    private string _bareUrl = null!;
    private string _wsUrl = null!;
    private string _keyFile = null!;
    private string _token = null!;
    private DateTime _tokenMade;
    private long _orders;
    private int _bareMessages;
    private string _sampleUpdate = null!;

    /// <summary>Updates the last fan-out invocation made (printed at cleanup, for messages per second).</summary>
    public static int UpdatesPerInvocation { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("linkage-wire-bench-").FullName;
        _keyFile = ApiKey.Generate(Path.Combine(_directory, "keys"), KeyAlgorithm.Es256);
        var ready = Path.Combine(_directory, "ready.json");
        var started = new TaskCompletionSource<ExchangeBook>();
        ExchangeCommand.Started = book => started.TrySetResult(book);
        var server = new Thread(() => ExchangeCommand.Run(["--key", _keyFile, "--dir", _directory, "--plain", "--port", "0", "--ready-file", ready, "--duration", "86400"], TextWriter.Null, TextWriter.Null))
        {
            IsBackground = true,
        };
        server.Start();
        _book = started.Task.WaitAsync(TimeSpan.FromSeconds(60)).GetAwaiter().GetResult();
        while (!File.Exists(ready))
        {
            Thread.Sleep(20);
        }
        using (var document = JsonDocument.Parse(File.ReadAllText(ready)))
        {
            _http = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = 1 }) { BaseAddress = new Uri(document.RootElement.GetProperty("rest").GetString()!) };
            _wsUrl = document.RootElement.GetProperty("ws").GetString()!;
        }

        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _bare = builder.Build();
        _bare.UseWebSockets();
        var fixedAnswer = """{"success":true,"success_response":{"order_id":"00000000-0000-4000-8000-000000000000","product_id":"BTC-USD","side":"SELL","client_order_id":"x"}}""";
        _bare.MapPost("/api/v3/brokerage/orders", async ctx =>
        {
            using var reader = new StreamReader(ctx.Request.Body);
            await reader.ReadToEndAsync();
            ctx.Response.ContentType = "application/json";
            await ctx.Response.WriteAsync(fixedAnswer);
        });
        _bare.Map("/ws", async ctx =>
        {
            using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
            var bytes = Encoding.UTF8.GetBytes(_sampleUpdate);
            for (var i = 0; i < _bareMessages; i++)
            {
                await socket.SendAsync(bytes, WebSocketMessageType.Text, true, CancellationToken.None);
            }
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        });
        _bare.StartAsync().GetAwaiter().GetResult();
        _bareUrl = _bare.Urls.First();
        // One real update, so the bare WebSocket sends messages of the size the server sends.
        _book.Run(v => v.Place(new PlaceRequest("bench-sample", "BTC-USD", Side.Sell, "market_market_ioc", 0.00000001m, null, null, false, null)));
        _sampleUpdate = Linkage.Sim.Exchange.CoinbaseWire.UserEvent(1, DateTimeOffset.UnixEpoch, "update", [(_book.Run(v => v.Orders[^1]), OrderStatus.Filled)]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _http.Dispose();
        _bare.StopAsync().GetAwaiter().GetResult();
        ExchangeCommand.Started = null;
        Console.WriteLine($"// fan-out: {UpdatesPerInvocation} user updates per invocation ({FanOutOrders} market orders); the bare WebSocket sends {FanOutOrders * 4}");
    }

    private string Token()
    {
        // A fresh token every 30 s: tokens live 120 s, a benchmark runs longer.
        if (_token is null || DateTime.UtcNow - _tokenMade > TimeSpan.FromSeconds(30))
        {
            var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            using var document = JsonDocument.Parse(File.ReadAllText(_keyFile));
            var name = document.RootElement.GetProperty("name").GetString()!;
            _token = ApiKey.Sign(_keyFile, new Dictionary<string, object> { ["iss"] = "cdp", ["sub"] = name, ["nbf"] = now, ["exp"] = now + 120, ["uri"] = "POST api.coinbase.com/api/v3/brokerage/orders" });
            _tokenMade = DateTime.UtcNow;
        }
        return _token;
    }

    private static string CreateBody(long n) =>
        "{\"client_order_id\":\"bench-" + n + "\",\"product_id\":\"BTC-USD\",\"side\":\"SELL\",\"order_configuration\":{\"market_market_ioc\":{\"base_size\":\"0.00000001\"}}}";

    [Benchmark(Baseline = true), BenchmarkCategory("create-order")]
    public async Task<int> Bare_kestrel_post()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, _bareUrl + "/api/v3/brokerage/orders") { Content = new StringContent(CreateBody(++_orders), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token());
        using var response = await _http.SendAsync(request);
        return (await response.Content.ReadAsStringAsync()).Length;
    }

    [Benchmark, BenchmarkCategory("create-order")]
    public async Task<int> Create_order_round_trip()
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/v3/brokerage/orders") { Content = new StringContent(CreateBody(++_orders), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Token());
        using var response = await _http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return response.IsSuccessStatusCode ? body.Length : throw new InvalidOperationException(body);
    }

    /// <summary>
    /// <see cref="FanOutOrders"/> market orders placed in the book (no REST), and the time until one subscriber has read
    /// every <c>user</c> update they made. Messages per second = updates / time per invocation.
    /// </summary>
    [Benchmark, BenchmarkCategory("fan-out")]
    public async Task<int> User_updates_to_one_subscriber()
    {
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(_wsUrl), CancellationToken.None);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var document = JsonDocument.Parse(File.ReadAllText(_keyFile));
        var name = document.RootElement.GetProperty("name").GetString()!;
        var jwt = ApiKey.Sign(_keyFile, new Dictionary<string, object> { ["iss"] = "cdp", ["sub"] = name, ["nbf"] = now, ["exp"] = now + 120 });
        await socket.SendAsync(Encoding.UTF8.GetBytes("{\"type\":\"subscribe\",\"channel\":\"user\",\"product_ids\":[],\"jwt\":\"" + jwt + "\"}"), WebSocketMessageType.Text, true, CancellationToken.None);
        var buffer = new byte[1 << 16];
        // Read up to the acknowledgement (the snapshot comes first), then make the updates.
        while (!Encoding.UTF8.GetString(buffer, 0, (await socket.ReceiveAsync(buffer, CancellationToken.None)).Count).Contains("\"subscriptions\"", StringComparison.Ordinal))
        {
        }
        var expected = 0;
        void Count(Linkage.Sim.Exchange.ExchangeOrder order, OrderStatus status, DateTimeOffset at) => expected++;
        _book.OrderUpdated += Count;
        _book.Run(v =>
        {
            for (var i = 0; i < FanOutOrders; i++)
            {
                v.Place(new PlaceRequest("fan-" + (++_orders), "BTC-USD", Side.Sell, "market_market_ioc", 0.00000001m, null, null, false, null));
            }
            return 0;
        });
        _book.OrderUpdated -= Count;
        UpdatesPerInvocation = expected;
        var received = 0;
        while (received < expected)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.EndOfMessage)
            {
                received++;
            }
        }
        await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
        return received;
    }

    /// <summary>The floor: a bare Kestrel WebSocket sending as many messages of the same size, read by the same loop.</summary>
    [Benchmark(Baseline = true), BenchmarkCategory("fan-out")]
    public async Task<int> Bare_websocket_messages()
    {
        _bareMessages = FanOutOrders * 4;
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri(_bareUrl.Replace("http", "ws", StringComparison.Ordinal) + "/ws"), CancellationToken.None);
        var buffer = new byte[1 << 16];
        var received = 0;
        while (true)
        {
            var result = await socket.ReceiveAsync(buffer, CancellationToken.None);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                break;
            }
            if (result.EndOfMessage)
            {
                received++;
            }
        }
        return received;
    }
}
