using System.Collections.Immutable;
using System.Diagnostics;
using Linkage.Sim.Stores;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;

namespace Linkage.Cli;

/// <summary>What <c>replay</c> needs from the world, injected so tests can run it with a fake runner, environment and clock.</summary>
/// <param name="Runner">Replays one scenario (the simulator's <c>ScenarioRunner.Run</c>).</param>
/// <param name="StoreProblem">Why the run's store cannot be opened (opened once to find out), or null when it can.</param>
/// <param name="Environment">Reads an environment variable.</param>
/// <param name="Elapsed">Wall-clock time since the command started: for the speed line and progress only, never for the report.</param>
internal sealed record ReplayHost(
    Func<Scenario, RunOptions, ScenarioResult> Runner,
    Func<RunOptions, string?> StoreProblem,
    Func<string, string?> Environment,
    Func<TimeSpan> Elapsed)
{
    /// <summary>The real world: the simulator, the store opened once before the run, the process's environment, a stopwatch.</summary>
    public static ReplayHost Real(Func<Scenario, RunOptions, ScenarioResult> runner)
    {
        var clock = Stopwatch.StartNew();
        return new ReplayHost(runner, StoreFactory.Problem, System.Environment.GetEnvironmentVariable, () => clock.Elapsed);
    }
}

