using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Linkage.Engine;

namespace Linkage.Stores.Sql;

/// <summary>
/// Writes an <see cref="EngineInput"/> as JSON and reads it back, so a parked fill survives a restart and is decided
/// again as the very input that was parked. The round trip is exact: <c>Read(Write(x)) == x</c> for every input.
/// Decimals are JSON strings (a JSON number would lose the scale in most readers), times use the ISO 8601 round-trip
/// format (all ticks and the offset), enums are written by name so reordering an enum cannot change stored meaning.
/// The document carries a format version, so a later codec can still read what an earlier one wrote.
/// Thread safety: stateless.
/// </summary>
public static class EngineInputJson
{
    private const int FormatVersion = 1;

    // The text is stored in a database column and read by people and SQL, never embedded in HTML, so only what JSON
    // itself requires is escaped (quotes, backslashes, control characters): '+' in an offset or non-ASCII text stays readable.
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>The JSON text of <paramref name="input"/>.</summary>
    /// <exception cref="NotSupportedException">An input type this codec does not know (a programmer error: extend the codec).</exception>
    public static string Write(EngineInput input)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            w.WriteNumber("v", FormatVersion);
            w.WriteString("type", input.GetType().Name);
            WriteTime(w, "at", input.At);
            w.WriteString("origin", input.Origin);
            switch (input)
            {
                case IntentReceived i:
                    w.WritePropertyName("intent");
                    WriteIntent(w, i.Intent);
                    break;
                case PlacementOutcome p:
                    w.WriteString("clientOrderId", p.ClientOrderId.Value);
                    w.WriteString("result", p.Result.ToString());
                    w.WriteString("exchangeOrderId", p.ExchangeOrderId?.Value);
                    w.WriteString("rejectReason", p.RejectReason);
                    if (p.AttachedExchangeOrderId is { } attached)
                    {
                        w.WriteString("attachedExchangeOrderId", attached.Value);
                    }
                    break;
                case OrderUpdate u:
                    w.WritePropertyName("order");
                    WriteOrderState(w, u.Order);
                    w.WriteString("source", u.Source.ToString());
                    w.WriteBoolean("fromReconciliation", u.FromReconciliation);
                    break;
                case TradeFillReceived f:
                    w.WritePropertyName("fill");
                    WriteFill(w, f.Fill);
                    w.WriteBoolean("fromReconciliation", f.FromReconciliation);
                    break;
                case OrderNotOurs n:
                    w.WriteString("exchangeOrderId", n.ExchangeOrderId.Value);
                    w.WriteString("clientOrderId", n.ClientOrderId?.Value);
                    break;
                case Tick:
                    break;
                case MalformedInput m:
                    w.WriteString("kind", m.Kind);
                    w.WriteString("reason", m.Reason);
                    w.WriteString("rawPayload", m.RawPayload);
                    w.WriteString("field", m.Field);
                    WriteInt(w, "line", m.Line);
                    break;
                default:
                    throw new NotSupportedException($"EngineInputJson cannot write a {input.GetType().Name}");
            }
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The input <paramref name="json"/> was written from.</summary>
    /// <exception cref="FormatException">The text is not a document this codec wrote (corrupt storage).</exception>
    public static EngineInput Read(string json)
    {
        try
        {
            using var document = JsonDocument.Parse(json);
            var e = document.RootElement;
            var version = e.GetProperty("v").GetInt32();
            if (version != FormatVersion)
            {
                throw new FormatException($"parked input format version {version} is not {FormatVersion}");
            }
            var at = Time(e, "at");
            EngineInput input = Required(e, "type") switch
            {
                nameof(IntentReceived) => new IntentReceived(at, ReadIntent(e.GetProperty("intent"))),
                nameof(PlacementOutcome) => new PlacementOutcome(
                    at,
                    ClientOrderId.From(Required(e, "clientOrderId")),
                    Enum<PlacementResult>(e, "result"),
                    OptionalExchangeOrderId(e, "exchangeOrderId"),
                    Text(e, "rejectReason"))
                {
                    AttachedExchangeOrderId = e.TryGetProperty("attachedExchangeOrderId", out _) ? OptionalExchangeOrderId(e, "attachedExchangeOrderId") : null,
                },
                nameof(OrderUpdate) => new OrderUpdate(at, ReadOrderState(e.GetProperty("order")), Enum<OrderStateSource>(e, "source"))
                {
                    FromReconciliation = e.GetProperty("fromReconciliation").GetBoolean(),
                },
                nameof(TradeFillReceived) => new TradeFillReceived(at, ReadFill(e.GetProperty("fill")))
                {
                    FromReconciliation = e.GetProperty("fromReconciliation").GetBoolean(),
                },
                nameof(OrderNotOurs) => new OrderNotOurs(
                    at,
                    ExchangeOrderId.From(Required(e, "exchangeOrderId")),
                    OptionalClientOrderId(e, "clientOrderId")),
                nameof(Tick) => new Tick(at),
                nameof(MalformedInput) => new MalformedInput(at, Required(e, "kind"), Required(e, "reason"), Required(e, "rawPayload"))
                {
                    Field = Text(e, "field"),
                    Line = Int(e, "line"),
                },
                var other => throw new FormatException($"unknown parked input type '{other}'"),
            };
            return input with { Origin = Text(e, "origin") };
        }
        catch (Exception ex) when (ex is JsonException or KeyNotFoundException or InvalidOperationException or ArgumentException)
        {
            throw new FormatException($"stored input is not a document EngineInputJson wrote: {ex.Message}", ex);
        }
    }

