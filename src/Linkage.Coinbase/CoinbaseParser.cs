using Linkage.Engine;

namespace Linkage.Coinbase;

/// <summary>
/// Parsers for Coinbase's real message formats (see <c>docs/formats.md</c>): create-order request and
/// response, WebSocket feed (Advanced Trade envelopes and legacy Exchange messages), REST List Fills, Get Order and List
/// Orders. Every method reads tolerantly (drifting spellings, strings or numbers, absent or empty optional fields) and
/// validates strictly (ids, non-negative bounded decimals, known sides and statuses, cumulative quantity within order
/// size), and returns a <see cref="ParseResult{T}"/> for every input: bad input never throws. Decimals are parsed
/// straight to <see cref="decimal"/>, never through <see cref="double"/>. Stateless and thread-safe.
/// </summary>
public static partial class CoinbaseParser
{
    /// <summary>A create-order request body.</summary>
    public static ParseResult<CreateOrderRequest> ParseCreateOrderRequest(string json) => JsonInput.Parse(json, ReadCreateOrderRequest);

    /// <inheritdoc cref="ParseCreateOrderRequest(string)"/>
    public static ParseResult<CreateOrderRequest> ParseCreateOrderRequest(ReadOnlyMemory<byte> utf8) => JsonInput.Parse(utf8, ReadCreateOrderRequest);

    /// <summary>A create-order response: success, failure, the capture's timeout record, or a non-200 error body.</summary>
    public static ParseResult<CreateOrderResponse> ParseCreateOrderResponse(string json) => JsonInput.Parse(json, ReadCreateOrderResponse);

    /// <inheritdoc cref="ParseCreateOrderResponse(string)"/>
    public static ParseResult<CreateOrderResponse> ParseCreateOrderResponse(ReadOnlyMemory<byte> utf8) => JsonInput.Parse(utf8, ReadCreateOrderResponse);

    /// <summary>One WebSocket message: an Advanced Trade envelope (has <c>channel</c>) or a legacy flat message (has <c>type</c>).</summary>
    public static ParseResult<FeedMessage> ParseWebSocket(string json) => JsonInput.Parse(json, ReadFeedMessage);

    /// <inheritdoc cref="ParseWebSocket(string)"/>
    public static ParseResult<FeedMessage> ParseWebSocket(ReadOnlyMemory<byte> utf8) => JsonInput.Parse(utf8, ReadFeedMessage);

    /// <summary>One page of REST List Fills.</summary>
    public static ParseResult<FillsPage> ParseListFills(string json) => JsonInput.Parse(json, ReadFillsPage);

    /// <inheritdoc cref="ParseListFills(string)"/>
    public static ParseResult<FillsPage> ParseListFills(ReadOnlyMemory<byte> utf8) => JsonInput.Parse(utf8, ReadFillsPage);

    /// <summary>A REST Get Order response, <c>{"order": {...}}</c>.</summary>
    public static ParseResult<OrderReport> ParseGetOrder(string json) => JsonInput.Parse(json, ReadGetOrder);

    /// <inheritdoc cref="ParseGetOrder(string)"/>
    public static ParseResult<OrderReport> ParseGetOrder(ReadOnlyMemory<byte> utf8) => JsonInput.Parse(utf8, ReadGetOrder);

    /// <summary>One page of REST List Orders.</summary>
    public static ParseResult<OrdersPage> ParseListOrders(string json) => JsonInput.Parse(json, ReadOrdersPage);

    /// <inheritdoc cref="ParseListOrders(string)"/>
    public static ParseResult<OrdersPage> ParseListOrders(ReadOnlyMemory<byte> utf8) => JsonInput.Parse(utf8, ReadOrdersPage);

