using System.Globalization;
using System.Text;
using System.Text.Json;
using Linkage.Coinbase;
using Linkage.Engine;

namespace Linkage.Sim.Exchange;

/// <summary>
/// Writes the simulated exchange's messages in the real Coinbase shapes of <c>docs/formats.md</c>: the same
/// field names, string decimals formatted from <see cref="decimal"/> (invariant, scale kept), RFC 3339 times. The host
/// parses them with <c>Linkage.Coinbase</c>, the code that parses real traffic. Pure functions of their arguments.
/// </summary>
public static class CoinbaseWire
{
    /// <summary>The account's user id, as REST fills and legacy matches carry it.</summary>
    public const string UserId = "5844eceecf7e803e259d0365";

    /// <summary>The account's profile id (legacy feed).</summary>
    public const string ProfileId = "765d1549-9660-4be2-97d4-fa2d65fa3352";

    /// <summary>
    /// Characters such as <c>+</c> are written as themselves, as Coinbase's servers write them; the default encoder would
    /// escape them (<c>\u002B</c>), which is valid JSON but not what the wire carries.
    /// </summary>
    public static readonly JsonSerializerOptions SerializerOptions = CreateOrderRequests.SerializerOptions;

    /// <summary>The zero time Coinbase writes for "not applicable".</summary>
    private const string NotApplicableTime = "0001-01-01T00:00:00Z";

    /// <summary>Create-order request body (<c>limit_limit_gtc</c> with a price, <c>market_market_ioc</c> without).</summary>
    public static string CreateOrderRequest(string clientOrderId, string product, Side side, decimal size, decimal? limitPrice) =>
        CreateOrderRequests.Request(clientOrderId, product, side, size, limitPrice);

    /// <summary>A successful create-order response for <paramref name="order"/> (also the answer to a re-sent client order id).</summary>
    public static string CreateOrderSuccess(ExchangeOrder order) =>
        Write(w =>
        {
            w.WriteBoolean("success", true);
            w.WriteStartObject("success_response");
            w.WriteString("order_id", order.OrderId);
            w.WriteString("product_id", order.Product);
            w.WriteString("side", SideUpper(order.Side));
            w.WriteString("client_order_id", order.ClientOrderId);
            if (order.AttachedOrderId is { } attached)
            {
                w.WriteString("attached_order_id", attached);
            }
            w.WriteEndObject();
            OrderConfiguration(w, order.Size, order.LimitPrice);
            if (order is { ParentOrderId: null, Bracket: { } bracket })
            {
                CreateOrderRequests.AttachedOrderConfiguration(w, bracket);
            }
        });

    /// <summary>A refused create-order: <c>success: false</c> with an <c>error_response</c>.</summary>
    public static string CreateOrderFailure(decimal size, decimal? limitPrice, string reason, string message) =>
        Write(w =>
        {
            w.WriteBoolean("success", false);
            w.WriteStartObject("error_response");
            w.WriteString("error", reason);
            w.WriteString("message", message);
            w.WriteString("error_details", "");
            w.WriteString("preview_failure_reason", "PREVIEW_" + reason);
            w.WriteString("new_order_failure_reason", reason);
            w.WriteEndObject();
            OrderConfiguration(w, size, limitPrice);
        });

    /// <summary>The capture's record of a create-order request that got no answer in time (docs/capture.md).</summary>
    public static string CreateOrderTimeout(string clientOrderId) => CreateOrderRequests.Timeout(clientOrderId);

    /// <summary>A gRPC-style error body, as Get Order answers for an unknown order id.</summary>
    public static string NotFound(string message) =>
        Write(w =>
        {
            w.WriteString("error", "NOT_FOUND");
            w.WriteNumber("code", 5);
            w.WriteString("message", message);
            w.WriteStartArray("details");
            w.WriteEndArray();
        });

