using System.Collections.Immutable;
using System.Text.Json;
using Linkage.Coinbase;
using Linkage.Coinbase.Capture;
using Linkage.Engine;

namespace Linkage.Sim.Audit;

/// <summary>
/// Turns capture records into engine inputs the way the webhook host turns live messages into them (the same parsers,
/// the same <see cref="FeedInputs"/> mapping, the same rule for Get Order answers about orders that are not ours), and
/// records on the way what the exchange said (<see cref="ExchangeView"/>) and what the feed did (sequence anomalies,
/// snapshots). A record whose data fails validation becomes a <see cref="MalformedInput"/>, so the engine quarantines
/// it like any other bad message. Single-threaded; one per audit, fed in file order.
/// </summary>
internal sealed class CaptureMapper(ExchangeView exchange, List<AuditAnomaly> anomalies)
{
    /// <summary>
    /// Most create-order requests kept waiting for an answer. A request whose answer was lost waits for ever; past the
    /// bound the oldest is forgotten, which only matters to a later refusal that names no client order id.
    /// </summary>
    public const int WaitingRequestsMax = 10_000;

    private readonly SequenceTracker _tracker = new();
    private readonly List<WaitingRequest> _waiting = [];
    private readonly Dictionary<ClientOrderId, DateTimeOffset> _firstRequestAt = [];
    private bool _sawEnvelope;

    /// <summary>When the first create-order request for each client order id was sent.</summary>
    public IReadOnlyDictionary<ClientOrderId, DateTimeOffset> FirstRequestAt => _firstRequestAt;

    /// <summary>The inputs for one record, in message order; <paramref name="store"/> is read to classify Get Order answers.</summary>
    public ImmutableArray<EngineInput> Map(CaptureRecord record, ILinkageStoreView store)
    {
        ArgumentNullException.ThrowIfNull(record);
        var origin = AuditOrigin.Of(record.Line);
        return record.Kind switch
        {
            CaptureKind.Intent => Intent(record, origin),
            CaptureKind.OrderRequest => Request(record, origin),
            CaptureKind.OrderResponse => Response(record, origin),
            CaptureKind.Ws => Feed(record, origin),
            CaptureKind.Fills => Parsed(record, origin, CoinbaseParser.ParseListFills(record.Data), page => FillsPage(page, record, origin)),
            CaptureKind.Order => Parsed(record, origin, CoinbaseParser.ParseGetOrder(record.Data), report => [GetOrder(report, record, origin, store)]),
            CaptureKind.Orders => Parsed(record, origin, CoinbaseParser.ParseListOrders(record.Data), page => OrdersPage(page, record, origin)),
            _ => [Malformed(record, origin, new ParseError($"kind {record.Kind} is not read by the audit", "kind"))],
        };
    }

    /// <summary>A line the capture reader refused, as an input the engine quarantines.</summary>
    public static EngineInput Refused(CaptureProblem problem, DateTimeOffset at) =>
        new MalformedInput(at, "capture", problem.Reason, problem.Raw) { Line = problem.Line, Origin = AuditOrigin.Of(problem.Line) };

    private static ImmutableArray<EngineInput> Intent(CaptureRecord record, string origin)
    {
        // The intent's own timestamp identifies it; a payload without one was decided when the webhook received it.
        var parsed = IntentPayloadParser.Parse(record.Data, record.At);
        return parsed.TryGetValue(out var intent)
            ? [new IntentReceived(record.At, intent) { Origin = origin }]
            : [Malformed(record, origin, parsed.Error!)];
    }

    private ImmutableArray<EngineInput> Request(CaptureRecord record, string origin)
    {
        var parsed = CoinbaseParser.ParseCreateOrderRequest(record.Data);
        if (!parsed.TryGetValue(out var request))
        {
            return [Malformed(record, origin, parsed.Error!)];
        }
        _firstRequestAt.TryAdd(request.ClientOrderId, record.At);
        if (_waiting.Count >= WaitingRequestsMax)
        {
            _waiting.RemoveAt(0);
        }
        _waiting.Add(new WaitingRequest(request.ClientOrderId, Configuration(record.Data)));
        return [];
    }