/// <summary>
/// The <c>replay</c> command of <c>docs/scenarios.md</c>: loads every scenario file named (folders recursively, in
/// ordinal order), replays each with the chosen design and store, prints a table, the failures and the replay speed,
/// and optionally writes the JSON report and capture files. Exit status: 0 when every scenario passed; 1 when any
/// failed; 2 for bad arguments or when any file could not be read (or two files share a name). When files could not be
/// read AND scenarios failed, the status is 2: the run did not check everything it was asked to, which must not pass
/// for an ordinary failure; the failures are still printed and reported (as grep does with an error and a match).
/// </summary>
internal static class ReplayCommand
{
    /// <summary>How often, at most, a progress line goes to the error stream on long runs.</summary>
    public static readonly TimeSpan ProgressInterval = TimeSpan.FromSeconds(2);

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        return Run(args, output, error, ReplayHost.Real(ScenarioRunner.Run));
    }

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, ReplayHost host)
    {
        var arguments = ReplayArguments.Parse(args, host.Environment, out var usageErrors);
        if (arguments.Help)
        {
            output.Write(ReplayArguments.Spec.Help());
            return 0;
        }
        var outputProblems = usageErrors.IsEmpty
            ? OutputPaths.Problems([("--json", arguments.JsonFile)], [("--capture", arguments.CaptureFolder)])
            : [];
        if (!usageErrors.IsEmpty || outputProblems.Count > 0)
        {
            return ReplayArguments.Spec.Refuse([.. usageErrors, .. outputProblems], error);
        }
        var options = new RunOptions
        {
            Design = arguments.Design,
            Store = arguments.Store,
            Seed = arguments.Seed,
            PostgresConnectionString = arguments.PostgresConnectionString,
            PostgresSchema = arguments.PostgresSchema,
            Capture = arguments.CaptureFolder is not null,
        };
        if (host.StoreProblem(options) is { } storeProblem)
        {
            error.WriteLine($"replay: {storeProblem}");
            error.WriteLine("replay: nothing was run; exit status 2");
            return 2;
        }
        var (scenarios, loadErrors) = Load(arguments.Paths);
        foreach (var loadError in loadErrors)
        {
            error.WriteLine(loadError);
        }
        var results = new List<ScenarioResult>();
        var lastProgress = host.Elapsed();
        foreach (var scenario in scenarios)
        {
            ScenarioResult result;
            try
            {
                result = RunOne(host, scenario, options);
            }
            catch (StoreUnavailableException e)
            {
                error.WriteLine($"replay: the store failed at scenario {scenario.Name} ({results.Count} of {scenarios.Length} ran): {e.Message}");
                error.WriteLine("replay: an infrastructure failure judges no scenario; exit status 2");
                return 2;
            }
            results.Add(result);
            if (arguments.CaptureFolder is { } folder)
            {
                CaptureFiles.Write(folder, result);
            }
            if (host.Elapsed() - lastProgress >= ProgressInterval)
            {
                lastProgress = host.Elapsed();
                error.WriteLine($"replay: {results.Count}/{scenarios.Length} scenarios, {results.Count(r => !r.Passed)} failed, {lastProgress.TotalSeconds:0.0} s");
            }
        }
        if (results.Count > 0)
        {
            ReplayText.WriteTable(output, results);
            ReplayText.WriteFailures(output, results);
            ReplayText.WriteSpeed(output, results.Count, TimeSpan.FromTicks(results.Sum(r => r.SimulatedDuration.Ticks)), host.Elapsed());
            ReplayText.WriteReadSets(output, results.Aggregate(default(ReadSetCounts), (sum, r) => sum + r.ReadSets));
        }
        if (arguments.CaptureFolder is { } captures && results.Count > 0)
        {
            output.WriteLine($"replay: {results.Count} capture file(s) written to {captures}/ (one <name>.jsonl per scenario)");
        }
        var reportFailed = false;
        if (arguments.JsonFile is { } json)
        {
            reportFailed = !WriteReport(json, arguments, results, error);
            if (!reportFailed)
            {
                output.WriteLine($"replay: JSON report written to {json}");
            }
        }
        if (!loadErrors.IsEmpty)
        {
            error.WriteLine($"replay: {loadErrors.Length} problem(s) with the files named; exit status 2");
            return 2;
        }
        if (reportFailed)
        {
            error.WriteLine("replay: the JSON report could not be written; exit status 2");
            return 2;
        }
        return results.All(r => r.Passed) ? 0 : 1;
    }

    /// <summary>Loads every file; returns the scenarios to run (in file order) and every problem, each on one line.</summary>
    private static (ImmutableArray<Scenario> Scenarios, ImmutableArray<string> Errors) Load(ImmutableArray<string> paths)
    {
        var scenarios = ImmutableArray.CreateBuilder<Scenario>();
        var errors = ImmutableArray.CreateBuilder<string>();
        var byName = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var file in ScenarioFiles.Expand(paths))
        {
            if (file.Problem is { } problem)
            {
                errors.Add(new ScenarioError(file.DisplayPath, 0, "", problem).ToString());
                continue;
            }
            var load = ScenarioLoader.LoadFile(file.DisplayPath);
            if (!load.Succeeded)
            {
                errors.AddRange(load.Errors.Select(e => e.ToString()));
                continue;
            }
            if (!byName.TryAdd(load.Scenario.Name, file.DisplayPath))
            {
                errors.Add(new ScenarioError(file.DisplayPath, load.NameLine, "name", $"scenario name '{load.Scenario.Name}' is already used by {byName[load.Scenario.Name]}; names are unique within a run").ToString());
                continue;
            }
            scenarios.Add(load.Scenario);
        }
        return (scenarios.ToImmutable(), errors.ToImmutable());
    }

    /// <summary>
    /// Replays one scenario. The runner is the system under test: if it throws, that scenario fails with the exception as
    /// its failure, and the other scenarios still run. A store that could not be opened is the infrastructure, not the
    /// scenario: it goes to the caller (replay and fuzz both use this).
    /// </summary>
    internal static ScenarioResult RunOne(ReplayHost host, Scenario scenario, RunOptions options)
    {
        try
        {
            return host.Runner(scenario, options);
        }
        catch (Exception e) when (e is not (OutOfMemoryException or StoreUnavailableException))
        {
            return new ScenarioResult
            {
                Name = scenario.Name,
                File = scenario.File,
                Passed = false,
                Trades = [],
                DuplicatesIgnored = 0,
                Failures = [new Failure("run", $"the replay stopped with {e.GetType().Name}: {e.Message}")],
                SimulatedDuration = TimeSpan.Zero,
            };
        }
    }

    private static bool WriteReport(string path, ReplayArguments arguments, List<ScenarioResult> results, TextWriter error)
    {
        try
        {
            File.WriteAllText(path, ReplayReport.Write(arguments.Design, arguments.Store, arguments.Seed, results), new System.Text.UTF8Encoding(false));
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"replay: cannot write the JSON report to {path}: {e.Message}");
            return false;
        }
    }
}
