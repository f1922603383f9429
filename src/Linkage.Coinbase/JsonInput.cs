using System.Buffers;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Unicode;

namespace Linkage.Coinbase;

/// <summary>
/// The one way the parsers turn text or bytes into a <see cref="JsonDocument"/>: size, encoding, depth, duplicate keys
/// and escaped surrogates are checked here, once, so every parser refuses the same bad input with the same reasons and
/// no later read of a string can throw.
/// </summary>
internal static class JsonInput
{
    public static readonly JsonDocumentOptions MessageOptions = new()
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
        if (!TryEncode(json, CoinbaseLimits.MessageLengthMax, out var buffer, out var written, out var reason))
        {
            return ParseResult.Fail<T>(null, reason);
        }
        try
        {
            // The document is read and disposed before the rented bytes go back, so it need not copy them.
            if (!TryParseDocument(new ReadOnlyMemory<byte>(buffer, 0, written), CoinbaseLimits.MessageLengthMax, MessageOptions, copy: false, out var document, out reason))
            {
                return ParseResult.Fail<T>(null, reason);
            }
            using (document)
            {
                return Read(document, read);
            }
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
        if (!TryParseDocument(utf8, CoinbaseLimits.MessageLengthMax, MessageOptions, out var document, out var reason))
        {
            return ParseResult.Fail<T>(null, reason);
        }
        using (document)
        {
            return Read(document, read);
        }
    }

