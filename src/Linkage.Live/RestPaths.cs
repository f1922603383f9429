using System.Globalization;
using System.Text;
using Linkage.Coinbase;
using Linkage.Host;

namespace Linkage.Live;

/// <summary>The Advanced Trade URL of each host request (docs/formats.md sections 2, 4 and 5): array parameters repeat their key.</summary>
internal static class RestPaths
{
    /// <summary>Where every Advanced Trade path starts.</summary>
    public const string Prefix = "/api/v3/brokerage";

    /// <summary>Create Order.</summary>
    public static Uri Orders(Uri restBase) => Build(restBase, "/orders", []);

    /// <summary>The URL of <paramref name="call"/>.</summary>
    /// <exception cref="ArgumentException">A call the client cannot send (an empty order id, a List Fills with no order id, a kind it does not know).</exception>
    public static Uri For(Uri restBase, RestCall call) => call switch
    {
        GetOrderCall get when !string.IsNullOrEmpty(get.OrderId) => Build(restBase, "/orders/historical/" + Uri.EscapeDataString(get.OrderId), []),
        ListOpenOrdersCall open => Build(restBase, "/orders/historical/batch", [("order_status", "OPEN"), .. Page(open.Limit, open.Cursor)]),
        ListFillsCall fills when !fills.OrderIds.IsDefaultOrEmpty =>
            Build(restBase, "/orders/historical/fills", [.. fills.OrderIds.Select(id => ("order_ids", id)), .. Page(fills.Limit, fills.Cursor)]),
        ListFillsSinceCall since => Build(restBase, "/orders/historical/fills", [("start_sequence_timestamp", Rfc3339.Format(since.Start)), .. Page(since.Limit, since.Cursor)]),
        // Without an order id List Fills would list every fill of the account: never what a ListFillsCall means.
        ListFillsCall => throw new ArgumentException("a List Fills call names at least one order id", nameof(call)),
        GetOrderCall => throw new ArgumentException("a Get Order call names an order id", nameof(call)),
        _ => throw new ArgumentException($"no Advanced Trade path for {call.GetType().Name}", nameof(call)),
    };

    private static IEnumerable<(string, string)> Page(int limit, string? cursor)
    {
        if (limit <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "a page limit is positive");
        }
        yield return ("limit", limit.ToString(CultureInfo.InvariantCulture));
        if (!string.IsNullOrEmpty(cursor))
        {
            yield return ("cursor", cursor);
        }
    }

    private static Uri Build(Uri restBase, string path, IReadOnlyList<(string Key, string Value)> query)
    {
        var url = new StringBuilder(restBase.GetLeftPart(UriPartial.Path).TrimEnd('/')).Append(Prefix).Append(path);
        for (var i = 0; i < query.Count; i++)
        {
            url.Append(i == 0 ? '?' : '&').Append(Uri.EscapeDataString(query[i].Key)).Append('=').Append(Uri.EscapeDataString(query[i].Value));
        }
        return new Uri(url.ToString(), UriKind.Absolute);
    }
}
