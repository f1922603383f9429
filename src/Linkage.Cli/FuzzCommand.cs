using System.Collections.Immutable;
using System.Globalization;
using Linkage.Sim.Stores;
using Linkage.Sim.Generation;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;

namespace Linkage.Cli;

/// <summary>
/// The <c>fuzz</c> command of <c>docs/scenarios.md</c>: generates scenarios from a seed with the generator the property
/// tests use (<see cref="SwarmGenerator"/>), replays each against the oracle, and stops at the first failure: shrinks it
/// (<see cref="ScenarioShrinker"/>), prints it, writes it as a scenario file and exits 1. Exit 0 when every scenario
/// passed, 2 for bad arguments or a store this build cannot open. Scenario <c>i</c> of seed <c>S</c> is the same in
/// every run, whatever <c>--runs</c> says.
/// </summary>
internal static class FuzzCommand
{
    /// <summary>The command's options, help and exit codes.</summary>
    public static readonly CommandSpec Spec = new(
        "fuzz",
        "[--runs N] [--seed S] [--store memory|sqlite|postgres] [--design engine|legacy] [--out DIR] [--pg CONN] [--pg-schema NAME]",
        """
        Generates scenarios from a seed with the property tests' generator (SwarmGenerator), replays each against the
        oracle and stops at the first failure: shrinks it, prints it and writes it to DIR as a scenario file that
        `replay` reads. Scenario i of seed S is the same in every run. Progress goes to stderr every 2 s. On a 2-core
        machine a Release build does about 13 scenarios a second on memory, 5 on SQLite, 1 on PostgreSQL (a store
        read or write is a round trip there, and a scenario makes hundreds).
        """,
        [
            new("--runs", "N", RunsDefault.ToString(CultureInfo.InvariantCulture), $"scenarios to generate and replay, 1 to {RunsMax:N0}"),
            new("--seed", "S", "1", "the generator's seed"),
            new("--store", "memory|sqlite|postgres", StoreFactory.Sqlite, "the store under test"),
            new("--design", "engine|legacy", "engine", "legacy fuzzes the old product-keyed cache"),
            new("--out", "DIR", Counterexamples.DefaultFolder, "where a shrunk counterexample is written; --out scenarios/regressions keeps it as a regression"),
            new("--pg", "CONN", "$LINKAGE_PG", "the PostgreSQL connection string for --store postgres"),
            ReplayArguments.PostgresSchemaOption,
        ],
        [
            (0, "every scenario passed"),
            (1, "a scenario failed; the shrunk counterexample is printed and written to --out"),
            (2, "bad arguments, a store that cannot be opened (or was lost during the run), or an --out folder that cannot be written"),
        ],
        ["--runs 1000 --seed 7 --store memory", "--runs 200 --store postgres --pg 'Host=localhost;Username=postgres'"]);

    /// <summary>The one-line usage.</summary>
    public static string Usage => Spec.Usage;

    /// <summary>Scenarios run when <c>--runs</c> is not given.</summary>
    public const int RunsDefault = 100;

    /// <summary>Most scenarios one run may ask for.</summary>
    public const int RunsMax = 10_000_000;

    /// <summary>Most shrink candidates replayed for one failure, so shrinking a huge scenario ends.</summary>
    public const int ShrinkAttemptsMax = 5_000;

    private static readonly string[] Stores = [StoreFactory.Memory, StoreFactory.Sqlite, StoreFactory.Postgres];
    private static readonly string[] Designs = ["engine", "legacy"];

