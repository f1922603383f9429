using Linkage.Engine;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Scenarios;

/// <summary>
/// The scenario format's bracket extension (docs/scenarios.md, "Extensions"): <c>place.bracket</c> and <c>fill.leg</c>
/// read, written back, and refused with FILE:LINE:COLUMN errors naming the key when the exchange could not do them.
/// </summary>
public sealed class BracketScenarioTests
{
    private const string File = "bracket.yaml";

    /// <summary>An entry with a bracket at line 4, filled in full at line 6.</summary>
    private const string Head = """
        name: bracket
        steps:
          - at: 0s
            place: { order: e1, product: BTC-USD, side: BUY, size: "0.002", price: "50000", snapshot: s1, bracket: { take_profit: "55000", stop_loss: "45000" } }
          - at: 1s
            fill: { order: e1 }

        """;

    [Test]
    public void A_bracket_and_its_leg_fills_load_and_write_back_the_same()
    {
        var yaml = Head + "  - at: 1h\n    fill: { order: e1, leg: take_profit, size: \"0.001\" }\n  - at: 2h\n    fill: { order: e1, leg: stop_loss, price: \"44000\" }\n";
        var load = ScenarioLoader.Load(yaml, File);
        Assert.That(load.Errors, Is.Empty, string.Join("\n", load.Errors));
        var scenario = load.Scenario!;
        var again = ScenarioLoader.Load(ScenarioWriter.Write(scenario), File).Scenario!;
        Assert.Multiple(() =>
        {
            Assert.That(((PlaceStep)scenario.Steps[0]).Bracket, Is.EqualTo(new Bracket(55000m, 45000m)));
            Assert.That(scenario.Steps.OfType<FillStep>().Select(f => f.Leg), Is.EqualTo(new BracketLeg?[] { null, BracketLeg.TakeProfit, BracketLeg.StopLoss }));
            Assert.That(((PlaceStep)again.Steps[0]).Bracket, Is.EqualTo(new Bracket(55000m, 45000m)));
            Assert.That(again.Steps.OfType<FillStep>().Select(f => (f.Leg, f.Size, f.Price)), Is.EqualTo(scenario.Steps.OfType<FillStep>().Select(f => (f.Leg, f.Size, f.Price))));
        });
    }

    private static TestCaseData Case(string name, string yaml, int line, string key, string reason) =>
        new TestCaseData(yaml, line, key, reason).SetName($"{{m}}({name})");

    private static IEnumerable<TestCaseData> Cases()
    {
        const string plain = "name: x\nsteps:\n  - at: 0s\n    place: { order: e1, product: P, side: BUY, size: 1, price: 10, snapshot: s }\n  - at: 1s\n    fill: { order: e1 }\n  - at: 2s\n    fill: { order: e1, leg: take_profit }\n";
        yield return Case("leg of an entry without a bracket", plain, 7, "steps[2].fill.leg", "has no bracket");
        yield return Case("take profit below stop loss on a BUY", "name: x\nsteps:\n  - at: 0s\n    place: { order: e1, product: P, side: BUY, size: 1, snapshot: s, bracket: { take_profit: 9, stop_loss: 11 } }\n",
            4, "steps[0].place.bracket.take_profit", "must be above stop_loss");
        yield return Case("take profit above stop loss on a SELL", "name: x\nsteps:\n  - at: 0s\n    place: { order: e1, product: P, side: SELL, size: 1, snapshot: s, bracket: { take_profit: 11, stop_loss: 9 } }\n",
            4, "steps[0].place.bracket.take_profit", "must be below stop_loss");
        yield return Case("bracket without a stop loss", "name: x\nsteps:\n  - at: 0s\n    place: { order: e1, product: P, side: BUY, size: 1, snapshot: s, bracket: { take_profit: 11 } }\n",
            4, "steps[0].place.bracket.stop_loss", "required");
        yield return Case("unknown bracket key", "name: x\nsteps:\n  - at: 0s\n    place: { order: e1, product: P, side: BUY, size: 1, snapshot: s, bracket: { take_profit: 11, stop_loss: 9, trail: 1 } }\n",
            4, "steps[0].place.bracket.trail", "unknown key");
        yield return Case("unknown leg", Head + "  - at: 2s\n    fill: { order: e1, leg: trailing }\n", 8, "steps[2].fill.leg", "'trailing' is not one of take_profit, stop_loss");
        yield return Case("leg before the entry filled in full", Head.Replace("fill: { order: e1 }", "fill: { order: e1, size: \"0.001\" }", StringComparison.Ordinal) + "  - at: 2s\n    fill: { order: e1, leg: stop_loss }\n",
            7, "steps[2].fill.leg", "not filled in full");
        yield return Case("take profit leg below the take profit", Head + "  - at: 2s\n    fill: { order: e1, leg: take_profit, price: \"54000\" }\n", 7, "steps[2].fill.price", "worse than the take profit");
        yield return Case("stop loss leg at the take profit", Head + "  - at: 2s\n    fill: { order: e1, leg: stop_loss, price: \"55000\" }\n", 7, "steps[2].fill.price", "that is the take-profit leg");
        yield return Case("bracket fills beyond the entry's size", Head + "  - at: 2s\n    fill: { order: e1, leg: take_profit, size: \"0.003\" }\n", 7, "steps[2].fill.size", "more than the entry's size");
        yield return Case("leg fill after the bracket filled in full", Head + "  - at: 2s\n    fill: { order: e1, leg: take_profit }\n  - at: 3s\n    fill: { order: e1, leg: stop_loss }\n",
            9, "steps[3].fill.leg", "nothing left to fill");
        yield return Case("leg of a manual order", "name: x\nsteps:\n  - at: 0s\n    manual: { order: m1, product: P, side: BUY, size: 1 }\n  - at: 1s\n    fill: { order: m1, leg: take_profit }\n",
            5, "steps[1].fill.order", "this step needs an entry (place)");
    }

    [TestCaseSource(nameof(Cases))]
    public void Bad_bracket_input_is_an_error_with_file_line_key_and_reason(string yaml, int line, string key, string reason)
    {
        var load = ScenarioLoader.Load(yaml, File);
        Assert.Multiple(() =>
        {
            Assert.That(load.Scenario, Is.Null);
            Assert.That(load.Errors, Has.Some.Matches<ScenarioError>(e => e.File == File && e.Line == line && e.Key == key && e.Reason.Contains(reason, StringComparison.Ordinal)),
                string.Join("\n", load.Errors));
        });
    }
}
