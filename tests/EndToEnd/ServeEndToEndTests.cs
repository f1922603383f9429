using Linkage.Stores.Postgres;
using Linkage.Stores.Sqlite;
using Linkage.Testing;

namespace Linkage.EndToEnd.Tests;

/// <summary>
/// <c>linkage serve</c> against <c>linkage exchange</c> with faults on, both real processes on loopback: killed with
/// SIGKILL at seeded points and restarted on the same store, feeds cut, messages dropped, duplicated and reordered,
/// create-order answers lost. At the end the exchange's truth file judges the daemon's store (<see cref="Sim.Server.TruthJudge"/>).
/// </summary>
[NonParallelizable]
public sealed class ServeEndToEndTests
{
    private const int Entries = 12;

    [TestCase("after-staging:2", 11)]
    [TestCase("before-create-order:3", 12)]
    [TestCase("after-create-order:2", 13)]
    [TestCase("mid-fills:4", 14)]
    [TestCase("mid-reconciliation:2", 15)]
    public async Task On_SQLite_a_daemon_killed_at_a_seeded_point_and_restarted_loses_and_doubles_nothing(string killAt, int seed)
    {
        using var run = EndToEndRun.Start(seed, "swarm", (exchange, directory) =>
            [new DaemonSlot("a", [.. EndToEndRun.ExchangeArgs(exchange), "--sqlite", Path.Combine(directory, "linkage.db")], null, killAt, restart: true)]);
        await run.Workload(Entries);
        var unsettled = await run.Settle(TimeSpan.FromSeconds(90));
        var (exits, truth) = run.Stop();
        using var store = SqliteStore.Open(new SqliteStoreOptions { Path = Path.Combine(run.Directory, "linkage.db") });
        var report = EndToEndRun.Judge(truth, store);
        Report(run, report, truth, $"sqlite, kill at {killAt}");
        Assert.Multiple(() =>
        {
            Assert.That(run.Slots[0].Deaths, Has.Some.StartsWith($"kill-at {killAt}"), "the daemon must die at its kill point, or the test proves nothing");
            Assert.That(exits, Is.All.EqualTo(0), "a SIGTERM stops the daemon cleanly");
            Assert.That(unsettled, Is.Empty, "every order of the bot ends linked to what the exchange filled");
            Assert.That(report.Failures, Is.Empty, report.Summary);
            Assert.That(report.BotOrders, Is.EqualTo(run.Ours.Count), "every intent the bot handed over became exactly one exchange order");
            Assert.That(report.ExternalOrders, Is.GreaterThanOrEqualTo(run.Manual.Count));
        });
    }

    [TestCase("ws-close", 21)]
    [TestCase("heartbeat-silence", 22)]
    [TestCase("ws-drop", 23)]
    [TestCase("ack-lost", 24)]
    public async Task On_SQLite_the_feed_cut_or_messages_lost_still_links_every_fill_once(string faults, int seed)
    {
        using var run = EndToEndRun.Start(seed, faults, (exchange, directory) =>
            [new DaemonSlot("a", [.. EndToEndRun.ExchangeArgs(exchange), "--sqlite", Path.Combine(directory, "linkage.db")], null, null, restart: true)]);
        await run.Workload(Entries);
        var kind = faults == "ws-close" ? "_close" : faults.Replace('-', '_');
        var injected = await run.WaitForFault(kind, TimeSpan.FromSeconds(120));
        var unsettled = await run.Settle(TimeSpan.FromSeconds(90));
        var metrics = await new HttpClient().GetStringAsync(run.Slots[0].Current!.Intake + "/metrics");
        var (exits, truth) = run.Stop();
        using var store = SqliteStore.Open(new SqliteStoreOptions { Path = Path.Combine(run.Directory, "linkage.db") });
        var report = EndToEndRun.Judge(truth, store);
        Report(run, report, truth, $"sqlite, faults {faults}");
        Assert.Multiple(() =>
        {
            Assert.That(injected, Is.True, "the exchange injected the fault within 2 minutes");
            Assert.That(EndToEndRun.Faults(truth), Does.Contain(kind), "the exchange must have injected the fault");
            Assert.That(run.Slots[0].Deaths, Is.Empty, "nothing kills the daemon here");
            Assert.That(exits, Is.All.EqualTo(0));
            Assert.That(unsettled, Is.Empty);
            Assert.That(report.Failures, Is.Empty, report.Summary);
            Assert.That(report.BotOrders, Is.EqualTo(run.Ours.Count));
        });
        if (faults == "ws-close")
        {
            Assert.That(metrics, Does.Match(@"linkage_feed_reconnects_total [1-9]"), "the daemon saw the feed end and reopened it");
        }
    }

