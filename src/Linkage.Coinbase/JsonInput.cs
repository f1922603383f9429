using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Linkage.Coinbase;

/// <summary>
/// The one way the parsers turn text or bytes into a <see cref="JsonDocument"/>: size, encoding, depth and duplicate keys
/// are checked here, once, so every parser refuses the same bad input with the same reasons.
/// </summary>
internal static class JsonInput
{
    private static readonly JsonDocumentOptions Options = new()
    {
        MaxDepth = CoinbaseLimits.JsonDepthMax,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,

        // Two values for one key make a message ambiguous: refuse it rather than pick one.
        AllowDuplicateProperties = false,
    };

    /// <summary>Parses <paramref name="json"/> and runs <paramref name="read"/> over its root; bad input becomes a failed result.</summary>
    public static ParseResult<T> Parse<T>(string? json, Func<Node, FieldReader, T?> read)
        where T : class
    {
        if (json is null)
        {
            return ParseResult.Fail<T>(null, "message is missing");
        }
        if (json.Length > CoinbaseLimits.MessageLengthMax)
        {
            return TooLong<T>(json.Length, "characters");
        }
        var buffer = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));
        try
        {
            // Refuse text with unpaired surrogates instead of silently replacing them.
            var status = Utf8.FromUtf16(json, buffer, out _, out var written, replaceInvalidSequences: false);
            return status == OperationStatus.Done
                ? Parse(new ReadOnlyMemory<byte>(buffer, 0, written), read)
                : ParseResult.Fail<T>(null, "message is not valid UTF-16 text (unpaired surrogate)");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>Parses UTF-8 bytes and runs <paramref name="read"/> over the root; bad input becomes a failed result.</summary>
    public static ParseResult<T> Parse<T>(ReadOnlyMemory<byte> utf8, Func<Node, FieldReader, T?> read)
        where T : class
    {
        if (utf8.Length > CoinbaseLimits.MessageLengthMax)
        {
            return TooLong<T>(utf8.Length, "bytes");
        }
        if (!Utf8.IsValid(utf8.Span))
        {
            return ParseResult.Fail<T>(null, "message is not valid UTF-8");
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, Options);
        }
        catch (JsonException e)
        {
            return ParseResult.Fail<T>(null, $"not valid JSON: {e.Message}");
        }
        using (document)
        {
            var reader = new FieldReader();
            var root = new Node(document.RootElement, "");
            if (root.Element.ValueKind != JsonValueKind.Object)
            {
                return ParseResult.Fail<T>(null, $"message is a JSON {Kind(root.Element)}, not an object");
            }
            var value = read(root, reader);
            if (reader.Error is { } error)
            {
                return ParseResult.Fail<T>(error);
            }
            return value is null
                ? throw new InvalidOperationException("A reader returned no value and recorded no error.")
                : ParseResult.Ok(value);
        }
    }

    /// <summary>The JSON kind's name as errors print it.</summary>
    public static string Kind(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "object",
        JsonValueKind.Array => "array",
        JsonValueKind.String => "string",
        JsonValueKind.Number => "number",
        JsonValueKind.True or JsonValueKind.False => "boolean",
        JsonValueKind.Null => "null",
        _ => "value",
    };

    private static ParseResult<T> TooLong<T>(int length, string unit) =>
        ParseResult.Fail<T>(null, $"message is {length} {unit}, more than {CoinbaseLimits.MessageLengthMax}");
}
