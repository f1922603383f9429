using System.Collections.Immutable;

namespace Linkage.Sim.Scenarios;

/// <summary>How one replay is run.</summary>
public sealed record RunOptions
{
    /// <summary><c>engine</c> or <c>legacy</c>.</summary>
    public string Design { get; init; } = "engine";

    /// <summary><c>memory</c>, <c>sqlite</c> or <c>postgres</c>.</summary>
    public string Store { get; init; } = "sqlite";

    /// <summary>Overrides the scenario's seed when set.</summary>
    public ulong? Seed { get; init; }

    /// <summary>PostgreSQL connection string for <c>postgres</c>.</summary>
    public string? PostgresConnectionString { get; init; }

    /// <summary>
    /// For <c>postgres</c>: the schema each run's store lives in. A run creates it and drops it at its end, so it must
    /// not exist when the run starts (a run never drops what it did not create). Null: a new schema per run, named
    /// <c>linkage_sim_</c> and a random suffix, so runs sharing a database at once never meet.
    /// </summary>
    public string? PostgresSchema { get; init; }

    /// <summary>Whether to keep the capture lines (what the webhook saw) in the result.</summary>
    public bool Capture { get; init; }

    /// <summary>
    /// Runs as one process of the crash test (engine design, SQLite store only): the webhook dies at the plan's kill
    /// points. Null for a normal run.
    /// </summary>
    public Crash.CrashPlan? Crash { get; init; }

    /// <summary>Told of every feed message the simulated exchange sends, with the faults drawn for it (for tests).</summary>
    public Action<Exchange.FeedMessageDraw>? FeedMessages { get; init; }
}

/// <summary>The oracle's verdict on one exchange trade.</summary>
public enum TradeVerdict
{
    /// <summary>Linked to the right intent, once.</summary>
    Linked,

    /// <summary>Linked to another intent.</summary>
    Wrong,

    /// <summary>A bot order's trade not linked (on a durable store, or with no restart to excuse it).</summary>
    Missing,

    /// <summary>Not linked because a volatile store lost it across a restart.</summary>
    Lost,

    /// <summary>A trade of an order the bot did not place, classified external and linked to nothing.</summary>
    External,
}

/// <summary>One exchange trade and what the design made of it.</summary>
public sealed record TradeOutcome(string Order, string TradeId, decimal Size, decimal Price, TradeVerdict Verdict, string? LinkedTo);

/// <summary>A failed check: which step broke it (if any), which trade, what was expected and what happened.</summary>
public sealed record Failure(string Check, string Message)
{
    public int? StepIndex { get; init; }
    public int? StepLine { get; init; }
    public TimeSpan? At { get; init; }
    public string? Trade { get; init; }
    public string? Expected { get; init; }
    public string? Actual { get; init; }
}

/// <summary>One line of a capture file (see <c>docs/capture.md</c>): <c>data</c> is raw JSON as on the wire.</summary>
public sealed record CaptureLine(DateTimeOffset At, string Kind, string DataJson);

/// <summary>The outcome of replaying one scenario. Counts are of exchange trades; each trade has exactly one verdict.</summary>
public sealed record ScenarioResult
{
    public required string Name { get; init; }
    public string? File { get; init; }
    public required bool Passed { get; init; }
    public required ImmutableArray<TradeOutcome> Trades { get; init; }
    public required int DuplicatesIgnored { get; init; }
    public required ImmutableArray<Failure> Failures { get; init; }

    /// <summary>Virtual time from the first to the last event.</summary>
    public required TimeSpan SimulatedDuration { get; init; }

    /// <summary>Feed messages faulted, by kind (<c>duplicate</c>, <c>reorder</c>, <c>drop</c>, <c>disconnect</c>, <c>restart</c>, ...), sorted by kind.</summary>
    public ImmutableSortedDictionary<string, int> FaultsInjected { get; init; } = ImmutableSortedDictionary<string, int>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>Capture lines, when <see cref="RunOptions.Capture"/> was set.</summary>
    public ImmutableArray<CaptureLine> Capture { get; init; } = [];

    /// <summary>Every link the design made, for cross-store and metamorphic comparisons.</summary>
    public ImmutableArray<Engine.LinkRecord> Links { get; init; } = [];

    /// <summary>
    /// Inputs the engine decided and the read-set misses met deciding them, summed over the run's process lives (engine
    /// design only). A diagnostic of the key derivation for the console, never written to the report.
    /// </summary>
    public ReadSetCounts ReadSets { get; init; }

    /// <summary>Every exit allocation (engine design only).</summary>
    public ImmutableArray<Engine.AllocationRecord> Allocations { get; init; } = [];

    /// <summary>The orders the design's store classified external at the end (engine design only; the last process life's store).</summary>
    public ImmutableArray<Engine.ExternalOrderRecord> ExternalOrders { get; init; } = [];

    /// <summary>
    /// Each <c>place</c> and <c>exit</c> label's client order id, as the exchange received it in the intent's
    /// create-order (labels whose order never reached the exchange are absent).
    /// </summary>
    public ImmutableSortedDictionary<string, string> ClientOrderIds { get; init; } = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    /// <summary>
    /// Each attached bracket order the exchange created, by label (its entry's label and <c>/bracket</c>), with its
    /// exchange order id: it has no client order id at the exchange, so this is how a reading of the links finds it.
    /// </summary>
    public ImmutableSortedDictionary<string, string> AttachedOrders { get; init; } = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    public int Fills => Trades.Length;
    public int Linked => Trades.Count(t => t.Verdict == TradeVerdict.Linked);
    public int Wrong => Trades.Count(t => t.Verdict == TradeVerdict.Wrong);
    public int Missing => Trades.Count(t => t.Verdict == TradeVerdict.Missing);
    public int Lost => Trades.Count(t => t.Verdict == TradeVerdict.Lost);
    public int External => Trades.Count(t => t.Verdict == TradeVerdict.External);
}

/// <summary>
/// Inputs decided and read-set misses met (each miss is a read the key derivation did not foresee, and one more fetch);
/// <see cref="Dependent"/> of the misses could not be foreseen from the input (<see cref="Host.EngineCorrelator.ReadSetDependentMisses"/>).
/// </summary>
public readonly record struct ReadSetCounts(long Inputs, long Misses, long Dependent = 0)
{
    public static ReadSetCounts operator +(ReadSetCounts a, ReadSetCounts b) => new(a.Inputs + b.Inputs, a.Misses + b.Misses, a.Dependent + b.Dependent);

    /// <summary>Misses per 1,000 inputs (0 without inputs).</summary>
    public double MissesPerThousand => Inputs == 0 ? 0 : Misses * 1000.0 / Inputs;
}
