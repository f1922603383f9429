using Linkage.Engine;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Scenarios;

public sealed class ScenarioLoaderTests
{
    /// <summary>The example of <c>docs/scenarios.md</c>, verbatim: the contract's own file must load.</summary>
    internal const string ContractExample = """
        name: same-symbol-overwrite          # required; unique within a run
        description: Two BUYs on BTC-USD 5 s apart; the first fills first.
        seed: 7                              # optional (default 1): drives every random choice
        feed: orders                         # optional: orders (default) | trades, see "Feeds"
        latency: { ack: 200ms, feed: 50ms }  # optional defaults for the simulated exchange
        faults: { duplicate: 0.1, reorder: 0.05, drop: 0.0 }   # optional feed faults, per message
        steps:
          - at: 0s
            place: { order: o1, product: BTC-USD, side: BUY, size: "0.002", price: "50000",
                     snapshot: aaa, scores: { buy: 75.3 }, trigger: roc_momo }
          - at: 5s
            place: { order: o2, product: BTC-USD, side: BUY, size: "0.001", snapshot: bbb,
                     scores: { buy: 82.1 }, trigger: roc_momo }
          - at: 10s
            fill: { order: o1, size: "0.001" }
          - at: 15s
            fill: { order: o2 }
          - at: 5m
            fill: { order: o1 }
        expect:
          links:
            - { order: o1, snapshot: aaa, fills: 2, filled: "0.002" }
            - { order: o2, snapshot: bbb, fills: 1 }
          legacy: { wrong: 1, missing: 2 }
        """;

    [TestCase("", ResendAnswer.Original)]
    [TestCase("resend_answer: original\n", ResendAnswer.Original)]
    [TestCase("resend_answer: error\n", ResendAnswer.Error)]
    public void Resend_answer_is_read_and_its_absence_means_the_original_order(string line, ResendAnswer expected)
    {
        var load = ScenarioLoader.Load($"name: x\n{line}steps:\n  - at: 0s\n    disconnect:\n", "x.yaml");
        Assert.That(load.Errors, Is.Empty);
        Assert.That(load.Scenario!.ResendAnswer, Is.EqualTo(expected));
    }

