namespace Linkage.Sim.Exchange;

/// <summary>Whoever listens to the exchange's WebSocket: receives each message as the raw JSON text it would read off the socket.</summary>
public interface IFeedSubscriber
{
    void OnFeedMessage(string json);
}

/// <summary>
/// One WebSocket connection: its own <c>sequence_num</c> counter from 0 (Advanced Trade numbers messages per connection,
/// shared by all channels on it), its heartbeat counter, and whether it is still up. A message sent on a connection
/// that has since closed is lost, as on a real socket.
/// </summary>
public sealed class FeedConnection
{
    internal FeedConnection(int id, IFeedSubscriber subscriber, DateTimeOffset openedAt)
    {
        Id = id;
        Subscriber = subscriber;
        OpenedAt = openedAt;
    }

    /// <summary>1 for the first connection of a run, then counting up.</summary>
    public int Id { get; }

    public IFeedSubscriber Subscriber { get; }
    public DateTimeOffset OpenedAt { get; }
    public bool IsOpen { get; internal set; } = true;

    /// <summary>Messages sent so far, which is also the next message's <c>sequence_num</c>.</summary>
    public long Sent { get; private set; }

    internal long HeartbeatCounter { get; set; }

    /// <summary>Whether a heartbeat is due on this connection (the channel pauses when the feed is quiet).</summary>
    internal bool HeartbeatScheduled { get; set; }

    /// <summary>When this connection last carried a message other than a heartbeat.</summary>
    internal DateTimeOffset LastTraffic { get; set; }

    internal long NextSequence() => Sent++;
}
