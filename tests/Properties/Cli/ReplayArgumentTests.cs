namespace Linkage.Properties.Cli;

/// <summary>Bad command lines are refused with the reason and the usage, exit status 2, before anything runs.</summary>
public sealed class ReplayArgumentTests
{
    private static IEnumerable<TestCaseData> BadCommandLines()
    {
        yield return new TestCaseData(new[] { "--store", "memory" }, "no PATH given").SetName("{m}(no path)");
        yield return new TestCaseData(new[] { "x.yaml", "--colour", "red" }, "unknown option '--colour'").SetName("{m}(unknown option)");
        yield return new TestCaseData(new[] { "x.yaml", "--store", "redis" }, "--store 'redis' is not one of memory, sqlite, postgres").SetName("{m}(unknown store)");
        yield return new TestCaseData(new[] { "x.yaml", "--design=old" }, "--design 'old' is not one of engine, legacy").SetName("{m}(unknown design)");
        yield return new TestCaseData(new[] { "x.yaml", "--seed", "-1" }, "--seed '-1' is not a whole number").SetName("{m}(negative seed)");
        yield return new TestCaseData(new[] { "x.yaml", "--seed", "1.5" }, "--seed '1.5' is not a whole number").SetName("{m}(fractional seed)");
        yield return new TestCaseData(new[] { "x.yaml", "--json" }, "--json needs a value").SetName("{m}(option without value)");
        yield return new TestCaseData(new[] { "x.yaml", "--json=" }, "--json needs a value (FILE)").SetName("{m}(empty path)");
        yield return new TestCaseData(new[] { "x.yaml", "--seed", "1", "--seed", "2" }, "--seed is given twice").SetName("{m}(option twice)");
        yield return new TestCaseData(new[] { "x.yaml", "--store", "postgres" }, "--store postgres needs a connection string").SetName("{m}(postgres without connection)");
        yield return new TestCaseData(new[] { "x.yaml", "--pg", "Host=db" }, "--pg applies only to --store postgres").SetName("{m}(pg without postgres)");
        yield return new TestCaseData(new[] { "x.yaml", "--pg-schema", "mine" }, "--pg-schema applies only to --store postgres").SetName("{m}(pg-schema without postgres)");
        yield return new TestCaseData(new[] { "x.yaml", "--store", "postgres", "--pg", "Host=db", "--pg-schema", "Mine" }, "--pg-schema 'Mine' is not a plain identifier")
            .SetName("{m}(pg-schema not a plain identifier)");
    }

    [TestCaseSource(nameof(BadCommandLines))]
    public void Bad_arguments_print_the_reason_and_usage_and_exit_2(string[] args, string reason)
    {
        var run = ReplayFixture.Run(args, runner: (_, _) => throw new AssertionException("nothing may run on bad arguments"));
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2));
            Assert.That(run.Error, Does.Contain("replay: " + reason));
            Assert.That(run.Error, Does.Contain("usage: linkage replay PATH..."));
            Assert.That(run.Output, Is.Empty);
        });
    }

    [Test]
    public void Every_argument_problem_is_reported_at_once()
    {
        var run = ReplayFixture.Run(["--store", "redis", "--design", "old", "--seed", "x"]);
        Assert.That(run.Error.Split('\n').Count(l => l.StartsWith("replay: ", StringComparison.Ordinal)), Is.EqualTo(4), run.Error);
    }

    [Test]
    public void Postgres_reads_its_connection_from_the_option_or_LINKAGE_PG()
    {
        using var files = new ReplayFixture();
        var path = files.Write("a.yaml", ReplayFixture.Valid("a"));
        string? seen = null;
        ReplayFixture.Run([path, "--store", "postgres"], (s, o) => { seen = o.PostgresConnectionString; return ReplayFixture.FakeRun(s, o); },
            environment: name => name == "LINKAGE_PG" ? "Host=from-env" : null);
        Assert.That(seen, Is.EqualTo("Host=from-env"));
        ReplayFixture.Run([path, "--store=postgres", "--pg", "Host=from-option"], (s, o) => { seen = o.PostgresConnectionString; return ReplayFixture.FakeRun(s, o); },
            environment: _ => "Host=from-env");
        Assert.That(seen, Is.EqualTo("Host=from-option"), "--pg wins over the environment");
    }

    [Test]
    public void Pg_schema_reaches_the_runner_and_defaults_to_a_schema_per_run()
    {
        using var files = new ReplayFixture();
        var path = files.Write("a.yaml", ReplayFixture.Valid("a"));
        var schemas = new List<string?>();
        ReplayFixture.Run([path, "--store", "postgres", "--pg", "Host=db", "--pg-schema", "replay_here"], (s, o) => { schemas.Add(o.PostgresSchema); return ReplayFixture.FakeRun(s, o); });
        ReplayFixture.Run([path, "--store", "postgres", "--pg", "Host=db"], (s, o) => { schemas.Add(o.PostgresSchema); return ReplayFixture.FakeRun(s, o); });
        Assert.That(schemas, Is.EqualTo(new[] { "replay_here", null }));
    }

    [Test]
    public void Options_reach_the_runner_and_default_to_sqlite_and_engine()
    {
        using var files = new ReplayFixture();
        var path = files.Write("a.yaml", ReplayFixture.Valid("a"));
        var options = new List<Linkage.Sim.Scenarios.RunOptions>();
        ReplayFixture.Run([path], (s, o) => { options.Add(o); return ReplayFixture.FakeRun(s, o); });
        ReplayFixture.Run(["--design", "legacy", path, "--seed", "18446744073709551615", "--store", "memory"], (s, o) => { options.Add(o); return ReplayFixture.FakeRun(s, o); });
        Assert.That(options.Select(o => (o.Store, o.Design, o.Seed, o.Capture)), Is.EqualTo(new[]
        {
            ("sqlite", "engine", (ulong?)null, false),
            ("memory", "legacy", (ulong?)ulong.MaxValue, false),
        }));
    }

    [Test]
    public void A_store_this_build_cannot_open_is_refused_before_anything_runs()
    {
        var run = ReplayFixture.Run(["x.yaml"], runner: (_, _) => throw new AssertionException("nothing may run"),
            storeProblem: o => o.Store == "sqlite" ? "store 'sqlite' is not available" : null);
        Assert.That((run.ExitCode, run.Error.Trim()), Is.EqualTo((2, "replay: store 'sqlite' is not available\nreplay: nothing was run; exit status 2")));
    }

    [Test]
    public void Help_prints_the_usage_and_exits_0()
    {
        var run = ReplayFixture.Run(["--help"]);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0));
            Assert.That(run.Output, Does.StartWith(Linkage.Cli.ReplayArguments.Usage).And.Contain("(default: sqlite)").And.Contain("exit status:"));
        });
    }
}
