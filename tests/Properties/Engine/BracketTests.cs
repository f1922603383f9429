using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// Attached take-profit / stop-loss brackets: the child order Coinbase creates with an entry is ours (S1, S3), linked to
/// the entry's snapshot as an exit, allocated to the entry's lot only (L3), with the leg that executed as its trigger;
/// whichever message ties it to its parent first (the answer's <c>attached_order_id</c>, a REST order's
/// <c>attached_order_id</c> or <c>originating_order_id</c>), and with its own messages arriving before any of them.
/// </summary>
public sealed class BracketTests
{
    private static readonly Bracket Legs = new(55000m, 45000m);
    private static readonly Intent Parent = Entry("aaa", size: 0.002m, price: 50000m) with { Bracket = Legs };

    /// <summary>Another entry on the same product, open before the parent: oldest-first allocation would pick it.</summary>
    private static readonly Intent Older = Entry("bbb", size: 0.002m, price: 49000m, decidedSecond: -60);

    private static ClientOrderId Child => ClientOrderIds.ForAttached(Coid(Parent));

    /// <summary>The child's own feed update: no client order id of ours, the other side, the parent's size.</summary>
    private static OrderUpdate ChildUpdate(decimal cumulative, decimal price, double second, OrderStatus status = OrderStatus.Open) =>
        new(At(second), new OrderState
        {
            ExchangeOrderId = Eid("child"),
            Product = Btc,
            Side = Side.Sell,
            Status = status,
            CumulativeQuantity = cumulative,
            FilledValue = cumulative * price,
            TotalFees = 0m,
        }, OrderStateSource.FeedUpdate);

    private static PlacementOutcome AckWithChild(double second = 0.2) =>
        Ack(Parent, "parent", second) with { AttachedExchangeOrderId = Eid("child") };

    private static OrderUpdate RestOrder(string exchangeId, ExchangeOrderId? originating = null, ExchangeOrderId? attached = null, double second = 60) =>
        new(At(second), new OrderState
        {
            ExchangeOrderId = Eid(exchangeId),
            Product = Btc,
            Status = OrderStatus.Open,
            CumulativeQuantity = 0m,
            OriginatingOrderId = originating,
            AttachedOrderId = attached,
        }, OrderStateSource.RestOrder) { FromReconciliation = true };

    [Test]
    public void Child_update_before_the_answer_parks_then_links_to_the_parents_snapshot_as_a_take_profit_exit()
    {
        using var rig = new Rig();
        rig.Feed(Received(Older, -60), Ack(Older, "older", -59.8), Update("older", Older, 0.002m, 49000m, OrderStatus.Filled, -59));
        rig.Feed(Received(Parent), Update("parent", Parent, 0m, second: 0.05), ChildUpdate(0m, 0m, 0.06));
        Assert.Multiple(() =>
        {
            Assert.That(rig.Store.Parked(), Has.Length.EqualTo(1), "the child's first update waits for its identity");
            Assert.That(rig.Store.ExternalOrders(), Is.Empty, "never external");
        });

        rig.Feed(AckWithChild(), Update("parent", Parent, 0.002m, 50000m, OrderStatus.Filled, 1), ChildUpdate(0.002m, 55000m, 3600, OrderStatus.Filled));

        var child = rig.Store.FindByClientOrderId(Child)!;
        var link = rig.Store.Links().Single(l => l.ClientOrderId == Child);
        var allocation = rig.Store.Allocations().Single();
        Assert.Multiple(() =>
        {
            Assert.That(child.ExchangeOrderId, Is.EqualTo(Eid("child")));
            Assert.That(child.Intent.Kind, Is.EqualTo(IntentKind.Exit));
            Assert.That(child.Intent.BracketOf, Is.EqualTo(Coid(Parent)));
            Assert.That(child.Intent.Closes, Is.EqualTo(new[] { Coid(Parent) }));
            Assert.That(child.Intent.PlacedByCaller, Is.True, "no host may send a create-order for it");
            Assert.That((link.Kind, link.Snapshot!.Value.Value, link.Quantity, link.Trigger, link.BuyScore),
                Is.EqualTo((IntentKind.Exit, "aaa", 0.002m, "take_profit", 75.3m)));
            Assert.That((allocation.EntryClientOrderId, allocation.Quantity, allocation.ExitTrigger, allocation.RealizedPnl),
                Is.EqualTo((Coid(Parent), 0.002m, "take_profit", 10m)), "the parent's lot, never the older one");
            Assert.That(rig.Order(Older).Open, Is.EqualTo(0.002m));
            Assert.That(rig.Store.Parked(), Is.Empty);
            Assert.That(rig.Store.ExternalOrders(), Is.Empty);
            Assert.That(rig.Store.Alerts(), Is.Empty);
        });
    }

