using System.Globalization;
using System.Text.Json;
using Linkage.Engine;

namespace Linkage.Coinbase;

/// <summary>A JSON value and its path from the message root (<c>events[0].orders[1]</c>), so every error can name its field.</summary>
internal readonly record struct Node(JsonElement Element, string Path)
{
    /// <summary>An absent object: every field read from it is absent.</summary>
    public static readonly Node None = new(default, "");

    public string Child(string name) => Path.Length == 0 ? name : $"{Path}.{name}";
}

/// <summary>Whether a field must be present (non-null, and non-empty for strings).</summary>
internal enum Presence
{
    Optional,
    Required,
}

/// <summary>What a decimal must satisfy beyond being a decimal at most <see cref="Limits.QuantityMax"/>.</summary>
internal enum Sign
{
    NonNegative,
    Positive,
}

/// <summary>
/// Reads fields tolerantly and validates them strictly, recording the first error (with its JSON path) instead of
/// throwing. Tolerant: keys match case-insensitively when the exact spelling is absent (<c>reject_Reason</c>), JSON null
/// and empty strings count as absent for optional fields, numbers may be JSON strings or numbers, booleans may be
/// <c>"true"</c>/<c>"false"</c>. Strict: a present value of the wrong type, out of range or with an invalid id is an error.
/// Once an error is recorded, later reads return defaults and the caller's result is discarded.
/// </summary>
internal sealed class FieldReader
{
    /// <summary>Longest timestamp text read (RFC 3339 with nanoseconds and an offset is 35 characters).</summary>
    private const int TimeLengthMax = 64;

    public ParseError? Error { get; private set; }

    public bool Failed => Error is not null;

    /// <summary>Records an error unless one is recorded already (the first error is the one reported).</summary>
    public void Fail(string? field, string reason) => Error ??= new ParseError(reason, field);

    /// <summary>Finds a field by exact name, else by a unique case-insensitive match; JSON null counts as absent.</summary>
    public bool TryGet(Node parent, string name, out Node value)
    {
        value = default;
        if (Failed || parent.Element.ValueKind != JsonValueKind.Object)
        {
            return false;
        }
        if (parent.Element.TryGetProperty(name, out var exact))
        {
            value = new Node(exact, parent.Child(name));
            return exact.ValueKind != JsonValueKind.Null;
        }
        JsonProperty? match = null;
        foreach (var property in parent.Element.EnumerateObject())
        {
            if (string.Equals(property.Name, name, StringComparison.OrdinalIgnoreCase))
            {
                if (match is not null)
                {
                    Fail(parent.Child(name), $"two keys spell '{name}' in different cases");
                    return false;
                }
                match = property;
            }
        }
        if (match is not { } found)
        {
            return false;
        }
        value = new Node(found.Value, parent.Child(found.Name));
        return found.Value.ValueKind != JsonValueKind.Null;
    }

    /// <summary>The first of several alternative spellings that is present (<c>pair</c> or <c>product_id</c>).</summary>
    public bool TryGetAny(Node parent, out Node value, params ReadOnlySpan<string> names)
    {
        foreach (var name in names)
        {
            if (TryGet(parent, name, out value))
            {
                return true;
            }
        }
        value = default;
        return false;
    }

    public Node? Object(Node parent, string name, Presence presence)
    {
        if (!Present(parent, name, presence, out var node))
        {
            return null;
        }
        if (node.Element.ValueKind != JsonValueKind.Object)
        {
            WrongType(node, "an object");
            return null;
        }
        return node;
    }

    /// <summary>The items of an array field with their paths; absent optional arrays are empty.</summary>
    public IReadOnlyList<Node> Array(Node parent, string name, Presence presence, int countMax)
    {
        if (!Present(parent, name, presence, out var node))
        {
            return [];
        }
        return Items(node, countMax);
    }

