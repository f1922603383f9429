using System.Globalization;

namespace Linkage.Cli.Load;

/// <summary>The phases <c>linkage load</c> can run.</summary>
internal enum LoadPhase
{
    /// <summary><c>POST /v1/intents</c> at a fixed concurrency: requests per second and latency.</summary>
    Intake,

    /// <summary>Market orders placed on the exchange at a fixed fill rate: fill-to-link latency, as the daemon measures it.</summary>
    Fills,
}

/// <summary>
/// The validated options of <c>linkage load</c>. Either the command starts its own pair (an exchange and, per phase, a
/// fresh daemon on a fresh store), or it drives a running pair (<c>--intake</c>, and <c>--rest</c> with <c>--key</c>
/// for the fill phase).
/// </summary>
internal sealed record LoadSettings
{
    public const int ConcurrencyMax = 1024;
    public const int FillRateMax = 100_000;
    public const double DurationMax = 3600;

    /// <summary>Trades per market order, at most what the exchange's <c>--market-partials</c> takes.</summary>
    public const int PartialsMax = 100;

    public required IReadOnlyList<LoadPhase> Phases { get; init; }
    public string Store { get; init; } = "sqlite";
    public string? PostgresConnection { get; init; }

    /// <summary>The prefix of the phases' schemas (<c>PREFIX_intake</c>, <c>PREFIX_fills</c>); null for <c>linkage_load_RUN</c>.</summary>
    public string? PostgresSchema { get; init; }
    public int Concurrency { get; init; } = 16;
    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(10);
    public TimeSpan Warmup { get; init; } = TimeSpan.FromSeconds(2);
    public int FillRate { get; init; } = 1000;
    public int Partials { get; init; } = 1;
    public int FillWarmup { get; init; } = 200;
    public ulong Seed { get; init; } = 1;
    public string? Json { get; init; }
    public string? WorkDirectory { get; init; }
    public bool Keep { get; init; }

    /// <summary>A running daemon's intake URL; null when the command starts its own.</summary>
    public Uri? Intake { get; init; }

    /// <summary>A running exchange's REST URL; null when the command starts its own.</summary>
    public Uri? Rest { get; init; }
    public string? KeyFile { get; init; }
    public string? CaFile { get; init; }

    /// <summary>Whether the command drives a pair someone else started.</summary>
    public bool RunningPair => Intake is not null;

    /// <summary>How many market orders the fill phase places: the fills of the phase over the trades each order brings.</summary>
    public int Orders => (int)Math.Ceiling(FillRate * Duration.TotalSeconds / Partials);