    private static void WriteIntent(Utf8JsonWriter w, Intent intent)
    {
        w.WriteStartObject();
        w.WriteString("kind", intent.Kind.ToString());
        w.WriteString("product", intent.Product.Value);
        w.WriteString("side", intent.Side.ToString());
        WriteDecimal(w, "size", intent.Size);
        WriteDecimal(w, "price", intent.Price);
        w.WriteString("snapshot", intent.Snapshot?.Value);
        WriteDecimal(w, "buyScore", intent.BuyScore);
        WriteDecimal(w, "sellScore", intent.SellScore);
        w.WriteString("trigger", intent.Trigger);
        w.WriteString("indicatorsJson", intent.IndicatorsJson);
        WriteInt(w, "indicatorsFired", intent.IndicatorsFired);
        w.WriteStartArray("closes");
        foreach (var close in intent.Closes)
        {
            w.WriteStringValue(close.Value);
        }
        w.WriteEndArray();
        WriteTime(w, "decidedAt", intent.DecidedAt);
        w.WriteString("clientOrderId", intent.ClientOrderId?.Value);

        // Written only when set, and read as false when absent: an intent the host places is written exactly as before
        // the flag existed, so stored documents and every output made of them stay byte-identical.
        if (intent.PlacedByCaller)
        {
            w.WriteBoolean("placedByCaller", true);
        }
        // Likewise written only when set: documents of intents without a bracket are unchanged.
        if (intent.Bracket is { } bracket)
        {
            WriteDecimal(w, "takeProfit", bracket.TakeProfit);
            WriteDecimal(w, "stopLoss", bracket.StopLoss);
        }
        if (intent.BracketOf is { } parent)
        {
            w.WriteString("bracketOf", parent.Value);
        }
        w.WriteEndObject();
    }

    private static Intent ReadIntent(JsonElement e) => new()
    {
        Kind = Enum<IntentKind>(e, "kind"),
        Product = ProductId.From(Required(e, "product")),
        Side = Enum<Side>(e, "side"),
        Size = Decimal(e, "size"),
        Price = Decimal(e, "price"),
        Snapshot = Text(e, "snapshot") is { } snapshot ? SnapshotId.From(snapshot) : null,
        BuyScore = Decimal(e, "buyScore"),
        SellScore = Decimal(e, "sellScore"),
        Trigger = Text(e, "trigger"),
        IndicatorsJson = Text(e, "indicatorsJson"),
        IndicatorsFired = Int(e, "indicatorsFired"),
        Closes = [.. e.GetProperty("closes").EnumerateArray().Select(c => ClientOrderId.From(c.GetString()!))],
        DecidedAt = Time(e, "decidedAt"),
        ClientOrderId = OptionalClientOrderId(e, "clientOrderId"),
        PlacedByCaller = e.TryGetProperty("placedByCaller", out var placed) && placed.GetBoolean(),
        Bracket = e.TryGetProperty("takeProfit", out _) && Decimal(e, "takeProfit") is { } takeProfit && Decimal(e, "stopLoss") is { } stopLoss
            ? new Bracket(takeProfit, stopLoss)
            : null,
        BracketOf = e.TryGetProperty("bracketOf", out _) ? OptionalClientOrderId(e, "bracketOf") : null,
    };

    private static void WriteOrderState(Utf8JsonWriter w, OrderState s)
    {
        w.WriteStartObject();
        w.WriteString("exchangeOrderId", s.ExchangeOrderId.Value);
        w.WriteString("clientOrderId", s.ClientOrderId?.Value);
        w.WriteString("product", s.Product?.Value);
        w.WriteString("side", s.Side?.ToString());
        w.WriteString("status", s.Status?.ToString());
        WriteDecimal(w, "cumulativeQuantity", s.CumulativeQuantity);
        WriteDecimal(w, "leavesQuantity", s.LeavesQuantity);
        WriteDecimal(w, "averagePrice", s.AveragePrice);
        WriteDecimal(w, "filledValue", s.FilledValue);
        WriteDecimal(w, "totalFees", s.TotalFees);
        WriteInt(w, "numberOfFills", s.NumberOfFills);
        WriteDecimal(w, "orderSize", s.OrderSize);
        // Written only when set, so documents of orders without a bracket are unchanged.
        if (s.OriginatingOrderId is { } originating)
        {
            w.WriteString("originatingOrderId", originating.Value);
        }
        if (s.AttachedOrderId is { } attached)
        {
            w.WriteString("attachedOrderId", attached.Value);
        }
        w.WriteEndObject();
    }