    [Test]
    public void Contract_example_loads_every_field()
    {
        var load = ScenarioLoader.Load(ContractExample, "example.yaml");
        Assert.That(load.Errors, Is.Empty);
        var s = load.Scenario!;
        Assert.Multiple(() =>
        {
            Assert.That(s.Name, Is.EqualTo("same-symbol-overwrite"));
            Assert.That(s.File, Is.EqualTo("example.yaml"));
            Assert.That(s.Seed, Is.EqualTo(7UL));
            Assert.That(s.Feed, Is.EqualTo(FeedKind.Orders));
            Assert.That(s.Latency, Is.EqualTo(new Latency(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50))));
            Assert.That(s.Faults, Is.EqualTo(new Faults(0.1m, 0.05m, 0m)));
            Assert.That(s.Steps, Has.Length.EqualTo(5));
            var o1 = (PlaceStep)s.Steps[0];
            Assert.That((o1.Order, o1.Product, o1.Side, o1.Size, o1.Price, o1.Snapshot, o1.Trigger), Is.EqualTo(("o1", "BTC-USD", Side.Buy, 0.002m, (decimal?)50000m, "aaa", (string?)"roc_momo")));
            Assert.That(o1.Scores, Is.EqualTo(new ScoreSet(75.3m, null)));
            Assert.That(o1.Ack, Is.EqualTo(Ack.Ok));
            Assert.That(o1.Line, Is.EqualTo(8));
            Assert.That(((PlaceStep)s.Steps[1]).Price, Is.Null);
            Assert.That(s.Steps[4], Is.EqualTo(new FillStep(TimeSpan.FromMinutes(5)) { Order = "o1", Line = 18 }));
            Assert.That(s.Expect!.Links.ToArray(), Is.EqualTo(new[]
            {
                new ExpectedLink("o1", "aaa", 2, 0.002m) { Line = 22 },
                new ExpectedLink("o2", "bbb", 1, null) { Line = 23 },
            }));
            Assert.That(s.Expect.Legacy, Is.EqualTo(new ExpectedLegacy(1, 2)));
            Assert.That(s.Expect.External, Is.Null);
        });
    }

    [Test]
    public void Json_input_loads_like_the_same_yaml()
    {
        const string Json = """
            {
              "name": "same-symbol-overwrite",
              "description": "Two BUYs on BTC-USD 5 s apart; the first fills first.",
              "seed": 7,
              "feed": "orders",
              "latency": { "ack": "200ms", "feed": "50ms" },
              "faults": { "duplicate": 0.1, "reorder": 0.05, "drop": 0.0 },
              "steps": [
                { "at": "0s", "place": { "order": "o1", "product": "BTC-USD", "side": "BUY", "size": "0.002", "price": "50000",
                                         "snapshot": "aaa", "scores": { "buy": 75.3 }, "trigger": "roc_momo" } },
                { "at": "5s", "place": { "order": "o2", "product": "BTC-USD", "side": "BUY", "size": "0.001", "snapshot": "bbb",
                                         "scores": { "buy": 82.1 }, "trigger": "roc_momo" } },
                { "at": "10s", "fill": { "order": "o1", "size": "0.001" } },
                { "at": "15s", "fill": { "order": "o2" } },
                { "at": "5m", "fill": { "order": "o1" } }
              ],
              "expect": {
                "links": [ { "order": "o1", "snapshot": "aaa", "fills": 2, "filled": "0.002" }, { "order": "o2", "snapshot": "bbb", "fills": 1 } ],
                "legacy": { "wrong": 1, "missing": 2 }
              }
            }
            """;
        var fromJson = ScenarioLoader.Load(Json, "example.json");
        var fromYaml = ScenarioLoader.Load(ContractExample, "example.yaml");
        Assert.That(fromJson.Errors, Is.Empty);
        Assert.That(ScenarioEquivalence.Difference(fromYaml.Scenario!, fromJson.Scenario!), Is.Null);
    }

    [Test]
    public void Json_errors_name_the_line_too()
    {
        const string Json = "{\n  \"name\": \"j\",\n  \"steps\": [\n    { \"at\": \"0s\", \"fill\": { \"order\": \"o1\", \"size\": 0.5 } }\n  ]\n}\n";
        var error = ScenarioLoader.Load(Json, "j.json").Errors.Single();
        Assert.That(error.ToString(), Is.EqualTo("j.json:4:5: steps[0].fill.order: names order 'o1', which no place, exit or manual step creates"));
    }

    [Test]
    public void Steps_run_in_time_order_and_equal_times_keep_file_order()
    {
        const string Yaml = """
            name: order
            steps:
              - at: 1m
                reconnect:
              - at: 0s
                place: { order: o1, product: P, side: BUY, size: 1, snapshot: s }
              - at: 30s
                disconnect:
              - at: 1m
                fill: { order: o1 }
              - at: 1m
                restart:
              - at: 59999ms
                resend: { order: o1 }
            """;
        var steps = ScenarioLoader.Load(Yaml, "f.yaml").Scenario!.Steps;
        Assert.That(steps.Select(s => (s.GetType().Name, s.Line)), Is.EqualTo(new[]
        {
            ("PlaceStep", 5), ("DisconnectStep", 7), ("ResendStep", 13), ("ReconnectStep", 3), ("FillStep", 9), ("RestartStep", 11),
        }));
    }

    [Test]
    public void Absent_optional_keys_take_the_contract_defaults()
    {
        const string Yaml = """
            name: defaults
            steps:
              - at: 0s
                place: { order: o1, product: P, side: SELL, size: 1, snapshot: s }
              - at: 1s
                restart:
            """;
        var s = ScenarioLoader.Load(Yaml, "f.yaml").Scenario!;
        var place = (PlaceStep)s.Steps[0];
        Assert.Multiple(() =>
        {
            Assert.That((s.Seed, s.Feed, s.Latency, s.Faults, s.Expect, s.Description), Is.EqualTo((1UL, FeedKind.Orders, new Latency(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50)), Faults.None, (Expectations?)null, (string?)null)));
            Assert.That((place.Ack, place.Scores, place.Price, place.Trigger, place.Indicators.Count), Is.EqualTo((Ack.Ok, new ScoreSet(null, null), (decimal?)null, (string?)null, 0)));
            Assert.That(s.Steps[1], Is.EqualTo(new RestartStep(TimeSpan.FromSeconds(1)) { Abrupt = false, Line = 5 }));
        });
    }

    [Test]
    public void Every_form_the_contract_allows_is_read()
    {
        const string Yaml = """
            name: forms
            feed: trades
            latency: { ack: 2s }
            faults: { drop: 1 }
            steps:
              - at: 0ms
                place: { order: a, product: ETH-USD, side: buy, size: 1.50, price: 2000, snapshot: 3f1c9a52-6b1e-4d0a-9c77-2e5d8b41a0f3,
                         scores: { buy: null, sell: "-3.5" }, indicators: { rsi: 31.2, macd: "cross", "bb width": 0.040 }, ack: { delay: 30s } }
              - at: 1s
                place: { order: b, product: ETH-USD, side: SELL, size: "2", snapshot: s2, ack: lost }
              - at: 2s
                place: { order: c, product: ETH-USD, side: BUY, size: "2", snapshot: s3, ack: reject }
              - at: 3s
                place: { order: d, product: ETH-USD, side: BUY, size: "2", snapshot: s4, ack: ok }
              - at: 1h
                fill: { order: a, size: "0.5", price: "1999.99" }
              - at: 2h
                exit: { order: x, product: ETH-USD, trigger: take_profit, scores: { sell: 64 }, closes: [a, d], ack: lost }
              - at: 3h
                manual: { order: m, product: ETH-USD, side: SELL, size: "0.1", price: "2100" }
              - at: 4h
                duplicate: { order: a, as: m }
              - at: 5h
                restart: { abrupt: true }
              - at: 1d
                cancel: { order: a }
            expect:
              links: [ { order: a, snapshot: 3f1c9a52-6b1e-4d0a-9c77-2e5d8b41a0f3, filled: "0.5" } ]
              external: 1
              exits: [ { order: x, closes: [a, d], trigger: take_profit } ]
              legacy: { missing: 3 }
            """;
        var load = ScenarioLoader.Load(Yaml, "forms.yaml");
        Assert.That(load.Errors, Is.Empty);
        var s = load.Scenario!;
        var a = (PlaceStep)s.Steps[0];
        Assert.Multiple(() =>
        {
            Assert.That((s.Feed, s.Latency, s.Faults), Is.EqualTo((FeedKind.Trades, new Latency(TimeSpan.FromSeconds(2), TimeSpan.FromMilliseconds(50)), new Faults(0m, 0m, 1m))));
            Assert.That((a.Side, a.Size, a.Price, a.Scores, a.Ack), Is.EqualTo((Side.Buy, 1.50m, (decimal?)2000m, new ScoreSet(null, -3.5m), (Ack)new AckDelay(TimeSpan.FromSeconds(30)))));
            Assert.That(a.Size.Scale, Is.EqualTo(2), "the decimal keeps the scale it was written with");
            Assert.That(a.Indicators, Is.EqualTo(new Dictionary<string, string> { ["bb width"] = "0.040", ["macd"] = "cross", ["rsi"] = "31.2" }));
            Assert.That(a.Indicators.Keys, Is.EqualTo(new[] { "bb width", "macd", "rsi" }), "indicators are sorted by name (ordinal)");
            Assert.That(((PlaceStep)s.Steps[1]).Ack, Is.EqualTo(Ack.Lost));
            Assert.That(((PlaceStep)s.Steps[2]).Ack, Is.EqualTo(Ack.Reject));
            Assert.That(((PlaceStep)s.Steps[3]).Ack, Is.EqualTo(Ack.Ok));
            Assert.That(s.Steps[4], Is.EqualTo(new FillStep(TimeSpan.FromHours(1)) { Order = "a", Size = 0.5m, Price = 1999.99m, Line = 15 }));
            var x = (ExitStep)s.Steps[5];
            Assert.That((x.Trigger, x.Scores, x.Size, x.Ack, string.Join(",", x.Closes)), Is.EqualTo(("take_profit", new ScoreSet(null, 64m), (decimal?)null, Ack.Lost, "a,d")));
            Assert.That(s.Steps[7], Is.EqualTo(new DuplicateStep(TimeSpan.FromHours(4)) { Order = "a", As = "m", Line = 21 }));
            Assert.That(s.Steps[8], Is.EqualTo(new RestartStep(TimeSpan.FromHours(5)) { Abrupt = true, Line = 23 }));
            Assert.That(s.Expect!.External, Is.EqualTo(1));
            Assert.That(s.Expect.Exits.Single() is { Order: "x", Trigger: "take_profit" } e && e.Closes.SequenceEqual(["a", "d"]), Is.True);
            Assert.That(s.Expect.Legacy, Is.EqualTo(new ExpectedLegacy(null, 3)));
        });
    }
}

