using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using Linkage.Wire.Tests;

namespace Linkage.EndToEnd.Tests;

/// <summary>
/// The intake API and the configuration of a real <c>linkage serve</c> process: every refusal is a 4xx (or 503) whose
/// JSON names the field and the reason, nothing refused reaches the store, a bad configuration stops the daemon
/// before it touches anything with every problem named, and the private key never appears in what it prints.
/// </summary>
[NonParallelizable]
public sealed class IntakeApiTests
{
    private const string Token = "e2e-intake-token-0123456789";

    private const string Intent = """
        {"snapshot_id":"api-1","score":{"Buy Score":0.8},"trigger":"roc_momo","pair":"BTC-USD","side":"buy","size":"0.01","timestamp":"2026-12-01T12:00:00Z"}
        """;

    private ExchangeProcess _exchange = null!;
    private DaemonProcess _daemon = null!;
    private HttpClient _http = null!;

    [OneTimeSetUp]
    public void Start()
    {
        _exchange = ExchangeProcess.Start(["--seed", "3"]);
        var directory = Path.Combine(_exchange.Directory, "daemons");
        _daemon = DaemonProcess.Start("api", directory, [.. EndToEndRun.ExchangeArgs(_exchange), "--sqlite", Path.Combine(directory, "linkage.db")],
            new Dictionary<string, string> { ["LINKAGE__Intake__Token"] = Token });
        _http = new HttpClient { BaseAddress = new Uri(_daemon.Intake), Timeout = TimeSpan.FromSeconds(60) };
        _http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Token);
    }

    [OneTimeTearDown]
    public void Stop()
    {
        _http?.Dispose();
        _daemon?.Dispose();
        _exchange?.Dispose();
    }

    private async Task<(HttpStatusCode Status, JsonElement Body)> Send(HttpMethod method, string path, string? body = null, bool authorized = true)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        if (!authorized)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", "not-the-token-at-all");
        }
        using var response = await _http.SendAsync(request);
        var text = await response.Content.ReadAsStringAsync();
        using var document = JsonDocument.Parse(text);
        return (response.StatusCode, document.RootElement.Clone());
    }

    private static string Field(JsonElement body) => body.GetProperty("error").GetProperty("field").GetString()!;

    [Test]
    public async Task Staging_answers_the_client_order_id_once_and_the_same_intent_again_the_same_id()
    {
        var first = await Send(HttpMethod.Post, "/v1/intents", Intent);
        var again = await Send(HttpMethod.Post, "/v1/intents", Intent);
        var coid = first.Body.GetProperty("client_order_id").GetString()!;
        var order = await Send(HttpMethod.Get, $"/v1/orders/{coid}");
        Assert.Multiple(() =>
        {
            Assert.That(first.Status, Is.EqualTo(HttpStatusCode.Created));
            Assert.That(again.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(again.Body.GetProperty("client_order_id").GetString(), Is.EqualTo(coid));
            Assert.That(again.Body.GetProperty("status").GetString(), Is.EqualTo("already_staged"));
            Assert.That(order.Status, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(order.Body.GetProperty("order").GetProperty("placed_by_caller").GetBoolean(), Is.True);
            Assert.That(order.Body.GetProperty("order").GetProperty("snapshot_id").GetString(), Is.EqualTo("api-1"));
        });
    }

    [Test]
    public async Task Every_refusal_names_the_field_and_nothing_refused_is_stored()
    {
        var different = Intent.Replace("\"size\":\"0.01\"", "\"size\":\"0.02\",\"client_order_id\":\"lk-fixed-id-for-conflict\"", StringComparison.Ordinal);
        await Send(HttpMethod.Post, "/v1/intents", Intent.Replace("api-1", "api-conflict", StringComparison.Ordinal).Replace("\"size\"", "\"client_order_id\":\"lk-fixed-id-for-conflict\",\"size\"", StringComparison.Ordinal));
        var cases = new (string What, Task<(HttpStatusCode, JsonElement)> Call, HttpStatusCode Status, string Field)[]
        {
            ("not JSON", Send(HttpMethod.Post, "/v1/intents", "{\"pair\":"), HttpStatusCode.BadRequest, "body"),
            ("empty", Send(HttpMethod.Post, "/v1/intents", ""), HttpStatusCode.BadRequest, "body"),
            ("negative size", Send(HttpMethod.Post, "/v1/orders", Intent.Replace("0.01", "-1", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "size"),
            ("unknown side", Send(HttpMethod.Post, "/v1/intents", Intent.Replace("\"buy\"", "\"sideways\"", StringComparison.Ordinal)), HttpStatusCode.BadRequest, "side"),
            ("conflict", Send(HttpMethod.Post, "/v1/intents", different), HttpStatusCode.Conflict, "client_order_id"),
            ("too large", Send(HttpMethod.Post, "/v1/intents", new string(' ', 70_000) + Intent), HttpStatusCode.RequestEntityTooLarge, "body"),
            ("bad id", Send(HttpMethod.Get, "/v1/orders/not_an_id!"), HttpStatusCode.BadRequest, "client_order_id"),
            ("unknown order", Send(HttpMethod.Get, "/v1/orders/lk-unknown"), HttpStatusCode.NotFound, "client_order_id"),
            ("bad cursor", Send(HttpMethod.Get, "/v1/links?after=abc"), HttpStatusCode.BadRequest, "after"),
            ("bad limit", Send(HttpMethod.Get, "/v1/links?limit=5000"), HttpStatusCode.BadRequest, "limit"),
            ("no token", Send(HttpMethod.Post, "/v1/intents", Intent, authorized: false), HttpStatusCode.Unauthorized, "Authorization"),
        };
        await Task.WhenAll(cases.Select(c => c.Call));
        var links = await Send(HttpMethod.Get, "/v1/links?limit=1000");
        Assert.Multiple(() =>
        {
            foreach (var (what, call, status, field) in cases)
            {
                var (actual, body) = call.Result;
                Assert.That(actual, Is.EqualTo(status), what);
                Assert.That(Field(body), Is.EqualTo(field), what);
                Assert.That(body.GetProperty("error").GetProperty("reason").GetString(), Is.Not.Empty, what);
            }
            Assert.That(links.Status, Is.EqualTo(HttpStatusCode.OK));
        });
        var metrics = await _http.GetStringAsync("/metrics");
        Assert.That(metrics, Does.Contain("linkage_quarantined_total 0"), "nothing the intake refused reached the store's quarantine");
    }

    [Test]
    public async Task An_order_placed_by_the_daemon_links_and_pages_through_links_and_health_and_metrics_report_it()
    {
        var placed = await Send(HttpMethod.Post, "/v1/orders", Intent.Replace("api-1", "api-order", StringComparison.Ordinal));
        var coid = placed.Body.GetProperty("client_order_id").GetString()!;
        JsonElement order = default;
        for (var i = 0; i < 100; i++)
        {
            order = (await Send(HttpMethod.Get, $"/v1/orders/{coid}")).Body.GetProperty("order");
            if (order.GetProperty("linked_size").GetString() == "0.01")
            {
                break;
            }
            await Task.Delay(100);
        }
        var seen = new List<string>();
        var cursor = "0";
        for (var page = 0; page < 100; page++)
        {
            var (_, body) = await Send(HttpMethod.Get, $"/v1/links?after={cursor}&limit=1");
            seen.AddRange(body.GetProperty("links").EnumerateArray().Select(l => $"{l.GetProperty("client_order_id").GetString()}#{l.GetProperty("sequence").GetInt32()}"));
            cursor = body.GetProperty("next_cursor").GetString()!;
            if (!body.GetProperty("has_more").GetBoolean())
            {
                break;
            }
        }
        using var health = await _http.GetAsync("/healthz");
        var metrics = await _http.GetStringAsync("/metrics");
        Assert.Multiple(() =>
        {
            Assert.That(placed.Status, Is.EqualTo(HttpStatusCode.Created).Or.EqualTo(HttpStatusCode.Accepted));
            Assert.That(placed.Body.GetProperty("outcome").GetString(), Is.EqualTo("accepted"));
            Assert.That(order.GetProperty("linked_size").GetString(), Is.EqualTo("0.01"));
            Assert.That(seen.Where(s => s.StartsWith(coid, StringComparison.Ordinal)), Is.Not.Empty, "the order's links are in the paged listing");
            Assert.That(seen, Is.Unique, "a page walk returns each link once");
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That(metrics, Does.Match(@"linkage_links_total [1-9]"));
            Assert.That(metrics, Does.Contain("linkage_fill_to_link_seconds_bucket{le=\"+Inf\"}"));
            Assert.That(metrics, Does.Contain("linkage_intake_requests_total{endpoint=\"orders\",status=\"201\"}"));
        });
    }

    [Test]
    public void A_bad_configuration_stops_the_daemon_with_every_problem_named_and_never_the_key()
    {
        var directory = Directory.CreateTempSubdirectory("linkage-serve-config-").FullName;
        try
        {
            var secret = "SECRET-KEY-MATERIAL-" + Guid.NewGuid().ToString("N");
            var badKey = Path.Combine(directory, "cdp_api_key.json");
            File.WriteAllText(badKey, $$"""{"name":"organizations/x/apiKeys/y","privateKey":"-----BEGIN EC PRIVATE KEY-----\n{{secret}}\n-----END EC PRIVATE KEY-----\n"}""");
            var (exit1, err1) = Serve(directory, "--key", Path.Combine(directory, "missing.json"), "--listen", "http://0.0.0.0:0", "--store", "mysql", "--ack-timeout", "-3");
            var (exit2, err2) = Serve(directory, "--key", badKey, "--listen", "http://127.0.0.1:0", "--sqlite", Path.Combine(directory, "x.db"));
            var (exit3, err3) = Serve(directory, "--frobnicate");
            Assert.Multiple(() =>
            {
                Assert.That(exit1, Is.EqualTo(2));
                Assert.That(err1, Does.Contain("Coinbase:KeyFile").And.Contain("Intake:Token").And.Contain("Store:Kind").And.Contain("Host:AckTimeoutSeconds"), err1);
                Assert.That(exit2, Is.EqualTo(2));
                Assert.That(err2, Does.Contain(badKey), "the key's problem names the file");
                Assert.That(err2, Does.Not.Contain(secret), "the private key is never printed, not even when it is broken");
                Assert.That(err2, Does.Not.Contain("   at "), "no stack trace");
                Assert.That(exit3, Is.EqualTo(2));
                Assert.That(err3, Does.Contain("--frobnicate"));
            });
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    private static (int Exit, string Stderr) Serve(string directory, params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false, WorkingDirectory = directory };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "Linkage.Cli.dll"), "serve", .. args])
        {
            info.ArgumentList.Add(arg);
        }
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            process.Kill(entireProcessTree: true);
            return (-1, "did not exit: " + stderr.Result);
        }
        return (process.ExitCode, stderr.Result + stdout.Result);
    }
}
