using System.Collections.Immutable;
using System.Globalization;
using Linkage.Sim.Scenarios;
using Linkage.Stores.Postgres;

namespace Linkage.Cli;

/// <summary>
/// The <c>replay</c> command line, validated: <c>replay PATH... [--store memory|sqlite|postgres] [--design engine|legacy]
/// [--seed N] [--json FILE] [--capture DIR] [--pg CONN] [--pg-schema NAME]</c>. Options may come before, between or after the paths, as
/// <c>--name value</c> or <c>--name=value</c>; after <c>--</c> everything is a path. Every problem is reported, not only
/// the first.
/// </summary>
internal sealed record ReplayArguments
{
    /// <summary>The environment variable <c>--store postgres</c> reads its connection string from when <c>--pg</c> is not given.</summary>
    public const string PostgresVariable = "LINKAGE_PG";

    /// <summary>
    /// <c>--pg-schema NAME</c>, offered by every command that takes <c>--pg</c> (<c>replay</c>, <c>fuzz</c>, <c>audit</c>):
    /// the schema each run's PostgreSQL store is created in (<see cref="RunOptions.PostgresSchema"/>).
    /// </summary>
    public static readonly CommandOption PostgresSchemaOption = new(
        "--pg-schema",
        "NAME",
        "a new linkage_sim_* schema per run",
        "for --store postgres, the schema each run creates, runs in and drops at its end; it must not exist yet, so a run never drops another's tables");

    /// <summary>The command's options, help and exit codes.</summary>
    public static readonly CommandSpec Spec = new(
        "replay",
        "PATH... [--store memory|sqlite|postgres] [--design engine|legacy] [--seed N] [--json FILE] [--capture DIR] [--pg CONN] [--pg-schema NAME]",
        """
        Replays scenario files (docs/scenarios.md) on the simulated exchange and judges every trade's link against the
        oracle. PATHs are files or folders (searched recursively for .yaml, .yml and .json, in sorted order). Prints one
        row per scenario, every failure with its step and file line, and the replay speed; progress goes to stderr.
        """,
        [
            new("--store", "memory|sqlite|postgres", "sqlite", "the store under test; sqlite is a temporary file, postgres a schema of its own, dropped after"),
            new("--design", "engine|legacy", "engine", "legacy replays the old product-keyed cache to show what it gets wrong"),
            new("--seed", "N", "each file's own seed", "overrides every scenario's seed"),
            new("--json", "FILE", "none", "also write the JSON report (docs/scenarios.md, \"--json FILE\")"),
            new("--capture", "DIR", "none", "also write what the webhook saw, DIR/<name>.jsonl per scenario, for `audit`"),
            new("--pg", "CONN", "$LINKAGE_PG", "the PostgreSQL connection string for --store postgres"),
            PostgresSchemaOption,
        ],
        [
            (0, "every scenario passed"),
            (1, "a scenario failed (a law or an expectation was broken)"),
            (2, "bad arguments, a store that cannot be opened, an output that cannot be written, or a file that could not be read"),
        ],
        ["scenarios", "scenarios/seed --design legacy --store memory", "scenarios --json out/replay.json --capture out/captures"]);

    /// <summary>The one-line usage.</summary>
    public static string Usage => Spec.Usage;

    private static readonly string[] Stores = ["memory", "sqlite", "postgres"];
    private static readonly string[] Designs = ["engine", "legacy"];

    public required ImmutableArray<string> Paths { get; init; }
    public string Store { get; init; } = "sqlite";
    public string Design { get; init; } = "engine";
    public ulong? Seed { get; init; }
    public string? JsonFile { get; init; }
    public string? CaptureFolder { get; init; }

    /// <summary>The PostgreSQL connection string (from <c>--pg</c>, else <see cref="PostgresVariable"/>); set only for <c>--store postgres</c>.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>The schema of <c>--pg-schema</c>, or null for a new one per run.</summary>
    public string? PostgresSchema { get; init; }

    /// <summary>Whether <c>--help</c> was asked for (nothing else is checked then).</summary>
    public bool Help { get; init; }

    /// <summary>
    /// Parses <paramref name="args"/>; <paramref name="errors"/> is empty exactly when the result is usable.
    /// <paramref name="environment"/> reads an environment variable (injected so tests need not touch the process's).
    /// </summary>
    public static ReplayArguments Parse(IReadOnlyList<string> args, Func<string, string?> environment, out ImmutableArray<string> errors)
    {
        var line = Spec.Parse(args);
        if (line.Help)
        {
            errors = [];
            return new ReplayArguments { Paths = [], Help = true };
        }
        var problems = line.Problems;
        var paths = line.Positionals;
        var values = line.Values;
        if (paths.IsEmpty)
        {
            problems.Add("no PATH given: name scenario files or folders");
        }
        var store = OneOf(values, "--store", Stores, "sqlite", problems);
        var design = OneOf(values, "--design", Designs, "engine", problems);
        ulong? seed = null;
        if (values.TryGetValue("--seed", out var seedText))
        {
            if (ulong.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out var parsed))
            {
                seed = parsed;
            }
            else
            {
                problems.Add($"--seed '{seedText}' is not a whole number from 0 to {ulong.MaxValue}");
            }
        }
        string? postgres = null;
        if (store == "postgres")
        {
            postgres = values.GetValueOrDefault("--pg") ?? environment(PostgresVariable);
            if (string.IsNullOrWhiteSpace(postgres))
            {
                problems.Add($"--store postgres needs a connection string: --pg CONN or the {PostgresVariable} environment variable");
            }
        }
        else if (values.ContainsKey("--pg"))
        {
            problems.Add("--pg applies only to --store postgres");
        }
        var schema = PostgresSchemaOf(values.GetValueOrDefault("--pg-schema"), store, problems);
        errors = [.. problems];
        return new ReplayArguments
        {
            Paths = paths,
            Store = store,
            Design = design,
            Seed = seed,
            JsonFile = values.GetValueOrDefault("--json"),
            CaptureFolder = values.GetValueOrDefault("--capture"),
            PostgresConnectionString = postgres,
            PostgresSchema = schema,
        };
    }

    /// <summary>
    /// The schema a <c>--pg-schema</c> <paramref name="value"/> names for <paramref name="store"/>, or null (none given,
    /// or a problem, which is added to <paramref name="problems"/>: another store than postgres, or not a plain identifier).
    /// </summary>
    public static string? PostgresSchemaOf(string? value, string store, List<string> problems)
    {
        ArgumentNullException.ThrowIfNull(problems);
        if (value is null)
        {
            return null;
        }
        if (store != "postgres")
        {
            problems.Add("--pg-schema applies only to --store postgres");
            return null;
        }
        if (PostgresStoreOptions.SchemaProblem(value) is { } problem)
        {
            problems.Add($"--pg-schema {problem}");
            return null;
        }
        return value;
    }

    private static string OneOf(Dictionary<string, string> values, string option, string[] allowed, string fallback, List<string> problems)
    {
        if (!values.TryGetValue(option, out var value))
        {
            return fallback;
        }
        if (allowed.Contains(value))
        {
            return value;
        }
        problems.Add($"{option} '{value}' is not one of {string.Join(", ", allowed)}");
        return fallback;
    }
}
