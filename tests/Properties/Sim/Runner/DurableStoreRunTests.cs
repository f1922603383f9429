using Linkage.Properties.Support;
using Linkage.Sim.Stores;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;
using static Linkage.Properties.Sim.SeedScenarios;

namespace Linkage.Properties.Sim.Runner;

/// <summary>Replays on the durable stores: SQLite (a temporary file per run) and PostgreSQL (a schema per run).</summary>
public sealed class DurableStoreRunTests
{
    private static string? _postgres;

    [OneTimeTearDown]
    public void DropDatabase()
    {
        if (_postgres is not null)
        {
            PostgresServer.DropDatabase(_postgres);
            _postgres = null;
        }
    }

    private static RunOptions Store(string store)
    {
        if (store == StoreFactory.Postgres)
        {
            _postgres ??= PostgresServer.CreateDatabase("sim-runner");
            return new RunOptions { Store = store, PostgresConnectionString = _postgres };
        }
        return new RunOptions { Store = store };
    }

    private static IEnumerable<TestCaseData> Cases() =>
        from store in new[] { StoreFactory.Sqlite, StoreFactory.Postgres }
        from feed in new[] { FeedKind.Orders, FeedKind.Trades }
        select new TestCaseData(store, feed).SetArgDisplayNames(store, feed.ToString().ToLowerInvariant());

    /// <summary>A durable store keeps everything across restarts, clean or abrupt: every bot trade links, none is lost.</summary>
    [TestCaseSource(nameof(Cases))]
    public void On_a_durable_store_restarts_lose_nothing(string store, FeedKind feed)
    {
        var scenario = FaultScenarioTests.Restarting(feed);
        var result = ScenarioRunner.Run(scenario, Store(store));
        Assert.Multiple(() =>
        {
            Assert.That(result.Failures, Is.Empty, SeedScenarioRunTests.Describe(result));
            Assert.That(result.Lost + result.Missing + result.Wrong, Is.Zero);
            Assert.That(result.Linked, Is.EqualTo(7));
        });
    }

    /// <summary>Without restarts, the durable stores make exactly the links the reference memory store makes.</summary>
    [TestCase(StoreFactory.Sqlite)]
    [TestCase(StoreFactory.Postgres)]
    public void Durable_stores_link_as_the_memory_store_does(string store)
    {
        foreach (var scenario in All())
        {
            var reference = ScenarioRunner.Run(scenario, Memory);
            var durable = ScenarioRunner.Run(scenario, Store(store));
            Assert.Multiple(() =>
            {
                Assert.That(durable.Failures, Is.Empty, SeedScenarioRunTests.Describe(durable));
                Assert.That(durable.Links, Is.EqualTo(reference.Links), scenario.Name);
                Assert.That(durable.Allocations, Is.EqualTo(reference.Allocations), scenario.Name);
            });
        }
    }
}
