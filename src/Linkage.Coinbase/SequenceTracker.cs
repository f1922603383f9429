using System.Collections.Immutable;
using System.Globalization;

namespace Linkage.Coinbase;

/// <summary>What the sequence tracker noticed. Every kind means "messages may have been lost: reconcile now".</summary>
public enum SequenceAnomalyKind
{
    /// <summary><c>sequence_num</c> jumped: the numbers between were lost.</summary>
    Gap,

    /// <summary>The same <c>sequence_num</c> arrived again.</summary>
    Duplicate,

    /// <summary>A lower <c>sequence_num</c> arrived: out-of-order or stale delivery.</summary>
    Stale,

    /// <summary>The counter restarted at 0 without <see cref="SequenceTracker.NewConnection"/>: the connection was replaced unseen.</summary>
    CounterReset,

    /// <summary>The host opened a new connection: nothing is replayed, so whatever happened in between must be fetched.</summary>
    Reconnected,

    /// <summary><c>heartbeat_counter</c> jumped: heartbeats (and maybe other messages) were lost.</summary>
    HeartbeatGap,

    /// <summary>No heartbeat for longer than the allowed silence, measured in message time.</summary>
    HeartbeatSilence,
}

/// <summary>One anomaly as data: its kind and a detail such as <c>expected 4, got 5</c>.</summary>
public sealed record SequenceAnomaly(SequenceAnomalyKind Kind, string Detail);

/// <summary>
/// Watches one WebSocket connection's Advanced Trade <c>sequence_num</c> (one counter per connection, shared by all its
/// channels, starting at 0) and its heartbeats, and reports anomalies as data; the host treats each as "reconcile now".
/// Time is message time (envelope <c>timestamp</c>) or the time the host passes to <see cref="CheckSilence"/>: the
/// tracker reads no clock. Silence is watched only once a heartbeat has been seen on the connection (a connection not
/// subscribed to heartbeats sends none). Legacy messages carry per-product sequences that skip by design on the user
/// channel, so they are not tracked. Not thread-safe: one tracker per connection, fed in arrival order.
/// </summary>
public sealed class SequenceTracker
{
    /// <summary>Default for the longest silence between heartbeats (they are sent once a second).</summary>
    public static readonly TimeSpan HeartbeatSilenceMaxDefault = TimeSpan.FromSeconds(5);

    private readonly TimeSpan _heartbeatSilenceMax;
    private long? _lastSequence;

    /// <summary>The last number before the latest forward jump, while no message has confirmed the jump yet.</summary>
    private long? _beforeJump;

    /// <summary>A number that arrived ahead of the sequence (a jump the next message undid): when the sequence reaches it, it is not missing.</summary>
    private long? _arrivedAhead;
    private long? _lastHeartbeatCounter;
    private DateTimeOffset? _lastHeartbeatAt;
    private bool _silenceReported;

    /// <param name="heartbeatSilenceMax">The longest silence between heartbeats before <see cref="SequenceAnomalyKind.HeartbeatSilence"/>; positive.</param>
    public SequenceTracker(TimeSpan? heartbeatSilenceMax = null)
    {
        _heartbeatSilenceMax = heartbeatSilenceMax ?? HeartbeatSilenceMaxDefault;
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(_heartbeatSilenceMax, TimeSpan.Zero, nameof(heartbeatSilenceMax));
    }

    /// <summary>The last sequence number accepted on this connection, or null before the first.</summary>
    public long? LastSequence => _lastSequence;

    /// <summary>
    /// The host opened a new connection: the counter restarts at 0 and heartbeat tracking starts over. Reports
    /// <see cref="SequenceAnomalyKind.Reconnected"/> when an earlier connection had delivered anything, because
    /// messages sent while disconnected are not replayed.
    /// </summary>
    public ImmutableArray<SequenceAnomaly> NewConnection()
    {
        var hadMessages = _lastSequence is not null;
        var detail = hadMessages ? $"new connection after sequence {Text(_lastSequence!.Value)}" : "";
        _lastSequence = null;
        _beforeJump = null;
        _arrivedAhead = null;
        _lastHeartbeatCounter = null;
        _lastHeartbeatAt = null;
        _silenceReported = false;
        return hadMessages ? [new SequenceAnomaly(SequenceAnomalyKind.Reconnected, detail)] : [];
    }