    [Test]
    public void Lost_answer_a_rest_order_naming_its_originating_order_adopts_the_child_and_its_parked_fill_is_a_stop_loss()
    {
        using var rig = new Rig();
        rig.Feed(Received(Older, -60), Ack(Older, "older", -59.8), Update("older", Older, 0.002m, 49000m, OrderStatus.Filled, -59));
        rig.Feed(Received(Parent), Timeout(Parent, 30), Update("parent", Parent, 0.002m, 50000m, OrderStatus.Filled, 1));
        rig.Feed(Rest("child", "e1", 0.002m, 44990m, second: 3600, reconciliation: true));
        Assert.That(rig.Store.Parked(), Has.Length.EqualTo(1));

        rig.Feed(RestOrder("child", originating: Eid("parent"), second: 3601));

        var allocation = rig.Store.Allocations().Single();
        Assert.Multiple(() =>
        {
            Assert.That(rig.Store.FindByExchangeOrderId(Eid("child"))!.ClientOrderId, Is.EqualTo(Child));
            Assert.That(rig.Store.Links().Single(l => l.ClientOrderId == Child).Trigger, Is.EqualTo("stop_loss"));
            Assert.That((allocation.EntryClientOrderId, allocation.ExitTrigger, allocation.RealizedPnl),
                Is.EqualTo((Coid(Parent), "stop_loss", (44990m - 50000m) * 0.002m)));
            Assert.That(rig.Store.Parked(), Is.Empty);
            Assert.That(rig.Store.ExternalOrders(), Is.Empty);
        });
    }

    [Test]
    public void A_rest_order_of_the_parent_naming_its_attached_order_adopts_the_child()
    {
        using var rig = new Rig();
        rig.Feed(Received(Parent), Timeout(Parent, 30), Update("parent", Parent, 0.002m, 50000m, OrderStatus.Filled, 1));
        rig.Feed(ChildUpdate(0.002m, 55100m, 3600, OrderStatus.Filled));
        rig.Feed(RestOrder("parent", attached: Eid("child")) with
        {
            Order = RestOrder("parent", attached: Eid("child")).Order with { ClientOrderId = Coid(Parent), CumulativeQuantity = 0.002m, Status = OrderStatus.Filled },
        });

        Assert.Multiple(() =>
        {
            Assert.That(rig.Store.Allocations().Single().ExitTrigger, Is.EqualTo("take_profit"));
            Assert.That(rig.Store.Links().Where(l => l.ClientOrderId == Child).Sum(l => l.Quantity), Is.EqualTo(0.002m));
            Assert.That(rig.Store.ExternalOrders(), Is.Empty);
        });
    }

