using System.Text.Json;

namespace Linkage.Properties.Cli;

/// <summary>What <c>replay</c> runs, prints, reports and exits with, driven by a hand-written fake runner.</summary>
public sealed class ReplayCommandTests
{
    [Test]
    public void All_passing_exits_0_and_prints_a_row_per_scenario_and_the_speed()
    {
        using var files = new ReplayFixture();
        files.Write("a.yaml", ReplayFixture.Valid("alpha", fills: 2));
        files.Write("b.yaml", ReplayFixture.Valid("beta"));
        var run = ReplayFixture.Run([files.Root], elapsed: () => TimeSpan.FromSeconds(2));
        var lines = run.Output.Split('\n');
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
            Assert.That(lines[0], Is.EqualTo("scenario   trades  linked  wrong  missing  lost  external  verdict"));
            Assert.That(lines[2], Is.EqualTo("alpha           2       2      0        0     0         0  pass"));
            Assert.That(lines[3], Is.EqualTo("beta            1       1      0        0     0         0  pass"));
            Assert.That(lines[5], Is.EqualTo("total (2)       3       3      0        0     0         0  2 pass, 0 fail"));
            Assert.That(run.Output, Does.Contain("replayed 2 scenario(s): 3s of simulated time in 2.000 s wall clock (1s simulated per second, 2x real time)"));
        });
    }

    [Test]
    public void A_failed_scenario_exits_1_and_prints_the_step_trade_expected_and_actual()
    {
        using var files = new ReplayFixture();
        files.Write("a.yaml", ReplayFixture.Valid("alpha"));
        files.Write("f.yaml", ReplayFixture.Valid("failing-one"));
        var run = ReplayFixture.Run([files.Root]);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(1));
            Assert.That(run.Output, Does.Contain("failing-one       1       0      1        0     0         0  FAIL"));
            Assert.That(run.Output, Does.Contain($"FAIL failing-one ({files.Root}/f.yaml)\n"
                + "  [no-wrong-link] o1: trade 0 is linked to another intent\n"
                + "    where:    step 1, line 6, at 1s, trade t0\n"
                + "    expected: o1 (snapshot s1)\n"
                + "    actual:   o2 (snapshot s2)\n"));
        });
    }

    [Test]
    public void A_broken_file_is_reported_and_the_good_ones_still_run()
    {
        using var files = new ReplayFixture();
        files.Write("a-good.yaml", ReplayFixture.Valid("good"));
        files.Write("b-broken.yaml", "name: broken\nsteps:\n  - at: 5 seconds\n    disconnect:\n");
        files.Write("c-good.yml", ReplayFixture.Valid("also-good"));
        var ran = new List<string>();
        var run = ReplayFixture.Run([files.Root], (s, o) => { ran.Add(s.Name); return ReplayFixture.FakeRun(s, o); });
        Assert.Multiple(() =>
        {
            Assert.That(ran, Is.EqualTo(new[] { "good", "also-good" }));
            Assert.That(run.Error, Does.Contain($"{files.Root}/b-broken.yaml:3:9: steps[0].at: '5 seconds' is not a duration"));
            Assert.That(run.ExitCode, Is.EqualTo(2), "a file that could not be read makes the run exit 2");
        });
    }

    [Test]
    public void A_broken_file_and_a_failed_scenario_exit_2_and_still_report_the_failure()
    {
        using var files = new ReplayFixture();
        files.Write("a.yaml", ReplayFixture.Valid("failing-one"));
        files.Write("b.yaml", "name: [\n");
        var run = ReplayFixture.Run([files.Root]);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2));
            Assert.That(run.Output, Does.Contain("FAIL failing-one"));
            Assert.That(run.Error, Does.Contain("b.yaml:"));
        });
    }

    [Test]
    public void Two_files_with_one_name_is_an_error_and_only_the_first_runs()
    {
        using var files = new ReplayFixture();
        files.Write("a.yaml", ReplayFixture.Valid("same"));
        files.Write("b.yaml", "# another file\n" + ReplayFixture.Valid("same"));
        var ran = new List<string?>();
        var run = ReplayFixture.Run([files.Root], (s, o) => { ran.Add(s.File); return ReplayFixture.FakeRun(s, o); });
        Assert.Multiple(() =>
        {
            Assert.That(ran, Is.EqualTo(new[] { $"{files.Root}/a.yaml" }));
            Assert.That(run.Error, Does.Contain($"{files.Root}/b.yaml:2:1: name: scenario name 'same' is already used by {files.Root}/a.yaml"));
            Assert.That(run.ExitCode, Is.EqualTo(2));
        });
    }

    [Test]
    public void Folders_are_searched_recursively_in_ordinal_order_for_scenario_extensions_only()
    {
        using var files = new ReplayFixture();
        files.Write("b/z.yaml", ReplayFixture.Valid("bz"));
        files.Write("b/a.JSON", "{\"name\": \"ba\", \"steps\": [{\"at\": \"0s\", \"disconnect\": null}]}");
        files.Write("B.yml", ReplayFixture.Valid("B"));
        files.Write("a/deep/er/x.yaml", ReplayFixture.Valid("adeep"));
        files.Write("notes.md", "not a scenario");
        files.Write("b/readme.txt", "not a scenario");
        files.Write(".hidden/h.yaml", "not even YAML: [");
        var ran = new List<string?>();
        var run = ReplayFixture.Run([files.Root], (s, o) => { ran.Add(s.File); return ReplayFixture.FakeRun(s, o); });
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(ran, Is.EqualTo(new[] { "B.yml", "a/deep/er/x.yaml", "b/a.JSON", "b/z.yaml" }.Select(f => $"{files.Root}/{f}")));
    }

    [Test]
    public void A_file_named_twice_runs_once()
    {
        using var files = new ReplayFixture();
        var path = files.Write("a.yaml", ReplayFixture.Valid("a"));
        var run = ReplayFixture.Run([path, files.Root, path]);
        Assert.That((run.ExitCode, run.Output.Split('\n').Count(l => l.StartsWith("a ", StringComparison.Ordinal))), Is.EqualTo((0, 1)), run.Error);
    }

    [Test]
    public void A_folder_named_twice_in_two_spellings_runs_its_files_once_without_a_problem()
    {
        using var files = new ReplayFixture();
        files.Write("sub/a.yaml", ReplayFixture.Valid("a"));
        var run = ReplayFixture.Run([files.Root, Path.Combine(files.Root, ".", "sub")]);
        Assert.That((run.ExitCode, run.Error), Is.EqualTo((0, "")));
    }

    [Test]
    public void A_missing_path_or_an_empty_folder_exits_2()
    {
        using var files = new ReplayFixture();
        Directory.CreateDirectory(Path.Combine(files.Root, "empty"));
        var missing = ReplayFixture.Run([Path.Combine(files.Root, "nope.yaml")]);
        var empty = ReplayFixture.Run([Path.Combine(files.Root, "empty")]);
        Assert.Multiple(() =>
        {
            Assert.That((missing.ExitCode, missing.Error), Is.EqualTo((2, $"{files.Root}/nope.yaml: no such file or folder\nreplay: 1 problem(s) with the files named; exit status 2\n")));
            Assert.That((empty.ExitCode, empty.Error), Is.EqualTo((2, $"{files.Root}/empty: the folder holds no .yaml, .yml or .json file\nreplay: 1 problem(s) with the files named; exit status 2\n")));
        });
    }

    [Test]
    public void A_runner_that_throws_fails_that_scenario_and_the_others_still_run()
    {
        using var files = new ReplayFixture();
        files.Write("a.yaml", ReplayFixture.Valid("boom"));
        files.Write("b.yaml", ReplayFixture.Valid("fine"));
        var run = ReplayFixture.Run([files.Root], (s, o) => s.Name == "boom" ? throw new InvalidOperationException("engine bug") : ReplayFixture.FakeRun(s, o));
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(1));
            Assert.That(run.Output, Does.Contain("[run] the replay stopped with InvalidOperationException: engine bug"));
            Assert.That(run.Output, Does.Contain("fine            1       1      0        0     0         0  pass"));
        });
    }

    [Test]
    public void Long_runs_print_progress_to_the_error_stream()
    {
        using var files = new ReplayFixture();
        for (var i = 0; i < 3; i++)
        {
            files.Write($"s{i}.yaml", ReplayFixture.Valid($"s{i}"));
        }
        var ticks = 0;
        var slow = ReplayFixture.Run([files.Root], elapsed: () => TimeSpan.FromSeconds(1.5 * ticks++));
        var fast = ReplayFixture.Run([files.Root]);
        Assert.Multiple(() =>
        {
            Assert.That(slow.Error, Does.Contain("replay: 2/3 scenarios, 0 failed"));
            Assert.That(fast.Error, Is.Empty, "a short run prints no progress");
        });
    }

    [Test]
    public void Json_report_has_the_contract_fields_in_the_contract_order()
    {
        using var files = new ReplayFixture();
        files.Write("a.yaml", ReplayFixture.Valid("alpha", fills: 2));
        files.Write("f.yaml", ReplayFixture.Valid("failing-one"));
        var report = Path.Combine(files.Root, "out", "report.json");
        Directory.CreateDirectory(Path.GetDirectoryName(report)!);
        var run = ReplayFixture.Run([files.Root, "--json", report, "--seed", "42", "--store", "memory"]);
        Assert.That(run.ExitCode, Is.EqualTo(1), run.Error);
        using var json = JsonDocument.Parse(File.ReadAllText(report));
        var root = json.RootElement;
        var scenario = root.GetProperty("scenarios")[1];
        Assert.Multiple(() =>
        {
            Assert.That(Names(root), Is.EqualTo(new[] { "design", "store", "seed", "scenarios", "totals" }));
            Assert.That((root.GetProperty("design").GetString(), root.GetProperty("store").GetString(), root.GetProperty("seed").GetUInt64()), Is.EqualTo(("engine", "memory", 42UL)));
            Assert.That(Names(scenario), Is.EqualTo(new[] { "name", "file", "verdict", "fills", "linked", "wrong", "missing", "lost", "external", "duplicatesIgnored", "failures" }));
            Assert.That(scenario.GetProperty("file").GetString(), Is.EqualTo($"{files.Root}/f.yaml"));
            Assert.That((scenario.GetProperty("verdict").GetString(), scenario.GetProperty("fills").GetInt32(), scenario.GetProperty("wrong").GetInt32()), Is.EqualTo(("fail", 1, 1)));
            Assert.That(Names(scenario.GetProperty("failures")[0]), Is.EqualTo(new[] { "check", "message", "step", "line", "at", "trade", "expected", "actual" }));
            Assert.That(scenario.GetProperty("failures")[0].GetProperty("at").GetString(), Is.EqualTo("1s"));
            Assert.That(root.GetProperty("scenarios")[0].GetProperty("failures").GetArrayLength(), Is.Zero);
            Assert.That(Names(root.GetProperty("totals")), Is.EqualTo(new[] { "scenarios", "passed", "failed", "fills", "linked", "wrong", "missing", "lost", "external" }));
            Assert.That(root.GetProperty("totals").GetRawText(), Is.EqualTo(
                "{\n    \"scenarios\": 2,\n    \"passed\": 1,\n    \"failed\": 1,\n    \"fills\": 3,\n    \"linked\": 2,\n    \"wrong\": 1,\n    \"missing\": 0,\n    \"lost\": 0,\n    \"external\": 0\n  }"));
        });
    }

    [Test]
    public void Json_seed_is_null_when_not_given()
    {
        using var files = new ReplayFixture();
        files.Write("a.yaml", ReplayFixture.Valid("alpha"));
        var report = Path.Combine(files.Root, "r.json");
        ReplayFixture.Run([Path.Combine(files.Root, "a.yaml"), "--json", report]);
        Assert.That(File.ReadAllText(report), Does.StartWith("{\n  \"design\": \"engine\",\n  \"store\": \"sqlite\",\n  \"seed\": null,\n  \"scenarios\": [\n"));
    }

    [Test]
    public void A_report_that_cannot_be_written_exits_2()
    {
        using var files = new ReplayFixture();
        files.Write("a.yaml", ReplayFixture.Valid("alpha"));
        var blocker = files.Write("blocker", "a file where a folder would have to be");
        var run = ReplayFixture.Run([files.Root, "--json", Path.Combine(blocker, "r.json")]);
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(2));
            Assert.That(run.Error, Does.Contain($"--json {blocker}/r.json: cannot be written: {blocker} is a file, not a folder"));
            Assert.That(run.Error, Does.Not.Contain("problem(s) with the files named"), "an unwritable report is not a problem with the scenario files");
            Assert.That(run.Output, Is.Empty, "the path is checked before anything runs");
        });
    }

    [Test]
    public void Capture_writes_one_jsonl_file_per_scenario_in_the_capture_format()
    {
        using var files = new ReplayFixture();
        files.Write("a.yaml", ReplayFixture.Valid("alpha"));
        files.Write("b.yaml", ReplayFixture.Valid("beta"));
        var folder = Path.Combine(files.Root, "captures");
        var run = ReplayFixture.Run([Path.Combine(files.Root, "a.yaml"), Path.Combine(files.Root, "b.yaml"), "--capture", folder]);
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Error);
        Assert.That(Directory.GetFiles(folder).Select(Path.GetFileName).Order(StringComparer.Ordinal), Is.EqualTo(new[] { "alpha.jsonl", "beta.jsonl" }));
        Assert.That(File.ReadAllText(Path.Combine(folder, "alpha.jsonl")),
            Is.EqualTo("{\"at\":\"2025-12-29T21:04:11.532Z\",\"kind\":\"intent\",\"data\":{\"product_id\":\"BTC-USD\", \"side\":\"BUY\"}}\n"));
    }

    private static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];
}
