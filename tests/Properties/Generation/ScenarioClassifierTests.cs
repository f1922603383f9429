using Linkage.Engine;
using Linkage.Sim.Generation;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Generation;

public sealed class ScenarioClassifierTests
{
    private static PlaceStep Buy(TimeSpan at, string order, decimal size = 2m, Ack? ack = null, string product = "BTC-USD") =>
        new(at) { Order = order, Product = product, Side = Side.Buy, Size = size, Price = 10m, Snapshot = "s" + order, Ack = ack ?? Ack.Ok };

    private static FillStep Fill(TimeSpan at, string order, decimal? size = null) => new(at) { Order = order, Size = size };

    private static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    private static IReadOnlySet<ScenarioClass> Classes(params Step[] steps) =>
        ScenarioClassifier.Classify(new Scenario { Name = "c", Steps = [.. steps] });

    private static IReadOnlySet<ScenarioClass> Classes(Latency latency, params Step[] steps) =>
        ScenarioClassifier.Classify(new Scenario { Name = "c", Latency = latency, Steps = [.. steps] });

    [Test]
    public void The_old_designs_overwrite_is_a_same_product_crowd_and_a_fill_inside_the_ack_latency_comes_before_the_response()
    {
        var classes = Classes(Buy(S(0), "o1"), Buy(S(5), "o2"), Fill(S(5.1), "o2"));
        Assert.Multiple(() =>
        {
            Assert.That(classes, Does.Contain(ScenarioClass.SameProductCrowd));
            Assert.That(classes, Does.Contain(ScenarioClass.FillBeforeResponse), "100 ms after the place, the 200 ms ack is not in");
            Assert.That(classes, Does.Not.Contain(ScenarioClass.PartialFills));
        });
    }

    [Test]
    public void A_duplicate_days_after_a_cancelled_partial_has_room_under_the_size_and_one_of_a_filled_order_has_none()
    {
        var withRoom = Classes(Buy(S(0), "o1"), Fill(S(1), "o1", 1m), new CancelStep(S(2)) { Order = "o1" }, new DuplicateStep(S(2 * 86_400)) { Order = "o1" });
        var filled = Classes(Buy(S(0), "o1"), Fill(S(1), "o1"), new DuplicateStep(S(2 * 86_400)) { Order = "o1" });
        var soon = Classes(Buy(S(0), "o1"), Fill(S(1), "o1", 1m), new CancelStep(S(2)) { Order = "o1" }, new DuplicateStep(S(60)) { Order = "o1" });
        Assert.Multiple(() =>
        {
            Assert.That(withRoom, Is.SupersetOf(new[] { ScenarioClass.DuplicateDaysLaterWithRoom, ScenarioClass.DuplicateDaysLater }));
            Assert.That(filled, Does.Contain(ScenarioClass.DuplicateDaysLater).And.Not.Contain(ScenarioClass.DuplicateDaysLaterWithRoom));
            Assert.That(soon, Does.Not.Contain(ScenarioClass.DuplicateDaysLaterWithRoom));
        });
    }

    [Test]
    public void A_cancel_right_after_a_fill_or_with_the_fill_during_one_disconnect_races_it()
    {
        var quick = Classes(Buy(S(0), "o1"), Fill(S(1), "o1", 1m), new CancelStep(S(1.1)) { Order = "o1" });
        var unseen = Classes(Buy(S(0), "o1"), new DisconnectStep(S(1)), Fill(S(2), "o1", 1m), new CancelStep(S(30)) { Order = "o1" }, new ReconnectStep(S(40)));
        var calm = Classes(Buy(S(0), "o1"), Fill(S(1), "o1", 1m), new CancelStep(S(30)) { Order = "o1" });
        Assert.Multiple(() =>
        {
            Assert.That(quick, Does.Contain(ScenarioClass.FillRacesCancel));
            Assert.That(unseen, Does.Contain(ScenarioClass.FillRacesCancel));
            Assert.That(calm, Does.Not.Contain(ScenarioClass.FillRacesCancel));
        });
    }