    [Test]
    public void The_same_child_named_twice_is_adopted_once_and_links_once()
    {
        using var rig = new Rig();
        rig.Feed(Received(Parent), AckWithChild(), Update("parent", Parent, 0.002m, 50000m, OrderStatus.Filled, 1));
        rig.Feed(ChildUpdate(0.002m, 55000m, 3600, OrderStatus.Filled), AckWithChild(3601), RestOrder("child", originating: Eid("parent"), second: 3602),
            ChildUpdate(0.002m, 55000m, 3603, OrderStatus.Filled));

        Assert.Multiple(() =>
        {
            Assert.That(rig.Store.Orders().Count(o => o.Intent.BracketOf is not null), Is.EqualTo(1));
            Assert.That(rig.Store.Links().Where(l => l.ClientOrderId == Child).Sum(l => l.Quantity), Is.EqualTo(0.002m));
            Assert.That(rig.Store.Alerts(), Is.Empty);
        });
    }

    [Test]
    public void An_order_attached_to_an_entry_without_a_bracket_or_to_an_external_order_is_external()
    {
        using var rig = new Rig();
        var plain = Entry("ccc");
        rig.Feed(Received(plain), Ack(plain, "plain"));
        rig.Feed(RestOrder("stray", originating: Eid("plain")));
        rig.Feed(new OrderNotOurs(At(61), Eid("manual"), null), RestOrder("manual-child", originating: Eid("manual"), second: 62));

        Assert.Multiple(() =>
        {
            Assert.That(rig.Store.ExternalOrders().Select(e => e.ExchangeOrderId.Value), Is.EquivalentTo(new[] { "stray", "manual", "manual-child" }));
            Assert.That(rig.Store.Orders(), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void An_answer_naming_an_attached_order_for_an_entry_that_asked_for_none_adopts_nothing_and_alerts()
    {
        using var rig = new Rig();
        var plain = Entry("ccc");
        rig.Feed(Received(plain), Ack(plain, "plain") with { AttachedExchangeOrderId = Eid("child") });

        Assert.Multiple(() =>
        {
            Assert.That(rig.Store.Orders(), Has.Length.EqualTo(1));
            Assert.That(rig.Store.Alerts().Single().Kind, Is.EqualTo(AlertKind.ConflictingBinding));
        });
    }

    [Test]
    public void An_attached_id_already_bound_to_another_order_or_external_adopts_nothing_and_alerts_naming_the_holder()
    {
        using var taken = new Rig();
        using var external = new Rig();
        taken.Feed(Received(Older), Ack(Older, "child"), Received(Parent, 1));
        external.Feed(new OrderNotOurs(At(0.5), Eid("child"), null), Received(Parent, 1));

        string Detail(Rig rig) => rig.Feed(AckWithChild(2)).Of<AlertRaised>().Single(a => a.Alert.Kind == AlertKind.ConflictingBinding).Alert.Detail;
        Assert.Multiple(() =>
        {
            Assert.That(Detail(taken), Is.EqualTo($"exchange order child is reported attached to client order {Coid(Parent)}, but it is bound to client order {Coid(Older)}"));
            Assert.That(Detail(external), Is.EqualTo($"exchange order child is reported attached to client order {Coid(Parent)}, but it was classified external"));
            Assert.That(taken.Store.FindByClientOrderId(Child), Is.Null, "no child record is staged for an id another order holds");
            Assert.That(external.Store.FindByClientOrderId(Child), Is.Null);
        });
    }

    [TestCase(45000, 55000, Side.Buy, "bracket.take_profit", TestName = "Bracket_with_take_profit_below_stop_loss_on_a_buy_is_refused")]
    [TestCase(55000, 45000, Side.Sell, "bracket.take_profit", TestName = "Bracket_with_take_profit_above_stop_loss_on_a_sell_is_refused")]
    [TestCase(0, 45000, Side.Buy, "bracket.take_profit", TestName = "Bracket_with_a_zero_take_profit_is_refused")]
    public void Bad_brackets_are_refused_naming_the_field(decimal takeProfit, decimal stopLoss, Side side, string field)
    {
        var problem = Validation.Intent(Entry("aaa", side: side) with { Bracket = new Bracket(takeProfit, stopLoss) });
        Assert.That(problem?.Field, Is.EqualTo(field));
    }

    [Test]
    public void A_bracket_on_an_exit_or_a_strategy_intent_naming_a_parent_is_refused()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Validation.Intent(Exit(0.001m) with { Bracket = Legs })?.Field, Is.EqualTo("bracket"));
            Assert.That(Validation.Intent(Entry("aaa") with { BracketOf = Coid(Parent) })?.Field, Is.EqualTo("bracket_of"));
            Assert.That(Validation.Intent(Parent), Is.Null);
        });
    }

