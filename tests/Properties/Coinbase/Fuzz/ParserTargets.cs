using Linkage.Coinbase;
using Linkage.Coinbase.Capture;
using Linkage.Engine;

namespace Linkage.Properties.Coinbase.Fuzz;

/// <summary>What a parser returned, with the type of value erased.</summary>
internal sealed record ParseOutcome(bool Ok, string? Reason, string? Field, object? Value)
{
    public static ParseOutcome Of<T>(ParseResult<T> result) => new(result.IsSuccess, result.Reason, result.Field, result.IsSuccess ? result.Value : null);
}

/// <summary>
/// One parser with a valid message it reads, and the decimal fields of that message it must refuse when out of range.
/// </summary>
internal sealed record ParserTarget(string Name, string Json, Func<ReadOnlyMemory<byte>, ParseOutcome> ParseBytes, Func<string, ParseOutcome> ParseText, string[] DecimalFields)
{
    public override string ToString() => Name;
}

internal static class ParserTargets
{
    private static readonly DateTimeOffset At = new(2025, 3, 14, 15, 9, 30, TimeSpan.Zero);

    private static ParserTarget Feed(string name, string json, params string[] decimals) =>
        new(name, json, b => ParseOutcome.Of(CoinbaseParser.ParseWebSocket(b)), t => ParseOutcome.Of(CoinbaseParser.ParseWebSocket(t)), decimals);

    public static readonly ParserTarget[] All =
    [
        new("CreateOrderRequest", Examples.CreateOrderRequest, b => ParseOutcome.Of(CoinbaseParser.ParseCreateOrderRequest(b)), t => ParseOutcome.Of(CoinbaseParser.ParseCreateOrderRequest(t)), ["base_size", "limit_price"]),
        new("CreateOrderSuccess", Examples.CreateOrderSuccess, b => ParseOutcome.Of(CoinbaseParser.ParseCreateOrderResponse(b)), t => ParseOutcome.Of(CoinbaseParser.ParseCreateOrderResponse(t)), []),
        new("CreateOrderFailure", Examples.CreateOrderFailure, b => ParseOutcome.Of(CoinbaseParser.ParseCreateOrderResponse(b)), t => ParseOutcome.Of(CoinbaseParser.ParseCreateOrderResponse(t)), []),
        new("CreateOrderTimeout", Examples.CreateOrderTimeout, b => ParseOutcome.Of(CoinbaseParser.ParseCreateOrderResponse(b)), t => ParseOutcome.Of(CoinbaseParser.ParseCreateOrderResponse(t)), []),
        Feed("UserSnapshot", Examples.UserSnapshot),
        Feed("UserUpdate", Examples.UserUpdate, "cumulative_quantity", "leaves_quantity", "avg_price", "filled_value", "total_fees", "limit_price"),
        Feed("UserUpdateFilled", Examples.UserUpdateFilled, "cumulative_quantity", "leaves_quantity", "avg_price", "filled_value", "total_fees"),
        Feed("Heartbeat", Examples.Heartbeat),
        Feed("Subscriptions", Examples.Subscriptions),
        Feed("LegacyReceived", Examples.LegacyReceived, "size", "price"),
        Feed("LegacyMatch", Examples.LegacyMatch, "size", "price", "maker_fee_rate"),
        Feed("LegacyDone", Examples.LegacyDone, "remaining_size"),
        Feed("LegacyOpen", Examples.LegacyOpen, "price", "remaining_size"),
        Feed("LegacyChange", Examples.LegacyChange, "old_size", "new_size"),
        new("ListFills", Examples.ListFills, b => ParseOutcome.Of(CoinbaseParser.ParseListFills(b)), t => ParseOutcome.Of(CoinbaseParser.ParseListFills(t)), ["price", "size", "commission"]),
        new("GetOrder", Examples.GetOrder, b => ParseOutcome.Of(CoinbaseParser.ParseGetOrder(b)), t => ParseOutcome.Of(CoinbaseParser.ParseGetOrder(t)), ["filled_size", "average_filled_price", "filled_value", "total_fees", "base_size", "limit_price"]),
        new("ListOrders", Examples.ListOrders, b => ParseOutcome.Of(CoinbaseParser.ParseListOrders(b)), t => ParseOutcome.Of(CoinbaseParser.ParseListOrders(t)), ["filled_size", "average_filled_price", "filled_value", "total_fees", "base_size"]),
        new("Intent", Examples.IntentFromSeedLog, b => ParseOutcome.Of(IntentPayloadParser.Parse(b, At)), t => ParseOutcome.Of(IntentPayloadParser.Parse(t, At)), ["size", "price"]),
        new("CaptureLine", """{"at":"2025-12-29T21:04:11.532Z","kind":"intent","data":{"pair":"AVNT-USD","side":"buy"}}""", b => Capture(System.Text.Encoding.UTF8.GetString(b.Span)), Capture, []),
    ];