    [Test]
    public async Task On_PostgreSQL_a_daemon_killed_mid_fills_and_restarted_loses_and_doubles_nothing()
    {
        var connection = PostgresProvider.CreateDatabase("e2e_kill");
        try
        {
            var environment = new Dictionary<string, string> { ["LINKAGE__Store__ConnectionString"] = connection };
            using var run = EndToEndRun.Start(31, "swarm", (exchange, _) =>
                [new DaemonSlot("a", [.. EndToEndRun.ExchangeArgs(exchange), "--store", "postgres", "--pg-schema", "linkage"], environment, "mid-fills:3", restart: true)]);
            await run.Workload(Entries);
            var unsettled = await run.Settle(TimeSpan.FromSeconds(90));
            var (exits, truth) = run.Stop();
            using var store = PostgresStore.Open(new PostgresStoreOptions { ConnectionString = connection, Schema = "linkage" });
            var report = EndToEndRun.Judge(truth, store);
            Report(run, report, truth, "postgres, kill at mid-fills:3");
            Assert.Multiple(() =>
            {
                Assert.That(run.Slots[0].Deaths, Has.Some.StartsWith("kill-at mid-fills:3"));
                Assert.That(exits, Is.All.EqualTo(0));
                Assert.That(unsettled, Is.Empty);
                Assert.That(report.Failures, Is.Empty, report.Summary);
                Assert.That(report.BotOrders, Is.EqualTo(run.Ours.Count));
            });
        }
        finally
        {
            PostgresProvider.DropDatabase(connection);
        }
    }

    [Test]
    public async Task Two_daemons_on_one_PostgreSQL_one_killed_mid_run_link_every_fill_once()
    {
        var connection = PostgresProvider.CreateDatabase("e2e_pair");
        try
        {
            var environment = new Dictionary<string, string> { ["LINKAGE__Store__ConnectionString"] = connection };
            using var run = EndToEndRun.Start(41, "swarm", (exchange, _) =>
            [
                new DaemonSlot("a", [.. EndToEndRun.ExchangeArgs(exchange), "--store", "postgres"], environment, "mid-fills:5", restart: false),
                new DaemonSlot("b", [.. EndToEndRun.ExchangeArgs(exchange), "--store", "postgres"], environment, null, restart: true),
            ]);
            await run.Workload(Entries);
            var unsettled = await run.Settle(TimeSpan.FromSeconds(90));
            var (exits, truth) = run.Stop();
            using var store = PostgresStore.Open(new PostgresStoreOptions { ConnectionString = connection, Schema = "linkage" });
            var report = EndToEndRun.Judge(truth, store);
            Report(run, report, truth, "postgres, two daemons, a killed at mid-fills:5 and not restarted");
            Assert.Multiple(() =>
            {
                Assert.That(run.Slots[0].Deaths, Has.Some.StartsWith("kill-at mid-fills:5"));
                Assert.That(run.Slots[1].Deaths, Is.Empty);
                Assert.That(exits, Is.All.EqualTo(0));
                Assert.That(unsettled, Is.Empty);
                Assert.That(report.Failures, Is.Empty, report.Summary);
                Assert.That(report.BotOrders, Is.EqualTo(run.Ours.Count));
            });
        }
        finally
        {
            PostgresProvider.DropDatabase(connection);
        }
    }

    private static void Report(EndToEndRun run, Sim.Server.JudgeReport report, string truth, string what)
    {
        TestContext.Out.WriteLine($"e2e [{what}] {report.Summary}");
        TestContext.Out.WriteLine($"e2e [{what}] faults injected: {EndToEndRun.Faults(truth)}");
        foreach (var line in run.Log)
        {
            TestContext.Out.WriteLine($"e2e [{what}] {line}");
        }
        foreach (var failure in report.Failures.Take(20))
        {
            TestContext.Out.WriteLine($"e2e [{what}] FAIL {failure.Law}: {failure.Detail}");
        }
    }
}
