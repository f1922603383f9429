using System.Globalization;
using Linkage.Sim.World;

namespace Linkage.Properties.Sim.World;

public sealed class MessageDrawTests
{
    /// <summary>
    /// Golden values: the hash is our own, so a seed and an identity decide the same on every platform and .NET version;
    /// a change to the function changes every scenario's faults and must be deliberate.
    /// </summary>
    [Test]
    public void Hash_is_the_same_on_every_run_and_platform()
    {
        Assert.Multiple(() =>
        {
            Assert.That(MessageDraw.Hash(1, "fault:drop", "update:label:o1:OPEN:0.001#0"), Is.EqualTo(Golden[0]));
            Assert.That(MessageDraw.Hash(0, "", ""), Is.EqualTo(Golden[1]));
            Assert.That(MessageDraw.Hash(ulong.MaxValue, "coalesce", "label:x5:0.87598668"), Is.EqualTo(Golden[2]));
        });
    }

    private static readonly ulong[] Golden = [17954656310900222902UL, 2456161683335050104UL, 11091352969297848712UL];

    [Test]
    public void Seed_kind_and_identity_each_move_the_hash_and_text_boundaries_count()
    {
        var hashes = new[]
        {
            MessageDraw.Hash(1, "fault:drop", "a"),
            MessageDraw.Hash(2, "fault:drop", "a"),
            MessageDraw.Hash(1, "fault:reorder", "a"),
            MessageDraw.Hash(1, "fault:drop", "b"),
            MessageDraw.Hash(1, "ab", "c"),
            MessageDraw.Hash(1, "a", "bc"),
        };
        Assert.That(hashes.Distinct().Count(), Is.EqualTo(hashes.Length));
    }

    [Test]
    public void Chance_of_a_quarter_comes_true_for_about_a_quarter_of_identities_and_never_for_zero()
    {
        var identities = Enumerable.Range(0, 100_000).Select(i => "update:label:o" + i.ToString(CultureInfo.InvariantCulture) + "#0").ToList();
        var hits = identities.Count(id => MessageDraw.Chance(7, "fault:duplicate", id, 0.25m));
        Assert.Multiple(() =>
        {
            Assert.That(hits, Is.InRange(24_000, 26_000));
            Assert.That(identities.Any(id => MessageDraw.Chance(7, "fault:duplicate", id, 0m)), Is.False);
            Assert.That(identities.All(id => MessageDraw.Chance(7, "fault:duplicate", id, 1m)), Is.True);
        });
    }

    /// <summary>Independent kinds: whether a message is dropped says nothing about whether it is duplicated.</summary>
    [Test]
    public void Kinds_are_drawn_independently()
    {
        var identities = Enumerable.Range(0, 40_000).Select(i => "m" + i.ToString(CultureInfo.InvariantCulture)).ToList();
        var both = identities.Count(id => MessageDraw.Chance(3, "fault:drop", id, 0.5m) && MessageDraw.Chance(3, "fault:duplicate", id, 0.5m));
        Assert.That(both, Is.InRange(9_400, 10_600), "a quarter of the messages, as two independent halves give");
    }
}
