using Linkage.Coinbase;

namespace Linkage.Properties.Coinbase;

public sealed class SequenceTrackerTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 14, 15, 9, 0, TimeSpan.Zero);

    private static OtherChannelMessage Message(long sequence, double seconds = 0) => new("user", null, T0.AddSeconds(seconds), sequence);

    private static HeartbeatMessage Heartbeat(long sequence, long counter, double seconds) => new(null, T0.AddSeconds(seconds), sequence, counter, null);

    private static SequenceAnomalyKind[] Kinds(IEnumerable<SequenceAnomaly> anomalies) => [.. anomalies.Select(a => a.Kind)];

    private static List<SequenceAnomaly> Feed(SequenceTracker tracker, params FeedMessage[] messages) =>
        [.. messages.SelectMany(m => tracker.Observe(m))];

    [Test]
    public void Consecutive_numbers_from_zero_are_quiet()
    {
        var tracker = new SequenceTracker();
        Assert.Multiple(() =>
        {
            Assert.That(Feed(tracker, Message(0), Message(1), Message(2), Message(3)), Is.Empty);
            Assert.That(tracker.LastSequence, Is.EqualTo(3));
        });
    }

    [Test]
    public void Jump_is_a_gap_naming_expected_and_got()
    {
        var anomaly = Feed(new SequenceTracker(), Message(0), Message(1), Message(2), Message(3), Message(5)).Single();
        Assert.Multiple(() =>
        {
            Assert.That(anomaly.Kind, Is.EqualTo(SequenceAnomalyKind.Gap));
            Assert.That(anomaly.Detail, Is.EqualTo("expected 4, got 5"));
        });
    }

    [Test]
    public void After_a_gap_counting_resumes_from_the_new_number() =>
        Assert.That(Kinds(Feed(new SequenceTracker(), Message(0), Message(3), Message(4), Message(5))), Is.EqualTo(new[] { SequenceAnomalyKind.Gap }));

    [Test]
    public void First_message_not_zero_means_the_first_were_lost() =>
        Assert.That(Feed(new SequenceTracker(), Message(2)).Single().Detail, Is.EqualTo("expected 0, got 2"));

    [Test]
    public void Same_number_again_is_a_duplicate() =>
        Assert.That(Kinds(Feed(new SequenceTracker(), Message(0), Message(1), Message(1), Message(2))), Is.EqualTo(new[] { SequenceAnomalyKind.Duplicate }));

    [Test]
    public void Lower_number_is_stale_and_does_not_move_the_counter()
    {
        var tracker = new SequenceTracker();
        var anomalies = Feed(tracker, Message(0), Message(1), Message(2), Message(1), Message(3));
        Assert.Multiple(() =>
        {
            Assert.That(Kinds(anomalies), Is.EqualTo(new[] { SequenceAnomalyKind.Stale }));
            Assert.That(anomalies.Single().Detail, Is.EqualTo("got 1 after 2"));
            Assert.That(tracker.LastSequence, Is.EqualTo(3));
        });
    }

    [Test]
    public void Zero_without_a_new_connection_is_a_counter_reset_and_rebases()
    {
        var anomalies = Feed(new SequenceTracker(), Message(0), Message(1), Message(2), Message(0), Message(1));
        Assert.That(Kinds(anomalies), Is.EqualTo(new[] { SequenceAnomalyKind.CounterReset }));
    }

    [Test]
    public void New_connection_reports_reconnect_and_restarts_at_zero()
    {
        var tracker = new SequenceTracker();
        Feed(tracker, Message(0), Message(1), Message(2));
        var reconnect = tracker.NewConnection();
        var after = Feed(tracker, Message(0), Message(1));
        Assert.Multiple(() =>
        {
            Assert.That(Kinds(reconnect), Is.EqualTo(new[] { SequenceAnomalyKind.Reconnected }));
            Assert.That(reconnect.Single().Detail, Is.EqualTo("new connection after sequence 2"));
            Assert.That(after, Is.Empty);
        });
    }

    [Test]
    public void First_connection_is_not_a_reconnect() => Assert.That(new SequenceTracker().NewConnection(), Is.Empty);

    [Test]
    public void Heartbeat_counter_jump_is_a_heartbeat_gap()
    {
        var anomalies = Feed(new SequenceTracker(), Heartbeat(0, 3050, 0), Heartbeat(1, 3051, 1), Heartbeat(2, 3054, 2));
        Assert.Multiple(() =>
        {
            Assert.That(Kinds(anomalies), Is.EqualTo(new[] { SequenceAnomalyKind.HeartbeatGap }));
            Assert.That(anomalies.Single().Detail, Is.EqualTo("expected heartbeat 3052, got 3054"));
        });
    }

    [Test]
    public void Silence_longer_than_allowed_in_message_time_is_reported_once()
    {
        var tracker = new SequenceTracker(TimeSpan.FromSeconds(5));
        var anomalies = Feed(tracker, Heartbeat(0, 1, 0), Message(1, 4), Message(2, 6), Message(3, 7));
        Assert.Multiple(() =>
        {
            Assert.That(Kinds(anomalies), Is.EqualTo(new[] { SequenceAnomalyKind.HeartbeatSilence }));
            Assert.That(anomalies.Single().Detail, Is.EqualTo("no heartbeat for 6 s (more than 5 s)"));
        });
    }

    [Test]
    public void Silence_is_rearmed_by_the_next_heartbeat()
    {
        var tracker = new SequenceTracker(TimeSpan.FromSeconds(5));
        var anomalies = Feed(tracker, Heartbeat(0, 1, 0), Message(1, 6), Heartbeat(2, 2, 7), Message(3, 13));
        Assert.That(Kinds(anomalies), Is.EqualTo(new[] { SequenceAnomalyKind.HeartbeatSilence, SequenceAnomalyKind.HeartbeatSilence }));
    }

    [Test]
    public void Silence_is_noticed_by_the_hosts_tick_when_nothing_arrives()
    {
        var tracker = new SequenceTracker(TimeSpan.FromSeconds(5));
        Feed(tracker, Heartbeat(0, 1, 0));
        Assert.Multiple(() =>
        {
            Assert.That(tracker.CheckSilence(T0.AddSeconds(5)), Is.Empty);
            Assert.That(Kinds(tracker.CheckSilence(T0.AddSeconds(9))), Is.EqualTo(new[] { SequenceAnomalyKind.HeartbeatSilence }));
        });
    }

    [Test]
    public void Connection_without_heartbeats_is_never_silent()
    {
        var tracker = new SequenceTracker(TimeSpan.FromSeconds(5));
        Assert.That(Feed(tracker, Message(0, 0), Message(1, 60), Message(2, 600)), Is.Empty);
    }

    [Test]
    public void Legacy_messages_are_not_tracked()
    {
        var match = (FeedMessage)CoinbaseParser.ParseWebSocket(Examples.LegacyMatch).Value;
        Assert.That(Feed(new SequenceTracker(), match, match), Is.Empty);
    }

    [Test]
    public void Parsed_feed_in_formats_order_has_the_documented_gap()
    {
        // Subscriptions ack at 0, snapshot at 1, then the update at 14: 2..13 were lost.
        var messages = new[] { Examples.Subscriptions, Examples.UserSnapshot, Examples.UserUpdate, Examples.UserUpdateFilled, Examples.Heartbeat }
            .Select(j => CoinbaseParser.ParseWebSocket(j).Value).ToArray();
        var anomalies = Feed(new SequenceTracker(), messages);
        Assert.That(anomalies.Select(a => $"{a.Kind}: {a.Detail}"), Is.EqualTo(new[] { "Gap: expected 2, got 14" }));
    }
}
