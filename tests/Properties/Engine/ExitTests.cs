using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>Rule 8 (law L3): exit fills are allocated to the entry lots they close, named or oldest first.</summary>
public sealed class ExitTests
{
    private static readonly Intent First = Entry("aaa", size: 0.002m, decidedSecond: 0);
    private static readonly Intent Second = Entry("bbb", size: 0.003m, price: 51000m, decidedSecond: 5);

    /// <summary>Stages, acknowledges and fully fills an order at <paramref name="price"/>.</summary>
    private static EngineInput[] Filled(Intent intent, string exchangeId, decimal price, double second) =>
    [
        Received(intent, second), Ack(intent, exchangeId, second + 0.2),
        Update(exchangeId, intent, intent.Size!.Value, price, OrderStatus.Filled, second + 1),
    ];

    [Test]
    public void Exit_without_named_lots_closes_the_oldest_entries_first_split_across_two()
    {
        using var rig = new Rig();
        var exit = Exit(0.004m, "take_profit", 70m);
        rig.Feed([.. Filled(First, "x1", 50000m, 0), .. Filled(Second, "x2", 51000m, 5), .. Filled(exit, "x3", 52000m, 3600)]);

        var allocations = rig.Store.Allocations();
        Assert.Multiple(() =>
        {
            Assert.That(allocations.Select(a => (a.EntryClientOrderId, a.Quantity)), Is.EqualTo(new[] { (Coid(First), 0.002m), (Coid(Second), 0.002m) }));
            Assert.That(allocations.Select(a => a.RealizedPnl), Is.EqualTo(new[] { 4m, 2m }), "(52000 - 50000) * 0.002 and (52000 - 51000) * 0.002");
            Assert.That(allocations.Select(a => a.ExitTrigger), Is.All.EqualTo("take_profit"));
            Assert.That(allocations.Select(a => a.SellScore), Is.All.EqualTo(70m));
            Assert.That(allocations.Select(a => a.EntrySnapshot!.Value.Value), Is.EqualTo(new[] { "aaa", "bbb" }));
            Assert.That(rig.Order(First).Open, Is.EqualTo(0m));
            Assert.That(rig.Order(Second).Open, Is.EqualTo(0.001m));
            Assert.That(rig.Order(exit).Allocated, Is.EqualTo(0.004m));
            Assert.That(rig.Store.Alerts(), Is.Empty);
        });
    }

    [Test]
    public void Exit_naming_its_lots_closes_them_in_its_order()
    {
        using var rig = new Rig();
        var exit = Exit(0.004m, closes: [Coid(Second).Value, Coid(First).Value]);
        rig.Feed([.. Filled(First, "x1", 50000m, 0), .. Filled(Second, "x2", 51000m, 5), .. Filled(exit, "x3", 52000m, 3600)]);

        Assert.That(rig.Store.Allocations().Select(a => (a.EntryClientOrderId, a.Quantity)),
            Is.EqualTo(new[] { (Coid(Second), 0.003m), (Coid(First), 0.001m) }));
    }

    [Test]
    public void Exit_beyond_the_open_lots_alerts_and_its_remainder_closes_the_next_entry_that_fills()
    {
        using var rig = new Rig();
        var exit = Exit(0.003m);
        rig.Feed([.. Filled(First, "x1", 50000m, 0), .. Filled(exit, "x3", 52000m, 3600)]);
        Assert.Multiple(() =>
        {
            Assert.That(rig.Store.Alerts().Single().Kind, Is.EqualTo(AlertKind.ExitExceedsOpenLots));
            Assert.That(rig.Order(exit).Open, Is.EqualTo(0.001m));
        });

        var later = Entry("ccc", size: 0.002m, decidedSecond: 4000);
        rig.Feed(Filled(later, "x4", 49000m, 4000));

        Assert.Multiple(() =>
        {
            Assert.That(rig.Store.Allocations().Select(a => (a.EntryClientOrderId, a.Quantity)),
                Is.EqualTo(new[] { (Coid(First), 0.002m), (Coid(later), 0.001m) }));
            Assert.That(rig.Store.Allocations()[1].ExitPrice, Is.EqualTo(52000m));
            Assert.That(rig.Order(exit).Open, Is.EqualTo(0m));
            Assert.That(rig.Order(later).Open, Is.EqualTo(0.001m));
            Assert.That(rig.Store.Alerts(), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void Waiting_exit_respects_the_lots_it_names()
    {
        using var rig = new Rig();
        var named = Entry("ccc", size: 0.002m, decidedSecond: 10);
        var exit = Exit(0.002m, closes: [Coid(named).Value]);
        rig.Feed([.. Filled(First, "x1", 50000m, 0), Received(named, 10), .. Filled(exit, "x3", 52000m, 3600)]);
        Assert.That(rig.Store.Allocations(), Is.Empty, "the open lot of another entry is not the one the exit names");

        rig.Feed(Ack(named, "x4", 3700), Update("x4", named, 0.002m, 50500m, OrderStatus.Filled, 3701));

        Assert.Multiple(() =>
        {
            Assert.That(rig.Store.Allocations().Single().EntryClientOrderId, Is.EqualTo(Coid(named)));
            Assert.That(rig.Order(First).Open, Is.EqualTo(0.002m));
        });
    }

    [Test]
    public void Closing_a_short_entry_negates_the_realized_pnl()
    {
        using var rig = new Rig();
        var shortEntry = Entry("aaa", size: 0.001m, side: Side.Sell);
        var cover = Exit(0.001m) with { Side = Side.Buy };
        rig.Feed([.. Filled(shortEntry, "x1", 50000m, 0), .. Filled(cover, "x2", 49000m, 3600)]);

        Assert.That(rig.Store.Allocations().Single().RealizedPnl, Is.EqualTo(1m), "sold at 50000, bought back at 49000");
    }

    [Test]
    public void Exit_allocates_each_partial_fill_as_it_links()
    {
        using var rig = new Rig();
        var exit = Exit(0.002m);
        rig.Feed([.. Filled(First, "x1", 50000m, 0), Received(exit, 3600), Ack(exit, "x3", 3600.2)]);

        rig.Feed(Update("x3", exit, 0.001m, 52000m, second: 3601), Update("x3", exit, 0.002m, 53000m, OrderStatus.Filled, 3602));

        Assert.Multiple(() =>
        {
            Assert.That(rig.Store.Allocations().Select(a => (a.Quantity, a.ExitPrice)), Is.EqualTo(new[] { (0.001m, 52000m), (0.001m, 54000m) }));
            Assert.That(rig.Store.Allocations().Select(a => a.Sequence), Is.Ordered.Ascending.And.Unique);
        });
    }
}
