using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// How an order update moves the ledger, case by case: a restated feed cumulative is a duplicate, a snapshot above the
/// feed is a baseline and not a fill, the value of a feed fill falls back from <c>filled_value</c> to the average price
/// to the limit price, and a finished order's REST <c>filled_size</c> below what is linked raises an alert.
/// </summary>
public sealed class FeedQuantityTests
{
    private static readonly Intent Long = Entry("aaa", size: 0.004m, price: 50_000m);

    private static Rig Bound()
    {
        var rig = new Rig();
        rig.Feed(Received(Long), Ack(Long, "ex-1"));
        return rig;
    }

    private static OrderUpdate State(decimal cumulative, double second, OrderStateSource source = OrderStateSource.FeedUpdate,
        decimal? value = null, decimal? average = null, OrderStatus status = OrderStatus.Open) =>
        new(At(second), new OrderState
        {
            ExchangeOrderId = Eid("ex-1"),
            ClientOrderId = Coid(Long),
            Product = Btc,
            Side = Side.Buy,
            Status = status,
            CumulativeQuantity = cumulative,
            FilledValue = value,
            AveragePrice = average,
        }, source);

    [Test]
    public void A_feed_update_restating_the_cumulative_is_a_duplicate_and_one_of_nothing_is_not()
    {
        using var rig = Bound();
        var nothing = rig.Feed(State(0m, 1));
        rig.Feed(State(0.001m, 2, value: 50m));
        var again = rig.Feed(State(0.001m, 3, value: 50m));
        var lower = rig.Feed(State(0.0005m, 4, value: 25m));
        Assert.Multiple(() =>
        {
            Assert.That(nothing.Of<DuplicateIgnored>(), Is.Empty, "nothing executed is no restatement");
            Assert.That(nothing.Of<Linked>(), Is.Empty);
            Assert.That(again.Of<DuplicateIgnored>().Single(), Is.EqualTo(new DuplicateIgnored(DuplicateKind.StaleCumulative, "ex-1-0.001")));
            Assert.That(lower.Of<DuplicateIgnored>().Single().Key, Is.EqualTo("ex-1-0.0005"));
            Assert.That(rig.LinkedQuantity(Long), Is.EqualTo(0.001m));
        });
    }

    [Test]
    public void A_snapshot_above_the_feed_is_a_baseline_and_one_at_it_changes_nothing()
    {
        using var rig = Bound();
        rig.Feed(State(0.001m, 1, value: 50m));
        var at = rig.Feed(State(0.001m, 2, OrderStateSource.FeedSnapshot, value: 50m));
        var above = rig.Feed(State(0.003m, 3, OrderStateSource.FeedSnapshot, value: 150m));
        var order = rig.Order(Long);
        Assert.Multiple(() =>
        {
            Assert.That(at.Of<LedgerUpdated>(), Is.Empty, "a snapshot at the feed's cumulative moves nothing");
            Assert.That(at.Of<DuplicateIgnored>().Single().Key, Is.EqualTo("ex-1-0.001"));
            Assert.That(above.Of<Linked>(), Is.Empty, "a snapshot is never a fill");
            Assert.That(above.Of<LedgerUpdated>(), Has.Length.EqualTo(1));
            Assert.That(order.Feed, Is.EqualTo(new Executed(0.003m, 150m, 0m)));
            Assert.That(order.ExchangeFilledQuantity, Is.EqualTo(0.003m));
            Assert.That(order.Linked.Quantity, Is.EqualTo(0.001m));
        });
    }

    [Test]
    public void A_feed_fills_value_is_filled_value_else_average_price_else_limit_price_times_quantity()
    {
        using var byValue = Bound();
        using var byAverage = Bound();
        using var byLimit = Bound();
        var value = byValue.Feed(State(0.002m, 1, value: 101m, average: 70_000m)).Of<Linked>().Single();
        var average = byAverage.Feed(State(0.002m, 1, average: 49_000m)).Of<Linked>().Single();
        var limit = byLimit.Feed(State(0.002m, 1)).Of<Linked>().Single();
        Assert.Multiple(() =>
        {
            Assert.That(value.Link.Price, Is.EqualTo(50_500m));
            Assert.That(average.Link.Price, Is.EqualTo(49_000m));
            Assert.That(limit.Link.Price, Is.EqualTo(50_000m));
        });
    }

    [Test]
    public void A_finished_orders_rest_filled_size_below_what_is_linked_raises_an_alert_and_one_at_it_does_not()
    {
        using var rig = Bound();
        rig.Feed(State(0.003m, 1, value: 150m));
        var at = rig.Feed(State(0.003m, 2, OrderStateSource.RestOrder, status: OrderStatus.Cancelled));
        var below = rig.Feed(State(0.002m, 3, OrderStateSource.RestOrder, status: OrderStatus.Cancelled));
        var open = Bound();
        open.Feed(State(0.003m, 1, value: 150m));
        var openBelow = open.Feed(State(0.002m, 2, OrderStateSource.RestOrder));
        Assert.Multiple(() =>
        {
            Assert.That(at.Of<AlertRaised>(), Is.Empty);
            Assert.That(below.Of<AlertRaised>().Single().Alert.Kind, Is.EqualTo(AlertKind.QuantityMismatch));
            Assert.That(below.Of<AlertRaised>().Single().Alert.Detail, Is.EqualTo("exchange reports 0.002 filled for finished order ex-1, but 0.003 is linked"));
            Assert.That(openBelow.Of<AlertRaised>(), Is.Empty, "an open order's listing may trail the feed");
            Assert.That(rig.Order(Long).ExchangeFilledQuantity, Is.EqualTo(0.003m), "filled_size only rises");
        });
        open.Dispose();
    }
}
