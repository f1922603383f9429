using System.Globalization;
using System.Text;
using System.Text.Json;
using Linkage.Engine;

namespace Linkage.Serve;

/// <summary>
/// The intake API's JSON (docs/api.md): snake_case keys, decimals as strings (as Coinbase writes them, so no float ever
/// rounds a size or a price), times in RFC 3339 UTC.
/// </summary>
internal static class ApiJson
{
    public static string Write(Action<Utf8JsonWriter> body)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return Encoding.UTF8.GetString(stream.ToArray());
    }

    /// <summary><c>{"error": {"code": CODE, "field": FIELD, "reason": REASON}}</c>.</summary>
    public static string Error(string code, string? field, string reason) => Write(w =>
    {
        w.WriteStartObject("error");
        w.WriteString("code", code);
        if (field is not null)
        {
            w.WriteString("field", field);
        }
        w.WriteString("reason", reason);
        w.WriteEndObject();
    });

    public static string Dec(decimal value) => (value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    public static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.ffffff'Z'", CultureInfo.InvariantCulture);

    private static void Optional(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, Dec(v));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Optional(Utf8JsonWriter w, string name, string? value)
    {
        if (value is null)
        {
            w.WriteNull(name);
        }
        else
        {
            w.WriteString(name, value);
        }
    }

    public static void Order(Utf8JsonWriter w, OrderRecord o)
    {
        w.WriteString("client_order_id", o.ClientOrderId.Value);
        Optional(w, "order_id", o.ExchangeOrderId?.Value);
        w.WriteString("kind", o.Intent.Kind.ToString().ToLowerInvariant());
        w.WriteString("product_id", o.Intent.Product.Value);
        w.WriteString("side", o.Intent.Side == Side.Buy ? "BUY" : "SELL");
        Optional(w, "size", o.Intent.Size);
        Optional(w, "limit_price", o.Intent.Price);
        Optional(w, "snapshot_id", o.Intent.Snapshot?.Value);
        Optional(w, "trigger", o.Intent.Trigger);
        w.WriteBoolean("placed_by_caller", o.Intent.PlacedByCaller);
        w.WriteString("placement", o.Placement.ToString().ToLowerInvariant());
        Optional(w, "reject_reason", o.RejectReason);
        w.WriteString("status", o.Status.ToString().ToUpperInvariant());
        w.WriteString("staged_at", Time(o.StagedAt));
        Optional(w, "terminal_at", o.TerminalAt is { } t ? Time(t) : null);
        w.WriteString("linked_size", Dec(o.Linked.Quantity));
        w.WriteString("linked_value", Dec(o.Linked.Value));
        w.WriteString("linked_fees", Dec(o.Linked.Fees));
        Optional(w, "exchange_filled_size", o.ExchangeFilledQuantity);
        w.WriteString("allocated_size", Dec(o.Allocated));
        w.WriteString("open_size", Dec(o.Open));
    }

    public static void Link(Utf8JsonWriter w, LinkRecord l)
    {
        w.WriteString("client_order_id", l.ClientOrderId.Value);
        w.WriteString("order_id", l.ExchangeOrderId.Value);
        w.WriteNumber("sequence", l.Sequence);
        w.WriteString("kind", l.Kind.ToString().ToLowerInvariant());
        Optional(w, "snapshot_id", l.Snapshot?.Value);
        w.WriteString("product_id", l.Product.Value);
        w.WriteString("side", l.Side == Side.Buy ? "BUY" : "SELL");
        w.WriteString("size", Dec(l.Quantity));
        w.WriteString("linked_from", Dec(l.From));
        w.WriteString("linked_to", Dec(l.To));
        w.WriteString("price", Dec(l.Price));
        w.WriteString("fee", Dec(l.Fee));
        w.WriteString("provenance", l.Provenance.ToString());
        w.WriteString("source", l.SourceKey);
        Optional(w, "buy_score", l.BuyScore);
        Optional(w, "sell_score", l.SellScore);
        Optional(w, "trigger", l.Trigger);
        w.WriteString("at", Time(l.At));
    }

    public static void Fill(Utf8JsonWriter w, FillRecord f)
    {
        w.WriteString("order_id", f.Fill.ExchangeOrderId.Value);
        Optional(w, "trade_id", f.Fill.TradeId);
        w.WriteString("key", f.Fill.Key.ToString());
        w.WriteString("trade_type", f.Fill.TradeType.ToString().ToUpperInvariant());
        w.WriteString("size", Dec(f.Fill.Size));
        w.WriteString("price", Dec(f.Fill.Price));
        w.WriteString("commission", Dec(f.Fill.Commission));
        Optional(w, "trade_time", f.Fill.TradeTime is { } t ? Time(t) : null);
        w.WriteString("at", Time(f.At));
    }

    public static void Allocation(Utf8JsonWriter w, AllocationRecord a)
    {
        w.WriteString("exit_client_order_id", a.ExitClientOrderId.Value);
        w.WriteString("entry_client_order_id", a.EntryClientOrderId.Value);
        w.WriteNumber("sequence", a.Sequence);
        Optional(w, "entry_snapshot_id", a.EntrySnapshot?.Value);
        w.WriteString("product_id", a.Product.Value);
        w.WriteString("size", Dec(a.Quantity));
        w.WriteString("entry_price", Dec(a.EntryPrice));
        w.WriteString("exit_price", Dec(a.ExitPrice));
        w.WriteString("realized_pnl", Dec(a.RealizedPnl));
        Optional(w, "exit_trigger", a.ExitTrigger);
        w.WriteString("at", Time(a.At));
    }

    public static void Array<T>(Utf8JsonWriter w, string name, IEnumerable<T> items, Action<Utf8JsonWriter, T> item)
    {
        w.WriteStartArray(name);
        foreach (var x in items)
        {
            w.WriteStartObject();
            item(w, x);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
