using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using Linkage.Engine;

namespace Linkage.Coinbase;

/// <summary>
/// What a webhook writes to Coinbase: the create-order request body (docs/formats.md), and the capture file's marker
/// for a create-order that got no answer in time (docs/capture.md). Shared by the host (which sends them) and the
/// simulated exchange (which answers them in the same shapes). Pure functions of their arguments.
/// </summary>
public static class CreateOrderRequests
{
    /// <summary>
    /// Characters such as <c>+</c> are written as themselves, as Coinbase's servers write them; the default encoder would
    /// escape them (<c>\u002B</c>), which is valid JSON but not what the wire carries.
    /// </summary>
    public static readonly JsonSerializerOptions SerializerOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>
    /// Create-order request body (<c>limit_limit_gtc</c> with a price, <c>market_market_ioc</c> without), with an
    /// <c>attached_order_configuration</c> when <paramref name="bracket"/> is given.
    /// </summary>
    public static string Request(string clientOrderId, string product, Side side, decimal size, decimal? limitPrice, Bracket? bracket = null) =>
        Write(w =>
        {
            w.WriteString("client_order_id", clientOrderId);
            w.WriteString("product_id", product);
            w.WriteString("side", side == Side.Buy ? "BUY" : "SELL");
            OrderConfiguration(w, size, limitPrice);
            if (bracket is not null)
            {
                AttachedOrderConfiguration(w, bracket);
            }
        });

    /// <summary>
    /// The <c>attached_order_configuration</c> of an entry with a bracket: <c>trigger_bracket_gtc</c>, the only
    /// configuration Coinbase accepts there, without <c>base_size</c> (the attached order has the parent's size).
    /// </summary>
    public static void AttachedOrderConfiguration(Utf8JsonWriter w, Bracket bracket)
    {
        ArgumentNullException.ThrowIfNull(w);
        ArgumentNullException.ThrowIfNull(bracket);
        w.WriteStartObject("attached_order_configuration");
        w.WriteStartObject(AttachedBracketKind);
        w.WriteString("limit_price", bracket.TakeProfit.ToString(CultureInfo.InvariantCulture));
        w.WriteString("stop_trigger_price", bracket.StopLoss.ToString(CultureInfo.InvariantCulture));
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>The only configuration Coinbase accepts in <c>attached_order_configuration</c>.</summary>
    public const string AttachedBracketKind = "trigger_bracket_gtc";

    /// <summary>The capture line a webhook writes when a create-order got no answer within its timeout.</summary>
    public static string Timeout(string clientOrderId) =>
        Write(w =>
        {
            w.WriteBoolean("timeout", true);
            w.WriteString("client_order_id", clientOrderId);
        });

    /// <summary>The <c>order_configuration</c> object of a plain limit (GTC) or market (IOC) order sized in base units.</summary>
    public static void OrderConfiguration(Utf8JsonWriter w, decimal size, decimal? limitPrice)
    {
        ArgumentNullException.ThrowIfNull(w);
        w.WriteStartObject("order_configuration");
        if (limitPrice is { } price)
        {
            w.WriteStartObject("limit_limit_gtc");
            w.WriteString("base_size", size.ToString(CultureInfo.InvariantCulture));
            w.WriteString("limit_price", price.ToString(CultureInfo.InvariantCulture));
            w.WriteBoolean("post_only", false);
        }
        else
        {
            w.WriteStartObject("market_market_ioc");
            w.WriteString("base_size", size.ToString(CultureInfo.InvariantCulture));
        }
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>One JSON object, written by <paramref name="body"/>, as text.</summary>
    public static string Write(Action<Utf8JsonWriter> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        using var buffer = new PooledBufferWriter(512);
        using (var w = new Utf8JsonWriter(buffer, WriterOptions))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
