using Linkage.Sim.Server;
using Linkage.Stores.Postgres;
using Linkage.Stores.Sqlite;
using Linkage.Testing;
using Linkage.Wire.Tests;

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
            [new DaemonSlot("a", [.. EndToEndRun.ExchangeArgs(exchange), "--sqlite", Path.Combine(directory, "linkage.db"), "--capture", Path.Combine(directory, "capture.jsonl")], null, null, restart: true)]);
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
        // The daemon's capture is what `linkage audit` reads: replayed through the engine on its own, it links every fill too.
        var audit = Path.Combine(run.Directory, "audit.json");
        ExchangeProcess.RunToEnd("dotnet", [Path.Combine(AppContext.BaseDirectory, "Linkage.Cli.dll"), "audit", Path.Combine(run.Directory, "capture.jsonl"), "--store", "memory", "--json", audit]);
        using (var audited = System.Text.Json.JsonDocument.Parse(File.ReadAllText(audit)))
        {
            Assert.That(audited.RootElement.GetProperty("linkageRate").GetDecimal(), Is.EqualTo(1m), "audit of the daemon's capture");
        }
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

    [Test]
    public async Task The_Python_example_as_the_bots_webhook_gets_every_fill_linked()
    {
        using var run = EndToEndRun.Start(51, "swarm", (exchange, directory) =>
            [new DaemonSlot("a", [.. EndToEndRun.ExchangeArgs(exchange), "--sqlite", Path.Combine(directory, "linkage.db")], null, null, restart: true)]);
        var intents = Path.Combine(run.Directory, "intents.jsonl");
        await File.WriteAllLinesAsync(intents, Enumerable.Range(0, 8).Select(i =>
            $$"""{"snapshot_id":"py-{{i}}","score":{"buy_score":"0.7"},"trigger":"roc_momo","pair":"{{(i % 2 == 0 ? "BTC-USD" : "ETH-USD")}}","side":"buy","size":"0.0{{i % 3 + 1}}","timestamp":"2026-12-01T12:00:{{i:00}}Z"}"""));
        var script = Path.Combine(AppContext.BaseDirectory, "examples", "python", "linkage_webhook.py");
        var output = ExchangeProcess.RunToEnd("python3", [script, "--intake", run.Slots[0].Current!.Intake, "--mode", "orders", "--wait", "60", intents], TimeSpan.FromMinutes(3));
        var answers = output.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(line => System.Text.Json.JsonDocument.Parse(line).RootElement).ToList();
        run.Ours.AddRange(answers.Select(a => a.GetProperty("client_order_id").GetString()!));
        var unsettled = await run.Settle(TimeSpan.FromSeconds(90));
        var (exits, truth) = run.Stop();
        using var store = SqliteStore.Open(new SqliteStoreOptions { Path = Path.Combine(run.Directory, "linkage.db") });
        var report = EndToEndRun.Judge(truth, store);
        Report(run, report, truth, "sqlite, the Python example as the webhook");
        Assert.Multiple(() =>
        {
            Assert.That(answers, Has.Count.EqualTo(8), output);
            Assert.That(answers.Select(a => a.GetProperty("outcome").GetString()), Is.All.EqualTo("accepted").Or.EqualTo("unknown"), output);
            Assert.That(exits, Is.All.EqualTo(0));
            Assert.That(unsettled, Is.Empty);
            Assert.That(report.Failures, Is.Empty, report.Summary);
            Assert.That(report.BotOrders, Is.EqualTo(8));
        });
        JudgeCatchesTamperedStores(truth, Path.Combine(run.Directory, "linkage.db"));
    }

    /// <summary>
    /// The judge itself must be able to fail: the passing store, tampered three ways in copies, breaks the law each
    /// tampering breaks (a link moved to another of our orders, a link deleted, a link doubled).
    /// </summary>
    private static void JudgeCatchesTamperedStores(string truth, string database)
    {
        string Tampered(string sql)
        {
            var copy = Path.Combine(Path.GetDirectoryName(database)!, $"tampered-{Guid.NewGuid():N}.db");
            File.Copy(database, copy);
            using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={copy};Pooling=False"))
            {
                connection.Open();
                using var command = connection.CreateCommand();
                command.CommandText = sql;
                Assert.That(command.ExecuteNonQuery(), Is.GreaterThan(0), sql);
            }
            return copy;
        }
        var wrong = Tampered("""
            UPDATE trade_strategy_link SET exchange_order_id = (SELECT exchange_order_id FROM trade_strategy_link o WHERE o.client_order_id <> trade_strategy_link.client_order_id LIMIT 1)
            WHERE serial = (SELECT MIN(serial) FROM trade_strategy_link)
            """);
        var missing = Tampered("DELETE FROM trade_strategy_link WHERE serial = (SELECT MAX(serial) FROM trade_strategy_link)");
        var doubled = Tampered("""
            INSERT INTO trade_strategy_link (client_order_id, sequence_no, exchange_order_id, kind, snapshot_id, product_id, side, from_quantity, to_quantity, price, fee, provenance, source_key, buy_score, sell_score, trigger_type, linked_at)
            SELECT client_order_id, sequence_no + 1000, exchange_order_id, kind, snapshot_id, product_id, side, from_quantity, to_quantity, price, fee, provenance, source_key || '-again', buy_score, sell_score, trigger_type, linked_at
            FROM trade_strategy_link WHERE serial = (SELECT MIN(serial) FROM trade_strategy_link)
            """);
        JudgeReport Judged(string path)
        {
            using var store = SqliteStore.Open(new SqliteStoreOptions { Path = path });
            return EndToEndRun.Judge(truth, store);
        }
        Assert.Multiple(() =>
        {
            Assert.That(Judged(wrong).Failures.Select(f => f.Law), Does.Contain("no wrong link"), "a link moved to another order");
            Assert.That(Judged(missing).Failures.Select(f => f.Law), Does.Contain("everything links"), "a link deleted");
            Assert.That(Judged(doubled).Failures.Select(f => f.Law), Does.Contain("exactly once"), "a link doubled");
        });
    }

    // On the error channel, which `dotnet test` shows at its default verbosity: CI's output carries every run's counts.
    private static void Report(EndToEndRun run, JudgeReport report, string truth, string what)
    {
        TestContext.Error.WriteLine($"e2e [{what}] {report.Summary}");
        TestContext.Error.WriteLine($"e2e [{what}] faults injected: {EndToEndRun.Faults(truth)}");
        foreach (var line in run.Log)
        {
            TestContext.Error.WriteLine($"e2e [{what}] {line}");
        }
        foreach (var failure in report.Failures.Take(20))
        {
            TestContext.Error.WriteLine($"e2e [{what}] FAIL {failure.Law}: {failure.Detail}");
        }
    }
}
