using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// What the engine writes for a person to read: each refusal's reason, each alert's detail, each status change's reason
/// and each synthetic key, word for word, naming the ids involved. An operator acts on these texts (and the daemon's API
/// serves them), so a changed or empty text is a regression even when every link is right.
/// </summary>
public sealed class ReasonTextTests
{
    private static readonly Intent Order = Entry("aaa", size: 0.005m);

    private static readonly string Id = Coid(Order).Value;

    private static string Reason(DecisionBatch batch) => batch.Of<InputRejected>().Single().Record.Reason;

    private static string Detail(DecisionBatch batch, AlertKind kind) => batch.Of<AlertRaised>().Single(a => a.Alert.Kind == kind).Alert.Detail;

    private static string StatusReason(DecisionBatch batch) => batch.Of<OrderStatusChanged>().Single().Reason;

    [Test]
    public void Placement_outcomes_say_what_happened()
    {
        using var accepted = new Rig();
        using var timedOut = new Rig();
        using var refused = new Rig();
        using var refusedSilently = new Rig();
        accepted.Feed(Received(Order));
        timedOut.Feed(Received(Order));
        refused.Feed(Received(Order));
        refusedSilently.Feed(Received(Order));

        Assert.Multiple(() =>
        {
            Assert.That(StatusReason(accepted.Feed(new PlacementOutcome(At(1), Coid(Order), PlacementResult.Accepted))),
                Is.EqualTo("accepted; exchange order id not known yet"));
            Assert.That(StatusReason(timedOut.Feed(Timeout(Order))), Is.EqualTo("placement outcome unknown (timeout)"));
            Assert.That(StatusReason(refused.Feed(Refused(Order, reason: "INSUFFICIENT_FUND"))), Is.EqualTo("rejected: INSUFFICIENT_FUND"));
            Assert.That(StatusReason(refusedSilently.Feed(Refused(Order) with { RejectReason = null })), Is.EqualTo("rejected: no reason given"));
            Assert.That(StatusReason(accepted.Feed(Update("x1", Order, 0m, status: OrderStatus.Open))), Is.EqualTo("status Open"));
        });
    }

    [Test]
    public void Contradicting_placements_are_refused_naming_the_order()
    {
        using var rejectedFirst = new Rig();
        using var acceptedFirst = new Rig();
        using var acceptedWithoutId = new Rig();
        using var unstaged = new Rig();
        rejectedFirst.Feed(Received(Order), Refused(Order));
        acceptedFirst.Feed(Received(Order), Ack(Order, "x1"));
        acceptedWithoutId.Feed(Received(Order), new PlacementOutcome(At(1), Coid(Order), PlacementResult.Accepted));

        Assert.Multiple(() =>
        {
            Assert.That(Reason(rejectedFirst.Feed(Ack(Order, "x1", 1))),
                Is.EqualTo($"the exchange rejected client order {Id} earlier; an acceptance contradicts it"));
            Assert.That(Reason(acceptedFirst.Feed(Refused(Order, 1))),
                Is.EqualTo($"client order {Id} exists on the exchange (x1, Unknown); a rejection contradicts it"));
            Assert.That(Reason(acceptedWithoutId.Feed(Refused(Order, 2))),
                Is.EqualTo($"client order {Id} exists on the exchange (accepted, Unknown); a rejection contradicts it"));
            Assert.That(Reason(unstaged.Feed(Ack(Order, "x1"))), Is.EqualTo($"no intent is staged under client order id {Id}"));
        });
    }

    [Test]
    public void Messages_about_a_rejected_order_are_refused_and_a_fill_raises_an_alert()
    {
        using var rig = new Rig();
        rig.Feed(Received(Order), Refused(Order));

        var batch = rig.Feed(Update("x1", Order, 0.001m));

        Assert.Multiple(() =>
        {
            Assert.That(Reason(batch), Is.EqualTo($"client order {Id} was rejected by the exchange; nothing may link to it"));
            Assert.That(Detail(batch, AlertKind.FillForRejectedOrder), Is.EqualTo($"a fill arrived for client order {Id}, which the exchange rejected"));
        });
    }

    [Test]
    public void Intent_reusing_a_staged_client_order_id_is_refused_naming_it()
    {
        using var rig = new Rig();
        var foreign = ClientOrderId.From("mine-1");
        rig.Feed(Received(Order with { ClientOrderId = foreign }));

        Assert.That(Reason(rig.Feed(Received(Entry("bbb") with { ClientOrderId = foreign }, 1))),
            Is.EqualTo("client order id mine-1 is already staged for a different intent"));
    }