    /// <summary>Text to a document, refusing text longer than <paramref name="lengthMax"/> UTF-8 bytes or with unpaired surrogates.</summary>
    public static bool TryParseDocument(string? json, int lengthMax, JsonDocumentOptions options, [NotNullWhen(true)] out JsonDocument? document, out string reason)
    {
        document = null;
        if (!TryEncode(json, lengthMax, out var buffer, out var written, out reason))
        {
            return false;
        }
        try
        {
            return TryParseDocument(new ReadOnlyMemory<byte>(buffer, 0, written), lengthMax, options, out document, out reason);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Text to UTF-8 in an array rented from <see cref="ArrayPool{T}.Shared"/> (the caller returns it), refusing text
    /// longer than <paramref name="lengthMax"/> characters or with unpaired surrogates.
    /// </summary>
    private static bool TryEncode(string? json, int lengthMax, [NotNullWhen(true)] out byte[]? buffer, out int written, out string reason)
    {
        buffer = null;
        written = 0;
        reason = "";
        if (json is null)
        {
            reason = "message is missing";
            return false;
        }
        if (json.Length > lengthMax)
        {
            reason = TooLong(json.Length, "characters", lengthMax);
            return false;
        }
        var rented = ArrayPool<byte>.Shared.Rent(Encoding.UTF8.GetMaxByteCount(json.Length));

        // Refuse text with unpaired surrogates instead of silently replacing them.
        if (Utf8.FromUtf16(json, rented, out _, out written, replaceInvalidSequences: false) != OperationStatus.Done)
        {
            ArrayPool<byte>.Shared.Return(rented);
            reason = "message is not valid UTF-16 text (unpaired surrogate)";
            return false;
        }
        buffer = rented;
        return true;
    }

    /// <summary>
    /// Bytes to a document. The document copies what it needs, so the caller may reuse <paramref name="utf8"/> after.
    /// A string escaping half a surrogate pair (<c>"\ud800"</c>) is refused here, because reading it later would throw.
    /// </summary>
    public static bool TryParseDocument(ReadOnlyMemory<byte> utf8, int lengthMax, JsonDocumentOptions options, [NotNullWhen(true)] out JsonDocument? document, out string reason) =>
        TryParseDocument(utf8, lengthMax, options, copy: true, out document, out reason);

    /// <summary>
    /// Bytes to a document; with <paramref name="copy"/> false the document reads <paramref name="utf8"/> in place, so the
    /// caller must dispose it before reusing those bytes.
    /// </summary>
    private static bool TryParseDocument(ReadOnlyMemory<byte> utf8, int lengthMax, JsonDocumentOptions options, bool copy, [NotNullWhen(true)] out JsonDocument? document, out string reason)
    {
        document = null;
        reason = "";
        if (utf8.Length > lengthMax)
        {
            reason = TooLong(utf8.Length, "bytes", lengthMax);
            return false;
        }
        if (!Utf8.IsValid(utf8.Span))
        {
            reason = "message is not valid UTF-8";
            return false;
        }
        JsonDocument parsed;
        try
        {
            // JsonDocument.Parse over memory keeps a reference to it; a copy makes the document independent of a rented buffer.
            parsed = JsonDocument.Parse(copy ? utf8.ToArray() : utf8, options);
        }
        catch (JsonException e)
        {
            reason = NotJson(e);
            return false;
        }
        if (FindUnpairedSurrogate(utf8.Span, options) is { } offset)
        {
            parsed.Dispose();
            reason = $"a string at byte {offset} escapes half a surrogate pair";
            return false;
        }
        document = parsed;
        return true;
    }

    /// <summary>
    /// The reader's complaint in a user's words: where (the byte in the message, 1-based) and what, without the .NET
    /// reader's own bookkeeping (<c>LineNumber: 0 | BytePositionInLine: 120</c>, <c>Path: $</c>), which names nothing a
    /// user wrote (issue 14, item 8).
    /// </summary>
    internal static string NotJson(JsonException e)
    {
        var message = e.Message;
        foreach (var marker in new[] { " Path: ", " LineNumber: " })
        {
            var at = message.IndexOf(marker, StringComparison.Ordinal);
            if (at >= 0)
            {
                message = message[..at];
            }
        }
        message = message.Trim().TrimEnd('.', '|').Trim();
        if (message.Contains("Expected depth to be zero", StringComparison.Ordinal) || message.Contains("end of data", StringComparison.OrdinalIgnoreCase))
        {
            message = "the message ends before its objects, arrays or strings are closed (cut short?)";
        }
        else if (message.Contains("does not contain any JSON tokens", StringComparison.Ordinal))
        {
            message = "the message is empty";
        }
        var where = e.BytePositionInLine is { } position ? string.Create(CultureInfo.InvariantCulture, $" at byte {position + 1}") : "";
        return $"not valid JSON{where}: {message}";
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

    private static ParseResult<T> Read<T>(JsonDocument document, Func<Node, FieldReader, T?> read)
        where T : class
    {
        var root = new Node(document.RootElement, "");
        if (root.Element.ValueKind != JsonValueKind.Object)
        {
            return ParseResult.Fail<T>(null, $"message is a JSON {Kind(root.Element)}, not an object");
        }
        var reader = new FieldReader();
        var value = read(root, reader);
        if (reader.Error is { } error)
        {
            return ParseResult.Fail<T>(error);
        }
        return value is null
            ? throw new InvalidOperationException("A reader returned no value and recorded no error.")
            : ParseResult.Ok(value);
    }

    /// <summary>
    /// The byte offset of the first string or key whose escapes leave a surrogate unpaired, or null. Only escaped tokens
    /// can hold one (raw bytes were checked as UTF-8), and the framework's own decoding is the test of validity.
    /// </summary>
    private static long? FindUnpairedSurrogate(ReadOnlySpan<byte> utf8, JsonDocumentOptions options)
    {
        // Without a \u escape anywhere there is nothing to decode: the common case costs one scan for two bytes.
        if (utf8.IndexOf("\\u"u8) < 0)
        {
            return null;
        }
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = options.MaxDepth, AllowTrailingCommas = options.AllowTrailingCommas, CommentHandling = options.CommentHandling });
        while (reader.Read())
        {
            if (reader.TokenType is JsonTokenType.String or JsonTokenType.PropertyName && reader.ValueIsEscaped)
            {
                try
                {
                    _ = reader.GetString();
                }
                catch (InvalidOperationException)
                {
                    return reader.TokenStartIndex;
                }
            }
        }
        return null;
    }

    private static string TooLong(int length, string unit, int lengthMax) => $"message is {length} {unit}, more than {lengthMax}";
}
