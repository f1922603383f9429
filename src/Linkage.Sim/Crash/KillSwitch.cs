namespace Linkage.Sim.Crash;

/// <summary>
/// Counts the run's kill-point crossings in the order they happen and calls <see cref="Die"/> at each planned one. The
/// crossings are points where a real webhook process can die with a different outcome: before a create-order is sent,
/// when its answer arrives, when a feed message arrives, before a reconciliation read, and after each row a store
/// transaction writes (before it commits). The run is deterministic, so the same plan reaches the same crossings.
/// </summary>
public sealed class KillSwitch(IReadOnlyList<long> killPoints, KillTarget? next)
{
    private int _next;

    /// <summary>Crossings so far.</summary>
    public long Crossings { get; private set; }

    /// <summary>Deaths so far.</summary>
    public int Deaths => _next;

    /// <summary>Called at a planned kill point (or the first crossing the next target matches) with its number (1-based), index and kind. It does not return when the process dies there.</summary>
    public Action<int, long, string>? Die { get; set; }

    /// <summary>A crossing of kind <paramref name="kind"/>.</summary>
    public void Cross(string kind)
    {
        Crossings++;
        var dies = _next < killPoints.Count ? killPoints[_next] == Crossings : _next == killPoints.Count && next is not null && next.Matches(Crossings, kind);
        if (dies)
        {
            _next++;
            Die?.Invoke(_next, Crossings, kind);
        }
    }
}
