using Linkage.Host;
using Linkage.Sim.Exchange;

namespace Linkage.Sim.Crash;

/// <summary>
/// The exchange as the crash test's webhook reaches it: every call and every message passes a kill point first, so the
/// process can die with a create-order staged but not sent, with an answer or a feed message unread, or halfway through
/// a reconciliation. Heartbeats pass no kill point: dying on one is no different from dying just before it.
/// </summary>
public sealed class KillPointExchange(IExchangeApi inner, KillSwitch killSwitch) : IExchangeApi
{
    public const string Send = "send";
    public const string Ack = "ack";
    public const string Feed = "feed";
    public const string Rest = "rest";

    public void CreateOrder(string requestJson, Action<string> respond)
    {
        killSwitch.Cross(Send);
        inner.CreateOrder(requestJson, response =>
        {
            killSwitch.Cross(Ack);
            respond(response);
        });
    }

    public RestResponse GetOrder(string orderId)
    {
        killSwitch.Cross(Rest);
        return inner.GetOrder(orderId);
    }

    public RestResponse ListOpenOrders(string? cursor, int limit)
    {
        killSwitch.Cross(Rest);
        return inner.ListOpenOrders(cursor, limit);
    }

    public RestResponse ListFills(IReadOnlyCollection<string> orderIds, string? cursor, int limit)
    {
        killSwitch.Cross(Rest);
        return inner.ListFills(orderIds, cursor, limit);
    }

    public RestResponse ListFillsSince(DateTimeOffset start, string? cursor, int limit)
    {
        killSwitch.Cross(Rest);
        return inner.ListFillsSince(start, cursor, limit);
    }

    public FeedConnection Connect(IFeedSubscriber subscriber) => inner.Connect(new Subscriber(subscriber, killSwitch));

    private sealed class Subscriber(IFeedSubscriber inner, KillSwitch killSwitch) : IFeedSubscriber
    {
        public void OnFeedMessage(string json)
        {
            if (!IsHeartbeat(json))
            {
                killSwitch.Cross(Feed);
            }
            inner.OnFeedMessage(json);
        }

        private static bool IsHeartbeat(string json) =>
            json.Contains("\"channel\":\"heartbeats\"", StringComparison.Ordinal) || json.Contains("\"type\":\"heartbeat\"", StringComparison.Ordinal);
    }
}
