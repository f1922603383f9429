using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>Rule 3: order state messages bind, move the status and the ledger; only feed updates link.</summary>
public sealed class OrderUpdateTests
{
    [Test]
    public void Cumulative_beyond_the_order_size_is_rejected_naming_cumulative_quantity_and_changes_nothing()
    {
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.002m);
        rig.Feed(Received(entry), Ack(entry, "x1"));
        var before = rig.Order(entry);

        var batch = rig.Feed(Update("x1", entry, 0.003m));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<InputRejected>().Single().Record.Field, Is.EqualTo("cumulative_quantity"));
            Assert.That(rig.Order(entry), Is.EqualTo(before));
        });
    }

    [TestCase("cumulative_quantity")]
    [TestCase("filled_value")]
    [TestCase("total_fees")]
    [TestCase("avg_price")]
    public void Negative_or_huge_quantity_is_rejected_naming_its_field(string field)
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry), Ack(entry, "x1"));
        var state = Update("x1", entry, 0.001m).Order;
        var bad = field switch
        {
            "cumulative_quantity" => state with { CumulativeQuantity = -0.001m },
            "filled_value" => state with { FilledValue = Limits.QuantityMax + 1m },
            "total_fees" => state with { TotalFees = -1m },
            _ => state with { AveragePrice = -5m },
        };

        var batch = rig.Feed(new OrderUpdate(At(1), bad, OrderStateSource.FeedUpdate));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<InputRejected>().Single().Record.Field, Is.EqualTo(field));
            Assert.That(rig.Store.Links(), Is.Empty);
        });
    }

    [Test]
    public void Message_naming_another_product_than_the_intent_is_rejected_naming_product_id()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry), Ack(entry, "x1"));
        var update = Update("x1", entry, 0.001m);

        var batch = rig.Feed(update with { Order = update.Order with { Product = ProductId.From("ETH-USD") } });

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<InputRejected>().Single().Record.Field, Is.EqualTo("product_id"));
            Assert.That(rig.Store.Links(), Is.Empty);
        });
    }

    [Test]
    public void Terminal_status_is_final_but_late_quantities_are_still_absorbed()
    {
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.002m);
        rig.Feed(Received(entry), Ack(entry, "x1"), Update("x1", entry, 0.001m, status: OrderStatus.Cancelled, second: 5));

        var late = rig.Feed(Update("x1", entry, 0.002m, status: OrderStatus.Open, second: 9));

        var order = rig.Order(entry);
        Assert.Multiple(() =>
        {
            Assert.That(order.Status, Is.EqualTo(OrderStatus.Cancelled));
            Assert.That(order.TerminalAt, Is.EqualTo(At(5)));
            Assert.That(late.Of<OrderStatusChanged>(), Is.Empty);
            Assert.That(rig.LinkedQuantity(entry), Is.EqualTo(0.002m));
        });
    }

    [Test]
    public void Rest_order_records_the_exchange_filled_size_and_never_links()
    {
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.002m);
        rig.Feed(Received(entry), Ack(entry, "x1"));

        var batch = rig.Feed(Update("x1", entry, 0.002m, status: OrderStatus.Filled, source: OrderStateSource.RestOrder, reconciliation: true));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<Linked>(), Is.Empty);
            Assert.That(rig.Order(entry).ExchangeFilledQuantity, Is.EqualTo(0.002m));
            Assert.That(rig.Order(entry).Status, Is.EqualTo(OrderStatus.Filled));
            Assert.That(rig.Store.Links(), Is.Empty);
        });
    }

    [Test]
    public void Rest_order_with_client_order_id_binds_by_reconciliation()
    {
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.002m);
        rig.Feed(Received(entry), Timeout(entry));

        var batch = rig.Feed(Update("x1", entry, 0.002m, status: OrderStatus.Filled, source: OrderStateSource.RestOrder, reconciliation: true));

        Assert.That(batch.Of<OrderBound>().Single().BoundBy, Is.EqualTo(LinkProvenance.Reconciliation));
    }

    [Test]
    public void Legacy_received_binds_and_its_matches_link_then_done_sets_the_status()
    {
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.002m);
        rig.Feed(Received(entry));

        var received = rig.Feed(LegacyReceived("x1", entry));
        rig.Feed(Match("x1", 7, 0.001m, second: 1), Match("x1", 8, 0.001m, 50200m, second: 2));
        var done = rig.Feed(LegacyDone("x1", 3));

        Assert.Multiple(() =>
        {
            Assert.That(received.Of<OrderBound>().Single().BoundBy, Is.EqualTo(LinkProvenance.ClientOrderId));
            Assert.That(rig.LinksOf(entry).Select(l => l.Price), Is.EqualTo(new[] { 50000m, 50200m }));
            Assert.That(rig.Order(entry).Matches.Quantity, Is.EqualTo(0.002m));
            Assert.That(done.Of<OrderStatusChanged>().Single().Order.Status, Is.EqualTo(OrderStatus.Filled));
            Assert.That(done.Of<Linked>(), Is.Empty);
        });
    }

    [Test]
    public void Update_without_client_order_id_for_an_unknown_order_parks_until_the_ack_then_links_by_exchange_order_id()
    {
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.002m);
        rig.Feed(Received(entry));

        var parked = rig.Feed(Update("x1", intent: null, 0.002m, status: OrderStatus.Filled));
        rig.Feed(Ack(entry, "x1", 2));

        Assert.Multiple(() =>
        {
            Assert.That(parked.Of<FillParked>().Single().Fill.Key, Is.EqualTo("FeedUpdate:0.002:Filled"));
            Assert.That(rig.LinksOf(entry).Single().Provenance, Is.EqualTo(LinkProvenance.ExchangeOrderId));
            Assert.That(rig.LinksOf(entry).Single().SourceKey, Is.EqualTo("x1-0.002"));
            Assert.That(rig.Order(entry).Status, Is.EqualTo(OrderStatus.Filled));
        });
    }

    [Test]
    public void Reconciled_feed_state_links_with_reconciliation_provenance()
    {
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.002m);
        rig.Feed(Received(entry), Ack(entry, "x1"));

        rig.Feed(Update("x1", entry, 0.002m, reconciliation: true));

        Assert.That(rig.LinksOf(entry).Single().Provenance, Is.EqualTo(LinkProvenance.Reconciliation));
    }

    [Test]
    public void Link_price_and_fee_are_the_increase_of_value_and_fees_over_the_increase_of_quantity()
    {
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.05m, price: 64250m);
        rig.Feed(Received(entry), Ack(entry, "x1"));
        OrderUpdate Step(decimal cumulative, decimal value, decimal fees, double second) => new(At(second), new OrderState
        {
            ExchangeOrderId = Eid("x1"),
            ClientOrderId = Coid(entry),
            CumulativeQuantity = cumulative,
            FilledValue = value,
            TotalFees = fees,
        }, OrderStateSource.FeedUpdate);

        rig.Feed(Step(0.02m, 1285.00m, 7.71m, 1), Step(0.05m, 3212.485m, 19.27491m, 2));

        var second = rig.LinksOf(entry)[1];
        Assert.Multiple(() =>
        {
            Assert.That(second.Quantity, Is.EqualTo(0.03m));
            Assert.That(second.Price, Is.EqualTo(64249.50m), "docs/formats.md: (3212.485 - 1285) / 0.03");
            Assert.That(second.Fee, Is.EqualTo(11.56491m));
        });
    }

    [Test]
    public void Finished_order_reported_with_less_than_linked_raises_a_quantity_mismatch()
    {
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.002m);
        rig.Feed(Received(entry), Ack(entry, "x1"), Update("x1", entry, 0.002m, second: 1));

        var agreeing = rig.Feed(Update("x1", entry, 0.002m, status: OrderStatus.Filled, source: OrderStateSource.RestOrder, second: 2));
        var shortReport = rig.Feed(Update("x1", entry, 0.001m, status: OrderStatus.Filled, source: OrderStateSource.RestOrder, second: 3));

        Assert.Multiple(() =>
        {
            Assert.That(agreeing.Of<AlertRaised>(), Is.Empty);
            Assert.That(shortReport.Of<AlertRaised>().Single().Alert.Kind, Is.EqualTo(AlertKind.QuantityMismatch));
            Assert.That(rig.LinkedQuantity(entry), Is.EqualTo(0.002m), "an alert, never an unlink");
        });
    }
}
