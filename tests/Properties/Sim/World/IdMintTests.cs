using Linkage.Sim.World;

namespace Linkage.Properties.Sim.World;

public sealed class IdMintTests
{
    [Test]
    public void Minted_ids_are_version_4_uuids_and_distinct()
    {
        var mint = new IdMint(42);
        var ids = Enumerable.Range(0, 1000).Select(_ => mint.NextUuid()).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ids, Has.All.Match("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"));
            Assert.That(ids.Distinct().Count(), Is.EqualTo(ids.Count));
        });
    }

    [Test]
    public void Same_seed_mints_the_same_ids()
    {
        var a = new IdMint(42);
        var b = new IdMint(42);
        Assert.Multiple(() =>
        {
            Assert.That(Enumerable.Range(0, 5).Select(_ => a.NextUuid()), Is.EqualTo(Enumerable.Range(0, 5).Select(_ => b.NextUuid())));
            Assert.That(a.NextLegacyTradeId(), Is.EqualTo(b.NextLegacyTradeId()));
            Assert.That(new IdMint(43).NextUuid(), Is.Not.EqualTo(new IdMint(42).NextUuid()));
        });
    }

    [Test]
    public void Snapshot_label_maps_to_one_uuid_whatever_was_minted_before_and_a_uuid_label_is_kept()
    {
        var fresh = new IdMint(42);
        var used = new IdMint(42);
        used.NextUuid();
        const string Uuid = "b042c0bb-6184-4d40-aa65-2f7c8d83a243";
        Assert.Multiple(() =>
        {
            Assert.That(used.Snapshot("aaa"), Is.EqualTo(fresh.Snapshot("aaa")));
            Assert.That(fresh.Snapshot("aaa"), Is.Not.EqualTo(fresh.Snapshot("bbb")));
            Assert.That(IdMint.IsUuid(fresh.Snapshot("aaa")), Is.True);
            Assert.That(fresh.Snapshot(Uuid), Is.EqualTo(Uuid));
        });
    }

    [Test]
    public void Legacy_trade_ids_increase()
    {
        var mint = new IdMint(1);
        var first = mint.NextLegacyTradeId();
        Assert.That(mint.NextLegacyTradeId(), Is.EqualTo(first + 1));
    }
}
