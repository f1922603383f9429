using System.Globalization;
using System.Text.Json;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;

namespace Linkage.Wire.Tests;

/// <summary>
/// <c>linkage exchange --scenario</c>: a scenario file from <c>scenarios/</c> played to a client that places its orders
/// and reads the feed; the truth file must hold exactly the trades the script asks for, under the client order ids
/// <c>replay</c> mints, and what the client saw (feed and List Fills) must agree with it.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ScenarioTests
{
    private static readonly TimeSpan PlayTimeout = TimeSpan.FromSeconds(120);

    private static string Repository() => ExchangeProcess.RepositoryRoot();

    private static decimal Dec(JsonElement element, string name) => decimal.Parse(element.GetProperty(name).GetString()!, CultureInfo.InvariantCulture);

    [TestCase("scenarios/steps/partials-across-disconnect.yaml", "10")]
    [TestCase("scenarios/steps/manual-orders-same-product.yaml", "5")]
    [TestCase("scenarios/steps/lost-response-orders-feed.yaml", "5")]
    [TestCase("scenarios/real-world/exchange-id-seen-with-another-client-id.yaml", "10")]
    public async Task A_scenario_is_played_to_a_client_and_the_truth_file_holds_what_its_script_says(string file, string speed)
    {
        var path = Path.Combine(Repository(), file);
        var scenario = ScenarioLoader.LoadFile(path).Scenario ?? throw new InvalidOperationException($"{file} does not load");
        using var server = ExchangeProcess.Start(["--scenario", path, "--speed", speed]);
        JsonDocument truth;
        ScenarioClient client;
        using (client = new ScenarioClient(server))
        {
            await client.Play(PlayTimeout);
            await client.Finish(TimeSpan.FromSeconds(1));
            Assert.That(server.Stop(), Is.EqualTo(0), server.Stderr);
            truth = JsonDocument.Parse(File.ReadAllText(server.TruthFile));
        }
        using var _ = truth;
        var root = truth.RootElement;
        var played = root.GetProperty("scenario");
        var steps = played.GetProperty("steps").EnumerateArray().ToList();
        var context = $"client:\n{string.Join('\n', client.Log)}\nserver:\n{server.Stderr}";
        TestContext.Out.WriteLine(context);
        Assert.That(played.GetProperty("finished").GetBoolean(), Is.True, context);
        Assert.That(steps.Select(s => s.GetProperty("state").GetString()), Is.All.EqualTo("played"), context);
        Assert.That(steps, Has.Count.EqualTo(scenario.Steps.Length));

        // The client order ids are the ones replay's webhook sends for the same file.
        var replay = ScenarioRunner.Run(scenario, new RunOptions { Store = "memory", Capture = true });
        var replayIds = replay.Capture.Where(l => l.Kind is "order_request" or "OrderRequest")
            .Select(l => JsonDocument.Parse(l.DataJson).RootElement.GetProperty("client_order_id").GetString()!).ToHashSet(StringComparer.Ordinal);
        var planIds = steps.Where(s => s.GetProperty("action").GetString() is "place" or "exit").Select(s => s.GetProperty("client_order_id").GetString()!).ToList();
        Assert.That(planIds, Is.Not.Empty);
        Assert.That(planIds, Is.EquivalentTo(replayIds), "the plan's client order ids are replay's");

        // The truth: each order's trades are the script's fills, in order, with their sizes and prices.
        var orderIdOf = steps.Where(s => s.GetProperty("action").GetString() is "place" or "exit" or "manual")
            .ToDictionary(s => s.GetProperty("order").GetString()!, s => s.GetProperty("order_id").GetString()!, StringComparer.Ordinal);
        var truthOrders = root.GetProperty("orders").EnumerateArray().ToDictionary(o => o.GetProperty("order_id").GetString()!, o => o, StringComparer.Ordinal);
        Assert.That(truthOrders.Keys, Is.EquivalentTo(orderIdOf.Values), "the exchange holds the scenario's orders and no other");
        var trades = root.GetProperty("trades").EnumerateArray().ToList();
        foreach (var (label, expected) in ScriptedFills(scenario))
        {
            var orderId = orderIdOf[label];
            var actual = trades.Where(t => t.GetProperty("order_id").GetString() == orderId).ToList();
            Assert.That(actual.Select(t => Dec(t, "size")), Is.EqualTo(expected.Select(e => e.Size)), $"{label}'s trade sizes");
            foreach (var (trade, (_, price)) in actual.Zip(expected))
            {
                if (price is { } p)
                {
                    Assert.That(Dec(trade, "price"), Is.EqualTo(p), $"{label}'s trade price");
                }
            }
        }
        foreach (var place in scenario.Steps.OfType<PlaceStep>())
        {
            Assert.That(truthOrders[orderIdOf[place.Order]].GetProperty("client_order_id").GetString(), Is.EqualTo(steps.First(s => s.GetProperty("order").GetString() == place.Order).GetProperty("client_order_id").GetString()));
        }

        // What the client saw agrees with the truth: the feed's final cumulative quantities and List Fills' rows.
        var feed = client.FeedOrders();
        foreach (var (orderId, order) in truthOrders)
        {
            Assert.That(feed.GetValueOrDefault(orderId), Is.EqualTo(Dec(order, "filled_size")), $"the feed's last word on {orderId}\n{context}");
        }
        Assert.That(client.RestFills.Keys, Is.EquivalentTo(trades.Select(t => t.GetProperty("trade_id").GetString())), "List Fills gave every trade");
        foreach (var trade in trades)
        {
            var fill = client.RestFills[trade.GetProperty("trade_id").GetString()!];
            Assert.That((Dec(fill, "size"), Dec(fill, "price"), fill.GetProperty("order_id").GetString()), Is.EqualTo((Dec(trade, "size"), Dec(trade, "price"), trade.GetProperty("order_id").GetString())));
        }

        // What the file's exchange-side steps did on the wire.
        if (scenario.Steps.Any(s => s is DisconnectStep))
        {
            Assert.That(client.Drops, Is.GreaterThanOrEqualTo(1), $"the disconnect dropped the client\n{context}");
            Assert.That(client.RefusedConnects, Is.GreaterThanOrEqualTo(1), $"reconnects were refused until the reconnect step\n{context}");
            Assert.That(server.Stderr, Does.Contain("fault script_disconnect").And.Contain("fault script_reconnect"));
            // partials-across-disconnect: the fill during the outage never reached the first connection.
            var first = client.FeedOrders(onConnection: 1);
            var o1 = orderIdOf["o1"];
            Assert.That(first.GetValueOrDefault(o1), Is.EqualTo(0.01m), "the first connection saw only the fill before the disconnect");
        }
        if (scenario.Steps.OfType<PlaceStep>().Any(p => p.Ack is AckLost))
        {
            var lost = scenario.Steps.OfType<PlaceStep>().First(p => p.Ack is AckLost);
            var coid = truthOrders[orderIdOf[lost.Order]].GetProperty("client_order_id").GetString()!;
            Assert.That(client.LostAnswers, Does.Contain(coid), "the first create-order's connection was reset");
            Assert.That(client.OrderIds[coid], Is.EqualTo(orderIdOf[lost.Order]), "the re-sent create-order returned the order the lost one placed");
            Assert.That(server.Stderr, Does.Contain("fault script_ack_lost"));
        }
        foreach (var duplicate in scenario.Steps.OfType<DuplicateStep>())
        {
            // The copy: the order's id under the client order id it names (its own, or the `as` order's), numbered as a message sent before.
            var orderId = orderIdOf[duplicate.Order];
            var named = truthOrders[orderIdOf[duplicate.As ?? duplicate.Order]].GetProperty("client_order_id").GetString();
            var user = client.Messages.Select(m => (m.Connection, Document: JsonDocument.Parse(m.Json).RootElement.Clone()))
                .Where(m => m.Document.TryGetProperty("channel", out var c) && c.GetString() == "user")
                .Select(m => (m.Connection, Sequence: m.Document.GetProperty("sequence_num").GetInt64(),
                    Orders: m.Document.GetProperty("events").EnumerateArray().SelectMany(e => e.GetProperty("orders").EnumerateArray())
                        .Select(o => (Id: o.GetProperty("order_id").GetString(), Client: o.GetProperty("client_order_id").GetString())).ToList()))
                .ToList();
            var copies = user.Where(m => m.Orders.Contains((orderId, named))).GroupBy(m => (m.Connection, m.Sequence)).Where(g => user.Count(u => (u.Connection, u.Sequence) == g.Key) >= 2).ToList();
            Assert.That(copies, Is.Not.Empty, $"the duplicate of {duplicate.Order}{(duplicate.As is { } a ? " as " + a : "")} reached the client with an earlier message's sequence_num");
            Assert.That(server.Stderr, Does.Contain($"fault script_duplicate: ws {copies[0].Key.Connection} sequence_num {copies[0].Key.Sequence} ({duplicate.Order}"));
        }
        foreach (var manual in scenario.Steps.OfType<ManualStep>())
        {
            Assert.That(feed.ContainsKey(orderIdOf[manual.Order]), Is.True, $"the manual order {manual.Order} is on the feed");
            Assert.That(client.OrderIds.Values, Does.Not.Contain(orderIdOf[manual.Order]), "the client did not place it");
        }
    }

    private static IEnumerable<string> PlayableScenarios() =>
        Directory.EnumerateFiles(Path.Combine(Repository(), "scenarios"), "*.yaml", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(Repository(), f).Replace('\\', '/'))
            .Where(f => !f.StartsWith("scenarios/regressions/", StringComparison.Ordinal))
            .Where(f => ScenarioLoader.LoadFile(Path.Combine(Repository(), f)).Scenario is { Feed: FeedKind.Orders })
            .Order(StringComparer.Ordinal);

    [Test]
    [Explicit("plays every shipped scenario the wire can play, about four minutes on two cores: run by hand after changing the player")]
    public async Task Every_playable_scenario_plays_to_the_end_with_no_failed_step()
    {
        var failures = new List<string>();
        foreach (var file in PlayableScenarios())
        {
            var path = Path.Combine(Repository(), file);
            var scenario = ScenarioLoader.LoadFile(path).Scenario!;
            var last = scenario.Steps.Max(s => s.At + (s is PlaceStep { Ack: AckDelay d } ? d.Delay : s is ExitStep { Ack: AckDelay e } ? e.Delay : TimeSpan.Zero));
            // About four wall seconds of script, whatever its length.
            var speed = Math.Clamp(last.TotalSeconds / 4, 1, 86_400);
            using var server = ExchangeProcess.Start(["--scenario", path, "--speed", speed.ToString("0.###", CultureInfo.InvariantCulture)]);
            using var client = new ScenarioClient(server);
            await client.Play(PlayTimeout);
            await client.Finish(TimeSpan.FromSeconds(0.5));
            using var plan = await client.Plan();
            failures.AddRange(plan.RootElement.GetProperty("steps").EnumerateArray().Where(s => s.GetProperty("state").GetString() != "played")
                .Select(s => $"{file} step {s.GetProperty("index")} {s.GetProperty("action")} {s.GetProperty("state")}: {(s.TryGetProperty("outcome", out var o) ? o.GetString() : "")}"));
            Assert.That(server.Stop(), Is.EqualTo(0));
            TestContext.Out.WriteLine($"{file}: played at speed {speed:0.###}");
        }
        Assert.That(failures, Is.Empty);
    }

    /// <summary>Each order's fills as the file states them: the size (the rest when omitted) and the price when the file or the limit fixes it.</summary>
    private static Dictionary<string, List<(decimal Size, decimal? Price)>> ScriptedFills(Scenario scenario)
    {
        var left = new Dictionary<string, decimal>(StringComparer.Ordinal);
        var limits = new Dictionary<string, decimal?>(StringComparer.Ordinal);
        var fills = new Dictionary<string, List<(decimal, decimal?)>>(StringComparer.Ordinal);
        foreach (var step in scenario.Steps)
        {
            switch (step)
            {
                case PlaceStep p:
                    (left[p.Order], limits[p.Order], fills[p.Order]) = (p.Size, p.Price, []);
                    break;
                case ManualStep m:
                    (left[m.Order], limits[m.Order], fills[m.Order]) = (m.Size, m.Price, []);
                    break;
                case FillStep f:
                    var size = f.Size ?? left[f.Order];
                    left[f.Order] -= size;
                    fills[f.Order].Add((size, f.Price ?? limits[f.Order]));
                    break;
                default:
                    break;
            }
        }
        return fills;
    }

    [Test]
    public async Task The_plan_names_each_order_and_a_create_order_outside_it_is_refused()
    {
        var path = Path.Combine(Repository(), "scenarios", "steps", "partials-across-disconnect.yaml");
        using var server = ExchangeProcess.Start(["--scenario", path, "--speed", "10"]);
        using (var ready = JsonDocument.Parse(File.ReadAllText(Path.Combine(server.Directory, "ready.json"))))
        using (var written = JsonDocument.Parse(File.ReadAllText(ready.RootElement.GetProperty("plan").GetString()!)))
        {
            Assert.That(written.RootElement.GetProperty("started_at").ValueKind, Is.EqualTo(JsonValueKind.Null), "the script waits for a client");
            Assert.That(written.RootElement.GetProperty("name").GetString(), Is.EqualTo("partials-across-disconnect"));
        }
        using var http = server.Http();
        async Task<string> Create(string coid, string size)
        {
            var body = $$$$"""{"client_order_id":"{{{{coid}}}}","product_id":"BTC-USD","side":"BUY","order_configuration":{"limit_limit_gtc":{"base_size":"{{{{size}}}}","limit_price":"60000"}}}""";
            using var request = server.Request(HttpMethod.Post, "/api/v3/brokerage/orders", body);
            using var response = await http.SendAsync(request);
            return await response.Content.ReadAsStringAsync();
        }
        using var client = new ScenarioClient(server);
        using var plan = await client.Plan();
        var place = plan.RootElement.GetProperty("steps")[0];
        Assert.That(place.GetProperty("action").GetString(), Is.EqualTo("place"));
        Assert.That(place.GetProperty("by").GetString(), Is.EqualTo("client"));
        var coid = place.GetProperty("client_order_id").GetString()!;
        Assert.That(coid, Does.StartWith("lk-"));
        Assert.That(plan.RootElement.GetProperty("steps")[1].GetProperty("by").GetString(), Is.EqualTo("exchange"));

        var stranger = await Create("not-in-the-plan", "0.03");
        Assert.That(stranger, Does.Contain("\"success\":false").And.Contain("INVALID_REQUEST").And.Contain("not one of scenario partials-across-disconnect's orders"));
        var wrongSize = await Create(coid, "0.02");
        Assert.That(wrongSize, Does.Contain("\"success\":false").And.Contain("base_size 0.03 (not 0.02)").And.Contain("line"));
        var right = await Create(coid, "0.03");
        Assert.That(right, Does.Contain("\"success\":true"));
        using var after = await client.Plan();
        Assert.That(after.RootElement.GetProperty("steps")[0].GetProperty("state").GetString(), Is.EqualTo("played"));
        Assert.That(after.RootElement.GetProperty("started_at").ValueKind, Is.EqualTo(JsonValueKind.String));
    }

    [Test]
    public void A_scenario_the_wire_cannot_play_is_refused_with_file_line_and_what()
    {
        var directory = Path.Combine(Path.GetTempPath(), "linkage-wire-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(directory);
        try
        {
            var file = Path.Combine(directory, "not-for-the-wire.yaml");
            File.WriteAllText(file, """
                name: not-for-the-wire
                feed: trades
                steps:
                  - at: 0s
                    place: { order: o1, product: DOGE-USD, side: BUY, size: "10", price: "0.1", snapshot: s1 }
                  - at: 1s
                    manual: { order: m1, product: AVNT-USD, side: BUY, size: "0.05", price: "1.2" }
                """);
            var (exit, stdout, stderr) = ExchangeProcess.RunExchange(["--plain", "--dir", directory, "--scenario", file]);
            Assert.That(exit, Is.EqualTo(2), stdout + stderr);
            Assert.That(stdout, Does.Not.Contain("rest "), "it never serves");
            Assert.That(stderr, Does.Contain($"{file}:2:").And.Contain("feed: ").And.Contain("legacy Exchange feed"));
            Assert.That(stderr, Does.Contain($"{file}:4:1: steps[0].place.product: DOGE-USD is not traded by the wire server"));
            Assert.That(stderr, Does.Contain($"{file}:6:1: steps[1].manual.size: Coinbase would refuse it for AVNT-USD (INVALID_SIZE_PRECISION"));

            var broken = Path.Combine(directory, "broken.yaml");
            File.WriteAllText(broken, "name: broken\nsteps:\n  - at: 0s\n    jump: {}\n");
            (exit, _, stderr) = ExchangeProcess.RunExchange(["--plain", "--dir", directory, "--scenario", broken]);
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain($"{broken}:3:"), "the loader's own errors name the file and line");

            (exit, _, stderr) = ExchangeProcess.RunExchange(["--plain", "--dir", directory, "--scenario", Path.Combine(directory, "missing.yaml")]);
            Assert.That(exit, Is.EqualTo(2));
            Assert.That(stderr, Does.Contain("missing.yaml: cannot read the file"));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
