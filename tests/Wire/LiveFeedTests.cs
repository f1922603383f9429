using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Linkage.Coinbase;
using Linkage.Host;
using Linkage.Live;

namespace Linkage.Wire.Tests;

/// <summary>
/// <see cref="CoinbaseFeed"/> against the exchange as a real process: subscriptions, heartbeats and the user updates of
/// an order that fills, in shapes our parser reads; and each way a connection ends, named for what it was.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LiveFeedTests : LiveServerFixture
{
    private CoinbaseFeed Feed(CoinbaseEndpoints? endpoints = null, CdpApiKey? key = null, CoinbaseFeedOptions? options = null) =>
        new(endpoints ?? Live.Endpoints(Server), key ?? Key, TimeProvider.System, Logs.CreateLogger("feed"), options);

    private static bool Subscribed(IReadOnlyList<string> texts) =>
        texts.Any(t => CoinbaseParser.ParseWebSocket(t).Value is SubscriptionsMessage s && s.Channels.Contains("user") && s.Channels.Contains("heartbeats"));

    // Planted once: RunOnceAsync subscribed only to user: no heartbeat came, the connection ended HeartbeatSilence 5 s
    // in, and this test failed (so did both cases of LiveKeyTests.Keys_of_both_kinds_are_accepted_by_the_exchange).
    [Test]
    public async Task The_feed_delivers_subscriptions_heartbeats_and_the_updates_of_an_order_that_fills()
    {
        using var rest = CoinbaseRestClient.Create(Live.Endpoints(Server), Key, TimeProvider.System, Logs);
        using var recorder = new FeedRecorder(Feed(), TimeSpan.FromSeconds(90));
        await recorder.Until(Subscribed, TimeSpan.FromSeconds(20), "subscriptions to user and heartbeats");
        var coid = Live.NewCoid();
        var placed = await rest.CreateOrderAsync(Live.Market(coid, size: "0.03"), CancellationToken.None);
        Assert.That(placed.Status, Is.EqualTo(200), placed.Body);
        var orderId = Live.OrderId(placed.Body);
        bool Filled(IReadOnlyList<string> texts) => texts.Any(t => CoinbaseParser.ParseWebSocket(t).Value is UserChannelMessage user
            && user.Events.Any(e => e.Type == UserEventType.Update && e.Orders.Any(o => o.State.ExchangeOrderId.Value == orderId
                && o.State.Status == Engine.OrderStatus.Filled && o.State.CumulativeQuantity == 0.03m && o.State.ClientOrderId?.Value == coid)));
        await recorder.Until(Filled, TimeSpan.FromSeconds(20), "the FILLED update of the order");
        await recorder.Until(texts => texts.Count(t => WsClient.Channel(t) == "heartbeats") >= 2, TimeSpan.FromSeconds(10), "two heartbeats");
        var end = await recorder.Stop();
        Assert.That(end.Reason, Is.EqualTo(FeedEndReason.Cancelled), end.Detail);

        var messages = recorder.Messages;
        var parsed = messages.Select(m => CoinbaseParser.ParseWebSocket(m.Text)).ToList();
        Assert.That(parsed.Where(p => !p.IsSuccess).Select(p => p.Error!.ToString()), Is.Empty, "our parser refused nothing");
        var sequence = parsed.Select(p => ((AdvancedTradeMessage)p.Value).SequenceNum).ToList();
        Assert.That(sequence, Is.EqualTo(Enumerable.Range(0, sequence.Count).Select(i => (long)i)), "one counter from 0, nothing lost, in arrival order");
        Assert.That(messages.Select(m => m.At), Is.Ordered, "receive times in arrival order");
        Assert.That(messages[^1].At, Is.LessThanOrEqualTo(DateTimeOffset.UtcNow));
    }

    // Planted once: the silence timer was armed once per connection, not per message: the connection ended
    // HeartbeatSilence 3.5 s in although a heartbeat came every second.
    // Planted once: the timer ran while the callback worked: the slow first callback (4 s) ended it HeartbeatSilence.
    [Test]
    public async Task Heartbeats_keep_a_connection_alive_and_a_slow_callback_is_not_silence()
    {
        // Heartbeats come every second: 3.5 s of silence leaves room for a busy machine, and the first callback takes longer.
        var feed = Feed(options: new CoinbaseFeedOptions { SilenceTimeout = TimeSpan.FromSeconds(3.5) });
        var heartbeats = 0;
        var first = true;
        using var enough = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        var end = await feed.RunOnceAsync(async (text, _) =>
        {
            if (first)
            {
                first = false;
                await Task.Delay(TimeSpan.FromSeconds(4));
            }
            if (WsClient.Channel(text) == "heartbeats" && ++heartbeats == 7)
            {
                await enough.CancelAsync();
            }
        }, enough.Token);
        Assert.That(end.Reason, Is.EqualTo(FeedEndReason.Cancelled), end.Detail);
        Assert.That(heartbeats, Is.EqualTo(7));
    }

    // Planted once: error messages were delivered and then ignored: the connection, subscribed to nothing, ended
    // HeartbeatSilence 5 s in, and the test failed on the reason.
    [Test]
    public async Task A_subscribe_the_exchange_refuses_ends_as_SubscribeRefused_with_its_text()
    {
        // A well-formed key of the same shape that the exchange was not given.
        var stranger = Path.Combine(Server.Directory, "stranger.json");
        using (var ecdsa = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256))
        {
            File.WriteAllText(stranger, System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["name"] = "organizations/00000000-0000-4000-8000-000000000000/apiKeys/00000000-0000-4000-8000-000000000001",
                ["privateKey"] = ecdsa.ExportECPrivateKeyPem(),
            }));
        }
        using var key = CdpApiKey.Load(stranger);
        var clock = Stopwatch.StartNew();
        var end = await Feed(key: key).RunOnceAsync((_, _) => ValueTask.CompletedTask, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.That(end.Reason, Is.EqualTo(FeedEndReason.SubscribeRefused), end.Detail);
        Assert.That(end.Detail, Is.EqualTo("authentication failure"));
        Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)), "the refusal ends the connection at once");
        Logs.AssertNoSecrets(stranger);
    }

    // Planted once: every WebSocketException read as ClosedByServer: this test failed, and so did LiveFaultTests'
    // A_connection_reset_is_AbnormalClose_and_a_close_frame_is_ClosedByServer.
    [Test]
    public async Task A_connection_dropped_without_a_close_frame_is_AbnormalClose()
    {
        using var recorder = new FeedRecorder(Feed(), TimeSpan.FromSeconds(60));
        await recorder.Until(Subscribed, TimeSpan.FromSeconds(20), "subscriptions");
        using var http = Server.Http();
        using var request = Server.Request(HttpMethod.Post, "/sim/ws/drop", "{}");
        using var dropped = await http.SendAsync(request);
        Assert.That(dropped.StatusCode, Is.EqualTo(HttpStatusCode.OK), await dropped.Content.ReadAsStringAsync());
        var end = await recorder.Run.WaitAsync(TimeSpan.FromSeconds(20));
        Assert.That(end.Reason, Is.EqualTo(FeedEndReason.AbnormalClose), end.Detail);
    }

    // Planted once: CertificateTrust.Validate returned true for any chain error: the case of another CA failed (the
    // feed connected and ran to the test's limit, Cancelled; REST answered 200); the case of no CA file still passed,
    // since no callback is installed then.
    [TestCase(false)]
    [TestCase(true)]
    public async Task A_certificate_no_trusted_ca_signed_is_ConnectFailed_and_status_0(bool anotherCa)
    {
        var caFile = anotherCa ? OtherCa() : null;
        var untrusted = Live.Endpoints(Server) with { CaFile = caFile };
        var end = await Feed(untrusted).RunOnceAsync((_, _) => ValueTask.CompletedTask, new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token);
        Assert.That(end.Reason, Is.EqualTo(FeedEndReason.ConnectFailed), end.Detail);
        Assert.That(end.Detail, Does.Contain("certificate").IgnoreCase);
        using var rest = CoinbaseRestClient.Create(untrusted, Key, TimeProvider.System, Logs, new CoinbaseRestOptions { RetryDelay = TimeSpan.FromMilliseconds(10), RetryDelayMax = TimeSpan.FromMilliseconds(50) });
        var answer = await rest.SendAsync(new ListOpenOrdersCall(null, 1), CancellationToken.None);
        Assert.That(answer, Is.EqualTo(new RestResponse(0, "")));
        Assert.That(Logs.WithId(2).Last().Message, Does.Contain("SecureConnectionError"));
    }

    /// <summary>A CA of our own, made now: not the one that signed the exchange's certificate.</summary>
    private string OtherCa()
    {
        using var key = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var request = new System.Security.Cryptography.X509Certificates.CertificateRequest("CN=not the exchange's CA", key, System.Security.Cryptography.HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension(true, false, 0, true));
        using var ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
        var path = Path.Combine(Server.Directory, "other-ca.pem");
        File.WriteAllText(path, ca.ExportCertificatePem());
        return path;
    }

    [Test]
    public async Task Nothing_listening_is_ConnectFailed_and_a_cancelled_run_is_Cancelled()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        var nowhere = new CoinbaseEndpoints(new Uri($"https://127.0.0.1:{port}"), new Uri($"wss://127.0.0.1:{port}/ws/user"), Server.CaFile);
        var end = await Feed(nowhere).RunOnceAsync((_, _) => ValueTask.CompletedTask, CancellationToken.None);
        Assert.That(end.Reason, Is.EqualTo(FeedEndReason.ConnectFailed), end.Detail);

        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        var before = await Feed().RunOnceAsync((_, _) => ValueTask.CompletedTask, cancelled.Token);
        Assert.That(before.Reason, Is.EqualTo(FeedEndReason.Cancelled), before.Detail);
    }
}