    [Test]
    public void A_bracket_is_part_of_the_intents_identity_and_an_intent_without_one_keeps_its_id()
    {
        var plain = Entry("aaa");
        Assert.Multiple(() =>
        {
            Assert.That(Coid(Parent), Is.Not.EqualTo(Coid(plain)));
            Assert.That(ClientOrderIds.Canonical(plain), Does.Not.Contain("bracket"));
            Assert.That(Child.IsMintedByLinkage, Is.True);
            Assert.That(ClientOrderIds.ForAttached(Coid(plain)), Is.Not.EqualTo(Child));
        });
    }

    [TestCase(Side.Sell, 55000, "take_profit")]
    [TestCase(Side.Sell, 55001, "take_profit")]
    [TestCase(Side.Sell, 54999, "stop_loss")]
    [TestCase(Side.Buy, 45000, "take_profit")]
    [TestCase(Side.Buy, 45001, "stop_loss")]
    public void The_leg_is_read_from_the_fill_price(Side childSide, decimal price, string leg)
    {
        var legs = childSide == Side.Sell ? Legs : new Bracket(45000m, 55000m);
        Assert.That(legs.LegAt(childSide, price), Is.EqualTo(leg));
    }

    [Test]
    public void A_short_entrys_bracket_buys_back_and_a_rest_order_naming_its_parent_binds_it_as_reconciliation()
    {
        using var rig = new Rig();
        var shortParent = Entry("sss", size: 0.002m, price: 50000m, side: Side.Sell) with { Bracket = new Bracket(45000m, 55000m) };
        rig.Feed(Received(shortParent), Ack(shortParent, "short-parent"));
        var byRest = rig.Feed(RestOrder("short-child", originating: Eid("short-parent")));
        using var feedRig = new Rig();
        feedRig.Feed(Received(Parent), Ack(Parent, "parent"));
        var byFeed = feedRig.Feed(RestOrder("child", originating: Eid("parent")) with { FromReconciliation = false });
        var child = rig.Store.FindByClientOrderId(ClientOrderIds.ForAttached(Coid(shortParent)))!;
        Assert.Multiple(() =>
        {
            Assert.That(child.Intent.Side, Is.EqualTo(Side.Buy), "a short's take profit and stop loss buy back");
            Assert.That(child.Intent.Price, Is.EqualTo(45000m), "the take profit's limit");
            Assert.That(byRest.Of<OrderBound>().Single().BoundBy, Is.EqualTo(LinkProvenance.Reconciliation));
            Assert.That(byFeed.Of<OrderBound>().Single().BoundBy, Is.EqualTo(LinkProvenance.ExchangeOrderId));
            Assert.That(rig.Store.ExternalOrders(), Is.Empty);
        });
    }

    [Test]
    public void An_answer_naming_a_bracket_for_a_parent_that_asked_for_none_adopts_nothing_and_says_why()
    {
        using var rig = new Rig();
        var plain = Entry("ppp", size: 0.002m);
        rig.Feed(Received(plain), Ack(plain, "plain-parent"));
        var answer = rig.Feed(Ack(plain, "plain-parent", 0.3) with { AttachedExchangeOrderId = Eid("stray") });
        Assert.Multiple(() =>
        {
            Assert.That(answer.Of<AlertRaised>().Single().Alert.Detail,
                Is.EqualTo($"exchange order stray is reported attached to client order {Coid(plain)}, which asked for no bracket"));
            Assert.That(rig.Store.FindByClientOrderId(ClientOrderIds.ForAttached(Coid(plain))), Is.Null, "nothing adopted");
        });
    }
}
