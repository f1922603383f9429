using System.Net;
using System.Text;

namespace Linkage.Wire.Tests;

/// <summary>Auth as Coinbase does it: each bad token refused on REST (401, body Unauthorized) and on the WebSocket (an error message), a valid one accepted.</summary>
[TestFixture("es256")]
[TestFixture("ed25519")]
[NonParallelizable]
public sealed class AuthTests(string algorithm)
{
    private const string Path = "/api/v3/brokerage/orders/historical/batch";
    private ExchangeProcess _server = null!;
    private HttpClient _http = null!;
    private string _otherKey = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _server = ExchangeProcess.Start(algorithm: algorithm);
        _http = _server.Http();
        var otherDir = System.IO.Path.Combine(_server.Directory, "other");
        var (fileName, prefix) = ExchangeProcess.Command();
        ExchangeProcess.RunToEnd(fileName, [.. prefix, "keys", otherDir, "--algorithm", algorithm]);
        _otherKey = System.IO.Path.Combine(otherDir, "cdp_api_key.json");
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http?.Dispose();
        _server?.Dispose();
    }

    public static IEnumerable<string> BadTokens => ["wrong key", "expired", "not yet valid", "tampered", "missing", "wrong issuer", "wrong uri", "garbage", "invalid escape"];

    private string Token(string kind, string? method, string? path) => kind switch
    {
        "valid" => _server.Token(method, path),
        "wrong key" => _server.Token(method, path, keyFile: _otherKey),
        "expired" => _server.Token(method, path, c =>
        {
            var past = DateTimeOffset.UtcNow.AddMinutes(-10).ToUnixTimeSeconds();
            c["nbf"] = past;
            c["exp"] = past + 120;
        }),
        "not yet valid" => _server.Token(method, path, c =>
        {
            var future = DateTimeOffset.UtcNow.AddMinutes(10).ToUnixTimeSeconds();
            c["nbf"] = future;
            c["exp"] = future + 120;
        }),
        "tampered" => Tamper(_server.Token(method, path)),
        "missing" => "",
        "wrong issuer" => _server.Token(method, path, c => c["iss"] = "someone"),
        "wrong uri" => _server.Token("GET", "/api/v3/brokerage/accounts"),
        "garbage" => "a.b.c",
        // Valid JSON whose kid is no valid text (a lone surrogate escape): refused, never an exception in the verifier.
        "invalid escape" => Linkage.Sim.Server.ApiKey.Base64Url(Encoding.UTF8.GetBytes("{\"alg\":\"ES256\",\"kid\":\"\\udc00\"}")) + "."
            + Linkage.Sim.Server.ApiKey.Base64Url(Encoding.UTF8.GetBytes("{\"sub\":\"x\"}")) + ".AAAA",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    /// <summary>The same signature over a payload with one claim changed (a later expiry).</summary>
    private static string Tamper(string token)
    {
        var parts = token.Split('.');
        var payload = Encoding.UTF8.GetString(Convert.FromBase64String(Pad(parts[1].Replace('-', '+').Replace('_', '/'))));
        var changed = payload.Replace("\"exp\":", "\"exp\":1", StringComparison.Ordinal);
        Assert.That(changed, Is.Not.EqualTo(payload));
        return parts[0] + "." + Linkage.Sim.Server.ApiKey.Base64Url(Encoding.UTF8.GetBytes(changed)) + "." + parts[2];
    }

    private static string Pad(string s) => s + new string('=', (4 - (s.Length % 4)) % 4);

    private async Task<(HttpStatusCode, string)> Get(string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, Path);
        if (token.Length > 0)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);
        }
        using var response = await _http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_valid_token_is_accepted_on_rest()
    {
        var (status, body) = await Get(Token("valid", "GET", Path));
        Assert.That(status, Is.EqualTo(HttpStatusCode.OK), body);
    }

    [TestCaseSource(nameof(BadTokens))]
    public async Task A_bad_token_is_refused_on_rest(string kind)
    {
        var (status, body) = await Get(Token(kind, "GET", Path));
        Assert.That(status, Is.EqualTo(HttpStatusCode.Unauthorized), body);
        Assert.That(body.Trim(), Is.EqualTo("Unauthorized"));
    }

    [Test]
    public async Task No_private_path_answers_without_a_token()
    {
        foreach (var path in new[] { "/api/v3/brokerage/orders/historical/fills", "/api/v3/brokerage/orders/historical/x", "/api/v3/brokerage/accounts" })
        {
            using var response = await _http.GetAsync(path);
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), path);
        }
        using var post = await _http.PostAsync("/api/v3/brokerage/orders", new StringContent("{}"));
        Assert.That(post.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task A_valid_token_subscribes_on_the_websocket()
    {
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await _server.ConnectWs(cancel.Token);
        await socket.SendText(WsClient.Subscribe("user", Token("valid", null, null)), cancel.Token);
        var channels = new List<string?>();
        for (var i = 0; i < 5 && !channels.Contains("subscriptions"); i++)
        {
            var message = await socket.ReceiveText(TimeSpan.FromSeconds(10));
            Assert.That(message, Is.Not.Null);
            channels.Add(WsClient.Channel(message!));
        }
        Assert.That(channels, Does.Contain("subscriptions"));
        Assert.That(channels, Does.Not.Contain("error"));
    }

    [TestCaseSource(nameof(BadTokens))]
    public async Task A_bad_token_gets_an_error_on_the_websocket(string kind)
    {
        if (kind == "wrong uri")
        {
            Assert.Pass("a WebSocket token carries no uri");
        }
        using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var socket = await _server.ConnectWs(cancel.Token);
        await socket.SendText(WsClient.Subscribe("user", Token(kind, null, null)), cancel.Token);
        var message = await socket.ReceiveText(TimeSpan.FromSeconds(10));
        Assert.That(message, Is.Not.Null);
        Assert.That(WsClient.Channel(message!), Is.EqualTo("error"), message);
        Assert.That(message, Does.Not.Contain("\"user\""));
    }
}
