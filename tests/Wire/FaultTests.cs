using System.Text.Json;

namespace Linkage.Wire.Tests;

/// <summary>Faults are seeded and logged: what a client sees (gaps, 429s) matches what the truth file says was injected.</summary>
[TestFixture]
[NonParallelizable]
public sealed class FaultTests
{
    [Test]
    public async Task Every_dropped_websocket_message_is_a_sequence_gap_and_a_logged_fault()
    {
        var sequences = new List<long>();
        string truth;
        using (var server = ExchangeProcess.Start(["--faults", "ws-drop", "--seed", "3"]))
        {
            using var cancel = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            using var socket = await server.ConnectWs(cancel.Token);
            await socket.SendText(WsClient.Subscribe("heartbeats", server.Token(null, null)), cancel.Token);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            while (clock.Elapsed < TimeSpan.FromSeconds(25) && sequences.Count < 20)
            {
                var message = await socket.ReceiveText(TimeSpan.FromSeconds(5));
                Assert.That(message, Is.Not.Null, server.Stderr);
                using var document = JsonDocument.Parse(message!);
                sequences.Add(document.RootElement.GetProperty("sequence_num").GetInt64());
            }
            socket.Abort();
            Assert.That(server.Stop(), Is.EqualTo(0));
            truth = File.ReadAllText(server.TruthFile);
            Assert.That(server.Stderr, Does.Contain("fault ws_drop: ws 1 sequence_num"));
        }
        var missing = new List<long>();
        for (var i = 1; i < sequences.Count; i++)
        {
            Assert.That(sequences[i], Is.GreaterThan(sequences[i - 1]), "no reorder or duplicate in this profile");
            for (var s = sequences[i - 1] + 1; s < sequences[i]; s++)
            {
                missing.Add(s);
            }
        }
        using var report = JsonDocument.Parse(truth);
        var logged = report.RootElement.GetProperty("faults").EnumerateArray()
            .Where(f => f.GetProperty("kind").GetString() == "ws_drop")
            .Select(f => long.Parse(f.GetProperty("target").GetString()!.Split(' ')[^1], System.Globalization.CultureInfo.InvariantCulture))
            .Where(s => s < sequences[^1])
            .ToList();
        Assert.That(missing, Is.Not.Empty, "seed 3 drops at least one of the first 20 messages at 5 %; pick another seed if the profile changes");
        Assert.That(logged, Is.EqualTo(missing), "the truth file names exactly the messages the client never got");
    }

    [Test]
    public async Task A_rate_limit_answers_429_with_the_ratelimit_headers()
    {
        using var server = ExchangeProcess.Start(["--faults", "rate-limit", "--seed", "5"]);
        using var http = server.Http();
        var limited = 0;
        for (var i = 0; i < 100 && limited == 0; i++)
        {
            using var request = server.Request(HttpMethod.Get, "/api/v3/brokerage/orders/historical/batch?limit=1");
            using var response = await http.SendAsync(request);
            if ((int)response.StatusCode == 429)
            {
                limited++;
                Assert.That(response.Headers.GetValues("x-ratelimit-limit").Single(), Is.EqualTo("30"));
                Assert.That(response.Headers.GetValues("x-ratelimit-remaining").Single(), Is.EqualTo("0"));
                Assert.That(response.Headers.Contains("x-ratelimit-reset"), Is.True);
                Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/html"), "GET paths get the HTML variant");
            }
        }
        Assert.That(limited, Is.GreaterThan(0));
        Assert.That(server.Stop(), Is.EqualTo(0));
        Assert.That(File.ReadAllText(server.TruthFile), Does.Contain("\"rate_limit\""));
    }
}
