using System.Diagnostics;
using Linkage.Sim.Stores;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Durability;

/// <summary>
/// Metamorphic restart check: on a durable store, a <c>restart</c> inserted before ANY step of a shipped scenario (or
/// after its last) ends with the same links, by client order id, as the run without it. A restart is the one fault a
/// durable design must make invisible.
/// </summary>
[NonParallelizable]
public sealed class RestartMetamorphicTests
{
    [OneTimeTearDown]
    public void DropDatabase() => ShippedScenarios.DropDatabase();

    /// <summary><paramref name="scenario"/> with a restart before step <paramref name="k"/> (at that step's time; at the end when k is the step count).</summary>
    public static Scenario WithRestartAt(Scenario scenario, int k, bool abrupt)
    {
        var at = scenario.Steps.IsEmpty ? TimeSpan.Zero : scenario.Steps[Math.Min(k, scenario.Steps.Length - 1)].At;
        return scenario with { Steps = scenario.Steps.Insert(k, new RestartStep(at) { Abrupt = abrupt }) };
    }

    /// <summary>
    /// Set <c>LINKAGE_DURABILITY_EVERY_K=1</c> to check PostgreSQL at every k too; by default it checks every fourth
    /// k (a different quarter per scenario), because a PostgreSQL run costs about four SQLite runs (measured: every k
    /// on SQLite takes 30 to 45 s, on PostgreSQL about 3 min, on a shared 2-core machine).
    /// </summary>
    private static bool EveryK(string store, int scenario, int k) =>
        store != StoreFactory.Postgres || Environment.GetEnvironmentVariable("LINKAGE_DURABILITY_EVERY_K") == "1" || (k + scenario) % 4 == 0;

    [TestCase(StoreFactory.Sqlite, false)]
    [TestCase(StoreFactory.Sqlite, true)]
    [TestCase(StoreFactory.Postgres, true)]
    public void A_restart_at_every_step_leaves_every_shipped_scenarios_links_unchanged(string store, bool abrupt)
    {
        var options = ShippedScenarios.On(store);
        var index = 0;
        var runs = 0;
        var clock = Stopwatch.StartNew();
        Assert.Multiple(() =>
        {
            foreach (var scenario in ShippedScenarios.All)
            {
                index++;
                var expected = ShippedScenarios.LinksByClientOrderId(ScenarioRunner.Run(scenario, options));
                for (var k = 0; k <= scenario.Steps.Length; k++)
                {
                    if (!EveryK(store, index, k))
                    {
                        continue;
                    }
                    var result = ScenarioRunner.Run(WithRestartAt(scenario, k, abrupt), options);
                    runs++;
                    var context = $"{scenario.Name} with a restart before step {k}: {ShippedScenarios.Describe(result)}";
                    Assert.That(result.Wrong + result.Missing + result.Lost, Is.Zero, context);
                    Assert.That(ShippedScenarios.LinksByClientOrderId(result), Is.EqualTo(expected), context);
                }
            }
        });
        TestContext.Out.WriteLine($"{store} abrupt={abrupt}: {runs} restarted runs over {ShippedScenarios.All.Length} scenarios in {clock.Elapsed.TotalSeconds:F1} s");
    }
}
