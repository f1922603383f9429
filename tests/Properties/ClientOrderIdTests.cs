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

    private static readonly Intent Golden = new()
    {
        Kind = IntentKind.Entry,
        Product = ProductId.From("BTC-USD"),
        Side = Side.Buy,
        Size = 0.002m,
        Price = 50000m,
        Snapshot = SnapshotId.From("aaa"),
        BuyScore = 75.3m,
        Trigger = "roc_momo",
        DecidedAt = new DateTimeOffset(2025, 12, 29, 21, 0, 0, TimeSpan.Zero),
    };

    /// <summary>
    /// Ids are a stored contract: stores, captures and the exchange's order book hold ids minted by earlier builds, and a
    /// re-delivered intent must mint the same one, whichever build runs. The values are pinned from this build (generator
    /// v7, attached brackets in); a change to the canonical form (a field, a separator, decimal formatting) changes them
    /// and must be a deliberate, versioned one.
    /// </summary>
    [Test]
    public void Minted_ids_do_not_change_from_build_to_build()
    {
        var exit = Golden with { Kind = IntentKind.Exit, Side = Side.Sell, Snapshot = null, BuyScore = null, SellScore = 12.5m, Trigger = "stop_loss",
            Closes = [ClientOrderId.From("lk-lot-1"), ClientOrderId.From("lk-lot-2")] };
        var bracketed = Golden with { Bracket = new Bracket(52000m, 48000m) };
        Assert.Multiple(() =>
        {
            Assert.That(ClientOrderIds.For(Golden).Value, Is.EqualTo("lk-e35fb6c9961fcfce2e5688a510ebcc8d"));
            Assert.That(ClientOrderIds.For(exit).Value, Is.EqualTo("lk-37ae084009d383ca491b7844cda5584e"));
            Assert.That(ClientOrderIds.For(bracketed).Value, Is.EqualTo("lk-7b7c6b489be7bd0ac414e1248a82e011"));
            Assert.That(ClientOrderIds.ForAttached(ClientOrderIds.For(bracketed)).Value, Is.EqualTo("lk-defd65ea8d8a66779290cb5bb52c28cc"));
        });
    }

    [Test]
    public void Every_field_of_the_intent_makes_a_different_id_and_scale_makes_none()
    {
        var exit = Golden with { Kind = IntentKind.Exit, Side = Side.Sell, Closes = [ClientOrderId.From("lk-lot-1")] };
        Intent[] variants =
        [
            Golden with { Size = 0.003m },
            Golden with { Price = 50001m },
            Golden with { Price = null },
            Golden with { BuyScore = 75.4m },
            Golden with { SellScore = 1m },
            exit,
            exit with { Closes = [ClientOrderId.From("lk-lot-2")] },
            exit with { Closes = [ClientOrderId.From("lk-lot-1"), ClientOrderId.From("lk-lot-2")] },
            Golden with { Bracket = new Bracket(52000m, 48000m) },
            Golden with { Bracket = new Bracket(52000m, 47000m) },
        ];
        var ids = variants.Select(v => ClientOrderIds.For(v).Value).Prepend(ClientOrderIds.For(Golden).Value).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ids, Is.Unique);
            Assert.That(ClientOrderIds.For(Golden with { Price = 50000.000m, BuyScore = 75.30m }), Is.EqualTo(ClientOrderIds.For(Golden)));
            Assert.That(ClientOrderIds.For(Golden with { Bracket = new Bracket(52000.0m, 48000.00m) }), Is.EqualTo(ClientOrderIds.For(Golden with { Bracket = new Bracket(52000m, 48000m) })));
            Assert.That(ClientOrderIds.ForAttached(ClientOrderId.From("lk-a")), Is.Not.EqualTo(ClientOrderIds.ForAttached(ClientOrderId.From("lk-b"))));
        });
    }
}