    [Test]
    public void Conflicting_bindings_raise_an_alert_naming_both_sides()
    {
        var other = Entry("bbb", size: 0.005m);
        using var rebound = new Rig();
        using var taken = new Rig();
        using var external = new Rig();
        using var unknownState = new Rig();
        rebound.Feed(Received(Order), Ack(Order, "x1"));
        taken.Feed(Received(Order), Ack(Order, "x1"), Received(other, 1));
        external.Feed(Received(Order), new OrderNotOurs(At(0.5), Eid("x1"), null));
        unknownState.Feed(Received(Order), Ack(Order, "x1"));

        Assert.Multiple(() =>
        {
            Assert.That(Detail(rebound.Feed(Ack(Order, "x2", 1)), AlertKind.ConflictingBinding),
                Is.EqualTo($"exchange order x2 was reported for client order {Id}, which is bound to exchange order x1"));
            Assert.That(Detail(taken.Feed(Ack(other, "x1", 2)), AlertKind.ConflictingBinding),
                Is.EqualTo($"exchange order x1 was reported for client order {Coid(other)}, but it is bound to client order {Id}"));
            Assert.That(Detail(external.Feed(Ack(Order, "x1", 1)), AlertKind.ConflictingBinding),
                Is.EqualTo($"exchange order x1 was reported for client order {Id}, but it was classified external"));
            Assert.That(Detail(unknownState.Feed(Update("x1", other, 0.001m)), AlertKind.ConflictingBinding),
                Is.EqualTo($"exchange order x1 was reported with client order {Coid(other)}, but it is bound to client order {Id}"));
        });
    }

    [Test]
    public void Calling_a_bot_order_not_ours_is_refused_and_alerts()
    {
        using var rig = new Rig();
        rig.Feed(Received(Order), Ack(Order, "x1"));

        var batch = rig.Feed(new OrderNotOurs(At(1), Eid("x1"), null));

        Assert.Multiple(() =>
        {
            Assert.That(Reason(batch), Is.EqualTo($"exchange order x1 belongs to bot order {Id}; it cannot be external"));
            Assert.That(Detail(batch, AlertKind.ConflictingBinding),
                Is.EqualTo($"reconciliation called exchange order x1 not ours, but it belongs to client order {Id}"));
        });
    }

    [Test]
    public void Messages_contradicting_the_intent_are_refused_saying_what_contradicts_what()
    {
        using var rig = new Rig();
        rig.Feed(Received(Order), Ack(Order, "x1"));
        var update = Update("x1", Order, 0.001m, second: 2);

        Assert.Multiple(() =>
        {
            Assert.That(Reason(rig.Feed(update with { Order = update.Order with { Product = ProductId.From("ETH-USD") } })),
                Is.EqualTo($"product ETH-USD contradicts client order {Id}'s product BTC-USD"));
            Assert.That(Reason(rig.Feed(update with { Order = update.Order with { Side = Side.Sell } })),
                Is.EqualTo($"side Sell contradicts client order {Id}'s side Buy"));
            Assert.That(Reason(rig.Feed(Update("x1", Order, 0.0060m, second: 3))),
                Is.EqualTo("cumulative quantity 0.006 exceeds the order size 0.005"));
            Assert.That(Reason(rig.Feed(Rest("x1", "e1", 0.003m), Rest("x1", "e2", 0.003m))),
                Is.EqualTo($"distinct RestFills fills of client order {Id} would add up to 0.006, beyond its size 0.005"));
        });
    }

    [Test]
    public void Orphaned_and_parked_messages_are_keyed_by_source_and_quantities()
    {
        var unstaged = Entry("ccc");
        using var rig = new Rig();

        var orphan = rig.Feed(Update("x5", unstaged, 0.001m));
        rig.Feed(Rest("x6", "e1", 0.001m), Match("x6", 42, 0.001m), new OrderUpdate(At(3), new OrderState { ExchangeOrderId = Eid("x7") }, OrderStateSource.LegacyDone));

        Assert.Multiple(() =>
        {
            Assert.That(Detail(orphan, AlertKind.OrphanedOrder),
                Is.EqualTo($"client order {Coid(unstaged)} carries our prefix but no intent is staged for it; its messages are parked"));
            Assert.That(rig.Store.Parked().Select(p => $"{p.ExchangeOrderId}/{p.Key}"),
                Is.EqualTo(new[] { "x5/FeedUpdate:0.001:Open", "x6/LegacyMatch:42", "x6/RestFills:e1", "x7/LegacyDone:none:none" }));
        });
    }

    [Test]
    public void Stale_cumulatives_are_keyed_by_order_and_cumulative()
    {
        using var rig = new Rig();
        rig.Feed(Received(Order), Ack(Order, "x1"), Update("x1", Order, 0.002m));

        Assert.Multiple(() =>
        {
            Assert.That(rig.Feed(Update("x1", Order, 0.0010m, second: 2)).Decisions.Single(),
                Is.EqualTo(new DuplicateIgnored(DuplicateKind.StaleCumulative, "x1-0.001")));
            Assert.That(rig.Feed(new OrderUpdate(At(3), new OrderState { ExchangeOrderId = Eid("x1") }, OrderStateSource.LegacyDone)).Decisions.Single(),
                Is.EqualTo(new DuplicateIgnored(DuplicateKind.StaleCumulative, "x1-none")));
        });
    }
}