    private static OrderState ReadOrderState(JsonElement e) => new()
    {
        ExchangeOrderId = ExchangeOrderId.From(Required(e, "exchangeOrderId")),
        ClientOrderId = OptionalClientOrderId(e, "clientOrderId"),
        Product = OptionalProduct(e, "product"),
        Side = OptionalEnum<Side>(e, "side"),
        Status = OptionalEnum<OrderStatus>(e, "status"),
        CumulativeQuantity = Decimal(e, "cumulativeQuantity"),
        LeavesQuantity = Decimal(e, "leavesQuantity"),
        AveragePrice = Decimal(e, "averagePrice"),
        FilledValue = Decimal(e, "filledValue"),
        TotalFees = Decimal(e, "totalFees"),
        NumberOfFills = Int(e, "numberOfFills"),
        OrderSize = Decimal(e, "orderSize"),
        OriginatingOrderId = e.TryGetProperty("originatingOrderId", out _) ? OptionalExchangeOrderId(e, "originatingOrderId") : null,
        AttachedOrderId = e.TryGetProperty("attachedOrderId", out _) ? OptionalExchangeOrderId(e, "attachedOrderId") : null,
    };

    private static void WriteFill(Utf8JsonWriter w, TradeFill f)
    {
        w.WriteStartObject();
        w.WriteString("exchangeOrderId", f.Key.Order.Value);
        w.WriteString("source", f.Key.Source.ToString());
        w.WriteString("key", f.Key.Key);
        w.WriteString("tradeType", f.TradeType.ToString());
        WriteDecimal(w, "size", f.Size);
        WriteDecimal(w, "price", f.Price);
        WriteDecimal(w, "commission", f.Commission);
        w.WriteString("product", f.Product?.Value);
        w.WriteString("side", f.Side?.ToString());
        w.WriteString("tradeId", f.TradeId);
        if (f.TradeTime is { } tradeTime)
        {
            WriteTime(w, "tradeTime", tradeTime);
        }
        else
        {
            w.WriteNull("tradeTime");
        }
        w.WriteEndObject();
    }

    private static TradeFill ReadFill(JsonElement e) => new()
    {
        Key = new FillKey(ExchangeOrderId.From(Required(e, "exchangeOrderId")), Enum<FillSource>(e, "source"), Required(e, "key")),
        TradeType = Enum<TradeType>(e, "tradeType"),
        Size = RequiredDecimal(e, "size"),
        Price = RequiredDecimal(e, "price"),
        Commission = RequiredDecimal(e, "commission"),
        Product = OptionalProduct(e, "product"),
        Side = OptionalEnum<Side>(e, "side"),
        TradeId = Text(e, "tradeId"),
        TradeTime = Text(e, "tradeTime") is { } tradeTime ? Invariant.ParseTime(tradeTime) : null,
    };

    private static void WriteDecimal(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, Invariant.Format(v));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteInt(Utf8JsonWriter w, string name, int? value)
    {
        if (value is { } v)
        {
            w.WriteNumber(name, v);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void WriteTime(Utf8JsonWriter w, string name, DateTimeOffset value) => w.WriteString(name, Invariant.Format(value));

    private static string? Text(JsonElement e, string name) => e.GetProperty(name).GetString();

    private static string Required(JsonElement e, string name) =>
        Text(e, name) ?? throw new FormatException($"'{name}' is null in a stored input");

    private static decimal? Decimal(JsonElement e, string name) => Text(e, name) is { } text ? Invariant.ParseDecimal(text) : null;

    private static decimal RequiredDecimal(JsonElement e, string name) => Invariant.ParseDecimal(Required(e, name));

    private static int? Int(JsonElement e, string name) =>
        e.GetProperty(name) is { ValueKind: not JsonValueKind.Null } value ? value.GetInt32() : null;

    private static DateTimeOffset Time(JsonElement e, string name) => Invariant.ParseTime(Required(e, name));

    private static T Enum<T>(JsonElement e, string name)
        where T : struct, Enum => Invariant.ParseEnum<T>(Required(e, name));

    private static T? OptionalEnum<T>(JsonElement e, string name)
        where T : struct, Enum => Text(e, name) is { } text ? Invariant.ParseEnum<T>(text) : null;

    private static ClientOrderId? OptionalClientOrderId(JsonElement e, string name) =>
        Text(e, name) is { } text ? ClientOrderId.From(text) : null;

    private static ExchangeOrderId? OptionalExchangeOrderId(JsonElement e, string name) =>
        Text(e, name) is { } text ? ExchangeOrderId.From(text) : null;

    private static ProductId? OptionalProduct(JsonElement e, string name) => Text(e, name) is { } text ? ProductId.From(text) : null;
}