    private static ParseOutcome Capture(string line) => CaptureReader.ParseLine(line, 1) switch
    {
        CaptureRecord record => new ParseOutcome(true, null, null, record),
        CaptureProblem problem => new ParseOutcome(false, problem.Reason, null, null),
        var other => throw new InvalidOperationException($"unexpected capture line {other}"),
    };

    /// <summary>
    /// Uses an accepted value the way the host does (feed inputs, placement outcome, sequence tracking, client order
    /// id) and returns the first invariant it breaks, or null. An accepted value must be safe to use.
    /// </summary>
    public static string? Violation(object value)
    {
        switch (value)
        {
            case FeedMessage message:
                _ = new SequenceTracker().Observe(message);
                return FirstViolation(FeedInputs.From(message, At).Select(InputViolation));
            case FillsPage page:
                return FirstViolation(FeedInputs.From(page, At).Select(InputViolation));
            case OrdersPage orders:
                return FirstViolation(FeedInputs.From(orders, At).Select(InputViolation));
            case OrderReport report:
                return InputViolation(FeedInputs.From(report, At));
            case CreateOrderResponse response:
                var outcome = CoinbaseParser.ToPlacementOutcome(response, At, ClientOrderId.From(Examples.ClientOrderId));
                return outcome.IsSuccess || outcome.Reason is { Length: > 0 } ? null : "placement mapping failed without a reason";
            case CreateOrderRequest request:
                return QuantityViolation(request.BaseSize) ?? QuantityViolation(request.QuoteSize) ?? QuantityViolation(request.LimitPrice)
                    ?? IdViolation(request.ClientOrderId.Value);
            case Intent intent:
                _ = ClientOrderIds.For(intent);
                return QuantityViolation(intent.Size) ?? QuantityViolation(intent.Price)
                    ?? (intent.Kind == IntentKind.Entry && intent.Snapshot is null ? "entry without snapshot" : null);
            case CaptureRecord:
                return null;
            default:
                return $"unexpected value type {value.GetType().Name}";
        }
    }

    private static string? InputViolation(EngineInput input) => input switch
    {
        OrderUpdate { Order: var o } => IdViolation(o.ClientOrderId?.Value) ?? ExchangeIdViolation(o.ExchangeOrderId)
            ?? QuantityViolation(o.CumulativeQuantity) ?? QuantityViolation(o.LeavesQuantity) ?? QuantityViolation(o.AveragePrice)
            ?? QuantityViolation(o.FilledValue) ?? QuantityViolation(o.TotalFees) ?? QuantityViolation(o.OrderSize)
            ?? (o.NumberOfFills < 0 ? "negative number of fills" : null)
            ?? (o.OrderSize is { } size && o.CumulativeQuantity > size ? "cumulative above order size" : null),
        TradeFillReceived { Fill: var f } => ExchangeIdViolation(f.ExchangeOrderId)
            ?? (f.Size <= 0 || f.Size > Limits.QuantityMax ? $"fill size {f.Size} out of range" : null)
            ?? (f.Price <= 0 || f.Price > Limits.QuantityMax ? $"fill price {f.Price} out of range" : null)
            ?? (f.Commission < 0 ? "negative commission" : null)
            ?? (string.IsNullOrEmpty(f.Key.Key) ? "empty fill key" : null),
        _ => $"unexpected input {input.GetType().Name}",
    };

    private static string? FirstViolation(IEnumerable<string?> violations) => violations.FirstOrDefault(v => v is not null);

    private static string? QuantityViolation(decimal? value) =>
        value is { } v && (v < 0 || v > Limits.QuantityMax) ? $"quantity {v} out of range" : null;

    private static string? IdViolation(string? coid) =>
        coid is not null && !ClientOrderId.TryCreate(coid, out _, out _) ? $"invalid client order id '{coid}'" : null;

    private static string? ExchangeIdViolation(ExchangeOrderId id) =>
        ExchangeOrderId.TryCreate(id.Value, out _, out _) ? null : "invalid exchange order id";
}