    /// <summary>
    /// A create-order response, tied to its request. A success or the timeout record names the client order id. A
    /// refusal names none: it answers the one request still waiting whose <c>order_configuration</c> it echoes. When
    /// several waiting requests match (requests whose answer was lost stay waiting), guessing could mark an order that
    /// exists as refused, so the refusal is reported as an anomaly and the order's outcome stays unknown.
    /// </summary>
    private ImmutableArray<EngineInput> Response(CaptureRecord record, string origin)
    {
        var parsed = CoinbaseParser.ParseCreateOrderResponse(record.Data);
        if (!parsed.TryGetValue(out var response))
        {
            return [Malformed(record, origin, parsed.Error!)];
        }
        if (response.ClientOrderId is { } named && _waiting.FindIndex(w => w.ClientOrderId == named) is >= 0 and var index)
        {
            _waiting.RemoveAt(index);
        }
        var (answered, ambiguous) = response.ClientOrderId is { } coid ? (coid, false) : Answered(Configuration(record.Data), record.Line);
        if (ambiguous)
        {
            return [];
        }
        var outcome = CoinbaseParser.ToPlacementOutcome(response, record.At, answered);
        if (!outcome.TryGetValue(out var placement))
        {
            return [Malformed(record, origin, outcome.Error!)];
        }
        if (placement.ExchangeOrderId is { } orderId)
        {
            exchange.OnBinding(orderId, placement.ClientOrderId, record.Line);
        }
        return [placement with { Origin = origin }];
    }

    /// <summary>
    /// The one waiting request an answer without a client order id belongs to; none (the answer is then refused as
    /// unattributable); or ambiguous, with an anomaly, when several could.
    /// </summary>
    private (ClientOrderId? Answered, bool Ambiguous) Answered(JsonElement? echoed, int line)
    {
        var candidates = _waiting
            .Where(w => echoed is not { } configuration || w.Configuration is not { } sent || JsonElement.DeepEquals(configuration, sent))
            .ToList();
        // A retried request waits twice under one client order id; an answer to either is an answer for that order.
        if (candidates.Select(c => c.ClientOrderId).Distinct().Count() <= 1)
        {
            if (candidates.Count > 0)
            {
                _waiting.Remove(candidates[0]);
            }
            return (candidates.FirstOrDefault()?.ClientOrderId, false);
        }
        var ids = string.Join(", ", candidates.Select(c => c.ClientOrderId.Value).Distinct().Order(StringComparer.Ordinal));
        anomalies.Add(new AuditAnomaly(AnomalyKinds.UnmatchedResponse, line,
            $"a create-order answer without a client order id could answer any of {ids}; their outcome is left unknown"));
        return (null, true);
    }

    private ImmutableArray<EngineInput> Feed(CaptureRecord record, string origin)
    {
        var parsed = CoinbaseParser.ParseWebSocket(record.Data);
        if (!parsed.TryGetValue(out var message))
        {
            return [Malformed(record, origin, parsed.Error!)];
        }
        Sequence(message, record.Line);
        var inputs = FeedInputs.From(message, record.At, origin);
        foreach (var input in inputs)
        {
            switch (input)
            {
                case OrderUpdate update:
                    Observe(update, record);
                    break;
                case TradeFillReceived fill:
                    exchange.OnTradeFill(fill.Fill, record.At, record.Line);
                    break;
                default:
                    break;
            }
        }
        return inputs;
    }

    /// <summary>
    /// Watches <c>sequence_num</c>. A capture may begin in the middle of a connection, so the first envelope's number is
    /// taken as it is rather than reported as a gap from 0; after that every anomaly is reported.
    /// </summary>
    private void Sequence(FeedMessage message, int line)
    {
        var found = _tracker.Observe(message);
        if (message is AdvancedTradeMessage && !_sawEnvelope)
        {
            _sawEnvelope = true;
            found = found.RemoveAll(a => a.Kind == SequenceAnomalyKind.Gap);
        }
        foreach (var anomaly in found)
        {
            anomalies.Add(new AuditAnomaly(SequenceKind(anomaly.Kind), line, anomaly.Detail));
        }
    }

    private static string SequenceKind(SequenceAnomalyKind kind) => kind switch
    {
        SequenceAnomalyKind.Gap => AnomalyKinds.SequenceGap,
        SequenceAnomalyKind.Duplicate => AnomalyKinds.SequenceDuplicate,
        SequenceAnomalyKind.Stale => AnomalyKinds.SequenceStale,
        SequenceAnomalyKind.HeartbeatGap => AnomalyKinds.HeartbeatGap,
        SequenceAnomalyKind.HeartbeatSilence => AnomalyKinds.HeartbeatSilence,

        // The audit never opens a connection, so a new one shows only as the counter starting again.
        _ => AnomalyKinds.SequenceReset,
    };

    private void Observe(OrderUpdate update, CaptureRecord record)
    {
        var state = update.Order;
        exchange.OnOrderState(state, update.Source, record.At, record.Line);
        if (update.Source == OrderStateSource.FeedSnapshot && state.CumulativeQuantity is > 0m and var cumulative)
        {
            anomalies.Add(new AuditAnomaly(AnomalyKinds.SnapshotNotFill, record.Line,
                $"snapshot restates exchange order {state.ExchangeOrderId} at cumulative {AuditText.Quantity(cumulative)}; it is a baseline, not a fill"));
        }
    }

