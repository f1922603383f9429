using System.Collections.Immutable;
using System.Globalization;

namespace Linkage.Sim.Crash;

/// <summary>
/// How one child process of the crash test runs a scenario. The deaths at <see cref="KillPoints"/> (1-based indices
/// into the run's sequence of kill-point crossings, ascending) already happened for real, in earlier child processes:
/// this process re-executes them (the exchange outlived those processes, and the simulation is deterministic, so
/// replaying the run up to each death rebuilds the exchange exactly as it was) and restarts each time on a copy of the
/// database as that death left it. After the last of them it runs on <see cref="DatabasePath"/> itself, and the first
/// crossing <see cref="Next"/> matches is its own, real death: it tells <see cref="ICrashListener.Dying"/> and waits for
/// the parent's SIGKILL. Without <see cref="Next"/> it runs to the end.
/// </summary>
public sealed record CrashPlan
{
    /// <summary>Indices of the deaths already suffered, ascending; one per snapshot.</summary>
    public required ImmutableArray<long> KillPoints { get; init; }

    /// <summary>Where this process dies, or null to run to the end.</summary>
    public KillTarget? Next { get; init; }

    /// <summary>Copies of the database file as each earlier death left it: <c>Snapshots[j]</c> after <c>KillPoints[j]</c>.</summary>
    public required ImmutableArray<string> Snapshots { get; init; }

    /// <summary>The database file the live process uses (and an earlier death left behind, if any).</summary>
    public required string DatabasePath { get; init; }

    /// <summary>A directory for the re-executed lives' scratch copies.</summary>
    public required string ScratchDirectory { get; init; }

    /// <summary>Told about every kill point reached.</summary>
    public required ICrashListener Listener { get; init; }

    /// <summary>The problems that make the plan unusable, every one named; empty when it is sound.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (KillPoints.Any(k => k < 1))
        {
            problems.Add("kill points are 1-based: every one must be at least 1");
        }
        for (var i = 1; i < KillPoints.Length; i++)
        {
            if (KillPoints[i] <= KillPoints[i - 1])
            {
                problems.Add($"kill points must ascend: {KillPoints[i - 1]} is followed by {KillPoints[i]}");
            }
        }
        if (Snapshots.Length != KillPoints.Length)
        {
            problems.Add($"{KillPoints.Length} kill points need {KillPoints.Length} snapshots, not {Snapshots.Length}");
        }
        if (Next is { } next && (next.AtOrAfter < 1 || (!KillPoints.IsEmpty && next.AtOrAfter <= KillPoints[^1])))
        {
            problems.Add($"the next kill point must come after the last one ({(KillPoints.IsEmpty ? 0 : KillPoints[^1])}), not at {next.AtOrAfter}");
        }
        problems.AddRange(Snapshots.Where(s => !File.Exists(s)).Select(s => $"snapshot {s} does not exist"));
        if (string.IsNullOrWhiteSpace(DatabasePath))
        {
            problems.Add("the database path is empty");
        }
        if (string.IsNullOrWhiteSpace(ScratchDirectory))
        {
            problems.Add("the scratch directory is empty");
        }
        return problems;
    }
}

/// <summary>
/// Where a process is to die: the first kill-point crossing at or after <paramref name="AtOrAfter"/> whose kind starts
/// with one of <paramref name="Kinds"/> (any kind when empty). Aiming at kinds puts deaths where they are rare: a
/// run crosses far more reconciliation reads than create-orders.
/// </summary>
public sealed record KillTarget(long AtOrAfter, ImmutableArray<string> Kinds)
{
    public bool Matches(long crossing, string kind) =>
        crossing >= AtOrAfter && (Kinds.IsEmpty || Kinds.Any(k => kind.StartsWith(k, StringComparison.Ordinal)));

    /// <summary><c>INDEX</c> or <c>INDEX:KIND|KIND...</c>, as the child's command line takes it.</summary>
    public override string ToString() =>
        Kinds.IsEmpty ? AtOrAfter.ToString(CultureInfo.InvariantCulture) : FormattableString.Invariant($"{AtOrAfter}:{string.Join('|', Kinds)}");

    public static bool TryParse(string text, out KillTarget? target)
    {
        var parts = text.Split(':', 2);
        target = long.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out var at) && at >= 1
            ? new KillTarget(at, parts.Length == 2 ? [.. parts[1].Split('|', StringSplitOptions.RemoveEmptyEntries)] : [])
            : null;
        return target is not null;
    }
}

/// <summary>
/// A kill point as the process reached it, with a fingerprint of the world at that moment: a re-executed death must
/// show the same fingerprint as the real one, or re-execution did not rebuild the world the dead process left.
/// </summary>
/// <param name="Number">Which death this is (1-based).</param>
/// <param name="Index">The kill-point crossing's index in the run (1-based).</param>
/// <param name="Kind">Where the process was: <c>send</c> (intent staged, create-order not yet sent), <c>ack</c>
/// (create-order answer arriving), <c>feed</c>, <c>rest</c> (a reconciliation read), or <c>write:TABLE</c> (a row written
/// inside a store transaction, before its commit).</param>
/// <param name="At">Virtual time.</param>
/// <param name="Events">World events processed so far.</param>
/// <param name="Exchange">A digest of the exchange's orders and their fills.</param>
/// <param name="Replayed">Whether this death is a re-execution of one that already happened.</param>
public sealed record KillPoint(int Number, long Index, string Kind, DateTimeOffset At, long Events, string Exchange, bool Replayed)
{
    /// <summary>What must agree between the real death and its re-executions.</summary>
    public string Fingerprint => FormattableString.Invariant($"{Number}|{Index}|{Kind}|{At:O}|{Events}|{Exchange}");
}

/// <summary>Receives the kill points a crash-test process reaches.</summary>
public interface ICrashListener
{
    /// <summary>A death that already happened, re-executed; the run goes on in a new process life.</summary>
    void Replayed(KillPoint point);

    /// <summary>This process's own death: after this returns, the process waits to be killed and never runs on.</summary>
    void Dying(KillPoint point);

    /// <summary>The run reached its end with <paramref name="crossings"/> kill-point crossings in all.</summary>
    void Ended(long crossings);
}
