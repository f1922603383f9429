using Linkage.Engine;

namespace Linkage.Properties;

public sealed class ClientOrderIdTests
{
    [Test]
    public void Minted_id_is_ours_ascii_and_at_most_36_characters()
    {
        var intent = new Intent
        {
            Kind = IntentKind.Entry,
            Product = ProductId.From("BTC-USD"),
            Side = Side.Buy,
            Size = 0.002m,
            Snapshot = SnapshotId.From("aaa"),
            DecidedAt = new DateTimeOffset(2025, 12, 29, 21, 0, 0, TimeSpan.Zero),
        };
        var id = ClientOrderIds.For(intent);
        Assert.Multiple(() =>
        {
            Assert.That(id.IsMintedByLinkage, Is.True);
            Assert.That(id.Value, Has.Length.LessThanOrEqualTo(36));
            Assert.That(id.Value, Does.Match("^[A-Za-z0-9-]+$"));
            Assert.That(ClientOrderIds.For(intent with { Size = 0.0020m }), Is.EqualTo(id), "scale does not change the intent");
            Assert.That(ClientOrderIds.For(intent with { Snapshot = SnapshotId.From("bbb") }), Is.Not.EqualTo(id));
        });
    }
}
