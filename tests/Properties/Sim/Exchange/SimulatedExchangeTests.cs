using FsCheck;
using FsCheck.Fluent;
using Linkage.Coinbase;
using Linkage.Engine;
using Linkage.Sim.Exchange;
using Linkage.Sim.Scenarios;
using Linkage.Sim.World;

namespace Linkage.Properties.Sim.Exchange;

public sealed class SimulatedExchangeTests
{
    [Test]
    public void Resending_a_known_client_order_id_returns_the_original_order_and_places_nothing()
    {
        var h = new ExchangeHarness();
        var original = h.Create("lk-aaa", 0.002m)!;
        h.Create("lk-aaa", 0.5m, 1m);
        h.Run();
        var answers = h.Responses.Select(r => CoinbaseParser.ParseCreateOrderResponse(r).Value).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(h.Exchange.Orders, Has.Count.EqualTo(1));
            Assert.That(answers.Select(a => a.Kind), Is.All.EqualTo(CreateOrderResponseKind.Success));
            Assert.That(answers.Select(a => a.ExchangeOrderId!.Value.Value), Is.All.EqualTo(original.OrderId));
            Assert.That(h.Exchange.Orders[0].Size, Is.EqualTo(0.002m), "the original order stands");
        });
    }

    [Test]
    public void With_resend_answer_error_a_known_client_order_id_is_refused_as_a_duplicate_and_places_nothing()
    {
        var h = new ExchangeHarness(resendAnswer: ResendAnswer.Error);
        var original = h.Create("lk-aaa", 0.002m)!;
        h.Create("lk-aaa", 0.002m);
        h.Run();
        var answers = h.Responses.Select(r => CoinbaseParser.ParseCreateOrderResponse(r).Value).ToList();
        var coid = ClientOrderId.From("lk-aaa");
        Assert.Multiple(() =>
        {
            Assert.That(h.Exchange.Orders, Has.Count.EqualTo(1), "the refusal places nothing");
            Assert.That(answers.Select(a => a.Kind), Is.EqualTo(new[] { CreateOrderResponseKind.Success, CreateOrderResponseKind.Failure }));
            Assert.That(answers[0].ExchangeOrderId!.Value.Value, Is.EqualTo(original.OrderId), "the first request is answered as usual");
            Assert.That(answers[1].NewOrderFailureReason, Is.EqualTo("DUPLICATE_CLIENT_ORDER_ID"));
            Assert.That(CoinbaseParser.ToPlacementOutcome(answers[1], h.World.Now, coid).Value.Result, Is.EqualTo(PlacementResult.Unknown),
                "the webhook reads the refusal as: the order exists, its id is not known");
            Assert.That(h.Faults[FaultCounter.ResendRefused], Is.EqualTo(1));
        });
    }

    [Test]
    public void A_lost_ack_places_the_order_but_never_answers()
    {
        var h = new ExchangeHarness();
        h.Exchange.PlanAck("lk-lost", Ack.Lost);
        var order = h.Create("lk-lost", 1m);
        h.Run();
        Assert.Multiple(() =>
        {
            Assert.That(order, Is.Not.Null);
            Assert.That(h.Responses, Is.Empty);
            Assert.That(h.Faults[FaultCounter.AckLost], Is.EqualTo(1));
        });
    }

    [Test]
    public void A_rejected_order_does_not_exist_and_the_answer_says_why()
    {
        var h = new ExchangeHarness();
        h.Exchange.PlanAck("lk-no", Ack.Reject);
        var order = h.Create("lk-no", 1m);
        h.Run();
        var answer = CoinbaseParser.ParseCreateOrderResponse(h.Responses.Single()).Value;
        Assert.Multiple(() =>
        {
            Assert.That(order, Is.Null);
            Assert.That(answer.Kind, Is.EqualTo(CreateOrderResponseKind.Failure));
            Assert.That(answer.FailureReason, Is.EqualTo("INSUFFICIENT_FUND"));
        });
    }

    [Test]
    public void A_delayed_ack_answers_after_the_delay_and_after_the_feed()
    {
        var h = new ExchangeHarness();
        h.Exchange.Connect(h);
        h.Exchange.PlanAck("lk-late", new AckDelay(TimeSpan.FromSeconds(30)));
        var answeredAt = DateTimeOffset.MinValue;
        h.Exchange.CreateOrder(CoinbaseWire.CreateOrderRequest("lk-late", "BTC-USD", Side.Buy, 1m, 100m), _ => answeredAt = h.World.Now);
        h.Run();
        Assert.Multiple(() =>
        {
            Assert.That(answeredAt, Is.EqualTo(SimWorld.Epoch.AddSeconds(30)));
            Assert.That(h.Updates().Select(u => u.Status), Is.EqualTo(new OrderStatus?[] { OrderStatus.Pending, OrderStatus.Open }));
        });
    }

    [Test]
    public void Reconnect_restarts_the_counter_and_snapshots_only_open_orders()
    {
        var h = new ExchangeHarness();
        h.Exchange.Connect(h);
        var open = h.Create("lk-open", 1m)!;
        var filled = h.Create("lk-filled", 1m)!;
        var cancelled = h.Create("lk-cancelled", 1m)!;
        h.Exchange.Fill(filled.OrderId, null, null);
        h.Exchange.Cancel(cancelled.OrderId);
        h.Exchange.Fill(open.OrderId, 0.25m, null);
        h.Run();
        h.Exchange.Disconnect();
        h.Received.Clear();
        h.Exchange.Connect(h);
        h.Run();
        var messages = h.Parsed().OfType<AdvancedTradeMessage>().ToList();
        var snapshot = messages.OfType<UserChannelMessage>().SelectMany(m => m.Events).Single(e => e.Type == UserEventType.Snapshot);
        Assert.Multiple(() =>
        {
            Assert.That(messages.Select(m => m.SequenceNum), Is.EqualTo(Enumerable.Range(0, messages.Count).Select(i => (long)i)));
            Assert.That(snapshot.Orders.Select(o => o.State.ExchangeOrderId.Value), Is.EqualTo(new[] { open.OrderId }));
            Assert.That(snapshot.Orders[0].State.CumulativeQuantity, Is.EqualTo(0.25m), "a snapshot restates what already filled");
        });
    }

    [TestCase(120, new[] { 50, 50, 20 })]
    [TestCase(100, new[] { 50, 50, 0 })]
    [TestCase(0, new[] { 0 })]
    public void Snapshot_comes_in_batches_of_50_ending_with_a_shorter_one(int openOrders, int[] batches)
    {
        var h = new ExchangeHarness();
        for (var i = 0; i < openOrders; i++)
        {
            h.Create("lk-" + i, 1m);
        }
        h.Exchange.Connect(h);
        h.Run();
        var sizes = h.Parsed().OfType<UserChannelMessage>().SelectMany(m => m.Events).Where(e => e.Type == UserEventType.Snapshot).Select(e => e.Orders.Length);
        Assert.That(sizes, Is.EqualTo(batches));
    }

    [Test]
    public void Trades_close_together_coalesce_into_one_update_with_the_cumulative_state()
    {
        var h = new ExchangeHarness(options: new ExchangeOptions { CoalesceChance = 1m, Heartbeats = false });
        h.Exchange.Connect(h);
        var order = h.Create("lk-c", 1m, 100m)!;
        h.Run();
        h.Received.Clear();
        h.Exchange.Fill(order.OrderId, 0.25m, 100m);
        h.Exchange.Fill(order.OrderId, 0.25m, 102m);
        h.Run();
        var update = h.Updates().Single();
        Assert.Multiple(() =>
        {
            Assert.That(update.CumulativeQuantity, Is.EqualTo(0.5m));
            Assert.That(update.NumberOfFills, Is.EqualTo(2));
            Assert.That(update.FilledValue, Is.EqualTo(50.5m));
            Assert.That(update.Status, Is.EqualTo(OrderStatus.Open));
        });
    }

    /// <summary>
    /// Whatever is coalesced, the updates a listener receives (no faults) never go backwards, and the last one states
    /// exactly what the exchange executed: quantity, value, fees and number of fills. So the deltas a reader derives add
    /// up to the trades, never more.
    /// </summary>
    [Test]
    public void Coalescing_keeps_the_cumulative_state_right()
    {
        var fills = Gen.ListOf(Gen.Zip(Gen.Choose(1, 50), Gen.Choose(0, 1500))).Where(l => l.Count > 0 && l.Sum(f => f.Item1) <= 400);
        Prop.ForAll(
            fills.ToArbitrary(),
            Gen.Choose(0, 100).ToArbitrary(),
            ArbMap.Default.ArbFor<ulong>(),
            (steps, chance, seed) =>
            {
                var h = new ExchangeHarness(options: new ExchangeOptions { CoalesceChance = chance / 100m, Heartbeats = false }, seed: seed);
                h.Exchange.Connect(h);
                var order = h.Create("lk-p", 4m, 100m)!;
                var at = SimWorld.Epoch;
                foreach (var (size, gapMs) in steps)
                {
                    at = at.AddMilliseconds(gapMs);
                    var quantity = size / 100m;
                    h.World.At(at, () => h.Exchange.Fill(order.OrderId, quantity, 100m + size));
                }
                h.Run();
                var cumulative = h.Updates().Select(u => u.CumulativeQuantity ?? 0m).ToList();
                var last = h.Updates().Last();
                var ascending = cumulative.Zip(cumulative.Skip(1)).All(p => p.First <= p.Second);
                return ascending
                    && last.CumulativeQuantity == order.Trades.Sum(t => t.Size)
                    && last.FilledValue == order.Trades.Sum(t => t.Size * t.Price)
                    && last.TotalFees == order.Trades.Sum(t => t.Commission)
                    && last.NumberOfFills == order.Trades.Count;
            }).QuickCheckThrowOnFailure();
    }

    [Test]
    public void List_fills_pages_cover_every_trade_once()
    {
        var h = new ExchangeHarness();
        var a = h.Create("lk-a", 1m)!;
        var b = h.Create("lk-b", 1m)!;
        h.Create("lk-other", 1m);
        for (var i = 0; i < 4; i++)
        {
            h.Exchange.Fill(a.OrderId, 0.1m, null);
            h.Exchange.Fill(b.OrderId, 0.2m, null);
        }
        h.Exchange.Fill(h.Exchange.FindByClientOrderId("lk-other")!.OrderId, 0.5m, null);
        var rows = new List<RestFill>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = CoinbaseParser.ParseListFills(h.Exchange.ListFills([a.OrderId, b.OrderId], cursor, 3).Body).Value;
            rows.AddRange(page.Fills);
            cursor = page.Cursor;
            pages++;
        }
        while (!string.IsNullOrEmpty(cursor));
        Assert.Multiple(() =>
        {
            Assert.That(pages, Is.EqualTo(3));
            Assert.That(rows.Select(r => r.Fill.Key.Key).Distinct().Count(), Is.EqualTo(8));
            Assert.That(rows.Sum(r => r.Fill.Size), Is.EqualTo(1.2m));
            Assert.That(rows.Select(r => r.Fill.ExchangeOrderId.Value).Distinct().Order(), Is.EqualTo(new[] { a.OrderId, b.OrderId }.Order()));
        });
    }

    [Test]
    public void Rest_answers_parse_with_the_production_parsers_and_state_the_truth()
    {
        var h = new ExchangeHarness();
        var order = h.Create("lk-rest", 0.05m, 64250m)!;
        h.Exchange.Fill(order.OrderId, 0.02m, 64250m);
        h.Exchange.Fill(order.OrderId, 0.03m, 64249.5m);
        var got = CoinbaseParser.ParseGetOrder(h.Exchange.GetOrder(order.OrderId).Body).Value.State;
        var open = CoinbaseParser.ParseListOrders(h.Exchange.ListOpenOrders(null, 10).Body).Value;
        var missing = h.Exchange.GetOrder("no-such-order");
        Assert.Multiple(() =>
        {
            Assert.That(got.ClientOrderId!.Value.Value, Is.EqualTo("lk-rest"));
            Assert.That(got.Status, Is.EqualTo(OrderStatus.Filled));
            Assert.That(got.CumulativeQuantity, Is.EqualTo(0.05m));
            Assert.That(got.FilledValue, Is.EqualTo(3212.485m));
            Assert.That(open.Orders, Is.Empty, "a filled order is not open");
            Assert.That(missing.Status, Is.EqualTo(404));
        });
    }

    [Test]
    public void Legacy_feed_sends_received_one_match_per_trade_and_done()
    {
        var h = new ExchangeHarness(FeedKind.Trades);
        h.Exchange.Connect(h);
        var order = h.Create("lk-leg", 0.05m, 36250m)!;
        h.Exchange.Fill(order.OrderId, 0.02m, null);
        h.Exchange.Fill(order.OrderId, 0.03m, null);
        h.Run();
        var messages = h.Parsed().ToList();
        var received = messages.OfType<LegacyReceived>().Single();
        var matches = messages.OfType<LegacyMatch>().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(messages.Select(m => m.GetType().Name), Is.EqualTo(new[] { "LegacyReceived", "LegacyMatch", "LegacyMatch", "LegacyDone" }));
            Assert.That(received.ClientOrderId!.Value.Value, Is.EqualTo("lk-leg"));
            Assert.That(matches.SelectMany(m => FeedInputs.Fills(m)).Select(f => f.ExchangeOrderId.Value), Is.All.EqualTo(order.OrderId), "our side of each match is found");
            Assert.That(matches.Select(m => m.TradeId).Distinct().Count(), Is.EqualTo(2));
        });
    }

    [Test]
    public void Duplicate_step_redelivers_the_last_fill_message_byte_for_byte()
    {
        var h = new ExchangeHarness();
        h.Exchange.Connect(h);
        var order = h.Create("lk-dup", 1m)!;
        h.Exchange.Fill(order.OrderId, 0.5m, null);
        h.Run();
        var last = h.Received[^1];
        Assert.That(h.Exchange.DuplicateLastFill(order.OrderId), Is.True);
        h.Run();
        Assert.That(h.Received[^1], Is.EqualTo(last));
    }

    /// <summary>
    /// The exchange replays nothing on a new connection, and <c>sequence_num</c> counts per connection: a duplicate of a
    /// fill sent before a reconnect carries the new connection's next number, not the old one's (issue 14: a stray old
    /// number hid a later gap).
    /// </summary>
    [Test]
    public void A_duplicate_on_a_later_connection_carries_that_connections_next_sequence_number()
    {
        var h = new ExchangeHarness(options: new ExchangeOptions { Heartbeats = false });
        h.Exchange.Connect(h);
        var order = h.Create("lk-dup2", 1m)!;
        h.Exchange.Fill(order.OrderId, 0.5m, null);
        h.Run();
        var original = h.Received[^1];
        h.Exchange.Connect(h);
        h.Run();
        var beforeCopy = Sequence(h.Received[^1]);
        Assert.That(h.Exchange.DuplicateLastFill(order.OrderId), Is.True);
        h.Run();
        var copy = h.Received[^1];
        Assert.Multiple(() =>
        {
            Assert.That(Sequence(copy), Is.EqualTo(beforeCopy + 1), "the new connection's next number");
            Assert.That(Sequence(original), Is.Not.EqualTo(Sequence(copy)));
            Assert.That(copy.Replace($"\"sequence_num\":{Sequence(copy)}", "", StringComparison.Ordinal),
                Is.EqualTo(original.Replace($"\"sequence_num\":{Sequence(original)}", "", StringComparison.Ordinal)), "otherwise the same message");
        });
    }

    private static long Sequence(string json)
    {
        using var document = System.Text.Json.JsonDocument.Parse(json);
        return document.RootElement.GetProperty("sequence_num").GetInt64();
    }

    [Test]
    public void Feed_faults_drop_duplicate_and_hold_back_messages_as_drawn()
    {
        var dropped = new ExchangeHarness(faults: new Faults(0m, 0m, 1m));
        dropped.Exchange.Connect(dropped);
        dropped.Run();
        var doubled = new ExchangeHarness(faults: new Faults(1m, 0m, 0m));
        doubled.Exchange.Connect(doubled);
        doubled.Run();
        var held = new ExchangeHarness(faults: new Faults(0m, 1m, 0m));
        held.Exchange.Connect(held);
        var deliveredAt = DateTimeOffset.MinValue;
        held.World.At(SimWorld.Epoch.AddSeconds(1), () => deliveredAt = held.Received.Count == 0 ? held.World.Now : DateTimeOffset.MinValue);
        held.Run();
        Assert.Multiple(() =>
        {
            Assert.That(dropped.Received, Is.Empty);
            Assert.That(dropped.Faults[FaultCounter.Drop], Is.EqualTo(3), "subscriptions, snapshot, subscriptions");
            Assert.That(doubled.Received, Has.Count.EqualTo(6));
            Assert.That(doubled.Received.Chunk(2).All(pair => pair[0] == pair[1]), Is.True);
            Assert.That(deliveredAt, Is.Not.EqualTo(DateTimeOffset.MinValue), "nothing arrived within the normal latency");
            Assert.That(held.Received, Has.Count.EqualTo(3));
        });
    }
}
