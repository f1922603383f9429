using Linkage.Host;
using Linkage.Engine;
using Linkage.Properties.Support;
using Linkage.Stores.Postgres;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Durability;

/// <summary>
/// Several webhook processes on one PostgreSQL database: each engine has its own store (its own connections), runs on
/// its own thread and is fed its own interleaved, duplicated copy of the same feed. Every fill is linked exactly once,
/// to the decision that placed its order (S1, S2), whichever engine got there first.
/// </summary>
[NonParallelizable]
public sealed class SeveralEnginesOnePostgresTests
{
    private const int Orders = 12;

    /// <summary>Per order, in the order the exchange would say it: intent, ack, two partial fills with their order updates.</summary>
    private static (Intent Entry, EngineInput[] Inputs)[] Feed() =>
    [
        .. Enumerable.Range(0, Orders).Select(i =>
        {
            var entry = Entry($"multi{i}", size: 0.004m, decidedSecond: i);
            return (entry, new EngineInput[]
            {
                Received(entry, i), Ack(entry, $"mx{i}", i + 0.1), Rest($"mx{i}", $"me{i}a", 0.001m, second: i + 0.2),
                Update($"mx{i}", entry, 0.001m, second: i + 0.3), Rest($"mx{i}", $"me{i}b", 0.003m, second: i + 0.4),
                Update($"mx{i}", entry, 0.004m, status: OrderStatus.Filled, second: i + 0.5),
            });
        }),
    ];

    /// <summary>
    /// One instance's copy: the orders' streams interleaved at random (each order's own messages stay in order, as one
    /// exchange connection delivers them), and about one input in four delivered a second time, later.
    /// </summary>
    private static List<EngineInput> Interleaved(EngineInput[][] streams, int seed)
    {
        var random = new Random(seed);
        var next = new int[streams.Length];
        var copy = new List<EngineInput>();
        while (next.Select((n, s) => n < streams[s].Length).Any(open => open))
        {
            var open = Enumerable.Range(0, streams.Length).Where(s => next[s] < streams[s].Length).ToArray();
            var stream = open[random.Next(open.Length)];
            copy.Add(streams[stream][next[stream]++]);
            if (random.Next(4) == 0)
            {
                copy.Insert(random.Next(copy.Count - 1, copy.Count + 1), copy[random.Next(copy.Count)]);
            }
        }
        return copy;
    }

    /// <summary>
    /// With <paramref name="lockstep"/> every instance gets the same copy, so they race on the same input at the same
    /// moment (the most conflicts); otherwise each its own interleaving, as separate feed connections deliver.
    /// </summary>
    [TestCase(2, 11, false)]
    [TestCase(4, 23, false)]
    [TestCase(4, 31, true)]
    public void Every_fill_is_linked_exactly_once_by_several_engines_sharing_one_database(int instances, int seed, bool lockstep)
    {
        var database = PostgresServer.CreateDatabase("multi-engine");
        try
        {
            var feed = Feed();
            var streams = feed.Select(f => f.Inputs).ToArray();
            var stores = Enumerable.Range(0, instances).Select(_ => PostgresStore.Open(new PostgresStoreOptions { ConnectionString = database })).ToList();
            var copies = Enumerable.Range(0, instances).Select(i => Interleaved(streams, lockstep ? seed : seed + i)).ToArray();
            var failed = new int[instances];
            try
            {
                Stores.Concurrently.Run(instances, i =>
                {
                    // A store failure (after the engine's own bounded retries) is offered again, as the host does.
                    var correlator = new EngineCorrelator(stores[i]);
                    foreach (var input in copies[i])
                    {
                        for (var attempt = 0; correlator.Process(input).Status == ProcessStatus.StoreFailed; attempt++)
                        {
                            failed[i]++;
                            Assert.That(attempt, Is.LessThan(20), "input never applied: " + input);
                        }
                    }
                });
                using var reader = PostgresStore.Open(new PostgresStoreOptions { ConnectionString = database });
                var links = reader.Links();
                TestContext.Out.WriteLine($"{instances} engines, {copies.Sum(c => c.Count)} inputs in all, {failed.Sum()} inputs offered again, {links.Length} links");
                Assert.Multiple(() =>
                {
                    foreach (var (entry, _) in feed)
                    {
                        var own = links.Where(l => l.ClientOrderId == Coid(entry)).OrderBy(l => l.From).ToArray();
                        Assert.That(own.Sum(l => l.Quantity), Is.EqualTo(0.004m), entry.Snapshot!.Value.Value);
                        Assert.That(own.Select(l => l.From), Is.EqualTo(own.Select(l => l.To).Prepend(0m).SkipLast(1)), "increments chain without overlap");
                        Assert.That(own.Select(l => l.Snapshot), Is.All.EqualTo(entry.Snapshot), "linked to the decision that placed the order");
                    }
                    Assert.That(links.Select(l => l.SourceKey), Is.Unique, "no fill linked twice");
                    Assert.That(reader.Orders(), Has.Length.EqualTo(Orders));
                });
            }
            finally
            {
                stores.ForEach(s => s.Dispose());
            }
        }
        finally
        {
            PostgresServer.DropDatabase(database);
        }
    }
}
