using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Linkage.Sim.Exchange;

namespace Linkage.Sim.Server;

/// <summary>JSON in and out at the wire server's edge: Coinbase's error shapes, and camelCase names read as snake_case.</summary>
internal static class WireJson
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Deepest JSON a request body may nest; deeper is a bad request, not a stack risk.</summary>
    public const int RequestDepthMax = 32;

    public static string Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    /// <summary>The gRPC-style body Coinbase sends with a non-200 status: <c>error</c>, <c>code</c>, <c>message</c>, <c>details</c>.</summary>
    public static string Error(string error, int code, string message) =>
        Write(w =>
        {
            w.WriteString("error", error);
            w.WriteNumber("code", code);
            w.WriteString("message", message);
            w.WriteString("error_details", message);
            w.WriteStartArray("details");
            w.WriteEndArray();
        });

    /// <summary>
    /// A name as snake_case: <c>clientOrderId</c> is <c>client_order_id</c>, <c>limitLimitGtc</c> is <c>limit_limit_gtc</c>;
    /// a name already in snake_case (or upper case) is unchanged, and a trailing <c>[]</c> (PHP-style arrays) is dropped.
    /// </summary>
    public static string Snake(string name)
    {
        if (name.EndsWith("[]", StringComparison.Ordinal))
        {
            name = name[..^2];
        }
        if (!name.Any(char.IsUpper) || name.All(c => !char.IsLower(c)))
        {
            return name;
        }
        var b = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (char.IsUpper(c))
            {
                if (i > 0 && name[i - 1] != '_')
                {
                    b.Append('_');
                }
                b.Append(char.ToLowerInvariant(c));
            }
            else
            {
                b.Append(c);
            }
        }
        return b.ToString();
    }

    /// <summary>Parses a request body and renames every object key to snake_case; null (with the reason) when it is not JSON.</summary>
    public static JsonObject? ParseBody(string text, out string? error)
    {
        error = null;
        try
        {
            var node = JsonNode.Parse(text, documentOptions: new JsonDocumentOptions { MaxDepth = RequestDepthMax });
            if (node is not JsonObject obj)
            {
                error = "request body must be a JSON object";
                return null;
            }
            var normalised = (JsonObject)Normalise(obj)!;
            ReadEveryString(normalised);
            return normalised;
        }
        catch (JsonException e)
        {
            error = "malformed JSON: " + e.Message;
            return null;
        }
        catch (InvalidOperationException)
        {
            // A string escape that is valid JSON but no valid text (a lone surrogate such as \udc00).
            error = "malformed JSON: a string holds an invalid escape";
            return null;
        }
    }

    /// <summary>Decodes every string once, so one that cannot be text fails here and not in a handler.</summary>
    private static void ReadEveryString(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                foreach (var (_, value) in obj)
                {
                    ReadEveryString(value);
                }
                break;
            case JsonArray array:
                foreach (var value in array)
                {
                    ReadEveryString(value);
                }
                break;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                _ = value.GetValue<string>();
                break;
            default:
                break;
        }
    }

    private static JsonNode? Normalise(JsonNode? node) => node switch
    {
        JsonObject obj => new JsonObject(obj.Select(p => KeyValuePair.Create(Snake(p.Key), Normalise(p.Value?.DeepClone())))
            .GroupBy(p => p.Key, StringComparer.Ordinal).Select(g => g.First())),
        JsonArray array => new JsonArray([.. array.Select(v => Normalise(v?.DeepClone()))]),
        _ => node?.DeepClone(),
    };

    /// <summary>A string field (a JSON string, or a number written as text); null when absent or of another type.</summary>
    public static string? Text(JsonObject obj, string name) => obj[name] switch
    {
        JsonValue v when v.TryGetValue<string>(out var s) => s,
        JsonValue v when v.GetValueKind() == JsonValueKind.Number => v.ToJsonString(),
        _ => null,
    };

    /// <summary>A decimal field written as a string (Coinbase's way) or a number; null when absent; false when present but not a decimal.</summary>
    public static bool TryDecimal(JsonObject obj, string name, out decimal? value)
    {
        value = null;
        var text = Text(obj, name);
        if (obj[name] is null)
        {
            return true;
        }
        if (text is null || !decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d))
        {
            return false;
        }
        value = d;
        return true;
    }

    public static string Dec(decimal value) => CoinbaseWire.Dec(value);
}
