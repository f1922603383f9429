using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// Trade rows in detail: only FILL rows are executed quantity (for our orders and external ones), commissions add up,
/// an external order takes its product from the first row that names one, and an exit's allocation stops at its size
/// and says what waits only when the exit itself linked it.
/// </summary>
public sealed class FillDetailsTests
{
    private static readonly Intent First = Entry("aaa", size: 0.002m, price: 50_000m);
    private static readonly Intent Second = Entry("bbb", size: 0.002m, price: 51_000m, decidedSecond: 1);

    [Test]
    public void Only_fill_rows_execute_and_their_commissions_add_up()
    {
        using var rig = new Rig();
        rig.Feed(Received(First), Ack(First, "ex-1"), Rest("ex-1", "t-1", 0.001m), Rest("ex-1", "t-2", 0.0005m, price: 50_100m, second: 3));
        var correction = rig.Feed(Rest("ex-1", "t-3", 0.0005m, type: TradeType.Correction, second: 4));
        var order = rig.Order(First);
        Assert.Multiple(() =>
        {
            Assert.That(correction.Of<Linked>(), Is.Empty, "a CORRECTION row executes nothing");
            Assert.That(correction.Of<FillRecorded>(), Has.Length.EqualTo(1), "its key is recorded, so a copy is a duplicate");
            Assert.That(order.Rest.Quantity, Is.EqualTo(0.0015m));
            Assert.That(order.Rest.Fees, Is.EqualTo((0.001m * 50_000m * 0.006m) + (0.0005m * 50_100m * 0.006m)));
            Assert.That(rig.LinksOf(First).Sum(l => l.Fee), Is.EqualTo(order.Rest.Fees));
        });
    }

    [Test]
    public void An_external_order_takes_its_product_from_the_first_row_naming_one_and_counts_only_fill_rows()
    {
        using var rig = new Rig();
        rig.Feed(new OrderNotOurs(At(0), Eid("ext-1"), ClientOrderId.From("manual-1")));
        rig.Feed(Rest("ext-1", "t-1", 0.3m, second: 1));
        rig.Feed(Rest("ext-1", "t-2", 0.2m, type: TradeType.Reversal, second: 2));
        var external = rig.Store.FindExternal(Eid("ext-1"))!;
        Assert.Multiple(() =>
        {
            Assert.That(external.Product, Is.EqualTo(Btc), "named by the first row");
            Assert.That(external.TradedQuantity, Is.EqualTo(0.3m), "a REVERSAL row is no execution");
            Assert.That(external.ObservedQuantity, Is.EqualTo(0.3m));
            Assert.That(external.Trades, Is.EqualTo(2));
        });
    }

    [Test]
    public void An_exit_that_fits_the_oldest_lot_closes_it_alone_and_one_beyond_every_lot_says_what_waits()
    {
        using var rig = new Rig();
        rig.Feed(Received(First), Ack(First, "ex-1"), Rest("ex-1", "t-1", 0.002m),
            Received(Second, 1), Ack(Second, "ex-2", 1.2), Rest("ex-2", "t-2", 0.002m, second: 2));
        var fits = Exit(0.002m, decidedSecond: 3600);
        rig.Feed(Received(fits, 3600), Ack(fits, "ex-3", 3600.2));
        var exact = rig.Feed(Rest("ex-3", "t-3", 0.002m, price: 52_000m, second: 3601));
        var beyond = Exit(0.005m, trigger: "take_profit", decidedSecond: 7200);
        rig.Feed(Received(beyond, 7200), Ack(beyond, "ex-4", 7200.2));
        var over = rig.Feed(Rest("ex-4", "t-4", 0.005m, price: 53_000m, second: 7201));
        Assert.Multiple(() =>
        {
            Assert.That(exact.Of<ExitAllocated>().Select(a => (a.Allocation.EntryClientOrderId, a.Allocation.Quantity)),
                Is.EqualTo(new[] { (Coid(First), 0.002m) }), "no empty allocation to the next lot");
            Assert.That(exact.Of<AlertRaised>(), Is.Empty);
            Assert.That(over.Of<ExitAllocated>().Select(a => (a.Allocation.EntryClientOrderId, a.Allocation.Quantity)),
                Is.EqualTo(new[] { (Coid(Second), 0.002m) }));
            Assert.That(over.Of<AlertRaised>().Single().Alert.Detail,
                Is.EqualTo($"exit {Coid(beyond)} linked 0.003 more than the open entry lots it may close; the rest waits for a lot"));
        });
    }

    [Test]
    public void A_lot_that_links_later_takes_what_waited_without_an_alert_for_what_still_waits()
    {
        using var rig = new Rig();
        var exit = Exit(0.003m, decidedSecond: 10);
        rig.Feed(Received(First), Ack(First, "ex-1"), Received(exit, 10), Ack(exit, "ex-x", 10.2), Rest("ex-x", "t-x", 0.003m, price: 52_000m, second: 11));
        var lot = rig.Feed(Rest("ex-1", "t-1", 0.002m, second: 12));
        Assert.Multiple(() =>
        {
            Assert.That(lot.Of<ExitAllocated>().Single().Allocation.Quantity, Is.EqualTo(0.002m));
            Assert.That(lot.Of<ExitAllocated>().Single().Allocation.ExitPrice, Is.EqualTo(52_000m), "the exit's own price");
            Assert.That(lot.Of<AlertRaised>(), Is.Empty, "0.001 still waits, said once when the exit linked");
            Assert.That(rig.Store.Alerts().Count(a => a.Kind == AlertKind.ExitExceedsOpenLots), Is.EqualTo(1));
        });
    }
}
