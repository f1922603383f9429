using FsCheck;
using FsCheck.Fluent;
using Linkage.Coinbase;

namespace Linkage.Properties.Coinbase;

/// <summary>The tracker's law over generated deliveries: silent exactly when the connection delivered 0, 1, 2, ... in order.</summary>
public sealed class SequenceTrackerProperties
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 14, 15, 9, 0, TimeSpan.Zero);

    /// <summary>0..n-1, then each number dropped, doubled or swapped with its successor at random.</summary>
    private static readonly Gen<long[]> Deliveries =
        from n in Gen.Choose(1, 40)
        from faults in Gen.ArrayOf(Gen.Frequency((8, Gen.Constant(0)), (1, Gen.Constant(1)), (1, Gen.Constant(2)), (1, Gen.Constant(3))), n)
        select Deliver(n, faults);

    private static long[] Deliver(int n, int[] faults)
    {
        var delivered = new List<long>();
        for (var i = 0; i < n; i++)
        {
            switch (faults[i])
            {
                case 1:
                    break;
                case 2:
                    delivered.Add(i);
                    delivered.Add(i);
                    break;
                case 3 when delivered.Count > 0:
                    delivered.Insert(delivered.Count - 1, i);
                    break;
                default:
                    delivered.Add(i);
                    break;
            }
        }
        return [.. delivered];
    }

    [Test]
    public void Anomaly_is_reported_exactly_when_the_delivery_is_not_a_gapless_prefix() =>
        Prop.ForAll(Deliveries.ToArbitrary(), delivered =>
        {
            var tracker = new SequenceTracker();
            var anomalies = delivered.SelectMany(s => tracker.Observe(new OtherChannelMessage("user", null, T0, s))).ToList();
            var clean = delivered.Select((s, i) => s == i).All(x => x);
            return Prop.Label(anomalies.Count == 0 == clean, $"[{string.Join(",", delivered)}] -> {string.Join("; ", anomalies)}");
        }).QuickCheckThrowOnFailure();

    /// <summary>
    /// A stray message with a number far ahead (an old message re-sent on a newer connection) is reported, but must not
    /// become the baseline: the genuine numbers after it are not stale, and a real loss after it is still noticed.
    /// </summary>
    [Test]
    public void A_stray_number_far_ahead_does_not_hide_a_later_gap()
    {
        var tracker = new SequenceTracker();
        var anomalies = new List<(long Sequence, SequenceAnomalyKind Kind)>();
        foreach (var sequence in new long[] { 0, 1, 2, 759, 3, 4, 6, 7 })
        {
            anomalies.AddRange(tracker.Observe(new OtherChannelMessage("user", null, T0, sequence)).Select(a => (sequence, a.Kind)));
        }
        Assert.That(anomalies, Is.EqualTo(new[] { (759L, SequenceAnomalyKind.Gap), (3L, SequenceAnomalyKind.Stale), (6L, SequenceAnomalyKind.Gap) }));
    }

    /// <summary>Two neighbours swapped: a gap, then the late one as stale, and no gap after it (nothing is missing).</summary>
    [Test]
    public void A_swapped_pair_reports_no_gap_after_the_late_one()
    {
        var tracker = new SequenceTracker();
        var anomalies = new List<(long Sequence, SequenceAnomalyKind Kind)>();
        foreach (var sequence in new long[] { 0, 1, 3, 2, 4, 5 })
        {
            anomalies.AddRange(tracker.Observe(new OtherChannelMessage("user", null, T0, sequence)).Select(a => (sequence, a.Kind)));
        }
        Assert.That(anomalies, Is.EqualTo(new[] { (3L, SequenceAnomalyKind.Gap), (2L, SequenceAnomalyKind.Stale) }));
    }
}
