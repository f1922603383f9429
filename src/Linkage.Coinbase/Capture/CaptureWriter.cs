using System.Text.Json;

namespace Linkage.Coinbase.Capture;

/// <summary>
/// Writes capture lines byte-stably: <c>{"at":"…","kind":"…","data":…}</c> then <c>\n</c>, with <c>at</c> in UTC as
/// <see cref="Rfc3339.Format"/> writes it and <c>data</c> the given raw JSON verbatim (line breaks, which valid JSON can
/// hold only as insignificant whitespace, become spaces so a record stays one line). Not thread-safe.
/// </summary>
public sealed class CaptureWriter
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = CoinbaseLimits.JsonDepthMax + 1 };

    private readonly TextWriter _writer;

    /// <summary>Writes to <paramref name="writer"/>, which the caller owns (and flushes and disposes).</summary>
    public CaptureWriter(TextWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        _writer = writer;
    }

    /// <summary>Writes one record. <paramref name="data"/> must be one JSON object (a programmer error otherwise).</summary>
    public void Write(DateTimeOffset at, CaptureKind kind, string data)
    {
        _writer.Write(Format(at, kind, data));
    }

    /// <summary>The exact text of one record, line break included.</summary>
    public static string Format(DateTimeOffset at, CaptureKind kind, string data)
    {
        ArgumentNullException.ThrowIfNull(data);
        try
        {
            using var document = JsonDocument.Parse(data, Options);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException("capture data must be a JSON object", nameof(data));
            }
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"capture data is not valid JSON: {e.Message}", nameof(data), e);
        }
        var oneLine = data.Trim().Replace('\r', ' ').Replace('\n', ' ');
        return $"{{\"at\":\"{Rfc3339.Format(at)}\",\"kind\":\"{CaptureKinds.ToWire(kind)}\",\"data\":{oneLine}}}\n";
    }
}
