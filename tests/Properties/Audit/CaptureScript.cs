using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;
using Linkage.Coinbase.Capture;
using Linkage.Engine;
using Linkage.Sim.Audit;

namespace Linkage.Properties.Audit;

/// <summary>
/// Writes small captures in the real Coinbase shapes (<c>docs/capture.md</c>, <c>docs/formats.md</c>), one line per call, each 100 ms after
/// the last, through the production <see cref="CaptureWriter"/>. Lines are numbered from 1 as the audit numbers them.
/// </summary>
internal sealed class CaptureScript
{
    public static readonly DateTimeOffset T0 = new(2025, 12, 29, 21, 0, 0, TimeSpan.Zero);

    private static readonly TimeSpan Step = TimeSpan.FromMilliseconds(100);

    private readonly StringBuilder _text = new();
    private DateTimeOffset _at = T0;

    /// <summary>The number of the line written last.</summary>
    public int Line { get; private set; }

    public string Text => _text.ToString();

    /// <summary>The time of the next line: messages carry their own times equal to it.</summary>
    private DateTimeOffset Upcoming => _at + Step;

    /// <summary>Audits the capture into <paramref name="store"/> (a fresh memory store when null).</summary>
    public AuditReport Audit(ILinkageStore? store = null)
    {
        using var owned = store is null ? new MemoryStore() : null;
        return CaptureAudit.Run(CaptureReader.Read(new StringReader(Text)), store ?? owned!);
    }

    public CaptureScript After(TimeSpan wait)
    {
        _at += wait;
        return this;
    }

    /// <summary>An entry intent as the bot posts it, with the client order id the webhook minted.</summary>
    public CaptureScript Intent(string coid, string snapshot, decimal size, decimal? price = 1.25m, string product = "AVNT-USD", string side = "BUY")
    {
        var data = new JsonObject
        {
            ["pair"] = product,
            ["side"] = side.ToLowerInvariant(),
            ["size"] = Dec(size),
            ["snapshot_id"] = snapshot,
            ["score"] = new JsonObject { ["Buy Score"] = "75.3", ["Sell Score"] = null },
            ["trigger"] = "roc_momo",
            ["timestamp"] = Time(Upcoming),
            ["client_order_id"] = coid,
        };
        if (price is { } p)
        {
            data["price"] = Dec(p);
        }
        return Record("intent", data);
    }

    public CaptureScript Request(string coid, decimal size, decimal? price = 1.25m, string product = "AVNT-USD", string side = "BUY") =>
        Record("order_request", new JsonObject
        {
            ["client_order_id"] = coid,
            ["product_id"] = product,
            ["side"] = side,
            ["order_configuration"] = Configuration(size, price),
        });

    public CaptureScript Accepted(string coid, string orderId, string product = "AVNT-USD", string side = "BUY") =>
        Record("order_response", new JsonObject
        {
            ["success"] = true,
            ["success_response"] = new JsonObject { ["order_id"] = orderId, ["product_id"] = product, ["side"] = side, ["client_order_id"] = coid },
        });

    /// <summary>A refused create-order: like the real one, it names no client order id and echoes the configuration.</summary>
    public CaptureScript Refused(decimal size, decimal? price = 1.25m) =>
        Record("order_response", new JsonObject
        {
            ["success"] = false,
            ["error_response"] = new JsonObject { ["error"] = "INSUFFICIENT_FUND", ["message"] = "Insufficient balance in source account", ["new_order_failure_reason"] = "INSUFFICIENT_FUND" },
            ["order_configuration"] = Configuration(size, price),
        });

    public CaptureScript TimedOut(string coid) => Record("order_response", new JsonObject { ["timeout"] = true, ["client_order_id"] = coid });

    /// <summary>Intent, request and accepted response of one entry.</summary>
    public CaptureScript Placed(string coid, string orderId, string snapshot, decimal size, decimal? price = 1.25m, string product = "AVNT-USD") =>
        Intent(coid, snapshot, size, price, product).Request(coid, size, price, product).Accepted(coid, orderId, product);

    /// <summary>A <c>user</c> channel message with one event over the given orders.</summary>
    public CaptureScript User(long sequence, string type, params Order[] orders)
    {
        var list = new JsonArray();
        foreach (var order in orders)
        {
            list.Add(order.ToJson());
        }
        return Ws(sequence, "user", new JsonObject { ["type"] = type, ["orders"] = list });
    }

    public CaptureScript Update(long sequence, params Order[] orders) => User(sequence, "update", orders);

    public CaptureScript Snapshot(long sequence, params Order[] orders) => User(sequence, "snapshot", orders);

    public CaptureScript Subscriptions(long sequence) =>
        Ws(sequence, "subscriptions", new JsonObject { ["subscriptions"] = new JsonObject { ["user"] = new JsonArray("") } });

    public CaptureScript Heartbeat(long sequence, long counter) =>
        Ws(sequence, "heartbeats", new JsonObject { ["current_time"] = "2025-12-29 21:00:00.000201 +0000 UTC m=+1.5", ["heartbeat_counter"] = counter });