    /// <summary>The validated command line.</summary>
    internal sealed record Arguments
    {
        public int Runs { get; init; } = RunsDefault;
        public ulong Seed { get; init; } = 1;
        public string Store { get; init; } = StoreFactory.Sqlite;
        public string Design { get; init; } = "engine";
        public string Out { get; init; } = Counterexamples.DefaultFolder;
        public string? PostgresConnectionString { get; init; }
        public string? PostgresSchema { get; init; }
        public bool Help { get; init; }
    }

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        return Run(args, output, error, ReplayHost.Real(ScenarioRunner.Run));
    }

    public static int Run(IReadOnlyList<string> args, TextWriter output, TextWriter error, ReplayHost host)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(error);
        ArgumentNullException.ThrowIfNull(host);
        var arguments = Parse(args, host.Environment, out var problems);
        if (arguments.Help)
        {
            output.Write(Spec.Help());
            return 0;
        }
        if (problems.IsEmpty && OutputPaths.FolderProblem("--out", arguments.Out) is { } outProblem)
        {
            problems = [outProblem];
        }
        if (!problems.IsEmpty)
        {
            return Spec.Refuse(problems, error);
        }
        var options = new RunOptions
        {
            Design = arguments.Design,
            Store = arguments.Store,
            PostgresConnectionString = arguments.PostgresConnectionString,
            PostgresSchema = arguments.PostgresSchema,
        };
        if (host.StoreProblem(options) is { } storeProblem)
        {
            error.WriteLine($"fuzz: {storeProblem}");
            error.WriteLine("fuzz: nothing was run; exit status 2");
            return 2;
        }
        var tally = new Tally();
        var lastProgress = host.Elapsed();
        output.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"fuzz: {arguments.Runs} scenario(s) from seed {arguments.Seed}, generator v{SwarmGenerator.GeneratorVersion}, design {arguments.Design}, store {arguments.Store}"));
        var ran = 0;
        try
        {
            for (var i = 0; i < arguments.Runs; i++)
            {
                var scenario = SwarmGenerator.Generate(GenerationOptions.ForStore(arguments.Store), arguments.Seed, i);
                var result = ReplayCommand.RunOne(host, scenario, options);
                ran = i + 1;
                if (!result.Passed && host.StoreProblem(options) is { } lost)
                {
                    // A failure while the store is gone says nothing about the engine: no shrinking, no counterexample.
                    throw new StoreUnavailableException(lost);
                }
                tally.Add(scenario, result);
                if (!result.Passed)
                {
                    tally.Write(output, host.Elapsed());
                    return Fail(arguments, options, host, scenario, result, i, output, error);
                }
                if (host.Elapsed() - lastProgress >= ReplayCommand.ProgressInterval)
                {
                    lastProgress = host.Elapsed();
                    error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"fuzz: {i + 1}/{arguments.Runs} scenarios, {tally.Trades} trades, {lastProgress.TotalSeconds:0.0} s"));
                }
            }
        }
        catch (StoreUnavailableException e)
        {
            error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"fuzz: the store failed after {ran} of {arguments.Runs} scenario(s): {e.Message}"));
            error.WriteLine("fuzz: an infrastructure failure is not a counterexample; nothing was written; exit status 2");
            return 2;
        }
        tally.Write(output, host.Elapsed());
        output.WriteLine($"fuzz: all {arguments.Runs} scenario(s) passed");
        return 0;
    }

    /// <summary>Shrinks the failing scenario (keeping at least one of its failed checks), prints it and writes it to the output folder.</summary>
    private static int Fail(Arguments arguments, RunOptions options, ReplayHost host, Scenario scenario, ScenarioResult result, int index, TextWriter output, TextWriter error)
    {
        var checks = result.Failures.Select(f => f.Check).ToHashSet(StringComparer.Ordinal);
        // A counterexample must reproduce from a fresh state: a failure that does not is the harness's own (state
        // leaked from an earlier scenario), and shrinking it would produce a file that passes.
        if (ReplayCommand.RunOne(host, scenario, options).Passed)
        {
            output.WriteLine($"fuzz: scenario {index} ({scenario.Name}) failed {string.Join(", ", checks.Order(StringComparer.Ordinal))}, then passed when replayed alone from a fresh state: NOT REPRODUCIBLE");
            output.WriteLine("fuzz: the failure depends on state an earlier scenario left behind (a leak between runs in the harness or the store), not on the scenario; nothing was shrunk or written");
            ReplayText.WriteFailures(output, [result]);
            return 1;
        }
        output.WriteLine($"fuzz: scenario {index} ({scenario.Name}, {scenario.Steps.Length} steps) failed {string.Join(", ", checks.Order(StringComparer.Ordinal))} (reproduced from a fresh state); shrinking");
        var (shrunk, steps, attempts) = ScenarioShrinker.Minimize(
            scenario,
            candidate => ReplayCommand.RunOne(host, candidate, options) is { Passed: false } r && r.Failures.Any(f => checks.Contains(f.Check)),
            ShrinkAttemptsMax);
        var shrunkResult = ReplayCommand.RunOne(host, shrunk, options);
        var key = string.Create(CultureInfo.InvariantCulture, $"{arguments.Seed}-{index}");
        var counterexample = Counterexamples.Prepare(shrunk, "fuzz", key, Counterexamples.Summary(shrunkResult, options));
        output.WriteLine($"fuzz: shrunk to {steps} step(s) after {attempts} replay(s):");
        output.WriteLine();
        output.Write(ScenarioWriter.Write(counterexample));
        ReplayText.WriteFailures(output, [shrunkResult]);
        try
        {
            var path = Counterexamples.Write(counterexample, arguments.Out);
            output.WriteLine();
            // The file is what a user replays: read it back and replay it before reporting it.
            var load = ScenarioLoader.LoadFile(path);
            var replayed = load.Scenario is { } fromFile ? ReplayCommand.RunOne(host, fromFile, options) : null;
            if (replayed is { Passed: false })
            {
                output.WriteLine($"fuzz: written to {path} and replayed from the file: it fails {string.Join(", ", replayed.Failures.Select(f => f.Check).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))}");
            }
            else
            {
                output.WriteLine($"fuzz: written to {path}, but replayed from the file it {(load.Scenario is null ? "cannot be read: " + string.Join("; ", load.Errors) : "passes")}: the file does not reproduce the failure (a writer or loader bug)");
            }
            output.WriteLine($"fuzz: replay it with: replay {path} --design {arguments.Design} --store {arguments.Store}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"fuzz: cannot write the counterexample to {arguments.Out}: {e.Message}");
        }
        return 1;
    }

    /// <summary>What the run met: scenarios, trades by verdict, faults by kind, classes by count, simulated time.</summary>
    private sealed class Tally
    {
        private readonly SortedDictionary<string, int> _faults = new(StringComparer.Ordinal);
        private readonly SortedDictionary<ScenarioClass, int> _classes = [];
        private int _scenarios;
        private long _linked;
        private long _external;
        private long _lost;
        private TimeSpan _simulated;

        public long Trades { get; private set; }

        public void Add(Scenario scenario, ScenarioResult result)
        {
            _scenarios++;
            Trades += result.Fills;
            _linked += result.Linked;
            _external += result.External;
            _lost += result.Lost;
            _simulated += result.SimulatedDuration;
            foreach (var (kind, count) in result.FaultsInjected)
            {
                _faults[kind] = _faults.GetValueOrDefault(kind) + count;
            }
            foreach (var c in ScenarioClassifier.Classify(scenario))
            {
                _classes[c] = _classes.GetValueOrDefault(c) + 1;
            }
        }

        public void Write(TextWriter output, TimeSpan wall)
        {
            var seconds = Math.Max(wall.TotalSeconds, 0.001);
            var missing = Enum.GetValues<ScenarioClass>().Where(c => !_classes.ContainsKey(c)).ToList();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"scenarios run: {_scenarios}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"trades: {Trades} (linked {_linked}, external {_external}, lost across restarts {_lost})"));
            output.WriteLine("faults injected: " + (_faults.Count == 0 ? "none" : string.Join(", ", _faults.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}")))));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"classes covered: {_classes.Count} of {_classes.Count + missing.Count}: ")
                + string.Join(", ", _classes.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}")))
                + (missing.Count == 0 ? "" : "; not met: " + string.Join(", ", missing)));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"simulated: {_simulated.TotalHours:0.0} h in {wall.TotalSeconds:0.0} s wall clock ({_simulated.TotalHours / seconds:0.0} simulated hours per second)"));
        }
    }

    /// <summary>Parses the command line; every problem is reported, not only the first.</summary>
    internal static Arguments Parse(IReadOnlyList<string> args, Func<string, string?> environment, out ImmutableArray<string> problems)
    {
        var line = Spec.Parse(args);
        if (line.Help)
        {
            problems = [];
            return new Arguments { Help = true };
        }
        var errors = line.Problems;
        var result = new Arguments();
        errors.AddRange(line.Positionals.Select(p => $"unexpected argument '{p}'"));
        foreach (var (name, value) in line.Values.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            result = name switch
            {
                "--runs" => int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var runs) && runs is >= 1 and <= RunsMax
                    ? result with { Runs = runs }
                    : Problem(result, errors, $"--runs '{value}' is not a whole number from 1 to {RunsMax}"),
                "--seed" => ulong.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var seed)
                    ? result with { Seed = seed }
                    : Problem(result, errors, $"--seed '{value}' is not a whole number from 0 to {ulong.MaxValue}"),
                "--store" => Stores.Contains(value) ? result with { Store = value } : Problem(result, errors, $"--store '{value}': expected memory, sqlite or postgres"),
                "--design" => Designs.Contains(value) ? result with { Design = value } : Problem(result, errors, $"--design '{value}': expected engine or legacy"),
                "--out" => result with { Out = value },
                "--pg-schema" => result,
                _ => result with { PostgresConnectionString = value },
            };
        }
        if (result.Store == StoreFactory.Postgres && result.PostgresConnectionString is null)
        {
            var fromEnvironment = environment(ReplayArguments.PostgresVariable);
            if (string.IsNullOrWhiteSpace(fromEnvironment))
            {
                errors.Add($"--store postgres needs a connection string: --pg CONN or {ReplayArguments.PostgresVariable}");
            }
            result = result with { PostgresConnectionString = fromEnvironment };
        }
        result = result with { PostgresSchema = ReplayArguments.PostgresSchemaOf(line.Value("--pg-schema"), result.Store, errors) };
        problems = [.. errors];
        return result;
    }

    private static Arguments Problem(Arguments unchanged, List<string> errors, string problem)
    {
        errors.Add(problem);
        return unchanged;
    }
}
