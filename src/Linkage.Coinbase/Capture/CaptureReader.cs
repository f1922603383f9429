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

    /// <summary>Reads UTF-8 lines from <paramref name="stream"/>; a line whose bytes are not UTF-8 is a problem, not a guess.</summary>
    public static IEnumerable<CaptureLine> Read(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadLines(new ByteLines(stream));
    }

    /// <summary>Reads lines from <paramref name="reader"/>.</summary>
    public static IEnumerable<CaptureLine> Read(TextReader reader)
    {
        ArgumentNullException.ThrowIfNull(reader);
        return ReadLines(new CharLines(reader));
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

    private static IEnumerable<CaptureLine> ReadLines(LineSource source)
    {
        var line = 0;
        while (true)
        {
            var (ended, length) = ReadBoundedLine(source);
            if (ended && length == 0)
            {
                yield break;
            }
            line++;
            var text = source.Text(out var invalid);
            if (length > CoinbaseLimits.CaptureLineLengthMax)
            {
                yield return Problem(line, $"line is {length} {source.Unit}, more than {CoinbaseLimits.CaptureLineLengthMax}", text);
            }
            else if (invalid is not null)
            {
                yield return Problem(line, invalid, text);
            }
            else if (!string.IsNullOrWhiteSpace(text))
            {
                yield return ParseLine(text, line);
            }
            if (ended)
            {
                yield break;
            }
        }
    }

    /// <summary>
    /// Reads up to the next line break, keeping at most <see cref="CoinbaseLimits.CaptureLineLengthMax"/> units (the
    /// rest of a longer line is counted and dropped, so one huge line cannot exhaust memory). A trailing CR is
    /// removed. Returns whether the input ended and the line's full length.
    /// </summary>
    private static (bool Ended, long Length) ReadBoundedLine(LineSource source)
    {
        source.Clear();
        long length = 0;
        while (true)
        {
            var unit = source.Next();
            if (unit is -1 or '\n')
            {
                if (length <= CoinbaseLimits.CaptureLineLengthMax && source.EndsWith('\r'))
                {
                    source.DropLast();
                }
                return (unit == -1, length);
            }
            length++;
            if (length <= CoinbaseLimits.CaptureLineLengthMax)
            {
                source.Keep(unit);
            }
        }
    }

    private static CaptureProblem Problem(int line, string reason, string raw) =>
        new(line, reason, TextBounds.Cut(raw, Limits.QuarantinedPayloadLengthMax));

    /// <summary>Code units (characters or bytes) read one at a time, and the current line's kept units.</summary>
    private abstract class LineSource
    {
        /// <summary>What one unit is, for messages ("characters" or "bytes").</summary>
        public abstract string Unit { get; }

        /// <summary>The next unit, or -1 at the end of the input.</summary>
        public abstract int Next();

        public abstract void Keep(int unit);

        public abstract bool EndsWith(char unit);

        public abstract void DropLast();

        public abstract void Clear();

        /// <summary>The kept units as text; <paramref name="invalid"/> says why when they are not valid text (the text is then a lossy rendering for quarantine).</summary>
        public abstract string Text(out string? invalid);
    }

    private sealed class CharLines(TextReader reader) : LineSource
    {
        private readonly StringBuilder _kept = new();

        public override string Unit => "characters";

        public override int Next() => reader.Read();

        public override void Keep(int unit) => _kept.Append((char)unit);

        public override bool EndsWith(char unit) => _kept.Length > 0 && _kept[^1] == unit;

        public override void DropLast() => _kept.Length--;

        public override void Clear() => _kept.Clear();

        public override string Text(out string? invalid)
        {
            invalid = null;
            return _kept.ToString();
        }
    }

    private sealed class ByteLines(Stream stream) : LineSource
    {
        private readonly MemoryStream _kept = new();

        public override string Unit => "bytes";

        public override int Next() => stream.ReadByte();

        public override void Keep(int unit) => _kept.WriteByte((byte)unit);

        public override bool EndsWith(char unit) => _kept.Length > 0 && _kept.GetBuffer()[_kept.Length - 1] == unit;

        public override void DropLast() => _kept.SetLength(_kept.Length - 1);

        public override void Clear() => _kept.SetLength(0);

        public override string Text(out string? invalid)
        {
            var bytes = _kept.GetBuffer().AsSpan(0, (int)_kept.Length);
            invalid = System.Text.Unicode.Utf8.IsValid(bytes) ? null : "line is not valid UTF-8";
            return Encoding.UTF8.GetString(bytes);
        }
    }
}
