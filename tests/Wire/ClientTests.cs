using System.Text.Json;
using Linkage.Coinbase;

namespace Linkage.Wire.Tests;

/// <summary>
/// Third-party Coinbase clients (tests/clients, installed with <c>npm ci</c>) run with <c>node</c> against the server as a
/// child process; each script asserts what its users rely on, then check.js compares what it saw with the truth file
/// the server wrote on SIGTERM, and our own parsers read every message the server wrote.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ClientTests
{
    /// <summary>Longest a client script may run (each script also bounds itself, a little below this).</summary>
    private static readonly TimeSpan ScriptTimeout = TimeSpan.FromSeconds(170);

    private static string ClientsDirectory() => Path.Combine(ExchangeProcess.RepositoryRoot(), "tests", "clients");

    private static string RequireClients()
    {
        var clients = ClientsDirectory();
        if (!Directory.Exists(Path.Combine(clients, "node_modules")))
        {
            var message = $"the client packages are not installed: run `npm ci` in {clients}";
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(message);
            }
            Assert.Inconclusive(message);
        }
        return clients;
    }

    [TestCase("ccxt.js", "none")]
    [TestCase("ccxt.js", "swarm")]
    [TestCase("coinbase-api.js", "none")]
    [TestCase("sample-sdk.js", "none")]
    public void Client_script_passes_and_agrees_with_the_truth_file(string script, string faults)
    {
        var clients = RequireClients();
        using var server = ExchangeProcess.Start(["--speed", "5", "--seed", "7", "--faults", faults]);
        var observed = Path.Combine(server.Directory, "observed.json");
        var environment = new Dictionary<string, string>
        {
            ["LINKAGE_READY"] = Path.Combine(server.Directory, "ready.json"),
            ["LINKAGE_OBSERVED"] = observed,
            ["LINKAGE_SCRIPT_SECONDS"] = ((int)ScriptTimeout.TotalSeconds - 10).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["NODE_EXTRA_CA_CERTS"] = server.CaFile!,
        };
        string output;
        try
        {
            output = ExchangeProcess.RunToEnd("node", [Path.Combine(clients, script)], ScriptTimeout, environment, clients);
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException)
        {
            Assert.Fail($"{script} failed: {e.Message}\nserver log:\n{server.Stderr}");
            throw;
        }
        TestContext.Out.WriteLine(output);
        Assert.That(server.Stop(), Is.EqualTo(0), server.Stderr);
        Assert.That(File.Exists(server.TruthFile), Is.True, "the truth file is written on SIGTERM");
        var check = ExchangeProcess.RunToEnd("node", [Path.Combine(clients, "check.js"), server.TruthFile, observed], TimeSpan.FromSeconds(60), environment, clients);
        TestContext.Out.WriteLine(check);
        AssertOurParsersReadTheTranscript(server.TranscriptFile);
    }

    private static bool IsOurs(JsonElement response) =>
        !response.TryGetProperty("success_response", out var success)
        || Linkage.Engine.ClientOrderId.TryCreate(success.GetProperty("client_order_id").GetString(), out _, out _);

    /// <summary>Every answer and WebSocket message the server wrote is read by Linkage.Coinbase without a failure.</summary>
    private static void AssertOurParsersReadTheTranscript(string transcript)
    {
        var read = 0;
        var failures = new List<string>();
        foreach (var line in File.ReadLines(transcript))
        {
            using var record = JsonDocument.Parse(line);
            var kind = record.RootElement.GetProperty("kind").GetString();
            var data = record.RootElement.GetProperty("data").GetRawText();
            string? error = kind switch
            {
                "ws" => CoinbaseParser.ParseWebSocket(data).Error?.ToString(),
                "fills" => CoinbaseParser.ParseListFills(data).Error?.ToString(),
                "order" => CoinbaseParser.ParseGetOrder(data).Error?.ToString(),
                "orders" => CoinbaseParser.ParseListOrders(data).Error?.ToString(),
                // A create-order answer names the client order id the client sent; the engine parses answers to its own
                // requests only, whose ids are valid ClientOrderIds. ccxt's own ids ("ccxt-" and a UUID, 41 characters)
                // are longer than ours may be, so such an answer is not one our engine would ever read.
                "order_response" when !IsOurs(record.RootElement.GetProperty("data")) => null,
                "order_response" => CoinbaseParser.ParseCreateOrderResponse(data).Error?.ToString(),
                _ => null,
            };
            read++;
            if (error is not null)
            {
                failures.Add($"{kind}: {error}");
            }
        }
        Assert.That(read, Is.GreaterThan(0), "the transcript holds the run");
        Assert.That(failures, Is.Empty);
    }
}
