namespace Linkage.Sim.World;

/// <summary>
/// The simulation's world: a virtual clock and the event queue that drives it. Nothing reads a wall clock: time moves
/// only when the next event is taken, to that event's time. Every loop is bounded (<see cref="EventsMax"/>).
/// Single-threaded; an event may schedule further events, never in the past.
/// </summary>
public sealed class SimWorld
{
    /// <summary>Virtual time zero: every scenario starts here, so timestamps in messages are the same on every run.</summary>
    public static readonly DateTimeOffset Epoch = new(2025, 3, 14, 15, 0, 0, TimeSpan.Zero);

    /// <summary>Most events one run may process; a scenario that needs more is broken (an event loop feeding itself).</summary>
    public const long EventsMax = 20_000_000;

    private readonly EventQueue<Action> _queue = new();

    /// <summary>A world whose clock starts at <see cref="Epoch"/>, as every scenario does.</summary>
    public SimWorld()
        : this(Epoch)
    {
    }

    /// <summary>
    /// A world whose clock starts at <paramref name="start"/>: the wire server (<c>linkage exchange</c>) starts its
    /// virtual clock at the wall time it starts, so the times it writes are near the times its clients' JWTs carry.
    /// </summary>
    public SimWorld(DateTimeOffset start)
    {
        Now = start;
    }

    public DateTimeOffset Now { get; private set; }

    /// <summary>Events processed so far.</summary>
    public long EventsProcessed { get; private set; }

    /// <summary>Schedules <paramref name="action"/> at <paramref name="at"/>; a time in the past is a programmer error.</summary>
    public void At(DateTimeOffset at, Action action)
    {
        if (at < Now)
        {
            throw new ArgumentOutOfRangeException(nameof(at), at, $"cannot schedule before now ({Now:O})");
        }
        _queue.Enqueue(at, action);
    }

    /// <summary>Schedules <paramref name="action"/> after <paramref name="delay"/> (non-negative) from now.</summary>
    public void After(TimeSpan delay, Action action) => At(Now + delay, action);

    /// <summary>
    /// Runs events in (time, sequence) order until none is left or <paramref name="eventsMax"/> were processed, calling
    /// <paramref name="afterEach"/> after each one. Returns false when the bound stopped the run.
    /// </summary>
    public bool Run(Action? afterEach = null, long eventsMax = EventsMax) => RunUntil(DateTimeOffset.MaxValue, afterEach, eventsMax);

    /// <summary>
    /// Like <see cref="Run"/>, but only the events due at or before <paramref name="until"/>; the clock then stands at
    /// <paramref name="until"/> (or later, if it already was), and later events stay queued.
    /// </summary>
    public bool RunUntil(DateTimeOffset until, Action? afterEach = null, long eventsMax = EventsMax)
    {
        while (_queue.TryPeek(out var next) && next <= until)
        {
            if (EventsProcessed >= eventsMax)
            {
                return false;
            }
            _queue.TryDequeue(out var at, out var action);
            Now = at;
            EventsProcessed++;
            action();
            afterEach?.Invoke();
        }
        if (until != DateTimeOffset.MaxValue && until > Now)
        {
            Now = until;
        }
        return true;
    }
}
