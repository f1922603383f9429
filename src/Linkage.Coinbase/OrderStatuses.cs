using Linkage.Engine;

namespace Linkage.Coinbase;

/// <summary>Maps the exchange's status words (WebSocket and REST sets, any casing) to <see cref="OrderStatus"/>.</summary>
public static class OrderStatuses
{
    /// <summary>
    /// The status for <paramref name="text"/>, or null when it is not a known word. REST-only words map to the nearest
    /// engine status: <c>QUEUED</c> is accepted but not yet open (Pending), <c>EDIT_QUEUED</c> is a live order with an
    /// edit pending (Open), <c>UNKNOWN_ORDER_STATUS</c> is <see cref="OrderStatus.Unknown"/>.
    /// </summary>
    public static OrderStatus? TryParse(string text) => Spelling.Normal(text) switch
    {
        "PENDING" or "QUEUED" => OrderStatus.Pending,
        "OPEN" or "EDIT_QUEUED" => OrderStatus.Open,
        "FILLED" => OrderStatus.Filled,
        "CANCEL_QUEUED" => OrderStatus.CancelQueued,
        "CANCELLED" or "CANCELED" => OrderStatus.Cancelled,
        "EXPIRED" => OrderStatus.Expired,
        "FAILED" => OrderStatus.Failed,
        "UNKNOWN_ORDER_STATUS" => OrderStatus.Unknown,
        _ => null,
    };

    /// <summary>The exchange's spelling of <paramref name="status"/> (upper case, as the WebSocket and REST send it).</summary>
    public static string ToWire(OrderStatus status) => status switch
    {
        OrderStatus.Unknown => "UNKNOWN_ORDER_STATUS",
        OrderStatus.Pending => "PENDING",
        OrderStatus.Open => "OPEN",
        OrderStatus.Filled => "FILLED",
        OrderStatus.CancelQueued => "CANCEL_QUEUED",
        OrderStatus.Cancelled => "CANCELLED",
        OrderStatus.Expired => "EXPIRED",
        OrderStatus.Failed => "FAILED",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, "not an order status"),
    };
}
