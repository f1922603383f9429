using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Linkage.Sim.Reports;

/// <summary>
/// One JSON object as text, written by a body, the way every report and protocol line of the command line writes it:
/// UTF-8, fixed property order (the body's), <c>\n</c> line ends. The texts are files and lines for people and tools,
/// never embedded in HTML, so '+', '&lt;', '&gt;' and non-ASCII stay readable.
/// </summary>
internal static class JsonText
{
    private static readonly JsonWriterOptions Indented = new() { Indented = true, NewLine = "\n", Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonWriterOptions Compact = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>An indented document ending in a newline (a report file).</summary>
    public static string Document(Action<Utf8JsonWriter> body) => Object(body, Indented) + "\n";

    /// <summary>A single line without its newline (a protocol line).</summary>
    public static string Line(Action<Utf8JsonWriter> body) => Object(body, Compact);

    private static string Object(Action<Utf8JsonWriter> body, JsonWriterOptions options)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, options))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }
}
