using System.Collections.Immutable;
using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>Rules 7 and 9 (law V1): bad input is quarantined with its reason and field, never thrown, never half-applied.</summary>
public sealed class RejectionTests
{
    [Test]
    public void Malformed_input_is_quarantined_with_kind_reason_field_line_origin_and_payload()
    {
        using var rig = new Rig();
        var input = new MalformedInput(At(1), "ws.user", "cumulative_quantity is not a decimal", """{"cumulative_quantity":"1,5"}""")
        {
            Field = "cumulative_quantity",
            Line = 42,
            Origin = "capture.jsonl",
        };

        rig.Feed(input);

        Assert.That(rig.Store.Quarantine().Single(), Is.EqualTo(new QuarantineRecord
        {
            At = At(1),
            Kind = "ws.user",
            Reason = "cumulative_quantity is not a decimal",
            Field = "cumulative_quantity",
            Line = 42,
            Origin = "capture.jsonl",
            RawPayload = """{"cumulative_quantity":"1,5"}""",
        }));
    }

    [Test]
    public void Oversized_payload_is_kept_truncated_with_a_note()
    {
        using var rig = new Rig();
        var payload = new string('x', Limits.QuarantinedPayloadLengthMax + 10);

        rig.Feed(new MalformedInput(At(1), "ws.user", "unreadable", payload));

        var record = rig.Store.Quarantine().Single();
        Assert.Multiple(() =>
        {
            Assert.That(record.RawPayload, Has.Length.EqualTo(Limits.QuarantinedPayloadLengthMax));
            Assert.That(record.Reason, Does.Contain("truncated from " + payload.Length));
        });
    }

    private static IEnumerable<TestCaseData> BadInputs()
    {
        yield return new TestCaseData(Rest("x1", "e9", 0m), "size").SetName("Zero_size_fill");
        yield return new TestCaseData(Rest("x1", "e9", 0.001m, price: -1m), "price").SetName("Negative_price_fill");
        yield return new TestCaseData(Rest("x1", "e9", Limits.QuantityMax + 1m), "size").SetName("Huge_fill");
        yield return new TestCaseData(Rest("x1", "e9", 0.001m) is var fill ? fill with { Fill = fill.Fill with { Commission = -0.01m } } : null, "commission").SetName("Negative_commission");
        yield return new TestCaseData(Rest("x1", "", 0.001m), "entry_id").SetName("Fill_without_key");
        yield return new TestCaseData(Rest("x1", "e9", 0.002m), "size").SetName("Distinct_rows_beyond_the_order_size");
        yield return new TestCaseData(Update("x1", Entry("aaa", size: 0.005m), -1m), "cumulative_quantity").SetName("Negative_cumulative");
        yield return new TestCaseData(new PlacementOutcome(At(1), default, PlacementResult.Accepted, Eid("x1")), "client_order_id").SetName("Outcome_without_client_order_id");
        yield return new TestCaseData(new OrderNotOurs(At(1), default, null), "order_id").SetName("Not_ours_without_order_id");
        yield return new TestCaseData(new TradeFillReceived(At(1), null!), "fill").SetName("Missing_fill");
        yield return new TestCaseData(new OrderUpdate(At(1), null!, OrderStateSource.FeedUpdate), "order").SetName("Missing_order_state");
    }

    [TestCaseSource(nameof(BadInputs))]
    public void Bad_input_is_rejected_naming_its_field_and_leaves_the_state_unchanged(EngineInput input, string field)
    {
        using var rig = new Rig();
        var entry = Entry("aaa", size: 0.005m);
        rig.Feed(Received(entry), Ack(entry, "x1"), Rest("x1", "e1", 0.004m));
        var before = rig.Store.Snapshot(withQuarantine: false);

        var batch = rig.Feed(input);

        Assert.Multiple(() =>
        {
            Assert.That(batch.Of<InputRejected>().Single().Record.Field, Is.EqualTo(field));
            Assert.That(batch.Decisions.All(d => d is InputRejected or AlertRaised), Is.True, "nothing but the quarantine record");
            Assert.That(rig.Store.Snapshot(withQuarantine: false), Is.EqualTo(before));
            Assert.That(rig.Store.Quarantine(), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void Unknown_input_kind_is_rejected_not_thrown()
    {
        using var rig = new Rig();

        var batch = rig.Feed(new Unheard(At(1)));

        Assert.That(batch.Of<InputRejected>().Single().Record.Field, Is.EqualTo("kind"));
    }

    private sealed record Unheard(DateTimeOffset At) : EngineInput(At);

    [Test]
    public void Deciding_never_writes_the_store_it_reads()
    {
        using var store = new MemoryStore();
        var entry = Entry("aaa");
        store.Apply(LinkageEngine.ReadAndDecide(store, Received(entry)));
        var before = ImmutableArray.CreateRange(store.Orders());

        LinkageEngine.ReadAndDecide(store, Ack(entry, "x1"));

        Assert.That(store.Orders(), Is.EqualTo(before));
    }
}