    [Test]
    public void An_exit_filling_right_after_the_reconnect_that_follows_its_lots_fill_while_down_races_the_lot()
    {
        static ExitStep Exit(TimeSpan at) => new(at) { Order = "x1", Product = "BTC-USD", Side = Side.Sell, Size = 1m, Price = 11m, Trigger = "stop_loss" };
        Step[] outage = [Buy(S(0), "e1"), new DisconnectStep(S(10)), Fill(S(11), "e1"), new ReconnectStep(S(12))];
        var slowRest = Latency.Default with { Rest = TimeSpan.FromSeconds(2) };
        var racing = Classes(slowRest, [.. outage, Exit(S(12.1)), Fill(S(12.2), "x1")]);
        var quickRest = Classes([.. outage, Exit(S(12.1)), Fill(S(12.2), "x1")]);
        var late = Classes(slowRest, [.. outage, Exit(S(30)), Fill(S(31), "x1")]);
        var lotSeen = Classes(slowRest, Buy(S(0), "e1"), Fill(S(1), "e1"), new DisconnectStep(S(10)), new ReconnectStep(S(12)), Exit(S(12.1)), Fill(S(12.2), "x1"));
        Assert.Multiple(() =>
        {
            Assert.That(racing, Does.Contain(ScenarioClass.ExitRacesItsLot));
            Assert.That(quickRest, Does.Not.Contain(ScenarioClass.ExitRacesItsLot), "REST answering at once, reconciliation links the lot first");
            Assert.That(late, Does.Not.Contain(ScenarioClass.ExitRacesItsLot), "19 s after the reconnect reconciliation has linked the lot");
            Assert.That(lotSeen, Does.Not.Contain(ScenarioClass.ExitRacesItsLot), "the lot filled while the WebSocket was up");
        });
    }

    [Test]
    public void On_the_trades_feed_an_exit_answered_before_its_filled_lot_races_the_lot()
    {
        static ExitStep Exit(TimeSpan at) => new(at) { Order = "x1", Product = "BTC-USD", Side = Side.Sell, Size = 1m, Price = 11m, Trigger = "stop_loss", Ack = Ack.Ok };
        static IReadOnlySet<ScenarioClass> Trades(params Step[] steps) =>
            ScenarioClassifier.Classify(new Scenario { Name = "c", Feed = FeedKind.Trades, Steps = [.. steps] });
        var lost = Trades(Buy(S(0), "e1", ack: Ack.Lost), Fill(S(0.1), "e1"), Exit(S(0.2)), Fill(S(0.3), "x1"));
        var slow = Trades(Buy(S(0), "e1", ack: new AckDelay(S(30))), Fill(S(0.1), "e1"), Exit(S(0.2)), Fill(S(0.3), "x1"));
        var answered = Trades(Buy(S(0), "e1"), Fill(S(0.1), "e1"), Exit(S(0.2)), Fill(S(0.3), "x1"));
        var ordersFeed = Classes(Buy(S(0), "e1", ack: Ack.Lost), Fill(S(0.1), "e1"), Exit(S(0.2)), Fill(S(0.3), "x1"));
        Assert.Multiple(() =>
        {
            Assert.That(lost, Does.Contain(ScenarioClass.ExitRacesItsLot));
            Assert.That(slow, Does.Contain(ScenarioClass.ExitRacesItsLot));
            Assert.That(answered, Does.Not.Contain(ScenarioClass.ExitRacesItsLot), "the lot's answer comes 200 ms before the exit's");
            Assert.That(ordersFeed, Does.Not.Contain(ScenarioClass.ExitRacesItsLot), "on the orders feed a fill names its client order id");
        });
    }

    [Test]
    public void An_exit_below_the_open_position_is_partial_and_one_of_all_of_it_is_not()
    {
        ExitStep Exit(decimal size) => new(S(10)) { Order = "x1", Product = "BTC-USD", Size = size, Trigger = "stop_loss" };
        var partial = Classes(Buy(S(0), "o1"), Fill(S(1), "o1"), Exit(1m));
        var whole = Classes(Buy(S(0), "o1"), Fill(S(1), "o1"), Exit(2m));
        Assert.Multiple(() =>
        {
            Assert.That(partial, Does.Contain(ScenarioClass.PartialExit));
            Assert.That(whole, Does.Not.Contain(ScenarioClass.PartialExit));
        });
    }

