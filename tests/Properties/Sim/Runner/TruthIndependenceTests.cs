using System.Text.Json;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Sim.Runner;

/// <summary>
/// The harness's truth comes from what the simulated exchange received, not from the engine's id code (issue 17,
/// item 2): each intent's client order id is the one on the create-order the exchange got while the runner handed that
/// intent to the webhook.
/// </summary>
public sealed class TruthIndependenceTests
{
    [Test]
    public void Each_intent_is_known_by_the_client_order_id_its_create_order_carried()
    {
        var scenario = SeedScenarios.ExitWithoutMetadata() with
        {
            Steps = [.. SeedScenarios.SameSymbolOverwrite().Steps, .. SeedScenarios.ExitWithoutMetadata().Steps.Skip(2)],
            Expect = null,
        };
        var result = ScenarioRunner.Run(scenario, SeedScenarios.Memory with { Capture = true });
        var sent = result.Capture.Where(l => l.Kind == "order_request")
            .Select(l => JsonDocument.Parse(l.DataJson).RootElement.GetProperty("client_order_id").GetString()!)
            .Distinct(StringComparer.Ordinal).ToList();
        var labels = scenario.Steps.Select(s => s switch { PlaceStep p => p.Order, ExitStep x => x.Order, _ => null }).OfType<string>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(result.Failures, Is.Empty, SeedScenarioRunTests.Describe(result));
            Assert.That(labels.Select(l => result.ClientOrderIds.GetValueOrDefault(l)), Is.EqualTo(sent), "in delivery order, the ids the exchange received");
            Assert.That(sent, Has.Count.EqualTo(3));
        });
    }
}