    /// <summary>One page of List Fills with rows (entry id, order id, size, price).</summary>
    public CaptureScript Fills(params (string EntryId, string OrderId, decimal Size, decimal Price)[] rows)
    {
        var fills = new JsonArray();
        foreach (var (entry, order, size, price) in rows)
        {
            fills.Add(new JsonObject
            {
                ["entry_id"] = entry,
                ["trade_id"] = "t-" + entry,
                ["order_id"] = order,
                ["trade_time"] = Time(Upcoming),
                ["trade_type"] = "FILL",
                ["price"] = Dec(price),
                ["size"] = Dec(size),
                ["commission"] = "0",
                ["product_id"] = "AVNT-USD",
                ["sequence_timestamp"] = Time(Upcoming),
                ["size_in_quote"] = false,
                ["side"] = "BUY",
            });
        }
        return Record("fills", new JsonObject { ["fills"] = fills, ["cursor"] = "" });
    }

    /// <summary>A Get Order answer.</summary>
    public CaptureScript GetOrder(string orderId, string? coid, decimal filled, string status = "OPEN", string side = "BUY") =>
        Record("order", new JsonObject
        {
            ["order"] = new JsonObject
            {
                ["order_id"] = orderId,
                ["client_order_id"] = coid ?? "",
                ["product_id"] = "AVNT-USD",
                ["side"] = side,
                ["status"] = status,
                ["order_type"] = "LIMIT",
                ["filled_size"] = Dec(filled),
                ["average_filled_price"] = "1.25",
                ["filled_value"] = Dec(filled * 1.25m),
            },
        });

    /// <summary>Get Order's answer for an order id the exchange does not know.</summary>
    public CaptureScript NotFound() =>
        Record("order", new JsonObject { ["error"] = "NOT_FOUND", ["code"] = 5, ["message"] = "order with this orderID was not found", ["details"] = new JsonArray() });

    /// <summary>A legacy <c>match</c> in which the user's order is the maker.</summary>
    public CaptureScript Match(long tradeId, string makerOrderId, decimal size, decimal price = 1.25m) =>
        Record("ws", new JsonObject
        {
            ["type"] = "match",
            ["trade_id"] = tradeId,
            ["sequence"] = 100 + tradeId,
            ["maker_order_id"] = makerOrderId,
            ["taker_order_id"] = "0c9b8a7d-6e5f-4a3b-2c1d-0e9f8a7b6c5d",
            ["time"] = Time(Upcoming),
            ["product_id"] = "AVNT-USD",
            ["size"] = Dec(size),
            ["price"] = Dec(price),
            ["side"] = "buy",
            ["maker_user_id"] = "5844eceecf7e803e259d0365",
        });

    /// <summary>A line exactly as given (for broken lines).</summary>
    public CaptureScript Raw(string line)
    {
        _at += Step;
        _text.Append(line).Append('\n');
        Line++;
        return this;
    }

    public CaptureScript Record(string kind, JsonObject data)
    {
        _at += Step;
        _text.Append(CaptureWriter.Format(_at, CaptureKinds.TryParse(kind)!.Value, data.ToJsonString()));
        Line++;
        return this;
    }

    private CaptureScript Ws(long sequence, string channel, JsonObject @event) =>
        Record("ws", new JsonObject
        {
            ["channel"] = channel,
            ["client_id"] = "",
            ["timestamp"] = Time(Upcoming),
            ["sequence_num"] = sequence,
            ["events"] = new JsonArray(@event),
        });

    private static JsonObject Configuration(decimal size, decimal? price) => price is { } p
        ? new JsonObject { ["limit_limit_gtc"] = new JsonObject { ["base_size"] = Dec(size), ["limit_price"] = Dec(p), ["post_only"] = false } }
        : new JsonObject { ["market_market_ioc"] = new JsonObject { ["base_size"] = Dec(size) } };

    public static string Dec(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    private static string Time(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture);

    /// <summary>One order inside a <c>user</c> event.</summary>
    internal sealed record Order(string OrderId, string? ClientOrderId, decimal Cumulative, decimal Size = 120m, string Status = "OPEN", string Side = "BUY")
    {
        public JsonObject ToJson() => new()
        {
            ["order_id"] = OrderId,
            ["client_order_id"] = ClientOrderId ?? "",
            ["product_id"] = "AVNT-USD",
            ["order_side"] = Side,
            ["order_type"] = "Limit",
            ["status"] = Status,
            ["cumulative_quantity"] = Dec(Cumulative),
            ["leaves_quantity"] = Dec(Status == "OPEN" ? Size - Cumulative : 0m),
            ["avg_price"] = Cumulative == 0m ? "0" : "1.25",
            ["filled_value"] = Dec(Cumulative * 1.25m),
            ["total_fees"] = "0",
            ["number_of_fills"] = Cumulative == 0m ? "0" : "1",
        };
    }
}
