using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using Linkage.Engine;

namespace Linkage.Coinbase;

/// <summary>
/// Reads the strategy's webhook payload into an <see cref="Intent"/>, in every spelling the bot really sends
/// (<c>docs/formats.md</c>, section 7): <c>pair</c> or <c>product_id</c>; <c>size</c>, <c>base_size</c> or
/// <c>quote_size</c>; <c>price</c> or <c>limit_price</c>; <c>score</c> or <c>scores</c> keyed <c>buy_score</c>,
/// <c>Buy Score</c> or <c>buy</c> with number, numeric-string or null values; <c>indicator_breakdown</c> (kept as
/// canonical JSON with sorted keys); <c>indicators_fired</c>; <c>client_order_id</c>; <c>closes</c>; and a decided-at
/// time (<c>timestamp</c>, <c>decided_at</c> or <c>created_at</c>). A payload with a <c>snapshot_id</c> is an entry;
/// one without is an exit. Never throws for bad input. Stateless and thread-safe.
/// </summary>
public static class IntentPayloadParser
{
    private const int ScoreKeyLengthMax = 32;

    /// <summary>
    /// Parses a payload. <paramref name="decidedAtFallback"/> is used when the payload carries no decided-at time (the
    /// caller supplies the time it received the payload); without either, the payload is refused.
    /// </summary>
    public static ParseResult<Intent> Parse(string json, DateTimeOffset? decidedAtFallback = null) =>
        JsonInput.Parse(json, (root, r) => Read(root, r, decidedAtFallback));

    /// <inheritdoc cref="Parse(string, DateTimeOffset?)"/>
    public static ParseResult<Intent> Parse(ReadOnlyMemory<byte> utf8, DateTimeOffset? decidedAtFallback = null) =>
        JsonInput.Parse(utf8, (root, r) => Read(root, r, decidedAtFallback));

    private static Intent? Read(Node root, FieldReader r, DateTimeOffset? decidedAtFallback)
    {
        var product = ReadProduct(root, r);
        var side = r.Side(root, "side", Presence.Required);
        var snapshot = r.SnapshotId(root, "snapshot_id", Presence.Optional);
        var price = AnyDecimal(root, r, "price", "limit_price");
        var size = ReadSize(root, r, price);
        var (buyScore, sellScore) = ReadScores(root, r, side);
        var trigger = r.String(root, "trigger", Presence.Optional, Limits.TriggerLengthMax);
        var indicators = ReadIndicators(root, r);
        var fired = ReadIndicatorsFired(root, r);
        var coid = r.ClientOrderId(root, "client_order_id", Presence.Optional);
        var closes = ReadCloses(root, r);
        var takeProfit = r.Decimal(root, "take_profit_price", Presence.Optional, Sign.Positive);
        var stopLoss = r.Decimal(root, "stop_loss_price", Presence.Optional, Sign.Positive);
        var decidedAt = ReadDecidedAt(root, r) ?? decidedAtFallback;
        if (r.Failed)
        {
            return null;
        }
        if (decidedAt is null)
        {
            r.Fail("timestamp", "is missing (also decided_at and created_at), and the caller supplied no time");
            return null;
        }
        if (snapshot is not null && !closes.IsEmpty)
        {
            r.Fail("closes", "is given on an entry (a payload with a snapshot_id); only exits close entries");
            return null;
        }
        if ((takeProfit is null) != (stopLoss is null))
        {
            r.Fail(takeProfit is null ? "take_profit_price" : "stop_loss_price", "is missing; an attached bracket needs both take_profit_price and stop_loss_price");
            return null;
        }
        if (takeProfit is not null && snapshot is null)
        {
            r.Fail("take_profit_price", "is given on an exit (a payload without snapshot_id); only entries carry an attached bracket");
            return null;
        }
        return new Intent
        {
            Kind = snapshot is null ? IntentKind.Exit : IntentKind.Entry,
            Product = product!.Value,
            Side = side!.Value,
            Size = size,
            Price = price,
            Snapshot = snapshot,
            BuyScore = buyScore,
            SellScore = sellScore,
            Trigger = trigger,
            IndicatorsJson = indicators,
            IndicatorsFired = fired,
            Closes = closes,
            DecidedAt = decidedAt.Value,
            ClientOrderId = coid,
            Bracket = takeProfit is { } tp && stopLoss is { } sl ? new Bracket(tp, sl) : null,
        };
    }

    /// <summary><c>pair</c> or <c>product_id</c>; <c>BTC/USD</c> and <c>btc-usd</c> are read as Coinbase's <c>BTC-USD</c>.</summary>
    private static ProductId? ReadProduct(Node root, FieldReader r)
    {
        if (!r.TryGetAny(root, out var node, "product_id", "pair"))
        {
            r.Fail("product_id", "is missing (and so is pair)");
            return null;
        }
        var text = r.StringValue(node, Presence.Required, Limits.ProductIdLengthMax);
        if (text is null)
        {
            return null;
        }
        if (!ProductId.TryCreate(text.Trim().Replace('/', '-').ToUpperInvariant(), out var product, out var error))
        {
            r.Fail(node.Path, error);
            return null;
        }
        return product;
    }

    /// <summary>
    /// The base size: <c>size</c> or <c>base_size</c>; a <c>quote_size</c> is converted with the limit price. A quote
    /// size without a price cannot be converted (the intent has no quote size) and is refused.
    /// </summary>
    private static decimal? ReadSize(Node root, FieldReader r, decimal? price)
    {
        if (AnyDecimal(root, r, "size", "base_size") is { } size)
        {
            return size;
        }
        if (r.Decimal(root, "quote_size", Presence.Optional, Sign.Positive) is not { } quote)
        {
            return null;
        }
        if (price is not { } p)
        {
            r.Fail("quote_size", "is given without a price, so the base size is unknown");
            return null;
        }
        if (quote > Limits.QuantityMax * p || quote / p == 0)
        {
            r.Fail("quote_size", "converts to a base size out of range at this price");
            return null;
        }
        return quote / p;
    }