    [Test]
    public void A_resend_counts_as_answered_with_an_error_only_when_the_exchange_refuses_resent_ids()
    {
        Step[] steps = [Buy(S(0), "o1", ack: Ack.Lost), new ResendStep(S(1)) { Order = "o1" }];
        var refused = ScenarioClassifier.Classify(new Scenario { Name = "c", ResendAnswer = ResendAnswer.Error, Steps = [.. steps] });
        var original = ScenarioClassifier.Classify(new Scenario { Name = "c", Steps = [.. steps] });
        Assert.Multiple(() =>
        {
            Assert.That(refused, Does.Contain(ScenarioClass.ResendAnsweredWithError));
            Assert.That(original, Does.Not.Contain(ScenarioClass.ResendAnsweredWithError));
        });
    }

    [Test]
    public void A_fill_after_the_response_is_not_before_it() =>
        Assert.That(Classes(Buy(S(0), "o1"), Fill(S(1), "o1")), Does.Not.Contain(ScenarioClass.FillBeforeResponse));

    [Test]
    public void A_restart_between_partials_and_a_lost_response_are_seen()
    {
        var classes = Classes(Buy(S(0), "o1", ack: Ack.Lost), Fill(S(1), "o1", 1m), new RestartStep(S(2)) { Abrupt = true }, Fill(S(3), "o1"));
        Assert.That(classes, Is.SupersetOf(new[] { ScenarioClass.RestartMidPartials, ScenarioClass.AbruptRestart, ScenarioClass.LostResponse, ScenarioClass.PartialFills }));
    }

    [Test]
    public void A_duplicate_a_day_after_the_last_fill_is_past_retention()
    {
        var day = TimeSpan.FromDays(1);
        var classes = Classes(Buy(S(0), "o1"), Fill(S(1), "o1"), new DuplicateStep(S(1) + day) { Order = "o1" });
        var sameDay = Classes(Buy(S(0), "o1"), Fill(S(1), "o1"), new DuplicateStep(S(3600)) { Order = "o1" });
        Assert.Multiple(() =>
        {
            Assert.That(classes, Is.SupersetOf(new[] { ScenarioClass.Duplicate, ScenarioClass.DuplicateDaysLater, ScenarioClass.DaysOfSilence }));
            Assert.That(sameDay, Does.Contain(ScenarioClass.Duplicate).And.Not.Contain(ScenarioClass.DuplicateDaysLater));
        });
    }

    [Test]
    public void An_exit_larger_than_any_one_lot_spans_lots()
    {
        var exit = new ExitStep(S(400)) { Order = "x1", Product = "BTC-USD", Size = 3m, Trigger = "stop_loss" };
        var classes = Classes(Buy(S(0), "e1"), Fill(S(1), "e1"), Buy(S(2), "e2"), Fill(S(3), "e2"), exit, Fill(S(401), "x1"));
        var small = Classes(Buy(S(0), "e1"), Fill(S(1), "e1"), Buy(S(2), "e2"), Fill(S(3), "e2"), exit with { Size = 1m }, Fill(S(401), "x1"));
        Assert.Multiple(() =>
        {
            Assert.That(classes, Does.Contain(ScenarioClass.ExitAcrossLots));
            Assert.That(small, Does.Not.Contain(ScenarioClass.ExitAcrossLots));
        });
    }

    [Test]
    public void A_fill_while_disconnected_and_a_reconnect_with_an_open_order_are_seen()
    {
        var classes = Classes(Buy(S(0), "o1"), new DisconnectStep(S(1)), Fill(S(2), "o1", 1m), new ReconnectStep(S(3)));
        Assert.That(classes, Is.SupersetOf(new[] { ScenarioClass.FillDuringDisconnect, ScenarioClass.ReconnectSnapshot }));
    }

    [Test]
    public void A_manual_fill_on_a_product_the_bot_trades_is_seen()
    {
        var manual = new ManualStep(S(1)) { Order = "m1", Product = "BTC-USD", Side = Side.Sell, Size = 1m };
        var elsewhere = manual with { Product = "ETH-USD" };
        Assert.Multiple(() =>
        {
            Assert.That(Classes(Buy(S(0), "o1"), manual, Fill(S(2), "m1")), Does.Contain(ScenarioClass.ManualOnSameProduct));
            Assert.That(Classes(Buy(S(0), "o1"), elsewhere, Fill(S(2), "m1")), Does.Not.Contain(ScenarioClass.ManualOnSameProduct));
        });
    }
}
