using FsCheck;
using FsCheck.Fluent;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Scenarios;

public sealed class ScenarioWriterTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(300).WithEndSize(60);

    [Test]
    public void Loading_what_the_writer_wrote_gives_the_same_scenario()
    {
        Prop.ForAll(ScenarioGenerator.Arbitrary, scenario =>
        {
            var text = ScenarioWriter.Write(scenario);
            var load = ScenarioLoader.Load(text, "roundtrip.yaml");
            Assert.That(load.Errors, Is.Empty, () => "the writer wrote a file the loader refuses:\n" + text);
            Assert.That(ScenarioEquivalence.Difference(scenario, load.Scenario!), Is.Null, () => "written:\n" + text);
        }).Check(Runs);
    }

    [Test]
    public void Writing_is_deterministic_and_a_written_file_rewrites_to_the_same_bytes()
    {
        Prop.ForAll(ScenarioGenerator.Arbitrary, scenario =>
        {
            var text = ScenarioWriter.Write(scenario);
            Assert.That(ScenarioWriter.Write(scenario), Is.EqualTo(text));
            Assert.That(ScenarioWriter.Write(ScenarioLoader.Load(text, "x.yaml").Scenario!), Is.EqualTo(text));
        }).Check(Runs.WithMaxTest(100));
    }

    [Test]
    public void Contract_example_round_trips_through_the_writer()
    {
        var original = ScenarioLoader.Load(ScenarioLoaderTests.ContractExample, "example.yaml").Scenario!;
        var text = ScenarioWriter.Write(original);
        var again = ScenarioLoader.Load(text, "example.yaml");
        Assert.Multiple(() =>
        {
            Assert.That(again.Errors, Is.Empty, text);
            Assert.That(ScenarioEquivalence.Difference(original, again.Scenario!), Is.Null, text);
            Assert.That(text, Does.StartWith("name: same-symbol-overwrite\ndescription: "));
            Assert.That(text, Does.Contain("\n  - at: 0s\n    place: {order: o1, product: BTC-USD, side: BUY, size: \"0.002\", price: \"50000\", snapshot: aaa, scores: {buy: 75.3, sell: null}, trigger: roc_momo}\n"));
        });
    }

    [Test]
    public void Equivalence_sees_a_changed_member()
    {
        // The round-trip property is only as strong as its comparison: prove it notices a dropped field and a changed scale.
        var s = ScenarioLoader.Load(ScenarioLoaderTests.ContractExample, "example.yaml").Scenario!;
        var withoutTrigger = s with { Steps = s.Steps.SetItem(0, ((PlaceStep)s.Steps[0]) with { Trigger = null }) };
        var otherScale = s with { Steps = s.Steps.SetItem(0, ((PlaceStep)s.Steps[0]) with { Size = 0.0020m }) };
        Assert.Multiple(() =>
        {
            Assert.That(ScenarioEquivalence.Difference(s, withoutTrigger), Is.EqualTo("scenario.Steps[0].Trigger: \"roc_momo\" vs null"));
            Assert.That(ScenarioEquivalence.Difference(s, otherScale), Is.EqualTo("scenario.Steps[0].Size: 0.002 vs 0.0020"));
            Assert.That(ScenarioEquivalence.Difference(s, s with { File = "elsewhere.yaml" }), Is.Null, "the file name is not part of the scenario");
        });
    }
}
