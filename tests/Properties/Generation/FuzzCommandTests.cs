using System.Collections.Immutable;
using Linkage.Properties.Stores;
using Linkage.Cli;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Generation;

public sealed class FuzzCommandTests
{
    private sealed record Run(int Code, string Output, string Error, List<Scenario> Replayed);

    /// <summary>Runs <c>fuzz</c> in-process with a stand-in for the simulator and a clock that moves one second per call.</summary>
    private static Run Fuzz(string[] args, Func<Scenario, bool>? fails = null, Func<RunOptions, string?>? storeProblem = null, Func<string, string?>? environment = null)
    {
        var replayed = new List<Scenario>();
        var seconds = 0;
        var output = new StringWriter();
        var error = new StringWriter();
        var host = new ReplayHost(
            (scenario, options) =>
            {
                replayed.Add(scenario);
                return Result(scenario, fails?.Invoke(scenario) ?? false);
            },
            storeProblem ?? (_ => null),
            environment ?? (_ => null),
            () => TimeSpan.FromSeconds(seconds++));
        var code = FuzzCommand.Run(args, output, error, host);
        return new Run(code, output.ToString(), error.ToString(), replayed);
    }

    private static ScenarioResult Result(Scenario scenario, bool failed) => new()
    {
        Name = scenario.Name,
        Passed = !failed,
        Trades = [.. scenario.Steps.OfType<FillStep>().Select((f, i) => new TradeOutcome(f.Order, $"t{i}", f.Size ?? 1m, 1m, TradeVerdict.Linked, f.Order))],
        DuplicatesIgnored = 0,
        Failures = failed ? [new Failure("no-wrong-link", "two orders on one symbol")] : [],
        SimulatedDuration = scenario.Steps[^1].At,
        FaultsInjected = ImmutableSortedDictionary<string, int>.Empty.Add("restart", scenario.Steps.Count(s => s is RestartStep)),
    };

    /// <summary>The old design's overwrite, as a stand-in failure: two accepted entries on one product and a fill after both.</summary>
    private static bool Overwrite(Scenario s)
    {
        var places = s.Steps.OfType<PlaceStep>().Where(p => p.Ack is not AckReject).ToList();
        return places.Any(a => places.Any(b => b.Product == a.Product && b.At > a.At
            && s.Steps.OfType<FillStep>().Any(f => (f.Order == a.Order || f.Order == b.Order) && f.At >= b.At)));
    }

    [TestCase("--runs", "0")]
    [TestCase("--runs", "x")]
    [TestCase("--seed", "-1")]
    [TestCase("--store", "nosql")]
    [TestCase("--design", "new")]
    [TestCase("--frobnicate", "1")]
    [TestCase("stray")]
    [TestCase("--out")]
    [TestCase("--store", "postgres")]
    public void Bad_arguments_print_usage_and_exit_2(params string[] args)
    {
        var run = Fuzz(args);
        Assert.Multiple(() =>
        {
            Assert.That(run.Code, Is.EqualTo(2));
            Assert.That(run.Error, Does.Contain("usage: linkage fuzz"));
            Assert.That(run.Replayed, Is.Empty);
        });
    }

    [Test]
    public void Help_prints_usage_and_exits_0() => Assert.That(Fuzz(["--help"]) is { Code: 0 } run && run.Output.Contains("usage: linkage fuzz", StringComparison.Ordinal), Is.True);

    [Test]
    public void A_store_this_build_cannot_open_exits_2() =>
        Assert.That(Fuzz(["--store", "sqlite"], storeProblem: _ => "no sqlite here").Code, Is.EqualTo(2));

    [Test]
    public void Postgres_reads_its_connection_string_from_the_environment() =>
        Assert.That(Fuzz(["--store", "postgres", "--runs", "1"], environment: v => v == "LINKAGE_PG" ? "Host=x" : null).Code, Is.EqualTo(0));

