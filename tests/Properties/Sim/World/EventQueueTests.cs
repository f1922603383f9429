using FsCheck;
using FsCheck.Fluent;
using Linkage.Sim.World;

namespace Linkage.Properties.Sim.World;

public sealed class EventQueueTests
{
    /// <summary>Events come out by time, and events of the same time in the order they were scheduled, whatever the heap does.</summary>
    [Test]
    public void Events_run_by_time_then_by_scheduling_order()
    {
        Prop.ForAll(
            Gen.ListOf(Gen.Choose(0, 5)).ToArbitrary(),
            times =>
            {
                var queue = new EventQueue<int>();
                for (var i = 0; i < times.Count; i++)
                {
                    queue.Enqueue(SimWorld.Epoch.AddSeconds(times[i]), i);
                }
                var order = new List<(DateTimeOffset At, int Index)>();
                while (queue.TryDequeue(out var at, out var index))
                {
                    order.Add((at, index));
                }
                var expected = times.Select((t, i) => (At: SimWorld.Epoch.AddSeconds(t), Index: i)).OrderBy(p => p.At).ThenBy(p => p.Index).ToList();
                return order.SequenceEqual(expected);
            }).QuickCheckThrowOnFailure();
    }

    [Test]
    public void World_moves_its_clock_to_each_event_and_refuses_the_past()
    {
        var world = new SimWorld();
        var seen = new List<(string, DateTimeOffset)>();
        world.After(TimeSpan.FromSeconds(2), () => seen.Add(("b", world.Now)));
        world.After(TimeSpan.FromSeconds(1), () =>
        {
            seen.Add(("a", world.Now));
            world.After(TimeSpan.Zero, () => seen.Add(("a2", world.Now)));
        });
        Assert.That(world.Run(), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(seen, Is.EqualTo(new[] { ("a", SimWorld.Epoch.AddSeconds(1)), ("a2", SimWorld.Epoch.AddSeconds(1)), ("b", SimWorld.Epoch.AddSeconds(2)) }));
            Assert.That(() => world.At(SimWorld.Epoch, () => { }), Throws.TypeOf<ArgumentOutOfRangeException>());
        });
    }

    [Test]
    public void A_run_that_feeds_itself_stops_at_its_event_bound()
    {
        var world = new SimWorld();
        void Loop() => world.After(TimeSpan.FromSeconds(1), Loop);
        world.After(TimeSpan.Zero, Loop);
        Assert.Multiple(() =>
        {
            Assert.That(world.Run(eventsMax: 100), Is.False);
            Assert.That(world.EventsProcessed, Is.EqualTo(100));
        });
    }
}
