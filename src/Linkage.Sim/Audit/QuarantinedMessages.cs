using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Linkage.Engine;

namespace Linkage.Sim.Audit;

/// <summary>
/// What quarantined messages said about bot orders. A message the engine refused (a field out of range, a value it
/// could not read) still names its order and often how much it executed; the audit reads that much of its raw payload,
/// tolerantly, so a bot fill the engine never saw is counted as an unlinked fill of its order instead of vanishing from
/// the report (issue 14, item 2). Only well-formed JSON is read; a line cut short names nothing.
/// </summary>
internal sealed class QuarantinedMessages
{
    /// <summary>Most objects read from one payload, so a huge quarantined line costs a bounded walk.</summary>
    private const int ObjectsPerPayloadMax = 1_000;

    private static readonly string[] QuantityFields = ["cumulative_quantity", "filled_size", "cumulative_filled_size"];

    private readonly List<(string? ClientOrderId, string? OrderId, decimal Quantity, int Line, string Reason)> _mentions = [];

    /// <summary>What the quarantined messages said about one order: the largest quantity shown executed, the lines, the first reason.</summary>
    public sealed record Found(decimal Quantity, ImmutableArray<int> Lines, string Reason)
    {
        public static readonly Found Nothing = new(0m, [], "");
    }

    public static QuarantinedMessages ByOrder(IEnumerable<QuarantineRecord> records)
    {
        var result = new QuarantinedMessages();
        foreach (var record in records)
        {
            result.Read(record);
        }
        return result;
    }

    public Found About(OrderRecord order)
    {
        var mine = _mentions.Where(m => m.ClientOrderId == order.ClientOrderId.Value || (m.OrderId is { } id && id == order.ExchangeOrderId?.Value)).ToList();
        return mine.Count == 0
            ? Found.Nothing
            : new Found(mine.Max(m => m.Quantity), [.. mine.Select(m => m.Line).Distinct().Order()], mine.OrderBy(m => m.Line).First().Reason);
    }

    private void Read(QuarantineRecord record)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(record.RawPayload);
        }
        catch (JsonException)
        {
            return;
        }
        using (document)
        {
            var seen = 0;
            var stack = new Stack<JsonElement>([document.RootElement]);
            while (stack.Count > 0 && seen++ < ObjectsPerPayloadMax)
            {
                var element = stack.Pop();
                if (element.ValueKind == JsonValueKind.Array)
                {
                    foreach (var item in element.EnumerateArray())
                    {
                        stack.Push(item);
                    }
                    continue;
                }
                if (element.ValueKind != JsonValueKind.Object)
                {
                    continue;
                }
                var clientOrderId = Text(element, "client_order_id");
                var orderId = Text(element, "order_id");
                if (clientOrderId is not null || orderId is not null)
                {
                    var quantity = QuantityFields.Select(f => Number(element, f)).Max();
                    _mentions.Add((clientOrderId, orderId, quantity, record.Line ?? 0, record.Reason));
                }
                foreach (var property in element.EnumerateObject())
                {
                    stack.Push(property.Value);
                }
            }
        }
    }

    private static string? Text(JsonElement element, string name) =>
        element.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static decimal Number(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out var value))
        {
            return 0m;
        }
        var text = value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Number => value.GetRawText(),
            _ => null,
        };
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var quantity) && quantity > 0m ? quantity : 0m;
    }
}