    private ImmutableArray<EngineInput> FillsPage(FillsPage page, CaptureRecord record, string origin)
    {
        foreach (var row in page.Fills)
        {
            exchange.OnTradeFill(row.Fill, record.At, record.Line);
        }
        return FeedInputs.From(page, record.At, origin);
    }

    private ImmutableArray<EngineInput> OrdersPage(OrdersPage page, CaptureRecord record, string origin)
    {
        foreach (var order in page.Orders)
        {
            exchange.OnOrderState(order.State, OrderStateSource.RestOrder, record.At, record.Line);
        }
        return FeedInputs.From(page, record.At, origin);
    }

    /// <summary>
    /// A Get Order answer. The webhook asks about an order for two reasons: it is one of its own in flight, or fills
    /// are parked under it. An answer about an order the store does not hold, naming no client order id or one that is
    /// neither minted by Linkage nor staged, and no <c>originating_order_id</c>, is what the webhook turns into
    /// <see cref="OrderNotOurs"/> (its parked fills become external); every other answer is reconciliation of the order's state.
    /// </summary>
    private EngineInput GetOrder(OrderReport report, CaptureRecord record, string origin, ILinkageStoreView store)
    {
        var state = report.State;
        exchange.OnOrderState(state, OrderStateSource.RestOrder, record.At, record.Line);
        var known = store.FindByExchangeOrderId(state.ExchangeOrderId) is not null;
        var ours = state.ClientOrderId is { } coid && (coid.IsMintedByLinkage || store.FindByClientOrderId(coid) is not null);
        // An attached bracket order names no client order id but names its parent: the engine decides whose it is, as
        // the webhook lets it (WebhookHost.ResolveParked).
        var attached = state.ClientOrderId is null && state.OriginatingOrderId is not null;
        return known || ours || attached
            ? FeedInputs.From(report, record.At, origin)
            : new OrderNotOurs(record.At, state.ExchangeOrderId, state.ClientOrderId) { Origin = origin };
    }

    /// <summary>
    /// A REST answer that is an error body (<c>{"error": ..., "message": ...}</c>, as Get Order answers NOT_FOUND) is a
    /// fact about the call, not bad data: it is reported as an anomaly and gives no input. Anything else that fails to
    /// parse is quarantined.
    /// </summary>
    private ImmutableArray<EngineInput> Parsed<T>(CaptureRecord record, string origin, ParseResult<T> parsed, Func<T, ImmutableArray<EngineInput>> inputs)
    {
        if (parsed.TryGetValue(out var value))
        {
            return inputs(value);
        }
        if (RestError(record.Data) is { } error)
        {
            anomalies.Add(new AuditAnomaly(AnomalyKinds.RestError, record.Line, $"{CaptureKinds.ToWire(record.Kind)} answered {error}"));
            return [];
        }
        return [Malformed(record, origin, parsed.Error!)];
    }

    private static string? RestError(string data)
    {
        using var document = JsonDocument.Parse(data);
        var root = document.RootElement;
        if (!root.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.String
            || root.TryGetProperty("order", out _) || root.TryGetProperty("orders", out _) || root.TryGetProperty("fills", out _))
        {
            return null;
        }
        var message = root.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
        return message is null ? error.GetString() : $"{error.GetString()}: {message}";
    }

    private static JsonElement? Configuration(string data)
    {
        using var document = JsonDocument.Parse(data);
        return document.RootElement.TryGetProperty("order_configuration", out var configuration) ? configuration.Clone() : null;
    }

    private static MalformedInput Malformed(CaptureRecord record, string origin, ParseError error) =>
        new(record.At, CaptureKinds.ToWire(record.Kind), error.Field is null ? error.Reason : $"data.{error.Field}: {error.Reason}", record.Data)
        {
            Field = error.Field,
            Line = record.Line,
            Origin = origin,
        };

    private sealed record WaitingRequest(ClientOrderId ClientOrderId, JsonElement? Configuration);
}

/// <summary>The origin the audit stamps on every input: the capture line it came from.</summary>
internal static class AuditOrigin
{
    private const string Prefix = "capture line ";

    public static string Of(int line) => Prefix + line.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The line named by an origin this class wrote, else null.</summary>
    public static int? LineOf(string? origin) =>
        origin is not null && origin.StartsWith(Prefix, StringComparison.Ordinal)
        && int.TryParse(origin.AsSpan(Prefix.Length), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var line)
            ? line
            : null;
}
