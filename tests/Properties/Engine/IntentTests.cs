using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>Rule 1: intents are validated and staged once, under the client order id minted from their content.</summary>
public sealed class IntentTests
{
    [Test]
    public void Intent_is_staged_at_version_1_under_its_minted_client_order_id()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");

        var staged = rig.Feed(Received(entry, 3)).Of<IntentStaged>().Single().Order;

        Assert.Multiple(() =>
        {
            Assert.That(staged.ClientOrderId, Is.EqualTo(ClientOrderIds.For(entry)));
            Assert.That(staged.ClientOrderId.IsMintedByLinkage, Is.True);
            Assert.That(staged.Version, Is.EqualTo(1));
            Assert.That(staged.Placement, Is.EqualTo(PlacementState.Staged));
            Assert.That(staged.StagedAt, Is.EqualTo(At(3)));
            Assert.That(staged.Intent, Is.EqualTo(entry));
            Assert.That(rig.Store.Orders(), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void Redelivered_intent_is_a_duplicate_and_stages_nothing_new()
    {
        using var rig = new Rig();
        var entry = Entry("aaa");
        rig.Feed(Received(entry, 0));

        var batch = rig.Feed(Received(entry with { Size = 0.0020m }, 4));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Decisions.Single(), Is.EqualTo(new DuplicateIgnored(DuplicateKind.Intent, Coid(entry).Value)));
            Assert.That(rig.Store.Orders(), Has.Length.EqualTo(1));
            Assert.That(rig.Order(entry).StagedAt, Is.EqualTo(At(0)));
        });
    }

    [Test]
    public void Foreign_client_order_id_reused_for_a_different_intent_is_rejected_naming_client_order_id()
    {
        using var rig = new Rig();
        var foreign = ClientOrderId.From("3f1c9a52-6b1e-4d0a-9c77-2e5d8b41a0f3");
        var first = Entry("aaa") with { ClientOrderId = foreign };
        rig.Feed(Received(first));

        var batch = rig.Feed(Received(Entry("bbb") with { ClientOrderId = foreign }, 1));

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<InputRejected>().Single().Record.Field, Is.EqualTo("client_order_id"));
            Assert.That(rig.Store.FindByClientOrderId(foreign)!.Intent.Snapshot, Is.EqualTo(SnapshotId.From("aaa")));
            Assert.That(rig.Store.Orders(), Has.Length.EqualTo(1));
        });
    }

    private static IEnumerable<TestCaseData> InvalidIntents()
    {
        var entry = Entry("aaa");
        yield return new TestCaseData(entry with { Size = 0m }, "size").SetName("Zero_size_is_rejected_naming_size");
        yield return new TestCaseData(entry with { Size = -1m }, "size").SetName("Negative_size_is_rejected_naming_size");
        yield return new TestCaseData(entry with { Size = Limits.QuantityMax + 1m }, "size").SetName("Size_beyond_QuantityMax_is_rejected_naming_size");
        yield return new TestCaseData(entry with { Price = 0m }, "price").SetName("Zero_price_is_rejected_naming_price");
        yield return new TestCaseData(entry with { Snapshot = null }, "snapshot_id").SetName("Entry_without_snapshot_is_rejected_naming_snapshot_id");
        yield return new TestCaseData(Exit(0.001m) with { Snapshot = SnapshotId.From("aaa") }, "snapshot_id").SetName("Exit_with_snapshot_is_rejected_naming_snapshot_id");
        yield return new TestCaseData(entry with { Trigger = new string('t', Limits.TriggerLengthMax + 1) }, "trigger").SetName("Trigger_beyond_its_bound_is_rejected_naming_trigger");
        yield return new TestCaseData(entry with { IndicatorsJson = new string('i', Limits.IndicatorsJsonLengthMax + 1) }, "indicators").SetName("Indicators_beyond_their_bound_are_rejected_naming_indicators");
        yield return new TestCaseData(entry with { IndicatorsFired = -1 }, "indicators_fired").SetName("Negative_indicators_fired_is_rejected");
        yield return new TestCaseData(entry with { Closes = [ClientOrderId.From("lk-1")] }, "closes").SetName("Entry_naming_lots_to_close_is_rejected_naming_closes");
        yield return new TestCaseData(Exit(0.001m, closes: [.. Enumerable.Range(0, Limits.ExitClosesMax + 1).Select(i => $"lk-{i}")]), "closes").SetName("Exit_naming_too_many_lots_is_rejected_naming_closes");
        yield return new TestCaseData(entry with { ClientOrderId = default(ClientOrderId) }, "client_order_id").SetName("Uninitialised_client_order_id_is_rejected");
        yield return new TestCaseData(entry with { Product = default }, "product_id").SetName("Missing_product_is_rejected_naming_product_id");
        yield return new TestCaseData(entry with { Side = (Side)7 }, "side").SetName("Undefined_side_is_rejected_naming_side");
        yield return new TestCaseData(entry with { BuyScore = Limits.QuantityMax * 2 }, "buy_score").SetName("Score_beyond_QuantityMax_is_rejected");
    }

    [TestCaseSource(nameof(InvalidIntents))]
    public void Invalid_intent_is_rejected_naming_the_field_and_stages_nothing(Intent intent, string field)
    {
        using var rig = new Rig();

        var batch = rig.Feed(Received(intent));

        Assert.Multiple(() =>
        {
            var rejected = batch.Of<InputRejected>().Single().Record;
            Assert.That(rejected.Field, Is.EqualTo(field));
            Assert.That(rejected.Kind, Is.EqualTo(nameof(IntentReceived)));
            Assert.That(rejected.RawPayload, Is.Not.Empty);
            Assert.That(batch.Decisions, Has.Length.EqualTo(1));
            Assert.That(rig.Store.Orders(), Is.Empty);
            Assert.That(rig.Store.Quarantine(), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void Missing_intent_is_rejected_not_thrown()
    {
        using var rig = new Rig();

        var batch = rig.Feed(new IntentReceived(At(0), null!));

        Assert.That(batch.Of<InputRejected>().Single().Record.Field, Is.EqualTo("intent"));
    }
}
