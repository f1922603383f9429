using Linkage.Engine;

namespace Linkage.Coinbase;

/// <summary>
/// Reads one order object. The WebSocket and REST name the same facts differently (<c>cumulative_quantity</c> vs
/// <c>filled_size</c>, <c>order_side</c> vs <c>side</c>, ...); one reader with a table of names keeps the validation
/// identical for both.
/// </summary>
internal static class OrderReader
{
    /// <summary>The field names of one source.</summary>
    internal sealed record Names(string Side, string Cumulative, string? Leaves, string AveragePrice, string Created, string CancelReason, bool HasConfiguration);

    public static readonly Names WebSocket = new("order_side", "cumulative_quantity", "leaves_quantity", "avg_price", "creation_time", "cancel_reason", HasConfiguration: false);

    public static readonly Names Rest = new("side", "filled_size", null, "average_filled_price", "created_time", "cancel_message", HasConfiguration: true);

    private const int OrderTypeLengthMax = 32;

    public static OrderReport? Read(Node order, FieldReader r, Names names)
    {
        if (order.Element.ValueKind != System.Text.Json.JsonValueKind.Object)
        {
            r.Fail(order.Path, $"is a JSON {JsonInput.Kind(order.Element)}, expected an order object");
            return null;
        }
        var configuration = names.HasConfiguration ? OrderConfiguration.Read(order, r, Presence.Optional) : null;
        var orderType = r.String(order, "order_type", Presence.Optional, OrderTypeLengthMax);
        var state = new OrderState
        {
            ExchangeOrderId = r.ExchangeOrderId(order, "order_id", Presence.Required) ?? default,
            ClientOrderId = r.ForeignClientOrderId(order, "client_order_id"),
            Product = r.ProductId(order, "product_id", Presence.Optional),
            Side = r.Side(order, names.Side, Presence.Optional),
            Status = r.Status(order, "status", Presence.Optional),
            CumulativeQuantity = r.Decimal(order, names.Cumulative, Presence.Required),
            LeavesQuantity = names.Leaves is null ? null : r.Decimal(order, names.Leaves, Presence.Optional),
            AveragePrice = r.Decimal(order, names.AveragePrice, Presence.Optional),
            FilledValue = r.Decimal(order, "filled_value", Presence.Optional),
            TotalFees = r.Decimal(order, "total_fees", Presence.Optional),
            NumberOfFills = r.Count(order, "number_of_fills", Presence.Optional),
            OrderSize = configuration?.BaseSize,
            OriginatingOrderId = r.ExchangeOrderId(order, "originating_order_id", Presence.Optional),
            AttachedOrderId = r.ExchangeOrderId(order, "attached_order_id", Presence.Optional),
        };
        if (state.OriginatingOrderId is { } originating && originating == state.ExchangeOrderId)
        {
            r.Fail(order.Child("originating_order_id"), "names the order itself");
        }
        if (state.AttachedOrderId is { } attached && attached == state.ExchangeOrderId)
        {
            r.Fail(order.Child("attached_order_id"), "names the order itself");
        }
        var triggerStatus = r.String(order, "trigger_status", Presence.Optional, OrderTypeLengthMax);
        if (state.OrderSize is { } size && state.CumulativeQuantity > size)
        {
            r.Fail(order.Child(names.Cumulative), $"is {state.CumulativeQuantity}, more than the order size {size}");
        }
        var report = new OrderReport
        {
            State = state,
            OrderType = orderType is null ? null : Spelling.Normal(orderType),
            LimitPrice = configuration?.LimitPrice ?? r.Decimal(order, "limit_price", Presence.Optional),
            PostOnly = configuration?.PostOnly ?? r.Bool(order, "post_only", Presence.Optional),
            RejectReason = r.Text(order, "reject_reason"),
            CancelReason = r.Text(order, names.CancelReason),
            CreatedAt = r.Time(order, names.Created, Presence.Optional),
            SizeInQuote = names.HasConfiguration ? r.Bool(order, "size_in_quote", Presence.Optional) : null,
            StopPrice = configuration?.StopPrice ?? r.Decimal(order, "stop_price", Presence.Optional),
            TriggerStatus = triggerStatus is null ? null : Spelling.Normal(triggerStatus),
        };
        return r.Failed ? null : report;
    }
}
