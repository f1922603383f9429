using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// Law V1 at the engine's own checks (<see cref="Validation"/>): each problem names its field and says why in words a
/// reader of the quarantine can act on, and each bound admits its limit and refuses one past it. The engine-level tests
/// (<see cref="RejectionTests"/>, <see cref="IntentTests"/>) check the field; these check the whole problem and the edges.
/// </summary>
public sealed class ValidationTests
{
    private static readonly Intent Valid = Entry("aaa");

    private static readonly OrderState State = new() { ExchangeOrderId = Eid("x1") };

    private static readonly TradeFill Fill = Rest("x1", "e1", 0.001m).Fill;

    private static TestCaseData Case(string name, Func<Problem?> check, Problem? expected) =>
        new TestCaseData(check, expected).SetName(name);

    private static IEnumerable<TestCaseData> Problems()
    {
        // Intents.
        yield return Case("Intent_missing", () => Validation.Intent(null), new("intent", "the intent is missing"));
        yield return Case("Intent_valid", () => Validation.Intent(Valid), null);
        yield return Case("Intent_size_zero", () => Validation.Intent(Valid with { Size = 0m }), new("size", "size must be positive, was 0"));
        yield return Case("Intent_size_smallest_positive", () => Validation.Intent(Valid with { Size = 0.00000001m }), null);
        yield return Case("Intent_size_at_QuantityMax", () => Validation.Intent(Valid with { Size = Limits.QuantityMax }), null);
        yield return Case("Intent_size_past_QuantityMax", () => Validation.Intent(Valid with { Size = Limits.QuantityMax + 0.5m }),
            new("size", "size 1000000000000.5 is beyond 1000000000000"));
        yield return Case("Intent_price_negative", () => Validation.Intent(Valid with { Price = -2.50m }), new("price", "price must be positive, was -2.5"));
        yield return Case("Intent_without_size_or_price", () => Validation.Intent(Valid with { Size = null, Price = null }), null);
        yield return Case("Intent_buy_score_below_minus_QuantityMax", () => Validation.Intent(Valid with { BuyScore = -Limits.QuantityMax - 1m }),
            new("buy_score", "buy_score -1000000000001 is beyond 1000000000000"));
        yield return Case("Intent_negative_buy_score_within_bounds", () => Validation.Intent(Valid with { BuyScore = -Limits.QuantityMax }), null);
        yield return Case("Intent_sell_score_past_QuantityMax", () => Validation.Intent(Valid with { SellScore = Limits.QuantityMax + 1m }),
            new("sell_score", "sell_score 1000000000001 is beyond 1000000000000"));
        yield return Case("Intent_undefined_kind", () => Validation.Intent(Valid with { Kind = (IntentKind)9 }), new("kind", "IntentKind value 9 is not defined"));
        yield return Case("Intent_undefined_side", () => Validation.Intent(Valid with { Side = (Side)7 }), new("side", "Side value 7 is not defined"));
        yield return Case("Intent_product_missing", () => Validation.Intent(Valid with { Product = default }), new("product_id", "product id is missing"));
        yield return Case("Entry_without_snapshot", () => Validation.Intent(Valid with { Snapshot = null }),
            new("snapshot_id", "an entry needs the snapshot it was decided from"));
        yield return Case("Entry_with_uninitialised_snapshot", () => Validation.Intent(Valid with { Snapshot = default(SnapshotId) }),
            new("snapshot_id", "snapshot id is missing"));
        yield return Case("Exit_with_snapshot", () => Validation.Intent(Exit(0.001m) with { Snapshot = SnapshotId.From("aaa") }),
            new("snapshot_id", "an exit comes from the position monitor and has no snapshot"));
        yield return Case("Exit_valid", () => Validation.Intent(Exit(0.001m)), null);
        yield return Case("Trigger_at_its_bound", () => Validation.Intent(Valid with { Trigger = new string('t', Limits.TriggerLengthMax) }), null);
        yield return Case("Trigger_past_its_bound", () => Validation.Intent(Valid with { Trigger = new string('t', Limits.TriggerLengthMax + 1) }),
            new("trigger", "trigger is 65 characters, more than 64"));
        yield return Case("Indicators_at_their_bound", () => Validation.Intent(Valid with { IndicatorsJson = new string('i', Limits.IndicatorsJsonLengthMax) }), null);
        yield return Case("Indicators_past_their_bound", () => Validation.Intent(Valid with { IndicatorsJson = new string('i', Limits.IndicatorsJsonLengthMax + 1) }),
            new("indicators", "indicators is 16385 characters, more than 16384"));
        yield return Case("Indicators_fired_negative", () => Validation.Intent(Valid with { IndicatorsFired = -1 }),
            new("indicators_fired", "indicators fired is negative"));
        yield return Case("Indicators_fired_zero", () => Validation.Intent(Valid with { IndicatorsFired = 0 }), null);
        yield return Case("Closes_uninitialised", () => Validation.Intent(Exit(0.001m) with { Closes = default }), new("closes", "closes is uninitialised"));
        yield return Case("Entry_naming_lots", () => Validation.Intent(Valid with { Closes = [ClientOrderId.From("lk-1")] }),
            new("closes", "only an exit may name entry lots it closes"));
        yield return Case("Exit_naming_ExitClosesMax_lots", () => Validation.Intent(Exit(0.001m, closes: Lots(Limits.ExitClosesMax))), null);
        yield return Case("Exit_naming_one_lot_too_many", () => Validation.Intent(Exit(0.001m, closes: Lots(Limits.ExitClosesMax + 1))),
            new("closes", "an exit names 65 entry lots, more than 64"));
        yield return Case("Exit_naming_an_uninitialised_lot_after_a_valid_one", () => Validation.Intent(Exit(0.001m) with { Closes = [ClientOrderId.From("lk-1"), default] }),
            new("closes", "client order id is missing"));
        yield return Case("Intent_with_uninitialised_client_order_id", () => Validation.Intent(Valid with { ClientOrderId = default(ClientOrderId) }),
            new("client_order_id", "client order id is missing"));
        yield return Case("Intent_with_its_own_client_order_id", () => Validation.Intent(Valid with { ClientOrderId = ClientOrderId.From("mine-1") }), null);

        // Create-order outcomes.
        yield return Case("Placement_valid", () => Validation.Placement(Ack(Valid, "x1")), null);
        yield return Case("Placement_without_exchange_id", () => Validation.Placement(Ack(Valid, "x1") with { ExchangeOrderId = null }), null);
        yield return Case("Placement_with_uninitialised_exchange_id", () => Validation.Placement(Ack(Valid, "x1") with { ExchangeOrderId = default(ExchangeOrderId) }),
            new("order_id", "exchange order id is missing"));
        yield return Case("Placement_undefined_result", () => Validation.Placement(Ack(Valid, "x1") with { Result = (PlacementResult)5 }),
            new("result", "PlacementResult value 5 is not defined"));

        // Order states.
        yield return Case("Order_state_missing", () => Validation.OrderUpdate(new OrderUpdate(At(1), null!, OrderStateSource.FeedUpdate)),
            new("order", "the order state is missing"));
        yield return Case("Order_state_bare", () => Validation.OrderUpdate(new OrderUpdate(At(1), State, OrderStateSource.FeedUpdate)), null);
        yield return Case("Order_state_full", () => Validation.OrderUpdate(Update("x1", Valid, 0.001m)), null);
        yield return Case("Order_state_undefined_source", () => Validation.OrderUpdate(new OrderUpdate(At(1), State, (OrderStateSource)40)),
            new("source", "OrderStateSource value 40 is not defined"));
        yield return Case("Order_state_uninitialised_client_id", () => StateProblem(State with { ClientOrderId = default(ClientOrderId) }),
            new("client_order_id", "client order id is missing"));
        yield return Case("Order_state_uninitialised_product", () => StateProblem(State with { Product = default(ProductId) }),
            new("product_id", "product id is missing"));
        yield return Case("Order_state_undefined_side", () => StateProblem(State with { Side = (Side)3 }), new("side", "Side value 3 is not defined"));
        yield return Case("Order_state_undefined_status", () => StateProblem(State with { Status = (OrderStatus)30 }), new("status", "OrderStatus value 30 is not defined"));
        yield return Case("Order_state_zero_quantities", () => StateProblem(State with
        {
            CumulativeQuantity = 0m, LeavesQuantity = 0m, AveragePrice = 0m, FilledValue = 0m, TotalFees = 0m, OrderSize = 0m, NumberOfFills = 0,
        }), null);
        yield return Case("Order_state_negative_cumulative", () => StateProblem(State with { CumulativeQuantity = -0.5m }),
            new("cumulative_quantity", "cumulative_quantity must not be negative, was -0.5"));
        yield return Case("Order_state_negative_leaves", () => StateProblem(State with { LeavesQuantity = -1m }),
            new("leaves_quantity", "leaves_quantity must not be negative, was -1"));
        yield return Case("Order_state_negative_avg_price", () => StateProblem(State with { AveragePrice = -1m }),
            new("avg_price", "avg_price must not be negative, was -1"));
        yield return Case("Order_state_negative_filled_value", () => StateProblem(State with { FilledValue = -1m }),
            new("filled_value", "filled_value must not be negative, was -1"));
        yield return Case("Order_state_negative_total_fees", () => StateProblem(State with { TotalFees = -1m }),
            new("total_fees", "total_fees must not be negative, was -1"));
        yield return Case("Order_state_order_size_past_QuantityMax", () => StateProblem(State with { OrderSize = Limits.QuantityMax + 1m }),
            new("order_size", "order_size 1000000000001 is beyond 1000000000000"));
        yield return Case("Order_state_negative_number_of_fills", () => StateProblem(State with { NumberOfFills = -1 }),
            new("number_of_fills", "number of fills is negative"));
        yield return Case("Order_state_cumulative_equal_to_size", () => StateProblem(State with { CumulativeQuantity = 0.002m, OrderSize = 0.002m }), null);
        yield return Case("Order_state_cumulative_beyond_size", () => StateProblem(State with { CumulativeQuantity = 0.0030m, OrderSize = 0.002m }),
            new("cumulative_quantity", "cumulative quantity 0.003 exceeds the order size 0.002"));
        yield return Case("Order_state_cumulative_without_size", () => StateProblem(State with { CumulativeQuantity = 5m }), null);
        yield return Case("Order_state_size_without_cumulative", () => StateProblem(State with { OrderSize = 5m }), null);

        // Trades.
        yield return Case("Trade_missing", () => Validation.TradeFill(null), new("fill", "the fill is missing"));
        yield return Case("Trade_valid", () => Validation.TradeFill(Fill), null);
        yield return Case("Trade_uninitialised_order", () => Validation.TradeFill(Fill with { Key = Fill.Key with { Order = default } }),
            new("order_id", "exchange order id is missing"));
        yield return Case("Trade_undefined_source", () => Validation.TradeFill(Fill with { Key = Fill.Key with { Source = (FillSource)6 } }),
            new("source", "FillSource value 6 is not defined"));
        yield return Case("Rest_row_blank_key", () => Validation.TradeFill(Fill with { Key = Fill.Key with { Key = " " } }),
            new("entry_id", "the fill's key is missing"));
        yield return Case("Match_blank_key", () => Validation.TradeFill(Fill with { Key = new FillKey(Eid("x1"), FillSource.LegacyMatch, "") }),
            new("trade_id", "the fill's key is missing"));
        yield return Case("Trade_key_at_its_bound", () => Validation.TradeFill(Fill with { Key = Fill.Key with { Key = new string('k', Limits.ExchangeIdLengthMax) } }), null);
        yield return Case("Trade_key_past_its_bound", () => Validation.TradeFill(Fill with { Key = Fill.Key with { Key = new string('k', Limits.ExchangeIdLengthMax + 1) } }),
            new("entry_id", "the fill's key is longer than 64 characters"));
        yield return Case("Trade_undefined_type", () => Validation.TradeFill(Fill with { TradeType = (TradeType)8 }), new("trade_type", "TradeType value 8 is not defined"));
        yield return Case("Trade_zero_price", () => Validation.TradeFill(Fill with { Price = 0m }), new("price", "price must be positive, was 0"));
        yield return Case("Trade_zero_commission", () => Validation.TradeFill(Fill with { Commission = 0m }), null);
        yield return Case("Trade_commission_past_QuantityMax", () => Validation.TradeFill(Fill with { Commission = Limits.QuantityMax + 1m }),
            new("commission", "commission 1000000000001 is beyond 1000000000000"));
        yield return Case("Trade_uninitialised_product", () => Validation.TradeFill(Fill with { Product = default(ProductId) }), new("product_id", "product id is missing"));
        yield return Case("Trade_without_product_or_side", () => Validation.TradeFill(Fill with { Product = null, Side = null }), null);
        yield return Case("Trade_undefined_side", () => Validation.TradeFill(Fill with { Side = (Side)2 }), new("side", "Side value 2 is not defined"));
        yield return Case("Trade_with_side", () => Validation.TradeFill(Fill with { Side = Side.Sell }), null);
    }

    private static string[] Lots(int count) => [.. Enumerable.Range(0, count).Select(i => $"lk-{i}")];

    private static Problem? StateProblem(OrderState state) => Validation.OrderUpdate(new OrderUpdate(At(1), state, OrderStateSource.FeedUpdate));

    [TestCaseSource(nameof(Problems))]
    public void Each_check_names_the_field_and_says_why(Func<Problem?> check, Problem? expected) =>
        Assert.That(check(), Is.EqualTo(expected));

    [Test]
    public void Decimal_text_is_invariant_and_drops_trailing_zeros()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Validation.Text(1.500m), Is.EqualTo("1.5"));
            Assert.That(Validation.Text(100m), Is.EqualTo("100"));
            Assert.That(Validation.Text(-0.00010m), Is.EqualTo("-0.0001"));
            Assert.That(Validation.Text(0.000m), Is.EqualTo("0"));
        });
    }
}