    /// <summary>
    /// The engine input for a create-order response to the request that sent <paramref name="requested"/> (null when the
    /// caller does not know it; then the response must name the client order id itself). Success is Accepted with the
    /// exchange order id; a failure is Rejected with its reason, except <c>DUPLICATE_CLIENT_ORDER_ID</c>, which means an
    /// order with this id already exists and is therefore Unknown (the feed or reconciliation binds it); a timeout or a
    /// non-200 error body is Unknown, because a server error may follow a placement and a retry with the same id is safe.
    /// </summary>
    public static ParseResult<PlacementOutcome> ToPlacementOutcome(CreateOrderResponse response, DateTimeOffset at, ClientOrderId? requested = null)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (requested is { } sent && response.ClientOrderId is { } named && named != sent)
        {
            var field = response.Kind == CreateOrderResponseKind.Success ? "success_response.client_order_id" : "client_order_id";
            return ParseResult.Fail<PlacementOutcome>(field, $"names client order id {named}, but the request sent {sent}");
        }
        if ((requested ?? response.ClientOrderId) is not { } coid)
        {
            return ParseResult.Fail<PlacementOutcome>("client_order_id", "the response names no client order id and the request's is not known");
        }
        var outcome = response.Kind switch
        {
            CreateOrderResponseKind.Success => new PlacementOutcome(at, coid, PlacementResult.Accepted, response.ExchangeOrderId)
            {
                AttachedExchangeOrderId = response.AttachedOrderId,
            },
            CreateOrderResponseKind.Failure when IsDuplicateClientOrderId(response) => new PlacementOutcome(at, coid, PlacementResult.Unknown),
            CreateOrderResponseKind.Failure => new PlacementOutcome(at, coid, PlacementResult.Rejected, RejectReason: response.FailureReason ?? UnknownFailureReason),
            _ => new PlacementOutcome(at, coid, PlacementResult.Unknown),
        };
        return ParseResult.Ok(outcome);
    }

    /// <summary>The reason recorded for a failure response that names none.</summary>
    public const string UnknownFailureReason = "UNKNOWN_FAILURE_REASON";

    private static bool IsDuplicateClientOrderId(CreateOrderResponse response) =>
        string.Equals(response.NewOrderFailureReason, "DUPLICATE_CLIENT_ORDER_ID", StringComparison.OrdinalIgnoreCase)
        || string.Equals(response.Error, "DUPLICATE_CLIENT_ORDER_ID", StringComparison.OrdinalIgnoreCase);

    private static CreateOrderRequest? ReadCreateOrderRequest(Node root, FieldReader r)
    {
        var coid = r.ClientOrderId(root, "client_order_id", Presence.Required);
        var product = r.ProductId(root, "product_id", Presence.Required);
        var side = r.Side(root, "side", Presence.Required);
        var configuration = OrderConfiguration.Read(root, r, Presence.Required);
        var attached = OrderConfiguration.Read(root, r, Presence.Optional, "attached_order_configuration");
        if (r.Failed || configuration is not { } config)
        {
            return null;
        }
        var bracket = attached is { } child ? ReadAttachedBracket(child, r) : null;
        if (r.Failed)
        {
            return null;
        }
        if (config.BaseSize is null && config.QuoteSize is null)
        {
            r.Fail(config.Path, "has neither base_size nor quote_size");
            return null;
        }
        return new CreateOrderRequest
        {
            ClientOrderId = coid!.Value,
            Product = product!.Value,
            Side = side!.Value,
            ConfigurationKind = config.Kind,
            BaseSize = config.BaseSize,
            QuoteSize = config.QuoteSize,
            LimitPrice = config.LimitPrice,
            PostOnly = config.PostOnly,
            Bracket = bracket,
        };
    }

    /// <summary>
    /// <c>attached_order_configuration</c>: only <c>trigger_bracket_gtc</c> is eligible, with <c>limit_price</c> (take
    /// profit) and <c>stop_trigger_price</c> (stop loss) and no size (the attached order has the parent's size).
    /// </summary>
    private static Bracket? ReadAttachedBracket(OrderConfiguration attached, FieldReader r)
    {
        if (!string.Equals(attached.Kind, CreateOrderRequests.AttachedBracketKind, StringComparison.Ordinal))
        {
            r.Fail(attached.Path, $"is '{TextBounds.Excerpt(attached.Kind)}'; only {CreateOrderRequests.AttachedBracketKind} may be attached");
            return null;
        }
        if (attached.BaseSize is not null || attached.QuoteSize is not null)
        {
            r.Fail(attached.Path + (attached.BaseSize is not null ? ".base_size" : ".quote_size"), "is given; the attached order has the parent's size and must not state one");
            return null;
        }
        if (attached.LimitPrice is not { } takeProfit)
        {
            r.Fail(attached.Path + ".limit_price", "is missing (the take-profit price)");
            return null;
        }
        if (attached.StopPrice is not { } stopLoss)
        {
            r.Fail(attached.Path + ".stop_trigger_price", "is missing (the stop-loss trigger price)");
            return null;
        }
        return new Bracket(takeProfit, stopLoss);
    }

    private static CreateOrderResponse? ReadCreateOrderResponse(Node root, FieldReader r)
    {
        if (r.Bool(root, "timeout", Presence.Optional) == true)
        {
            var timedOut = r.ClientOrderId(root, "client_order_id", Presence.Required);
            return r.Failed ? null : new CreateOrderResponse { Kind = CreateOrderResponseKind.Timeout, ClientOrderId = timedOut };
        }
        if (!r.TryGet(root, "success", out _) && r.TryGet(root, "error", out _))
        {
            return new CreateOrderResponse
            {
                Kind = CreateOrderResponseKind.HttpError,
                Error = r.Text(root, "error"),
                Message = r.Text(root, "message"),
            };
        }
        var success = r.Bool(root, "success", Presence.Required);
        if (r.Failed)
        {
            return null;
        }
        if (success == true)
        {
            var ok = r.Object(root, "success_response", Presence.Required);
            if (ok is not { } body)
            {
                return null;
            }
            var response = new CreateOrderResponse
            {
                Kind = CreateOrderResponseKind.Success,
                ExchangeOrderId = r.ExchangeOrderId(body, "order_id", Presence.Required),
                ClientOrderId = r.ClientOrderId(body, "client_order_id", Presence.Optional),
                Product = r.ProductId(body, "product_id", Presence.Optional),
                Side = r.Side(body, "side", Presence.Optional),
                AttachedOrderId = r.ExchangeOrderId(body, "attached_order_id", Presence.Optional),
            };
            return r.Failed ? null : response;
        }
        var error = r.Object(root, "error_response", Presence.Optional) ?? Node.None;
        return new CreateOrderResponse
        {
            Kind = CreateOrderResponseKind.Failure,
            Error = r.Text(error, "error"),
            Message = r.Text(error, "message"),
            NewOrderFailureReason = r.Text(error, "new_order_failure_reason"),
            PreviewFailureReason = r.Text(error, "preview_failure_reason"),
        };
    }
}
