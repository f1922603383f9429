using Linkage.Host;

namespace Linkage.Sim.Exchange;

/// <summary>
/// The exchange as a webhook reaches it: REST calls and the WebSocket. Everything crosses as JSON text, so the client
/// parses exactly what it would parse in production. The simulated exchange implements it; tests may wrap it to inject
/// faults.
/// </summary>
public interface IExchangeApi
{
    /// <summary><c>POST /orders</c>; <paramref name="respond"/> is called with the response body later, or never (a lost response).</summary>
    void CreateOrder(string requestJson, Action<string> respond);

    /// <summary><c>GET /orders/historical/{order_id}</c>; 404 for an unknown order.</summary>
    RestResponse GetOrder(string orderId);

    /// <summary><c>GET /orders/historical/batch?order_status=OPEN</c>, one page.</summary>
    RestResponse ListOpenOrders(string? cursor, int limit);

    /// <summary><c>GET /orders/historical/fills?order_ids=...</c>, one page.</summary>
    RestResponse ListFills(IReadOnlyCollection<string> orderIds, string? cursor, int limit);

    /// <summary>
    /// <c>GET /orders/historical/fills?start_sequence_timestamp=...</c>: every fill of the account posted at or after
    /// <paramref name="start"/>, whoever placed the order, one page.
    /// </summary>
    RestResponse ListFillsSince(DateTimeOffset start, string? cursor, int limit);

    /// <summary>Opens the WebSocket and subscribes (<c>heartbeats</c> and <c>user</c>, or the legacy feed); returns the connection.</summary>
    FeedConnection Connect(IFeedSubscriber subscriber);
}
