using Linkage.Sim.Stores;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Durability;

/// <summary>
/// Every shipped scenario on all three stores: the durable stores link every bot trade, restarts or not; the memory
/// store may lose what a restart wipes (reported <c>lost</c>), but never links a trade to the wrong decision.
/// </summary>
[NonParallelizable]
public sealed class EveryStoreReplayTests
{
    [OneTimeTearDown]
    public void DropDatabase() => ShippedScenarios.DropDatabase();

    private static bool Restarts(Scenario scenario) => scenario.Steps.Any(s => s is RestartStep);

    [TestCase(StoreFactory.Sqlite)]
    [TestCase(StoreFactory.Postgres)]
    public void On_a_durable_store_every_shipped_scenario_passes_and_nothing_is_lost(string store)
    {
        var options = ShippedScenarios.On(store);
        Assert.Multiple(() =>
        {
            foreach (var scenario in ShippedScenarios.All)
            {
                var result = ScenarioRunner.Run(scenario, options);
                Assert.That(result.Failures, Is.Empty, ShippedScenarios.Describe(result));
                Assert.That(result.Wrong + result.Missing + result.Lost, Is.Zero, ShippedScenarios.Describe(result));
            }
        });
    }

    [Test]
    public void On_memory_restarts_lose_trades_but_never_link_them_wrongly()
    {
        var options = ShippedScenarios.On(StoreFactory.Memory);
        var lost = 0;
        Assert.Multiple(() =>
        {
            foreach (var scenario in ShippedScenarios.All)
            {
                var result = ScenarioRunner.Run(scenario, options);
                lost += result.Lost;
                Assert.That(result.Wrong, Is.Zero, ShippedScenarios.Describe(result));
                if (!Restarts(scenario))
                {
                    // Without a restart the memory store is as good as a durable one: nothing to excuse.
                    Assert.That(result.Failures, Is.Empty, ShippedScenarios.Describe(result));
                    Assert.That(result.Lost + result.Missing, Is.Zero, ShippedScenarios.Describe(result));
                }
            }
        });
        // The shipped restart scenarios include fills after a restart that a volatile store cannot link; if none is
        // reported lost, the oracle's volatile-store accounting (or the memory session) is not doing its job.
        Assert.That(lost, Is.Positive, "no trade reported lost on memory across the shipped restart scenarios");
    }
}