    /// <summary>The <c>subscriptions</c> acknowledgement for the channels subscribed so far.</summary>
    public static string Subscriptions(long sequence, DateTimeOffset at, IReadOnlyList<string> channels) =>
        Envelope("subscriptions", sequence, at, w =>
        {
            w.WriteStartObject();
            w.WriteStartObject("subscriptions");
            foreach (var channel in channels)
            {
                w.WriteStartArray(channel);
                w.WriteStringValue(channel == "heartbeats" ? "heartbeats" : "");
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteEndObject();
        });

    /// <summary>A <c>heartbeats</c> message; <paramref name="counter"/> is written as an integer, as production sends it.</summary>
    public static string Heartbeat(long sequence, DateTimeOffset at, long counter, TimeSpan sinceConnect) =>
        Envelope("heartbeats", sequence, at, w =>
        {
            w.WriteStartObject();
            w.WriteString("current_time", GoTime(at, sinceConnect));
            w.WriteNumber("heartbeat_counter", counter);
            w.WriteEndObject();
        });

    /// <summary>A <c>user</c> channel message with one event (<c>snapshot</c> or <c>update</c>) over <paramref name="orders"/>.</summary>
    public static string UserEvent(long sequence, DateTimeOffset at, string eventType, IReadOnlyList<(ExchangeOrder Order, OrderStatus Status)> orders) =>
        Envelope("user", sequence, at, w =>
        {
            w.WriteStartObject();
            w.WriteString("type", eventType);
            w.WriteStartArray("orders");
            foreach (var (order, status) in orders)
            {
                UserOrder(w, order, status);
            }
            w.WriteEndArray();
            w.WriteEndObject();
        });

    /// <summary>Get Order's answer: <c>{"order":{...}}</c> with the REST field names.</summary>
    public static string GetOrder(ExchangeOrder order) =>
        Write(w =>
        {
            w.WritePropertyName("order");
            RestOrder(w, order);
        });

    /// <summary>One page of List Orders: <c>orders</c>, <c>sequence</c>, <c>has_next</c>, <c>cursor</c>.</summary>
    public static string ListOrders(IReadOnlyList<ExchangeOrder> page, string cursor) =>
        Write(w =>
        {
            w.WriteStartArray("orders");
            foreach (var order in page)
            {
                RestOrder(w, order);
            }
            w.WriteEndArray();
            w.WriteString("sequence", "0");
            w.WriteBoolean("has_next", cursor.Length > 0);
            w.WriteString("cursor", cursor);
        });

    /// <summary>One page of List Fills: <c>fills</c> and <c>cursor</c> (empty on the last page).</summary>
    public static string ListFills(IReadOnlyList<(ExchangeOrder Order, ExchangeTrade Trade)> page, string cursor) =>
        Write(w =>
        {
            w.WriteStartArray("fills");
            foreach (var (order, trade) in page)
            {
                w.WriteStartObject();
                w.WriteString("entry_id", trade.EntryId);
                w.WriteString("trade_id", trade.TradeId);
                w.WriteString("order_id", order.OrderId);
                w.WriteString("trade_time", Micros(trade.Time));
                w.WriteString("trade_type", "FILL");
                w.WriteString("price", Dec(trade.Price));
                w.WriteString("size", Dec(trade.Size));
                w.WriteString("commission", Dec(trade.Commission));
                w.WriteString("product_id", order.Product);
                w.WriteString("sequence_timestamp", Micros(trade.Time));
                w.WriteString("liquidity_indicator", trade.OrderIsMaker ? "MAKER" : "TAKER");
                w.WriteBoolean("size_in_quote", false);
                w.WriteString("user_id", UserId);
                w.WriteString("side", SideUpper(order.Side));
                w.WriteString("retail_portfolio_id", "");
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteString("cursor", cursor);
        });

    /// <summary>Legacy feed <c>received</c>: the only message that carries <c>client_oid</c>.</summary>
    public static string LegacyReceived(ExchangeOrder order, long sequence, DateTimeOffset at) =>
        Write(w =>
        {
            w.WriteString("type", "received");
            w.WriteString("time", Micros(at));
            w.WriteString("product_id", order.Product);
            w.WriteNumber("sequence", sequence);
            w.WriteString("order_id", order.OrderId);
            w.WriteString("size", Dec(order.Size));
            if (order.LimitPrice is { } price)
            {
                w.WriteString("price", Dec(price));
            }
            w.WriteString("side", SideLower(order.Side));
            w.WriteString("order_type", order.IsLimit ? "limit" : "market");
            w.WriteString("client_oid", order.ClientOrderId);
        });

    /// <summary>
    /// Legacy feed <c>match</c> for one trade. Our order is the maker when it rests on the book (limit) and the taker
    /// otherwise; <c>side</c> is the maker's side, and the <c>maker_</c>/<c>taker_</c> user fields say which one we are.
    /// </summary>
    public static string LegacyMatch(ExchangeOrder order, ExchangeTrade trade, string counterpartyOrderId, long sequence) =>
        Write(w =>
        {
            w.WriteString("type", "match");
            w.WriteNumber("trade_id", trade.LegacyTradeId);
            w.WriteNumber("sequence", sequence);
            w.WriteString("maker_order_id", trade.OrderIsMaker ? order.OrderId : counterpartyOrderId);
            w.WriteString("taker_order_id", trade.OrderIsMaker ? counterpartyOrderId : order.OrderId);
            w.WriteString("time", Micros(trade.Time));
            w.WriteString("product_id", order.Product);
            w.WriteString("size", Dec(trade.Size));
            w.WriteString("price", Dec(trade.Price));
            var makerSide = trade.OrderIsMaker ? order.Side : Opposite(order.Side);
            w.WriteString("side", SideLower(makerSide));
            w.WriteString("user_id", UserId);
            w.WriteString("profile_id", ProfileId);
            var role = trade.OrderIsMaker ? "maker" : "taker";
            w.WriteString(role + "_user_id", UserId);
            w.WriteString(role + "_profile_id", ProfileId);
            w.WriteString(role + "_fee_rate", Dec(trade.OrderIsMaker ? ExchangeRules.MakerFeeRate : ExchangeRules.TakerFeeRate));
        });

    /// <summary>Legacy feed <c>done</c>: <c>filled</c> or <c>canceled</c>, with what was left.</summary>
    public static string LegacyDone(ExchangeOrder order, long sequence, DateTimeOffset at) =>
        Write(w =>
        {
            w.WriteString("type", "done");
            w.WriteString("time", Micros(at));
            w.WriteString("product_id", order.Product);
            w.WriteNumber("sequence", sequence);
            w.WriteString("order_id", order.OrderId);
            w.WriteString("reason", order.Status == OrderStatus.Filled ? "filled" : "canceled");
            if (order.LimitPrice is { } price)
            {
                w.WriteString("price", Dec(price));
            }
            w.WriteString("side", SideLower(order.Side));
            w.WriteString("remaining_size", Dec(order.Unfilled));
        });

    /// <summary>A decimal as Coinbase writes it: a string, invariant, with the value's own scale.</summary>
    public static string Dec(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    /// <summary>RFC 3339 in UTC with nine fractional digits, as the WebSocket envelope's <c>timestamp</c>.</summary>
    public static string Nanos(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture) + "00Z";

    /// <summary>RFC 3339 in UTC with six fractional digits, as REST and the legacy feed write times.</summary>
    public static string Micros(DateTimeOffset at) =>
        at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static void UserOrder(Utf8JsonWriter w, ExchangeOrder order, OrderStatus status)
    {
        w.WriteStartObject();
        w.WriteString("order_id", order.OrderId);
        w.WriteString("client_order_id", order.ClientOrderId);
        w.WriteString("product_id", order.Product);
        w.WriteString("product_type", "SPOT");
        w.WriteString("order_side", SideUpper(order.Side));
        w.WriteString("order_type", IsAttached(order) ? "Bracket" : order.IsLimit ? "Limit" : "Market");
        w.WriteString("time_in_force", order.IsLimit ? "GOOD_UNTIL_CANCELLED" : "IMMEDIATE_OR_CANCEL");
        w.WriteString("status", OrderStatuses.ToWire(status));
        w.WriteString("limit_price", order.LimitPrice is { } price ? Dec(price) : "");
        w.WriteString("stop_price", IsAttached(order) ? Dec(order.Bracket!.StopLoss) : "");
        w.WriteString("post_only", "false");
        w.WriteString("cumulative_quantity", Dec(order.CumulativeQuantity));
        w.WriteString("leaves_quantity", Dec(status.IsTerminal() ? 0m : order.Unfilled));
        w.WriteString("avg_price", Dec(order.AveragePrice ?? 0m));
        w.WriteString("filled_value", Dec(order.FilledValue));
        w.WriteString("total_fees", Dec(order.TotalFees));
        w.WriteString("number_of_fills", order.NumberOfFills.ToString(CultureInfo.InvariantCulture));
        w.WriteString("completion_percentage", Dec(Completion(order)));
        w.WriteString("total_value_after_fees", Dec(ValueAfterFees(order)));
        w.WriteString("outstanding_hold_amount", Dec(order.Side == Side.Buy && !status.IsTerminal() ? order.Unfilled * (order.LimitPrice ?? 0m) : 0m));
        w.WriteString("cancel_reason", status == OrderStatus.Cancelled ? "User requested cancel" : "");
        w.WriteString("reject_reason", "");
        w.WriteString("trigger_status", TriggerStatus(order));
        w.WriteString("creation_time", Micros(order.CreatedAt));
        w.WriteString("start_time", NotApplicableTime);
        w.WriteString("end_time", NotApplicableTime);
        w.WriteEndObject();
    }

    /// <summary>
    /// The order's REST object. An open order is listed again at every reconciliation, mostly unchanged, so its bytes are
    /// kept on the order until it changes (<see cref="ExchangeOrder.Revision"/>) and copied in raw: the bytes writing it
    /// afresh would give.
    /// </summary>
    private static void RestOrder(Utf8JsonWriter w, ExchangeOrder order)
    {
        if (order.RestJson is not { } written || written.Revision != order.Revision)
        {
            written = new ExchangeOrder.WrittenJson(order.Revision, Encoding.UTF8.GetBytes(Write(fields => RestOrderFields(fields, order))));
            order.RestJson = written;
        }
        w.WriteRawValue(written.Utf8, skipInputValidation: true);
    }

    private static void RestOrderFields(Utf8JsonWriter w, ExchangeOrder order)
    {
        w.WriteString("order_id", order.OrderId);
        w.WriteString("client_order_id", order.ClientOrderId);
        w.WriteString("product_id", order.Product);
        w.WriteString("user_id", UserId);
        w.WriteString("side", SideUpper(order.Side));
        w.WriteString("status", OrderStatuses.ToWire(order.Status));
        w.WriteString("order_type", IsAttached(order) ? "BRACKET" : order.IsLimit ? "LIMIT" : "MARKET");
        w.WriteString("time_in_force", order.IsLimit ? "GOOD_UNTIL_CANCELLED" : "IMMEDIATE_OR_CANCEL");
        if (IsAttached(order))
        {
            w.WriteStartObject("order_configuration");
            w.WriteStartObject("trigger_bracket_gtc");
            w.WriteString("base_size", Dec(order.Size));
            w.WriteString("limit_price", Dec(order.Bracket!.TakeProfit));
            w.WriteString("stop_trigger_price", Dec(order.Bracket.StopLoss));
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteString("trigger_status", TriggerStatus(order));
        }
        else
        {
            OrderConfiguration(w, order.Size, order.LimitPrice);
        }
        // Written only on orders with a bracket, so every other order's REST object is byte for byte what it was.
        if (order.ParentOrderId is { } parent)
        {
            w.WriteString("originating_order_id", parent);
        }
        if (order.AttachedOrderId is { } attached)
        {
            w.WriteString("attached_order_id", attached);
            CreateOrderRequests.AttachedOrderConfiguration(w, order.Bracket!);
        }
        w.WriteString("created_time", Micros(order.CreatedAt));
        if (order.LastFillTime is { } lastFill)
        {
            w.WriteString("last_fill_time", Micros(lastFill));
        }
        else
        {
            w.WriteNull("last_fill_time");
        }
        w.WriteString("completion_percentage", Dec(Completion(order)));
        w.WriteString("filled_size", Dec(order.CumulativeQuantity));
        w.WriteString("average_filled_price", Dec(order.AveragePrice ?? 0m));
        w.WriteString("filled_value", Dec(order.FilledValue));
        w.WriteString("number_of_fills", order.NumberOfFills.ToString(CultureInfo.InvariantCulture));
        w.WriteString("total_fees", Dec(order.TotalFees));
        w.WriteString("fee", "");
        w.WriteString("total_value_after_fees", Dec(ValueAfterFees(order)));
        w.WriteBoolean("size_in_quote", false);
        w.WriteBoolean("size_inclusive_of_fees", false);
        w.WriteBoolean("pending_cancel", false);
        w.WriteBoolean("settled", order.Status.IsTerminal());
        w.WriteString("reject_reason", "");
        w.WriteString("reject_message", "");
        w.WriteString("cancel_message", order.Status == OrderStatus.Cancelled ? "User requested cancel" : "");
        w.WriteString("order_placement_source", "RETAIL_ADVANCED");
        w.WriteString("outstanding_hold_amount", "0");
        w.WriteString("product_type", "SPOT");
        w.WriteString("last_update_time", Micros(order.LastUpdateTime));
        w.WriteStartArray("edit_history");
        w.WriteEndArray();
    }

    private static void OrderConfiguration(Utf8JsonWriter w, decimal size, decimal? limitPrice) => CreateOrderRequests.OrderConfiguration(w, size, limitPrice);

    /// <summary>An attached bracket order (the exchange created it for an entry's <c>attached_order_configuration</c>).</summary>
    private static bool IsAttached(ExchangeOrder order) => order is { ParentOrderId: not null, Bracket: not null };

    /// <summary><c>trigger_status</c>: a plain order's is <c>INVALID_ORDER_TYPE</c>; a bracket's stop is pending until it triggers.</summary>
    private static string TriggerStatus(ExchangeOrder order) =>
        !IsAttached(order) ? "INVALID_ORDER_TYPE" : order.StopTriggered ? "STOP_TRIGGERED" : "STOP_PENDING";

    private static string Envelope(string channel, long sequence, DateTimeOffset at, Action<Utf8JsonWriter> writeEvent) =>
        Write(w =>
        {
            w.WriteString("channel", channel);
            w.WriteString("client_id", "");
            w.WriteString("timestamp", Nanos(at));
            w.WriteNumber("sequence_num", sequence);
            w.WriteStartArray("events");
            writeEvent(w);
            w.WriteEndArray();
        });

    /// <summary>One JSON object, written by <paramref name="body"/>, as text.</summary>
    internal static string Write(Action<Utf8JsonWriter> body) => CreateOrderRequests.Write(body);

    private static decimal Completion(ExchangeOrder order) => Math.Round(order.CumulativeQuantity / order.Size * 100m, 2);

    private static decimal ValueAfterFees(ExchangeOrder order) =>
        order.Side == Side.Buy ? order.FilledValue + order.TotalFees : order.FilledValue - order.TotalFees;

    /// <summary>Go's <c>time.Time</c> string with a monotonic clock reading, as the heartbeats channel sends <c>current_time</c>.</summary>
    private static string GoTime(DateTimeOffset at, TimeSpan sinceConnect) =>
        at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.ffffff", CultureInfo.InvariantCulture) + " +0000 UTC m=+"
        + Math.Round((decimal)sinceConnect.Ticks / TimeSpan.TicksPerSecond, 2).ToString("0.00", CultureInfo.InvariantCulture);

    private static string SideUpper(Side side) => side == Side.Buy ? "BUY" : "SELL";

    private static string SideLower(Side side) => side == Side.Buy ? "buy" : "sell";

    private static Side Opposite(Side side) => side == Side.Buy ? Side.Sell : Side.Buy;
}