    [Test]
    public void The_same_seed_runs_the_same_scenarios_whatever_the_run_length()
    {
        var twenty = Fuzz(["--runs", "20", "--seed", "5", "--store", "memory"]).Replayed.Select(ScenarioWriter.Write).ToList();
        var again = Fuzz(["--runs", "20", "--seed", "5", "--store", "memory"]).Replayed.Select(ScenarioWriter.Write).ToList();
        var ten = Fuzz(["--runs", "10", "--seed", "5", "--store", "memory"]).Replayed.Select(ScenarioWriter.Write).ToList();
        var other = Fuzz(["--runs", "10", "--seed", "6", "--store", "memory"]).Replayed.Select(ScenarioWriter.Write).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(again, Is.EqualTo(twenty));
            Assert.That(ten, Is.EqualTo(twenty.Take(10)));
            Assert.That(other, Is.Not.EqualTo(ten));
        });
    }

    [Test]
    public void All_passing_exits_0_with_a_summary_and_progress()
    {
        var run = Fuzz(["--runs", "30", "--seed", "2", "--store", "memory"]);
        Assert.Multiple(() =>
        {
            Assert.That(run.Code, Is.EqualTo(0));
            Assert.That(run.Replayed, Has.Count.EqualTo(30));
            Assert.That(run.Output, Does.Contain("scenarios run: 30"));
            Assert.That(run.Output, Does.Contain("trades: "));
            Assert.That(run.Output, Does.Contain("faults injected: restart "));
            Assert.That(run.Output, Does.Match(@"classes covered: \d+ of \d+: "));
            Assert.That(run.Output, Does.Match(@"simulated hours per second"));
            Assert.That(run.Output, Does.Contain("all 30 scenario(s) passed"));
            Assert.That(run.Error, Does.Match(@"fuzz: \d+/30 scenarios"), "a progress line every 2 s of wall clock");
        });
    }

    [Test]
    public void The_first_failure_is_shrunk_printed_written_and_exits_1()
    {
        using var folder = new TempDirectory("linkage-fuzz");
        var run = Fuzz(["--runs", "200", "--seed", "3", "--store", "memory", "--out", folder.Path], fails: Overwrite);
        var failedAt = run.Replayed.FindIndex(Overwrite);
        var file = Directory.GetFiles(folder.Path).Single();
        var shrunk = ScenarioLoader.LoadFile(file);
        Assert.Multiple(() =>
        {
            Assert.That(run.Code, Is.EqualTo(1));
            Assert.That(Path.GetFileName(file), Is.EqualTo($"fuzz-3-{failedAt}.yaml"));
            Assert.That(shrunk.Errors, Is.Empty);
            Assert.That(shrunk.Scenario!.Steps, Has.Length.EqualTo(3), run.Output);
            Assert.That(Overwrite(shrunk.Scenario), Is.True, "the shrunk scenario still fails");
            Assert.That(run.Output, Does.Contain("shrunk to 3 step(s)"));
            Assert.That(run.Output, Does.Contain(ScenarioWriter.Write(shrunk.Scenario)), "the counterexample is printed as written");
            Assert.That(run.Replayed.Take(failedAt).Any(Overwrite), Is.False, "it stops at the first failure");
        });
    }

    /// <summary>
    /// Issue 17, item 3: a planted state leak between runs (the 6th replay fails whatever it replays, as a store that
    /// kept an earlier scenario's rows would) is reported as not reproducible, not shrunk into a file that passes.
    /// </summary>
    [Test]
    public void A_failure_that_does_not_reproduce_from_a_fresh_state_is_reported_as_a_leak_and_nothing_is_written()
    {
        using var folder = new TempDirectory("linkage-fuzz-leak");
        var replays = 0;
        var run = Fuzz(["--runs", "50", "--seed", "3", "--store", "memory", "--out", folder.Path], fails: _ => ++replays == 6);
        Assert.Multiple(() =>
        {
            Assert.That(run.Code, Is.EqualTo(1));
            Assert.That(run.Output, Does.Contain("NOT REPRODUCIBLE"));
            Assert.That(run.Output, Does.Not.Contain("shrinking"));
            Assert.That(Directory.GetFiles(folder.Path), Is.Empty, "nothing is written");
        });
    }

    [Test]
    public void A_written_counterexample_is_replayed_from_its_file_before_it_is_reported()
    {
        using var folder = new TempDirectory("linkage-fuzz-reread");
        var run = Fuzz(["--runs", "200", "--seed", "3", "--store", "memory", "--out", folder.Path], fails: Overwrite);
        Assert.That(run.Output, Does.Match(@"written to .* and replayed from the file: it fails no-wrong-link"), run.Output);
    }

    [Test]
    public void The_old_design_fails_fuzz_with_a_counterexample_replay_reproduces()
    {
        using var folder = new TempDirectory("linkage-fuzz-legacy");
        var output = new StringWriter();
        var code = FuzzCommand.Run(["--runs", "200", "--seed", "1", "--store", "memory", "--design", "legacy", "--out", folder.Path], output, new StringWriter());
        var file = Directory.GetFiles(folder.Path).Single();
        var replay = ReplayCommand.Run([file, "--design", "legacy", "--store", "memory"], new StringWriter(), new StringWriter());
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(1), output.ToString());
            Assert.That(ScenarioLoader.LoadFile(file).Scenario!.Steps, Has.Length.LessThanOrEqualTo(5), output.ToString());
            Assert.That(replay, Is.EqualTo(1));
        });
    }

    /// <summary>
    /// Issue 14, item 3: a counterexample goes to <c>out/</c> unless asked; before, the default was
    /// <c>scenarios/regressions/</c>, which made the main job (<c>replay scenarios</c>) fail after any failed fuzz run.
    /// </summary>
    [Test]
    public void Counterexamples_go_to_out_unless_asked() => Assert.Multiple(() =>
    {
        var defaults = FuzzCommand.Parse([], _ => null, out _);
        Assert.That(defaults.Out, Is.EqualTo(Path.Combine("out", "counterexamples")));
        Assert.That(FuzzCommand.Parse(["--out", "scenarios/regressions"], _ => null, out _).Out, Is.EqualTo("scenarios/regressions"));
        Assert.That(Laws.LawCheck.Folder(), Does.Not.Contain(Path.Combine("scenarios", "regressions")), "law checks write outside the source tree too");
    });

    [Test]
    public void An_out_folder_that_cannot_be_written_exits_2_before_anything_runs()
    {
        using var folder = new TempDirectory("linkage-fuzz-out");
        var blocker = folder.File("blocker");
        File.WriteAllText(blocker, "");
        var run = Fuzz(["--runs", "5", "--store", "memory", "--out", blocker]);
        Assert.Multiple(() =>
        {
            Assert.That(run.Code, Is.EqualTo(2));
            Assert.That(run.Error, Does.Contain($"--out {blocker}: is a file; name a folder"));
            Assert.That(run.Replayed, Is.Empty);
        });
    }
}
