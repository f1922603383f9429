using System.Collections.Immutable;
using System.Globalization;

namespace Linkage.Cli;

/// <summary>
/// The <c>replay</c> command line, validated: <c>replay PATH... [--store memory|sqlite|postgres] [--design engine|legacy]
/// [--seed N] [--json FILE] [--capture DIR] [--pg CONN]</c>. Options may come before, between or after the paths, as
/// <c>--name value</c> or <c>--name=value</c>; after <c>--</c> everything is a path. Every problem is reported, not only
/// the first.
/// </summary>
internal sealed record ReplayArguments
{
    public const string Usage =
        "usage: linkage replay PATH... [--store memory|sqlite|postgres] [--design engine|legacy] [--seed N] [--json FILE] [--capture DIR] [--pg CONN]";

    /// <summary>The environment variable <c>--store postgres</c> reads its connection string from when <c>--pg</c> is not given.</summary>
    public const string PostgresVariable = "LINKAGE_PG";

    private static readonly string[] Stores = ["memory", "sqlite", "postgres"];
    private static readonly string[] Designs = ["engine", "legacy"];
    private static readonly string[] ValueOptions = ["--store", "--design", "--seed", "--json", "--capture", "--pg"];

    public required ImmutableArray<string> Paths { get; init; }
    public string Store { get; init; } = "sqlite";
    public string Design { get; init; } = "engine";
    public ulong? Seed { get; init; }
    public string? JsonFile { get; init; }
    public string? CaptureFolder { get; init; }

    /// <summary>The PostgreSQL connection string (from <c>--pg</c>, else <see cref="PostgresVariable"/>); set only for <c>--store postgres</c>.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>Whether <c>--help</c> was asked for (nothing else is checked then).</summary>
    public bool Help { get; init; }

    /// <summary>
    /// Parses <paramref name="args"/>; <paramref name="errors"/> is empty exactly when the result is usable.
    /// <paramref name="environment"/> reads an environment variable (injected so tests need not touch the process's).
    /// </summary>
    public static ReplayArguments Parse(IReadOnlyList<string> args, Func<string, string?> environment, out ImmutableArray<string> errors)
    {
        var problems = new List<string>();
        var paths = ImmutableArray.CreateBuilder<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var onlyPaths = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (!onlyPaths && arg is "--help" or "-h")
            {
                errors = [];
                return new ReplayArguments { Paths = [], Help = true };
            }
            if (onlyPaths || !arg.StartsWith("--", StringComparison.Ordinal))
            {
                paths.Add(arg);
                continue;
            }
            if (arg == "--")
            {
                onlyPaths = true;
                continue;
            }
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            if (!ValueOptions.Contains(name))
            {
                problems.Add($"unknown option '{name}'");
                continue;
            }
            string value;
            if (equals >= 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count)
            {
                value = args[++i];
            }
            else
            {
                problems.Add($"{name} needs a value");
                continue;
            }
            if (!values.TryAdd(name, value))
            {
                problems.Add($"{name} is given twice");
            }
        }
        if (paths.Count == 0)
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
        foreach (var option in new[] { "--json", "--capture" })
        {
            if (values.TryGetValue(option, out var path) && path.Length == 0)
            {
                problems.Add($"{option} needs a path");
            }
        }
        errors = [.. problems];
        return new ReplayArguments
        {
            Paths = paths.ToImmutable(),
            Store = store,
            Design = design,
            Seed = seed,
            JsonFile = values.GetValueOrDefault("--json"),
            CaptureFolder = values.GetValueOrDefault("--capture"),
            PostgresConnectionString = postgres,
        };
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
