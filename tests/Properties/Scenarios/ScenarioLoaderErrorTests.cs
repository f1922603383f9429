using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Scenarios;

/// <summary>Every kind of bad input is an error naming the file, the line and the key, with a reason; nothing throws.</summary>
public sealed class ScenarioLoaderErrorTests
{
    private const string File = "bad.yaml";

    /// <summary>A valid file's opening: one placed order <c>o1</c> on BTC-USD at line 4 (size 0.002), one exit <c>x1</c> at line 6.</summary>
    private const string Head = """
        name: bad
        steps:
          - at: 0s
            place: { order: o1, product: BTC-USD, side: BUY, size: "0.002", snapshot: aaa }
          - at: 1s
            exit: { order: x1, product: BTC-USD, trigger: stop_loss }

        """;

    private static TestCaseData Case(string name, string yaml, int line, string key, string reason) =>
        new TestCaseData(yaml, line, key, reason).SetName($"{{m}}({name})");

    private static IEnumerable<TestCaseData> Cases()
    {
        yield return Case("unknown top-level key", "name: x\ncolour: red\nsteps:\n  - at: 0s\n    disconnect:\n", 2, "colour", "unknown key");
        yield return Case("unknown step key", Head + "  - at: 2s\n    reconnect:\n    when: now\n", 9, "steps[2].when", "unknown key");
        yield return Case("unknown action field", Head + "  - at: 2s\n    fill: { order: o1, qty: \"0.001\" }\n", 8, "steps[2].fill.qty", "unknown key");
        yield return Case("unknown latency key", "name: x\nlatency: { ack: 1s, reply: 2s }\nsteps:\n  - at: 0s\n    disconnect:\n", 2, "latency.reply", "unknown key");
        yield return Case("duration without unit", Head + "  - at: 10\n    reconnect:\n", 7, "steps[2].at", "not a duration");
        yield return Case("duration with unknown unit", Head + "  - at: 3w\n    reconnect:\n", 7, "steps[2].at", "not a duration");
        yield return Case("negative duration", Head + "  - at: -5s\n    reconnect:\n", 7, "steps[2].at", "not a duration");
        yield return Case("fractional duration", Head + "  - at: 1.5s\n    reconnect:\n", 7, "steps[2].at", "not a duration");
        yield return Case("duration too long", Head + "  - at: 99999999d\n    reconnect:\n", 7, "steps[2].at", "longer than the longest");
        yield return Case("bad ack delay", "name: x\nsteps:\n  - at: 0s\n    place: { order: o1, product: P, side: BUY, size: 1, snapshot: s,\n             ack: { delay: soon } }\n", 5, "steps[0].place.ack.delay", "not a duration");
        yield return Case("bad decimal", Head + "  - at: 2s\n    fill: { order: o1, size: \"0,001\" }\n", 8, "steps[2].fill.size", "not a decimal");
        yield return Case("decimal beyond decimal range", Head + "  - at: 2s\n    fill: { order: o1, size: 1e400 }\n", 8, "steps[2].fill.size", "not a decimal");
        yield return Case("zero size", Head + "  - at: 2s\n    fill: { order: o1, size: 0 }\n", 8, "steps[2].fill.size", "greater than 0");
        yield return Case("negative price", Head + "  - at: 2s\n    fill: { order: o1, price: \"-1\" }\n", 8, "steps[2].fill.price", "greater than 0");
        yield return Case("size above the engine's maximum", Head + "  - at: 2s\n    manual: { order: m1, product: P, side: BUY, size: 1000000000001 }\n", 8, "steps[2].manual.size", "at most");
        yield return Case("score that is not a number", "name: x\nsteps:\n  - at: 0s\n    place: { order: o1, product: P, side: BUY, size: 1, snapshot: s, scores: { buy: high } }\n", 4, "steps[0].place.scores.buy", "not a decimal");
        yield return Case("missing name", "steps:\n  - at: 0s\n    disconnect:\n", 1, "name", "required");
        yield return Case("missing steps", "name: x\n", 1, "steps", "required");
        yield return Case("empty steps", "name: x\nsteps: []\n", 2, "steps", "at least one step");
        yield return Case("missing at", Head + "  - reconnect:\n", 7, "steps[2].at", "required");
        yield return Case("missing product", "name: x\nsteps:\n  - at: 0s\n    place: { order: o1, side: BUY, size: 1, snapshot: s }\n", 4, "steps[0].place.product", "required");
        yield return Case("missing snapshot", "name: x\nsteps:\n  - at: 0s\n    place: { order: o1, product: P, side: BUY, size: 1 }\n", 4, "steps[0].place.snapshot", "required");
        yield return Case("missing exit trigger", "name: x\nsteps:\n  - at: 0s\n    exit: { order: x1, product: P }\n", 4, "steps[0].exit.trigger", "required");
        yield return Case("action without its fields", Head + "  - at: 2s\n    fill:\n", 7, "steps[2].fill", "needs its fields");
        yield return Case("fill naming an unknown order", Head + "  - at: 2s\n    fill: { order: o9 }\n", 7, "steps[2].fill.order", "names order 'o9'");
        yield return Case("cancel naming an unknown order", Head + "  - at: 2s\n    cancel: { order: o9 }\n", 7, "steps[2].cancel.order", "names order 'o9'");
        yield return Case("duplicate naming an unknown order", Head + "  - at: 2s\n    duplicate: { order: o9 }\n", 7, "steps[2].duplicate.order", "names order 'o9'");
        yield return Case("resend naming an unknown order", Head + "  - at: 2s\n    resend: { order: o9 }\n", 7, "steps[2].resend.order", "names order 'o9'");
        yield return Case("closes naming an unknown order", Head + "  - at: 2s\n    exit: { order: x2, product: BTC-USD, trigger: t, closes: [o9] }\n", 7, "steps[2].exit.closes", "names order 'o9'");
        yield return Case("duplicate as an unknown order", Head + "  - at: 2s\n    fill: { order: o1 }\n  - at: 3s\n    duplicate: { order: o1, as: o9 }\n", 9, "steps[3].duplicate.as", "names order 'o9'");
        yield return Case("fill before its order is placed", "name: x\nsteps:\n  - at: 5s\n    place: { order: o1, product: P, side: BUY, size: 1, snapshot: s }\n  - at: 1s\n    fill: { order: o1 }\n", 5, "steps[1].fill.order", "only created later in run order (line 3)");
        yield return Case("fill in the same instant but earlier in the file", "name: x\nsteps:\n  - at: 0s\n    fill: { order: o1 }\n  - at: 0s\n    place: { order: o1, product: P, side: BUY, size: 1, snapshot: s }\n", 3, "steps[0].fill.order", "only created later");
        yield return Case("duplicate label", Head + "  - at: 2s\n    manual: { order: o1, product: P, side: SELL, size: 1 }\n", 7, "steps[2].manual.order", "already used at line 3");
        yield return Case("step with no action", Head + "  - at: 2s\n", 7, "steps[2]", "needs one action");
        yield return Case("step with two actions", Head + "  - at: 2s\n    disconnect:\n    reconnect:\n", 7, "steps[2]", "exactly one action, this one has disconnect and reconnect");
        yield return Case("bad side", "name: x\nsteps:\n  - at: 0s\n    place: { order: o1, product: P, side: LONG, size: 1, snapshot: s }\n", 4, "steps[0].place.side", "not one of BUY, SELL");
        yield return Case("bad ack word", "name: x\nsteps:\n  - at: 0s\n    place: { order: o1, product: P, side: BUY, size: 1, snapshot: s, ack: late }\n", 4, "steps[0].place.ack", "'late' is not ok, lost, reject");
        yield return Case("bad ack mapping", "name: x\nsteps:\n  - at: 0s\n    place: { order: o1, product: P, side: BUY, size: 1, snapshot: s, ack: { after: 3s } }\n", 4, "steps[0].place.ack.after", "unknown key");
        yield return Case("fault above one", "name: x\nfaults: { duplicate: 1.5 }\nsteps:\n  - at: 0s\n    disconnect:\n", 2, "faults.duplicate", "between 0 and 1");
        yield return Case("negative fault", "name: x\nfaults: { drop: -0.1 }\nsteps:\n  - at: 0s\n    disconnect:\n", 2, "faults.drop", "between 0 and 1");
        yield return Case("bad feed", "name: x\nfeed: fills\nsteps:\n  - at: 0s\n    disconnect:\n", 2, "feed", "not one of orders, trades");
        yield return Case("bad resend answer", "name: x\nresend_answer: refused\nsteps:\n  - at: 0s\n    disconnect:\n", 2, "resend_answer", "not one of original, error");
        yield return Case("negative seed", "name: x\nseed: -3\nsteps:\n  - at: 0s\n    disconnect:\n", 2, "seed", "not a whole number");
        yield return Case("abrupt that is not a boolean", Head + "  - at: 2s\n    restart: { abrupt: maybe }\n", 8, "steps[2].restart.abrupt", "not true or false");
        yield return Case("disconnect with fields", Head + "  - at: 2s\n    disconnect: { for: 5s }\n", 8, "steps[2].disconnect.for", "takes no fields");
        yield return Case("fills above the order's size", Head + "  - at: 2s\n    fill: { order: o1, size: \"0.0015\" }\n  - at: 3s\n    fill: { order: o1, size: \"0.001\" }\n", 9, "steps[3].fill.size", "add up to 0.0025, more than its size 0.002");
        yield return Case("fill after the order filled in full", Head + "  - at: 2s\n    fill: { order: o1 }\n  - at: 3s\n    fill: { order: o1, size: \"0.001\" }\n", 9, "steps[3].fill.order", "nothing left to fill: filled in full at line 7");
        yield return Case("fill after a cancel", Head + "  - at: 2s\n    cancel: { order: o1 }\n  - at: 3s\n    fill: { order: o1 }\n", 9, "steps[3].fill.order", "nothing left to fill: cancelled at line 7");
        yield return Case("fill of a rejected order", "name: x\nsteps:\n  - at: 0s\n    place: { order: o1, product: P, side: BUY, size: 1, snapshot: s, ack: reject }\n  - at: 1s\n    fill: { order: o1 }\n", 5, "steps[1].fill.order", "rejected");
        yield return Case("cancel twice", Head + "  - at: 2s\n    cancel: { order: o1 }\n  - at: 3s\n    cancel: { order: o1 }\n", 9, "steps[3].cancel.order", "already cancelled");
        yield return Case("duplicate before any fill", Head + "  - at: 2s\n    duplicate: { order: o1 }\n", 7, "steps[2].duplicate.order", "has no fill before this step");
        yield return Case("duplicate as itself", Head + "  - at: 2s\n    fill: { order: o1 }\n  - at: 3s\n    duplicate: { order: o1, as: o1 }\n", 9, "steps[3].duplicate.as", "the duplicated order itself");
        yield return Case("resend of a manual order", Head + "  - at: 2s\n    manual: { order: m1, product: P, side: BUY, size: 1 }\n  - at: 3s\n    resend: { order: m1 }\n", 9, "steps[3].resend.order", "'m1' is a manual order");
        yield return Case("closes naming an exit", Head + "  - at: 2s\n    exit: { order: x2, product: BTC-USD, trigger: t, closes: [x1] }\n", 7, "steps[2].exit.closes", "'x1' is an exit");
        yield return Case("closes naming an entry of another product", Head + "  - at: 2s\n    exit: { order: x2, product: ETH-USD, trigger: t, closes: [o1] }\n", 7, "steps[2].exit.closes", "entry 'o1' is on BTC-USD, but the exit sells ETH-USD");
        yield return Case("closes naming an entry twice", Head + "  - at: 2s\n    exit: { order: x2, product: BTC-USD, trigger: t, closes: [o1, o1] }\n", 7, "steps[2].exit.closes", "names entry 'o1' twice");
        yield return Case("expected link for an unknown order", Head + "expect:\n  links:\n    - { order: o7, snapshot: aaa }\n", 9, "expect.links[0].order", "names order 'o7', which no step creates");
        yield return Case("expected link for a manual order", Head + "  - at: 2s\n    manual: { order: m1, product: P, side: BUY, size: 1 }\nexpect:\n  links:\n    - { order: m1 }\n", 11, "expect.links[0].order", "'m1' is a manual order");
        yield return Case("expected exit naming an entry", Head + "expect:\n  exits:\n    - { order: o1, closes: [o1] }\n", 9, "expect.exits[0].order", "'o1' is an entry");
        yield return Case("expected link listed twice", Head + "expect:\n  links:\n    - { order: o1 }\n    - { order: o1, fills: 1 }\n", 10, "expect.links[1].order", "already listed at line 9");
        yield return Case("expected count negative", Head + "expect:\n  external: -1\n", 8, "expect.external", "not a whole number");
        yield return Case("unknown expect key", Head + "expect:\n  wrong: 0\n", 8, "expect.wrong", "unknown key");
        yield return Case("unknown legacy key", Head + "expect:\n  legacy: { wrong: 1, lost: 2 }\n", 8, "expect.legacy.lost", "unknown key");
        yield return Case("name that is a path", "name: ../escape\nsteps:\n  - at: 0s\n    disconnect:\n", 1, "name", "usable as a file name");
        yield return Case("list where a mapping belongs", "name: x\nsteps:\n  - at: 0s\n    place: [o1, P]\n", 4, "steps[0].place", "expected a mapping");
        yield return Case("mapping where a value belongs", Head + "  - at: 2s\n    fill: { order: { id: o1 } }\n", 8, "steps[2].fill.order", "expected a single value");
        yield return Case("not YAML", "name: x\nsteps: [\n", 3, "", "not valid YAML");
        yield return Case("key given twice", "name: x\nname: y\nsteps:\n  - at: 0s\n    disconnect:\n", 2, "", "Duplicate key");
        yield return Case("two documents", "name: x\nsteps:\n  - at: 0s\n    disconnect:\n---\nname: y\n", 6, "", "exactly one scenario");
        yield return Case("empty file", "", 1, "", "empty");
        yield return Case("a list at the top", "- name: x\n", 1, "", "expected a mapping");
    }