    /// <summary>The items of an array value with their paths; a value that is not an array, or too long, is an error.</summary>
    public IReadOnlyList<Node> Items(Node node, int countMax)
    {
        if (node.Element.ValueKind != JsonValueKind.Array)
        {
            WrongType(node, "an array");
            return [];
        }
        var count = node.Element.GetArrayLength();
        if (count > countMax)
        {
            Fail(node.Path, $"has {count} items, more than {countMax}");
            return [];
        }
        var items = new List<Node>(count);
        var i = 0;
        foreach (var item in node.Element.EnumerateArray())
        {
            items.Add(new Node(item, $"{node.Path}[{i}]"));
            i++;
        }
        return items;
    }

    /// <summary>A string field; empty counts as absent. Longer than <paramref name="lengthMax"/> is an error.</summary>
    public string? String(Node parent, string name, Presence presence, int lengthMax)
    {
        if (!Present(parent, name, presence, out var node))
        {
            return null;
        }
        return StringValue(node, presence, lengthMax);
    }

    /// <summary>Free text (reasons, messages): kept, cut to <see cref="CoinbaseLimits.TextLengthMax"/> characters.</summary>
    public string? Text(Node parent, string name)
    {
        if (!Present(parent, name, Presence.Optional, out var node))
        {
            return null;
        }
        if (node.Element.ValueKind != JsonValueKind.String)
        {
            return WrongType(node, "a string");
        }
        var text = node.Element.GetString()!;
        // Free text is kept, not refused: a NUL in a cancel reason must not cost the order update it came with.
        return text.Length == 0 ? null : TextBounds.WithoutNul(TextBounds.Cut(text, CoinbaseLimits.TextLengthMax));
    }

    public string? StringValue(Node node, Presence presence, int lengthMax)
    {
        if (node.Element.ValueKind != JsonValueKind.String)
        {
            return WrongType(node, "a string");
        }
        var text = node.Element.GetString()!;
        if (text.Length == 0)
        {
            if (presence == Presence.Required)
            {
                Fail(node.Path, "is empty");
            }
            return null;
        }
        if (text.Length > lengthMax)
        {
            Fail(node.Path, $"is {text.Length} characters, more than {lengthMax}");
            return null;
        }
        if (TextBounds.HasNul(text))
        {
            Fail(node.Path, $"holds U+0000 (NUL) at character {text.IndexOf('\0', StringComparison.Ordinal) + 1}, which no store's text can keep");
            return null;
        }
        return text;
    }

    /// <summary>A decimal from a JSON string (any scale, exponent allowed) or number, parsed straight to <see cref="decimal"/>.</summary>
    public decimal? Decimal(Node parent, string name, Presence presence, Sign sign = Sign.NonNegative)
    {
        if (!Present(parent, name, presence, out var node))
        {
            return null;
        }
        return DecimalValue(node, presence, sign);
    }

    public decimal? DecimalValue(Node node, Presence presence, Sign sign)
    {
        decimal value;
        switch (node.Element.ValueKind)
        {
            case JsonValueKind.String:
                var text = node.Element.GetString()!;
                if (text.Length == 0)
                {
                    if (presence == Presence.Required)
                    {
                        Fail(node.Path, "is empty");
                    }
                    return null;
                }
                if (!decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value))
                {
                    Fail(node.Path, $"'{TextBounds.Excerpt(text)}' is not a decimal number in range");
                    return null;
                }
                break;
            case JsonValueKind.Number:
                if (!node.Element.TryGetDecimal(out value))
                {
                    Fail(node.Path, $"{TextBounds.Excerpt(node.Element.GetRawText())} is not a decimal number in range");
                    return null;
                }
                break;
            default:
                return WrongType<decimal>(node, "a decimal string or number");
        }
        if (value < 0 || (sign == Sign.Positive && value == 0))
        {
            Fail(node.Path, $"is {value.ToString(CultureInfo.InvariantCulture)}; it must be {(sign == Sign.Positive ? "positive" : "non-negative")}");
            return null;
        }
        if (value > Limits.QuantityMax)
        {
            Fail(node.Path, $"is {value.ToString(CultureInfo.InvariantCulture)}, more than {Limits.QuantityMax.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }
        return value;
    }

    /// <summary>A non-negative integer from a JSON number or a numeric string (<c>heartbeat_counter</c> is sent as both).</summary>
    public long? Integer(Node parent, string name, Presence presence)
    {
        if (!Present(parent, name, presence, out var node))
        {
            return null;
        }
        long value;
        switch (node.Element.ValueKind)
        {
            case JsonValueKind.Number:
                if (!node.Element.TryGetInt64(out value))
                {
                    Fail(node.Path, $"{TextBounds.Excerpt(node.Element.GetRawText())} is not a whole number in range");
                    return null;
                }
                break;
            case JsonValueKind.String:
                var text = node.Element.GetString()!;
                if (text.Length == 0 && presence == Presence.Optional)
                {
                    return null;
                }
                if (!long.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value))
                {
                    Fail(node.Path, $"'{TextBounds.Excerpt(text)}' is not a whole number in range");
                    return null;
                }
                break;
            default:
                return WrongType<long>(node, "a whole number");
        }
        if (value < 0)
        {
            Fail(node.Path, $"is {value.ToString(CultureInfo.InvariantCulture)}; it must be non-negative");
            return null;
        }
        return value;
    }

