namespace Linkage.Coinbase.Capture;

/// <summary>
/// Validates a capture record's <c>data</c> with the parser its kind names, so a reader of captures can report a line
/// whose payload is malformed (<c>docs/capture.md</c>) the same way as a line that is not JSON. Stateless and thread-safe.
/// </summary>
public static class CaptureData
{
    /// <summary>
    /// Null when the record's data is valid for its kind, else why not. An intent without its own decided-at time takes
    /// the record's <c>at</c>, as the webhook would have.
    /// </summary>
    public static ParseError? Validate(CaptureRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return record.Kind switch
        {
            CaptureKind.Intent => IntentPayloadParser.Parse(record.Data, record.At).Error,
            CaptureKind.OrderRequest => CoinbaseParser.ParseCreateOrderRequest(record.Data).Error,
            CaptureKind.OrderResponse => CoinbaseParser.ParseCreateOrderResponse(record.Data).Error,
            CaptureKind.Ws => CoinbaseParser.ParseWebSocket(record.Data).Error,
            CaptureKind.Fills => CoinbaseParser.ParseListFills(record.Data).Error,
            CaptureKind.Order => CoinbaseParser.ParseGetOrder(record.Data).Error,
            CaptureKind.Orders => CoinbaseParser.ParseListOrders(record.Data).Error,
            _ => throw new ArgumentOutOfRangeException(nameof(record), record.Kind, "not a capture kind"),
        };
    }
}
