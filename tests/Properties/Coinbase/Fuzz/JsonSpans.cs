using System.Text.Json;

namespace Linkage.Properties.Coinbase.Fuzz;

/// <summary>Where one property sits in the bytes: its name token starts at <see cref="NameStart"/>, its value spans [<see cref="ValueStart"/>, <see cref="ValueEnd"/>).</summary>
internal readonly record struct PropertySpan(int NameStart, int ValueStart, int ValueEnd);

/// <summary>
/// Finds every property of a JSON text by byte offsets, so mutations splice raw bytes (an escaped surrogate, a number
/// out of range, 1e400) that a JSON object model would refuse to hold. On text that is already broken it returns the
/// properties complete before the break.
/// </summary>
internal static class JsonSpans
{
    public static List<PropertySpan> Find(byte[] utf8)
    {
        var spans = new List<PropertySpan>();
        var open = new Stack<(int Index, int NameStart, int ValueStart)>();
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 4096 });
        var pendingName = -1;
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.PropertyName:
                        pendingName = (int)reader.TokenStartIndex;
                        break;
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        open.Push((spans.Count, pendingName, (int)reader.TokenStartIndex));
                        pendingName = -1;
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        var (_, nameStart, valueStart) = open.Pop();
                        if (nameStart >= 0)
                        {
                            spans.Add(new PropertySpan(nameStart, valueStart, (int)reader.BytesConsumed));
                        }
                        break;
                    default:
                        if (pendingName >= 0)
                        {
                            spans.Add(new PropertySpan(pendingName, (int)reader.TokenStartIndex, (int)reader.BytesConsumed));
                        }
                        pendingName = -1;
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Broken text: keep what was complete.
        }
        spans.Sort((a, b) => a.NameStart.CompareTo(b.NameStart));
        return spans;
    }

    /// <summary>The property's name as written (without quotes; escapes left as they are).</summary>
    public static string Name(byte[] utf8, PropertySpan span)
    {
        var end = Array.IndexOf(utf8, (byte)'"', span.NameStart + 1);
        return System.Text.Encoding.UTF8.GetString(utf8, span.NameStart + 1, end - span.NameStart - 1);
    }
}