    /// <summary>An integer that must fit an <see cref="int"/> (counts such as <c>number_of_fills</c>).</summary>
    public int? Count(Node parent, string name, Presence presence)
    {
        var value = Integer(parent, name, presence);
        if (value > int.MaxValue)
        {
            Fail(parent.Child(name), $"is {value.Value.ToString(CultureInfo.InvariantCulture)}, more than {int.MaxValue.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }
        return (int?)value;
    }

    /// <summary>A boolean from JSON true/false or the strings <c>"true"</c>/<c>"false"</c> (<c>post_only</c> is sent as both).</summary>
    public bool? Bool(Node parent, string name, Presence presence)
    {
        if (!Present(parent, name, presence, out var node))
        {
            return null;
        }
        switch (node.Element.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.String:
                var text = node.Element.GetString()!;
                if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
                {
                    return true;
                }
                if (text.Equals("false", StringComparison.OrdinalIgnoreCase))
                {
                    return false;
                }
                if (text.Length == 0 && presence == Presence.Optional)
                {
                    return null;
                }
                Fail(node.Path, $"'{TextBounds.Excerpt(text)}' is not true or false");
                return null;
            default:
                return WrongType<bool>(node, "a boolean");
        }
    }

    /// <summary>An RFC 3339 time. <c>0001-01-01T00:00:00Z</c>, Coinbase's "not applicable", reads as absent.</summary>
    public DateTimeOffset? Time(Node parent, string name, Presence presence) =>
        Present(parent, name, presence, out var node) ? TimeValue(node, presence) : null;

    public DateTimeOffset? TimeValue(Node node, Presence presence)
    {
        var text = StringValue(node, presence, TimeLengthMax);
        if (text is null)
        {
            return null;
        }
        if (!Rfc3339.TryParse(text, out var value, out var reason))
        {
            Fail(node.Path, reason);
            return null;
        }
        if (value.UtcTicks == DateTime.MinValue.Ticks)
        {
            if (presence == Presence.Required)
            {
                Fail(node.Path, "is the 'not applicable' time 0001-01-01T00:00:00Z");
            }
            return null;
        }
        return value;
    }

    public Side? Side(Node parent, string name, Presence presence)
    {
        var text = String(parent, name, presence, 16);
        if (text is null)
        {
            return null;
        }
        if (text.Equals("buy", StringComparison.OrdinalIgnoreCase))
        {
            return Engine.Side.Buy;
        }
        if (text.Equals("sell", StringComparison.OrdinalIgnoreCase))
        {
            return Engine.Side.Sell;
        }
        Fail(parent.Child(name), $"'{TextBounds.Excerpt(text)}' is neither BUY nor SELL");
        return null;
    }

    public ClientOrderId? ClientOrderId(Node parent, string name, Presence presence) =>
        Present(parent, name, presence, out var node) ? ClientOrderIdValue(node, presence) : null;

    /// <summary>
    /// The exchange's echo of an order's client order id, in a report about an order that may be anyone's. A string
    /// that is not a valid <see cref="Engine.ClientOrderId"/> (longer than ours, other characters: ccxt sends 41
    /// characters) cannot name one of our intents, since every intent's id is valid when it is staged: it is read as
    /// absent, so the order is judged by its exchange id and stays external, and the rest of the message (other orders
    /// in the same <c>events[].orders[]</c>) is not refused with it. Only a value of the wrong JSON type fails.
    /// </summary>
    public ClientOrderId? ForeignClientOrderId(Node parent, string name)
    {
        if (!Present(parent, name, Presence.Optional, out var node))
        {
            return null;
        }
        if (node.Element.ValueKind != JsonValueKind.String)
        {
            return WrongType<ClientOrderId>(node, "a string");
        }
        return Engine.ClientOrderId.TryCreate(node.Element.GetString(), out var id, out _) ? id : null;
    }

    public ClientOrderId? ClientOrderIdValue(Node node, Presence presence) =>
        IdValue(node, presence, static (string? s, out ClientOrderId id, out string? e) => Engine.ClientOrderId.TryCreate(s, out id, out e));

    public ExchangeOrderId? ExchangeOrderId(Node parent, string name, Presence presence) =>
        Present(parent, name, presence, out var node)
            ? IdValue(node, presence, static (string? s, out ExchangeOrderId id, out string? e) => Engine.ExchangeOrderId.TryCreate(s, out id, out e))
            : null;

    public ProductId? ProductId(Node parent, string name, Presence presence) =>
        Present(parent, name, presence, out var node)
            ? IdValue(node, presence, static (string? s, out ProductId id, out string? e) => Engine.ProductId.TryCreate(s, out id, out e))
            : null;

    public SnapshotId? SnapshotId(Node parent, string name, Presence presence) =>
        Present(parent, name, presence, out var node)
            ? IdValue(node, presence, static (string? s, out SnapshotId id, out string? e) => Engine.SnapshotId.TryCreate(s, out id, out e))
            : null;

    /// <summary>An order status in either the WebSocket or the REST set, any casing, spaces or underscores.</summary>
    public OrderStatus? Status(Node parent, string name, Presence presence)
    {
        var text = String(parent, name, presence, 32);
        if (text is null)
        {
            return null;
        }
        var status = OrderStatuses.TryParse(text);
        if (status is null)
        {
            Fail(parent.Child(name), $"'{TextBounds.Excerpt(text)}' is not a known order status");
        }
        return status;
    }

    /// <summary>Records that a required field is missing or that a present field has the wrong JSON type.</summary>
    public bool Present(Node parent, string name, Presence presence, out Node node)
    {
        if (TryGet(parent, name, out node))
        {
            return true;
        }
        if (parent.Element.ValueKind is not (JsonValueKind.Object or JsonValueKind.Undefined))
        {
            // A field read from an array item that is not an object: the item is at fault, not the field.
            Fail(parent.Path, $"is a JSON {JsonInput.Kind(parent.Element)}, expected an object");
            return false;
        }
        if (presence == Presence.Required)
        {
            Fail(parent.Child(name), "is missing");
        }
        return false;
    }

    private delegate bool TryCreate<T>(string? text, out T id, out string? error);

    private T? IdValue<T>(Node node, Presence presence, TryCreate<T> create)
        where T : struct
    {
        if (node.Element.ValueKind != JsonValueKind.String)
        {
            return WrongType<T>(node, "a string");
        }
        var text = node.Element.GetString()!;
        if (text.Length == 0 && presence == Presence.Optional)
        {
            return null;
        }
        if (!create(text, out var id, out var error))
        {
            Fail(node.Path, error ?? "is not a valid id");
            return null;
        }
        return id;
    }

    private string? WrongType(Node node, string expected)
    {
        Fail(node.Path, $"is a JSON {JsonInput.Kind(node.Element)}, expected {expected}");
        return null;
    }

    private T? WrongType<T>(Node node, string expected)
        where T : struct
    {
        Fail(node.Path, $"is a JSON {JsonInput.Kind(node.Element)}, expected {expected}");
        return null;
    }
}
