using Linkage.Sim.Legacy;
using Linkage.Host;
using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// The four failure scenarios of <c>seed/trade-strategy-linkage-gap.md</c>, driven at the engine (over the reference
/// store) and at the legacy product-keyed cache with the same inputs: the engine links every fill to its own intent,
/// the legacy design links wrongly or not at all, exactly as the seed document describes.
/// </summary>
public sealed class SeedScenarioTests
{
    private static (LinkRecord[] Engine, LinkRecord[] Legacy) Run(params EngineInput[] inputs)
    {
        using var store = new MemoryStore();
        var engine = new EngineCorrelator(store);
        var legacy = new LegacyCorrelator();
        foreach (var input in inputs)
        {
            Assert.That(engine.Process(input).Succeeded, Is.True);
            Assert.That(legacy.Process(input).Succeeded, Is.True);
        }
        return ([.. engine.Links()], [.. legacy.Links()]);
    }

    private static decimal Linked(IEnumerable<LinkRecord> links, string exchangeId, Intent intent) =>
        links.Where(l => l.ExchangeOrderId == Eid(exchangeId) && l.ClientOrderId == Coid(intent)).Sum(l => l.Quantity);

    [Test]
    public void Two_orders_on_one_symbol_each_link_to_their_own_snapshot_where_legacy_links_wrong_then_misses()
    {
        var first = Entry("aaa", size: 0.002m);
        var second = Entry("bbb", size: 0.001m, buyScore: 82.1m, decidedSecond: 5);
        var (engine, legacy) = Run(
            Received(first, 0), Ack(first, "x1", 0.2),
            Received(second, 5), Ack(second, "x2", 5.2),
            Match("x1", 101, 0.002m, second: 10),
            Match("x2", 102, 0.001m, second: 15));

        Assert.Multiple(() =>
        {
            Assert.That(Linked(engine, "x1", first), Is.EqualTo(0.002m));
            Assert.That(Linked(engine, "x2", second), Is.EqualTo(0.001m));
            Assert.That(engine, Has.Length.EqualTo(2));
            Assert.That(legacy.Single().ExchangeOrderId, Is.EqualTo(Eid("x1")), "legacy links order #1 and nothing else");
            Assert.That(legacy.Single().Snapshot, Is.EqualTo(SnapshotId.From("bbb")), "legacy gives order #1 order #2's snapshot");
            Assert.That(legacy.Where(l => l.ExchangeOrderId == Eid("x2")), Is.Empty, "legacy cleared the cache: order #2 is missing");
        });
    }

    [Test]
    public void Delayed_partial_fill_still_links_where_legacy_misses_it()
    {
        var entry = Entry("aaa", size: 0.002m);
        var (engine, legacy) = Run(
            Received(entry, 0), Ack(entry, "x1", 0.2),
            Update("x1", entry, 0.001m, second: 1),
            Update("x1", entry, 0.002m, status: OrderStatus.Filled, second: 300));

        Assert.Multiple(() =>
        {
            Assert.That(Linked(engine, "x1", entry), Is.EqualTo(0.002m));
            Assert.That(engine.Select(l => l.Snapshot), Is.All.EqualTo(SnapshotId.From("aaa")));
            Assert.That(Linked(legacy, "x1", entry), Is.EqualTo(0.001m), "legacy links only the first partial fill");
        });
    }

    [Test]
    public void Exit_fill_links_to_its_exit_intent_and_closes_the_entry_where_legacy_has_no_metadata()
    {
        var entry = Entry("aaa", size: 0.002m);
        var exit = Exit(size: 0.002m, trigger: "take_profit", sellScore: 61.2m);
        var (engine, legacy) = Run(
            Received(entry, 0), Ack(entry, "x1", 0.2), Update("x1", entry, 0.002m, status: OrderStatus.Filled, second: 10),
            Received(exit, 3600), Ack(exit, "x2", 3600.2), Update("x2", exit, 0.002m, 51000m, OrderStatus.Filled, 3610));

        Assert.Multiple(() =>
        {
            Assert.That(Linked(engine, "x2", exit), Is.EqualTo(0.002m));
            Assert.That(engine.Single(l => l.ExchangeOrderId == Eid("x2")).Trigger, Is.EqualTo("take_profit"));
            Assert.That(engine.Single(l => l.ExchangeOrderId == Eid("x2")).SellScore, Is.EqualTo(61.2m));
            Assert.That(legacy.Where(l => l.ExchangeOrderId == Eid("x2")), Is.Empty, "legacy never cached the exit");
        });
    }

    [Test]
    public void Fill_missed_during_disconnect_links_by_reconciliation_where_legacy_cache_expired()
    {
        var entry = Entry("aaa", size: 0.002m);
        var reconciled = new OrderUpdate(At(120), new OrderState
        {
            ExchangeOrderId = Eid("x1"),
            ClientOrderId = Coid(entry),
            Product = Btc,
            Status = OrderStatus.Filled,
            CumulativeQuantity = 0.002m,
        }, OrderStateSource.RestOrder) { FromReconciliation = true };
        var (engine, legacy) = Run(
            Received(entry, 0), Ack(entry, "x1", 0.2),
            reconciled,
            Rest("x1", "e1", 0.002m, second: 120.5, reconciliation: true));

        Assert.Multiple(() =>
        {
            Assert.That(Linked(engine, "x1", entry), Is.EqualTo(0.002m));
            Assert.That(engine.Single().Provenance, Is.EqualTo(LinkProvenance.Reconciliation));
            Assert.That(legacy, Is.Empty, "the legacy cache entry was gone after 30 s");
        });
    }
}