    /// <summary>Observes one message in arrival order and returns the anomalies it reveals (usually none).</summary>
    public ImmutableArray<SequenceAnomaly> Observe(FeedMessage message)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (message is not AdvancedTradeMessage envelope)
        {
            return [];
        }
        var anomalies = ImmutableArray.CreateBuilder<SequenceAnomaly>();
        ObserveSequence(envelope.SequenceNum, anomalies);
        if (envelope is HeartbeatMessage heartbeat)
        {
            ObserveHeartbeat(heartbeat, anomalies);
        }
        else
        {
            AddSilence(envelope.Timestamp, anomalies);
        }
        return anomalies.ToImmutable();
    }

    /// <summary>
    /// Checks heartbeat silence at <paramref name="now"/> (the host's tick, in the same time base as the messages), so a
    /// connection that went quiet altogether is noticed. Reports each silence once, until the next heartbeat.
    /// </summary>
    public ImmutableArray<SequenceAnomaly> CheckSilence(DateTimeOffset now)
    {
        var anomalies = ImmutableArray.CreateBuilder<SequenceAnomaly>();
        AddSilence(now, anomalies);
        return anomalies.ToImmutable();
    }

    private void ObserveSequence(long sequence, ImmutableArray<SequenceAnomaly>.Builder anomalies)
    {
        if (_lastSequence is not { } last)
        {
            // A new connection's counter starts at 0; a later first number means its first messages were lost.
            if (sequence != 0)
            {
                anomalies.Add(new SequenceAnomaly(SequenceAnomalyKind.Gap, $"expected 0, got {Text(sequence)}"));
            }
            _lastSequence = sequence;
            return;
        }
        if (sequence == last + 1)
        {
            _lastSequence = sequence;
            _beforeJump = null;
        }
        else if (_arrivedAhead is { } ahead && last + 1 == ahead && sequence == ahead + 1)
        {
            // The number in between came early (a reordering, already reported): nothing is missing.
            _lastSequence = sequence;
            _arrivedAhead = null;
        }
        else if (_beforeJump is { } baseline && sequence == baseline + 1)
        {
            // The forward jump (already reported as a gap) was a stray message, not where the connection is: the next
            // message continues the numbers from before it. Back to that baseline, or every genuine message after the
            // stray one would read as stale and a real loss after it would never be noticed. It is still reported as
            // stale (late after a higher number), which means no loss.
            anomalies.Add(new SequenceAnomaly(SequenceAnomalyKind.Stale, $"got {Text(sequence)} after {Text(last)}"));
            _arrivedAhead = last;
            _lastSequence = sequence;
            _beforeJump = null;
        }
        else if (sequence == last)
        {
            anomalies.Add(new SequenceAnomaly(SequenceAnomalyKind.Duplicate, $"sequence {Text(sequence)} again"));
        }
        else if (sequence == 0)
        {
            anomalies.Add(new SequenceAnomaly(SequenceAnomalyKind.CounterReset, $"counter restarted at 0 after {Text(Math.Max(last, _arrivedAhead ?? last))}"));
            _lastSequence = 0;
            _beforeJump = null;
            _arrivedAhead = null;
            _lastHeartbeatCounter = null;
        }
        else if (_beforeJump is { } before && sequence > before && sequence < last)
        {
            // The numbers from before a stray forward jump go on, with some missing in between: that is a real gap.
            anomalies.Add(new SequenceAnomaly(SequenceAnomalyKind.Gap, $"expected {Text(before + 1)}, got {Text(sequence)} (after a stray {Text(last)})"));
            _lastSequence = sequence;
            _beforeJump = null;
        }
        else if (sequence < last)
        {
            anomalies.Add(new SequenceAnomaly(SequenceAnomalyKind.Stale, $"got {Text(sequence)} after {Text(last)}"));
        }
        else
        {
            anomalies.Add(new SequenceAnomaly(SequenceAnomalyKind.Gap, $"expected {Text(last + 1)}, got {Text(sequence)}"));
            _beforeJump = last;
            _lastSequence = sequence;
        }
    }

    private void ObserveHeartbeat(HeartbeatMessage heartbeat, ImmutableArray<SequenceAnomaly>.Builder anomalies)
    {
        AddSilence(heartbeat.Timestamp, anomalies);
        if (_lastHeartbeatCounter is { } last && heartbeat.Counter > last + 1)
        {
            anomalies.Add(new SequenceAnomaly(SequenceAnomalyKind.HeartbeatGap, $"expected heartbeat {Text(last + 1)}, got {Text(heartbeat.Counter)}"));
        }
        if (_lastHeartbeatCounter is not { } previous || heartbeat.Counter > previous)
        {
            _lastHeartbeatCounter = heartbeat.Counter;
        }
        if (_lastHeartbeatAt is not { } at || heartbeat.Timestamp > at)
        {
            _lastHeartbeatAt = heartbeat.Timestamp;
        }
        _silenceReported = false;
    }

    private void AddSilence(DateTimeOffset now, ImmutableArray<SequenceAnomaly>.Builder anomalies)
    {
        if (_silenceReported || _lastHeartbeatAt is not { } last || now - last <= _heartbeatSilenceMax)
        {
            return;
        }
        _silenceReported = true;
        var silence = (now - last).TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        var allowed = _heartbeatSilenceMax.TotalSeconds.ToString("0.###", CultureInfo.InvariantCulture);
        anomalies.Add(new SequenceAnomaly(SequenceAnomalyKind.HeartbeatSilence, $"no heartbeat for {silence} s (more than {allowed} s)"));
    }

    private static string Text(long value) => value.ToString(CultureInfo.InvariantCulture);
}
