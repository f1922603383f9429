using System.Text.Json;
using Linkage.Coinbase;
using Linkage.Sim.Exchange;

namespace Linkage.Sim.Server;

/// <summary>
/// The exchange's truth at exit, for judging any client's run: every order (with its client order id and final state),
/// every trade (with <c>entry_id</c>, <c>trade_id</c>, size, price, commission), every injected fault, and with
/// <c>--scenario</c> the script's plan and what each step did.
/// </summary>
internal static class TruthFile
{
    public static string Build(ExchangeBook book, WireFaults faults, ulong seed) => book.Run(view =>
    {
        var (events, counts) = faults.Snapshot();
        var orders = view.Orders;
        var trades = view.Trades;
        return WireJson.Write(w =>
        {
            w.WriteNumber("seed", seed);
            w.WriteString("faults_profile", faults.Profile.Name);
            w.WriteString("written_at", CoinbaseWire.Micros(view.Now));
            w.WriteStartArray("orders");
            foreach (var o in orders)
            {
                w.WriteStartObject();
                w.WriteString("order_id", o.OrderId);
                w.WriteString("client_order_id", o.ClientOrderId);
                w.WriteString("product_id", o.Product);
                w.WriteString("side", o.Side == Engine.Side.Buy ? "BUY" : "SELL");
                w.WriteString("order_type", o.IsLimit ? "LIMIT" : "MARKET");
                w.WriteString("size", WireJson.Dec(o.Size));
                if (o.LimitPrice is { } limit)
                {
                    w.WriteString("limit_price", WireJson.Dec(limit));
                }
                w.WriteString("status", OrderStatuses.ToWire(o.Status));
                w.WriteString("filled_size", WireJson.Dec(o.CumulativeQuantity));
                w.WriteString("filled_value", WireJson.Dec(o.FilledValue));
                w.WriteString("total_fees", WireJson.Dec(o.TotalFees));
                w.WriteNumber("number_of_fills", o.NumberOfFills);
                w.WriteString("created_time", CoinbaseWire.Micros(o.CreatedAt));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("trades");
            foreach (var (o, t) in trades)
            {
                w.WriteStartObject();
                w.WriteString("entry_id", t.EntryId);
                w.WriteString("trade_id", t.TradeId);
                w.WriteString("order_id", o.OrderId);
                w.WriteString("client_order_id", o.ClientOrderId);
                w.WriteString("product_id", o.Product);
                w.WriteString("size", WireJson.Dec(t.Size));
                w.WriteString("price", WireJson.Dec(t.Price));
                w.WriteString("commission", WireJson.Dec(t.Commission));
                w.WriteString("liquidity_indicator", t.OrderIsMaker ? "MAKER" : "TAKER");
                w.WriteString("trade_time", CoinbaseWire.Micros(t.Time));
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartObject("fault_counts");
            foreach (var (kind, count) in counts)
            {
                w.WriteNumber(kind, count);
            }
            w.WriteEndObject();
            w.WriteStartArray("faults");
            foreach (var e in events)
            {
                w.WriteStartObject();
                w.WriteString("at", CoinbaseWire.Micros(e.At));
                w.WriteString("kind", e.Kind);
                w.WriteString("target", e.Target);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            if (view.Player is { } player)
            {
                w.WriteStartObject("scenario");
                player.Write(w);
                w.WriteEndObject();
            }
        });
    });

    public static void Save(string path, string json)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        using var document = JsonDocument.Parse(json);
        File.WriteAllText(path, JsonSerializer.Serialize(document.RootElement, new JsonSerializerOptions { WriteIndented = true }) + "\n");
    }
}
