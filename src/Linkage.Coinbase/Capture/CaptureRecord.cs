namespace Linkage.Coinbase.Capture;

/// <summary>What a capture line records (<c>docs/capture.md</c>).</summary>
public enum CaptureKind
{
    /// <summary><c>intent</c>: the strategy's webhook payload.</summary>
    Intent,

    /// <summary><c>order_request</c>: the create-order request body.</summary>
    OrderRequest,

    /// <summary><c>order_response</c>: the create-order response body, or the timeout record.</summary>
    OrderResponse,

    /// <summary><c>ws</c>: one raw WebSocket message.</summary>
    Ws,

    /// <summary><c>fills</c>: one page of REST List Fills.</summary>
    Fills,

    /// <summary><c>order</c>: one Get Order response.</summary>
    Order,

    /// <summary><c>orders</c>: one page of REST List Orders.</summary>
    Orders,
}

/// <summary>The wire names of <see cref="CaptureKind"/>.</summary>
public static class CaptureKinds
{
    public static string ToWire(CaptureKind kind) => kind switch
    {
        CaptureKind.Intent => "intent",
        CaptureKind.OrderRequest => "order_request",
        CaptureKind.OrderResponse => "order_response",
        CaptureKind.Ws => "ws",
        CaptureKind.Fills => "fills",
        CaptureKind.Order => "order",
        CaptureKind.Orders => "orders",
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "not a capture kind"),
    };

    /// <summary>The kind for a wire name (exact, lower case), or null.</summary>
    public static CaptureKind? TryParse(string? text) => text switch
    {
        "intent" => CaptureKind.Intent,
        "order_request" => CaptureKind.OrderRequest,
        "order_response" => CaptureKind.OrderResponse,
        "ws" => CaptureKind.Ws,
        "fills" => CaptureKind.Fills,
        "order" => CaptureKind.Order,
        "orders" => CaptureKind.Orders,
        _ => null,
    };
}

/// <summary>One line of a capture file, as the reader returned it: a record or a problem, with its 1-based line number.</summary>
public abstract record CaptureLine(int Line);

/// <summary>A well-formed capture line. <see cref="Data"/> is the payload's raw JSON text exactly as it was in the file.</summary>
public sealed record CaptureRecord(int Line, DateTimeOffset At, CaptureKind Kind, string Data) : CaptureLine(Line);

/// <summary>
/// A line the reader refused, with why. <see cref="Raw"/> is the line's text (cut to
/// <see cref="Engine.Limits.QuarantinedPayloadLengthMax"/> characters) for quarantine.
/// </summary>
public sealed record CaptureProblem(int Line, string Reason, string Raw) : CaptureLine(Line);