    /// <summary>Reads the parsed command line; null with <paramref name="problems"/> filled when anything is wrong (every problem, not the first).</summary>
    public static LoadSettings? From(ParsedCommandLine line, List<string> problems)
    {
        var phases = new List<LoadPhase>();
        foreach (var name in (line.Value("--phases") ?? "intake,fills").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            LoadPhase? phase = name switch
            {
                "intake" => LoadPhase.Intake,
                "fills" => LoadPhase.Fills,
                _ => null,
            };
            if (phase is null)
            {
                problems.Add($"--phases takes intake, fills or both (intake,fills), not '{name}'");
            }
            else if (!phases.Contains(phase.Value))
            {
                phases.Add(phase.Value);
            }
        }
        if (phases.Count == 0 && problems.Count == 0)
        {
            problems.Add("--phases names no phase; give intake, fills or intake,fills");
        }
        var store = line.Value("--store") ?? "sqlite";
        if (store is not ("sqlite" or "postgres"))
        {
            problems.Add($"--store must be sqlite or postgres, not '{store}'");
        }
        var intake = Url(line, "--intake", problems);
        var rest = Url(line, "--rest", problems);
        var key = line.Value("--key");
        var ca = line.Value("--ca");
        if (intake is null && (rest is not null || key is not null || ca is not null))
        {
            problems.Add("--rest, --key and --ca drive a running pair and need --intake too (without them, load starts its own exchange and daemon)");
        }
        if (intake is not null && phases.Contains(LoadPhase.Fills) && (rest is null || key is null))
        {
            problems.Add("the fill phase against a running pair needs the exchange's --rest URL and the --key FILE it accepts (or --phases intake)");
        }
        if (intake is not null && (line.Value("--store") is not null || line.Value("--pg") is not null || line.Value("--pg-schema") is not null))
        {
            problems.Add("--store, --pg and --pg-schema choose the store of the daemons load starts; a running daemon (--intake) keeps its own");
        }
        if (key is not null && !File.Exists(key))
        {
            problems.Add($"--key {key}: no such file");
        }
        if (ca is not null && !File.Exists(ca))
        {
            problems.Add($"--ca {ca}: no such file");
        }
        var postgres = line.Value("--pg") ?? Environment.GetEnvironmentVariable("LINKAGE_PG");
        if (store == "postgres" && intake is null && string.IsNullOrWhiteSpace(postgres))
        {
            problems.Add("--store postgres needs a connection string: --pg CONN or the environment variable LINKAGE_PG");
        }
        var schema = ReplayArguments.PostgresSchemaOf(line.Value("--pg-schema"), store, problems);
        var concurrency = Whole(line, "--concurrency", 16, 1, ConcurrencyMax, problems);
        var fillRate = Whole(line, "--fill-rate", 1000, 1, FillRateMax, problems);
        var partials = Whole(line, "--partials", 1, 1, PartialsMax, problems);
        var fillWarmup = Whole(line, "--fill-warmup", 200, 0, FillRateMax, problems);
        var duration = Seconds(line, "--duration", 10, 0.1, problems);
        var warmup = Seconds(line, "--warmup", 2, 0, problems);
        ulong seed = 1;
        if (line.Value("--seed") is { } seedText && !ulong.TryParse(seedText, NumberStyles.None, CultureInfo.InvariantCulture, out seed))
        {
            problems.Add($"--seed must be a whole number, not '{seedText}'");
        }
        if (problems.Count > 0)
        {
            return null;
        }
        return new LoadSettings
        {
            Phases = phases,
            Store = store,
            PostgresConnection = store == "postgres" ? postgres : null,
            PostgresSchema = schema,
            Concurrency = concurrency,
            Duration = duration,
            Warmup = warmup,
            FillRate = fillRate,
            Partials = partials,
            FillWarmup = fillWarmup,
            Seed = seed,
            Json = line.Value("--json"),
            WorkDirectory = line.Value("--work"),
            Keep = line.Flag("--keep"),
            Intake = intake,
            Rest = rest,
            KeyFile = key is null ? null : Path.GetFullPath(key),
            CaFile = ca is null ? null : Path.GetFullPath(ca),
        };
    }

    private static Uri? Url(ParsedCommandLine line, string option, List<string> problems)
    {
        if (line.Value(option) is not { } text)
        {
            return null;
        }
        if (!Uri.TryCreate(text, UriKind.Absolute, out var url) || url.Scheme is not ("http" or "https"))
        {
            problems.Add($"{option} must be an http:// or https:// URL, not '{text}'");
            return null;
        }
        return url;
    }

    private static int Whole(ParsedCommandLine line, string option, int fallback, int min, int max, List<string> problems)
    {
        if (line.Value(option) is not { } text)
        {
            return fallback;
        }
        if (!int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) || value < min || value > max)
        {
            problems.Add($"{option} must be a whole number from {min} to {max.ToString("N0", CultureInfo.InvariantCulture)}, not '{text}'");
            return fallback;
        }
        return value;
    }

    private static TimeSpan Seconds(ParsedCommandLine line, string option, double fallback, double min, List<string> problems)
    {
        if (line.Value(option) is not { } text)
        {
            return TimeSpan.FromSeconds(fallback);
        }
        if (!double.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value < min || value > DurationMax)
        {
            problems.Add($"{option} must be a number of seconds from {min.ToString(CultureInfo.InvariantCulture)} to {DurationMax.ToString(CultureInfo.InvariantCulture)}, not '{text}'");
            return TimeSpan.FromSeconds(fallback);
        }
        return TimeSpan.FromSeconds(value);
    }
}