    /// <summary>
    /// <c>score</c> or <c>scores</c>: an object keyed <c>buy_score</c>, <c>Buy Score</c>, <c>buy</c> (any case, spaces or
    /// underscores), and the same for sell; or a bare number, which is the score of the intent's side.
    /// </summary>
    private static (decimal? Buy, decimal? Sell) ReadScores(Node root, FieldReader r, Side? side)
    {
        if (!r.TryGetAny(root, out var node, "scores", "score"))
        {
            return (null, null);
        }
        if (node.Element.ValueKind != JsonValueKind.Object)
        {
            var bare = ScoreValue(node, r);
            return side == Side.Sell ? (null, bare) : (bare, null);
        }
        decimal? buy = null;
        decimal? sell = null;
        foreach (var property in node.Element.EnumerateObject())
        {
            var key = property.Name.Length > ScoreKeyLengthMax ? "" : property.Name.Replace(" ", "", StringComparison.Ordinal).Replace("_", "", StringComparison.Ordinal).ToLowerInvariant();
            var value = new Node(property.Value, node.Child(property.Name));
            switch (key)
            {
                case "buyscore" or "buy":
                    buy = ScoreValue(value, r) ?? buy;
                    break;
                case "sellscore" or "sell":
                    sell = ScoreValue(value, r) ?? sell;
                    break;
                default:
                    // Other keys (a strategy's extra scores) are not part of the intent.
                    break;
            }
        }
        return (buy, sell);
    }

    /// <summary>A score: number, numeric string or null. Scores may be negative, unlike quantities.</summary>
    private static decimal? ScoreValue(Node node, FieldReader r)
    {
        switch (node.Element.ValueKind)
        {
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.Number:
                if (node.Element.TryGetDecimal(out var number))
                {
                    return number;
                }
                r.Fail(node.Path, $"{TextBounds.Excerpt(node.Element.GetRawText())} is not a number in range");
                return null;
            case JsonValueKind.String:
                var text = node.Element.GetString()!;
                if (text.Length == 0)
                {
                    return null;
                }
                if (decimal.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out var parsed))
                {
                    return parsed;
                }
                r.Fail(node.Path, $"'{TextBounds.Excerpt(text)}' is not a number");
                return null;
            default:
                r.Fail(node.Path, $"is a JSON {JsonInput.Kind(node.Element)}, expected a number, numeric string or null");
                return null;
        }
    }

    /// <summary>The breakdown as canonical JSON: object keys sorted ordinally, no whitespace, numbers and strings as sent.</summary>
    private static string? ReadIndicators(Node root, FieldReader r)
    {
        if (!r.TryGet(root, "indicator_breakdown", out var node))
        {
            return null;
        }
        var canonical = CanonicalJson.Write(node.Element);
        if (canonical.Length > Limits.IndicatorsJsonLengthMax)
        {
            r.Fail(node.Path, $"is {canonical.Length} characters as JSON, more than {Limits.IndicatorsJsonLengthMax}");
            return null;
        }
        return canonical;
    }

    /// <summary><c>indicators_fired</c>: a count (number or numeric string), or the list of indicators that fired (its length).</summary>
    private static int? ReadIndicatorsFired(Node root, FieldReader r)
    {
        if (!r.TryGet(root, "indicators_fired", out var node))
        {
            return null;
        }
        return node.Element.ValueKind == JsonValueKind.Array
            ? node.Element.GetArrayLength()
            : r.Count(root, "indicators_fired", Presence.Optional);
    }

    private static ImmutableArray<ClientOrderId> ReadCloses(Node root, FieldReader r)
    {
        var closes = ImmutableArray.CreateBuilder<ClientOrderId>();
        foreach (var item in r.Array(root, "closes", Presence.Optional, Limits.ExitClosesMax))
        {
            if (r.ClientOrderIdValue(item, Presence.Required) is { } coid)
            {
                closes.Add(coid);
            }
        }
        return closes.ToImmutable();
    }

    private static DateTimeOffset? ReadDecidedAt(Node root, FieldReader r) =>
        r.TryGetAny(root, out var node, "timestamp", "decided_at", "created_at") ? r.TimeValue(node, Presence.Required) : null;

    private static decimal? AnyDecimal(Node root, FieldReader r, params ReadOnlySpan<string> names) =>
        r.TryGetAny(root, out var node, names) ? r.DecimalValue(node, Presence.Optional, Sign.Positive) : null;
}

/// <summary>Writes a JSON value canonically: object keys sorted ordinally, no insignificant whitespace, values as sent.</summary>
internal static class CanonicalJson
{
    public static string Write(JsonElement element)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = false, SkipValidation = false }))
        {
            Write(writer, element);
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    private static void Write(Utf8JsonWriter writer, JsonElement element)
    {
        switch (element.ValueKind)
        {
            case JsonValueKind.Object:
                writer.WriteStartObject();
                foreach (var property in element.EnumerateObject().OrderBy(p => p.Name, StringComparer.Ordinal))
                {
                    writer.WritePropertyName(property.Name);
                    Write(writer, property.Value);
                }
                writer.WriteEndObject();
                break;
            case JsonValueKind.Array:
                writer.WriteStartArray();
                foreach (var item in element.EnumerateArray())
                {
                    Write(writer, item);
                }
                writer.WriteEndArray();
                break;
            default:
                element.WriteTo(writer);
                break;
        }
    }
}
