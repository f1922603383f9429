using System.Text;
using System.Text.Json;
using Linkage.Engine;

namespace Linkage.Coinbase.Capture;

/// <summary>
/// Reads a capture file (JSON Lines <c>{"at": RFC 3339, "kind": ..., "data": {...}}</c>) line by line. A line that is
/// not valid JSON, lacks a valid <c>at</c>, has an unknown <c>kind</c>, has no object <c>data</c>, or is longer than
/// <see cref="CoinbaseLimits.CaptureLineLengthMax"/> is returned as a <see cref="CaptureProblem"/> with its line number
/// and reason, and reading goes on. Blank lines are skipped. Validation of <c>data</c> against its kind is the
/// consumer's (it calls the matching parser). Lazy and single-pass; never throws for bad content.
/// </summary>
public static class CaptureReader
{
    private static readonly JsonDocumentOptions Options = new()
    {
        MaxDepth = CoinbaseLimits.JsonDepthMax + 1,
        AllowDuplicateProperties = false,
        AllowTrailingCommas = false,
        CommentHandling = JsonCommentHandling.Disallow,
    };

    /// <summary>Reads UTF-8 from <paramref name="stream"/>; bytes that are not UTF-8 become U+FFFD and fail validation later.</summary>
    public static IEnumerable<CaptureLine> Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return Read(new StreamReader(stream, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false), detectEncodingFromByteOrderMarks: false, leaveOpen: true));
    }

    /// <summary>Reads lines from <paramref name="reader"/>.</summary>
    public static IEnumerable<CaptureLine> Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return ReadLines(reader);
    }

    /// <summary>Parses one line (without its line break) as line number <paramref name="line"/>.</summary>
    public static CaptureLine ParseLine(string text, int line)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!JsonInput.TryParseDocument(text, CoinbaseLimits.CaptureLineLengthMax, Options, out var document, out var reason))
        {
            return Problem(line, reason.Replace("message is", "line is", StringComparison.Ordinal), text);
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return Problem(line, "line is not a JSON object", text);
            }
            if (!root.TryGetProperty("at", out var at) || at.ValueKind != JsonValueKind.String)
            {
                return Problem(line, "'at' is missing or not a string", text);
            }
            if (!Rfc3339.TryParse(at.GetString(), out var time, out var timeReason))
            {
                return Problem(line, $"'at': {timeReason}", text);
            }
            if (!root.TryGetProperty("kind", out var kindElement) || kindElement.ValueKind != JsonValueKind.String)
            {
                return Problem(line, "'kind' is missing or not a string", text);
            }
            var kindText = kindElement.GetString();
            if (CaptureKinds.TryParse(kindText) is not { } kind)
            {
                return Problem(line, $"unknown kind '{TextBounds.Excerpt(kindText ?? "")}'", text);
            }
            if (!root.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Object)
            {
                return Problem(line, "'data' is missing or not an object", text);
            }
            return new CaptureRecord(line, time, kind, data.GetRawText());
        }
    }

    private static IEnumerable<CaptureLine> ReadLines(TextReader reader)
    {
        var buffer = new StringBuilder();
        var line = 0;
        while (true)
        {
            buffer.Clear();
            var (ended, tooLong, length) = ReadBoundedLine(reader, buffer);
            if (ended && length == 0 && buffer.Length == 0)
            {
                yield break;
            }
            line++;
            if (tooLong)
            {
                yield return Problem(line, $"line is {length} characters, more than {CoinbaseLimits.CaptureLineLengthMax}", buffer.ToString());
            }
            else if (!string.IsNullOrWhiteSpace(buffer.ToString()))
            {
                yield return ParseLine(buffer.ToString(), line);
            }
            if (ended)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// Reads up to the next line break, keeping at most <see cref="CoinbaseLimits.CaptureLineLengthMax"/> characters
    /// (the rest of a longer line is counted and dropped, so one huge line cannot exhaust memory). A trailing CR is
    /// removed. Returns whether the input ended, whether the line was too long, and its full length.
    /// </summary>
    private static (bool Ended, bool TooLong, long Length) ReadBoundedLine(TextReader reader, StringBuilder buffer)
    {
        long length = 0;
        while (true)
        {
            var c = reader.Read();
            if (c == -1)
            {
                TrimCarriageReturn(buffer, length);
                return (true, length > CoinbaseLimits.CaptureLineLengthMax, length);
            }
            if (c == '\n')
            {
                TrimCarriageReturn(buffer, length);
                return (false, length > CoinbaseLimits.CaptureLineLengthMax, length);
            }
            length++;
            if (length <= CoinbaseLimits.CaptureLineLengthMax)
            {
                buffer.Append((char)c);
            }
        }
    }

    private static void TrimCarriageReturn(StringBuilder buffer, long length)
    {
        if (length <= CoinbaseLimits.CaptureLineLengthMax && buffer.Length > 0 && buffer[^1] == '\r')
        {
            buffer.Length--;
        }
    }

    private static CaptureProblem Problem(int line, string reason, string raw) =>
        new(line, reason, TextBounds.Cut(raw, Limits.QuarantinedPayloadLengthMax));
}
