using FsCheck;
using FsCheck.Fluent;
using Linkage.Host;
using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Stores.Postgres;

/// <summary>
/// Several engine instances share one PostgreSQL database: each has its own store (its own connection pool) and its own
/// thread, and is fed every message of the same story, duplicated and in its own order. Each message has one time
/// whoever processes it. However the instances interleave, every trade is linked exactly once, to its own intent:
/// optimistic versions and unique keys turn every race into a conflict that is decided again.
/// </summary>
[TestFixture]
public sealed class SeveralEnginesOnePostgres : DatabaseFixture
{
    /// <summary>Most times one instance offers one message again after StoreFailed (conflicts retried to exhaustion).</summary>
    private const int OffersMax = 50;

    private static readonly string[] BotOrders = ["x1", "x2", "x3"];

    protected override ITestDatabase CreateDatabase() => new PostgresTestDatabase(nameof(SeveralEnginesOnePostgres));

    [TestCase(2)]
    [TestCase(4)]
    public void Every_trade_is_linked_exactly_once_to_its_own_intent_whatever_the_instances_interleave(int instances)
    {
        var cases =
            from story in EngineDeliveries.Stories
            from orders in Gen.ArrayOf(Copy(story.Messages.Length), instances)
            select (story, orders);
        Prop.ForAll(Arb.From(cases), c =>
        {
            var (story, orders) = c;
            Database.OpenEmpty().Dispose();
            var stores = Enumerable.Range(0, instances).Select(_ => Database.OpenSame()).ToList();
            try
            {
                Concurrently.Run(instances, i =>
                {
                    var correlator = new EngineCorrelator(stores[i]);
                    foreach (var step in story.Intents)
                    {
                        Deliver(correlator, step, step.Make(At(0)));
                    }
                    foreach (var index in orders[i])
                    {
                        Deliver(correlator, story.Messages[index], story.Messages[index].Make(At(10 + index)));
                    }
                    Deliver(correlator, story.Tick, story.Tick.Make(At(10 + story.Messages.Length)));
                });
                AssertLinkedExactlyOnce(stores[0], story);
            }
            finally
            {
                stores.ForEach(s => s.Dispose());
            }
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(10));
    }

    /// <summary>One instance's copy: every message index once, some twice, in its own order.</summary>
    private static Gen<int[]> Copy(int messages) =>
        from duplicated in Gen.SubListOf(Enumerable.Range(0, messages).ToArray())
        from order in Gen.Shuffle(Enumerable.Range(0, messages).Concat(duplicated))
        select order;

    private static void Deliver(EngineCorrelator correlator, EngineDeliveries.Step step, EngineInput input)
    {
        var result = correlator.Process(input);
        for (var offers = 1; result.Status == ProcessStatus.StoreFailed && offers < OffersMax; offers++)
        {
            result = correlator.Process(input);
        }
        Assert.That(result.Status, Is.EqualTo(ProcessStatus.Applied), $"{step}: {result.Detail}");
    }

    private static void AssertLinkedExactlyOnce(ILinkageStore store, EngineDeliveries.Story story)
    {
        var intents = new Dictionary<string, Intent>
        {
            ["x1"] = EngineDeliveries.First,
            ["x2"] = EngineDeliveries.Second,
            ["x3"] = EngineDeliveries.Closing,
        };
        var links = store.Links();
        foreach (var exchangeId in BotOrders)
        {
            var own = links.Where(l => l.ExchangeOrderId == Eid(exchangeId)).ToList();
            var order = store.FindByExchangeOrderId(Eid(exchangeId));
            Assert.That(own.Select(l => l.ClientOrderId), Is.All.EqualTo(Coid(intents[exchangeId])), $"S1: {exchangeId} links only to its own intent");
            Assert.That(own.Sum(l => l.Quantity), Is.EqualTo(story.Executed[exchangeId]), $"S2 and L1: {exchangeId}'s executed quantity, linked once");
            Assert.That(own.Select(l => l.Sequence), Is.EqualTo(Enumerable.Range(1, own.Count)), $"{exchangeId}: links numbered 1..n");
            Assert.That(own.Select(l => l.From), Is.EqualTo(own.Select(l => l.To).Prepend(0m).SkipLast(1)), $"{exchangeId}: consecutive ranges");
            Assert.That(order?.Linked.Quantity, Is.EqualTo(story.Executed[exchangeId]), $"{exchangeId}: the order's ledger agrees");
        }
        Assert.That(links.Where(l => l.ExchangeOrderId == Eid("x9")), Is.Empty, "S3: the order that is not ours is never linked");
        Assert.That(store.FindExternal(Eid("x9")), Is.Not.Null, "it is recorded as external");
        var closed = store.Allocations().Sum(a => a.Quantity);
        Assert.That(closed, Is.LessThanOrEqualTo(story.Executed["x3"]), "an exit never closes more than it executed");
        Assert.That(store.Parked().Where(p => BotOrders.Contains(p.ExchangeOrderId.Value)), Is.Empty, "no fill of a bot order waits forever");
    }
}
