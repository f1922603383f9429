namespace Linkage.Sim.World;

/// <summary>
/// Events ordered by (time, sequence): the sequence is a counter stamped at enqueue, so events due at the same instant
/// run in the order they were scheduled, and the order never depends on the heap's internal layout. Not thread-safe.
/// </summary>
public sealed class EventQueue<T>
{
    private readonly PriorityQueue<T, (long Ticks, long Sequence)> _queue = new();
    private long _sequence;

    public int Count => _queue.Count;

    public void Enqueue(DateTimeOffset at, T item) => _queue.Enqueue(item, (at.UtcTicks, _sequence++));

    /// <summary>The time of the next event, without taking it.</summary>
    public bool TryPeek(out DateTimeOffset at)
    {
        if (_queue.TryPeek(out _, out var priority))
        {
            at = new DateTimeOffset(priority.Ticks, TimeSpan.Zero);
            return true;
        }
        at = default;
        return false;
    }

    public bool TryDequeue(out DateTimeOffset at, out T item)
    {
        if (_queue.TryDequeue(out var dequeued, out var priority))
        {
            at = new DateTimeOffset(priority.Ticks, TimeSpan.Zero);
            item = dequeued;
            return true;
        }
        at = default;
        item = default!;
        return false;
    }
}