    [TestCaseSource(nameof(Cases))]
    public void Bad_input_is_an_error_with_file_line_key_and_reason(string yaml, int line, string key, string reason)
    {
        var load = ScenarioLoader.Load(yaml, File);
        Assert.Multiple(() =>
        {
            Assert.That(load.Scenario, Is.Null, "a file with an error yields no scenario");
            Assert.That(load.Errors, Has.Some.Matches<ScenarioError>(e => e.File == File && e.Line == line && e.Key == key && e.Reason.Contains(reason, StringComparison.Ordinal)),
                () => $"expected {File}:{line}: {key}: ...{reason}...; got:\n{string.Join("\n", load.Errors)}");
        });
    }

    [Test]
    public void Every_error_of_a_file_is_reported_not_only_the_first()
    {
        const string Yaml = """
            name: many
            seed: lots
            faults: { drop: 2 }
            steps:
              - at: 0s
                place: { order: o1, product: BTC-USD, side: HOLD, size: "-1", snapshot: aaa, colour: red }
              - at: soon
                fill: { order: o1 }
              - at: 1m
                fill: { order: ghost }
              - at: 2m
                disconnect:
                reconnect:
            expect:
              links:
                - { order: nobody }
            """;
        var errors = ScenarioLoader.Load(Yaml, File).Errors;
        var found = errors.Select(e => (e.Line, e.Key)).ToArray();
        Assert.That(found, Is.EquivalentTo(new[]
        {
            (2, "seed"),
            (3, "faults.drop"),
            (6, "steps[0].place.side"),
            (6, "steps[0].place.size"),
            (6, "steps[0].place.colour"),
            (7, "steps[1].at"),
            (9, "steps[2].fill.order"),
            (11, "steps[3]"),
            (16, "expect.links[0].order"),
        }), string.Join("\n", errors));
        Assert.That(errors.Select(e => e.Line), Is.Ordered, "errors are sorted by line");
    }

    [Test]
    public void A_missing_file_is_an_error_not_an_exception()
    {
        var path = Path.Combine(Path.GetTempPath(), "linkage-no-such-file-" + TestContext.CurrentContext.Test.ID + ".yaml");
        var load = ScenarioLoader.LoadFile(path);
        Assert.That(load.Errors.Single(), Has.Property(nameof(ScenarioError.File)).EqualTo(path)
            .And.Property(nameof(ScenarioError.Reason)).StartsWith("cannot read the file"));
    }

    [Test]
    public void A_file_that_is_not_utf8_is_an_error()
    {
        var path = Path.Combine(Path.GetTempPath(), $"linkage-latin1-{TestContext.CurrentContext.Test.ID}.yaml");
        System.IO.File.WriteAllBytes(path, [.. "name: caf"u8, 0xE9, .. "\nsteps: []\n"u8]);
        try
        {
            Assert.That(ScenarioLoader.LoadFile(path).Errors.Single().ToString(), Is.EqualTo($"{path}:1:10: the file is not valid UTF-8 (a scenario file is UTF-8 text)"),
                "the error points at the first byte that is not UTF-8");
        }
        finally
        {
            System.IO.File.Delete(path);
        }
    }
}
