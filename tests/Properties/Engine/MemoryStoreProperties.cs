using FsCheck;
using FsCheck.Fluent;
using Linkage.Host;
using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// The reference store's atomicity over random histories: one stale write anywhere in a batch applies nothing, and
/// leaves nothing behind for the next batch (the store reuses one transaction for every batch).
/// </summary>
public sealed class MemoryStoreProperties
{
    private sealed record History(EngineInput[] Inputs, int Corrupted, int Position)
    {
        public override string ToString() => $"corrupt write {Position} of input {Corrupted}: {Inputs[Corrupted]}";
    }

    private static readonly Gen<History> Histories =
        from count in Gen.Choose(1, 3)
        from sizes in Gen.ArrayOf(Gen.Elements(0.001m, 0.002m, 0.003m), count)
        let inputs = sizes.SelectMany((size, i) =>
        {
            var entry = Entry($"s{i}", size: size * 2, decidedSecond: i);
            return new EngineInput[]
            {
                Received(entry, i), Rest($"x{i}", $"e{i}", size, second: i + 0.1), Ack(entry, $"x{i}", i + 0.2),
                Update($"x{i}", entry, size * 2, status: OrderStatus.Filled, second: i + 0.3),
            };
        }).ToArray()
        from corrupted in Gen.Choose(0, inputs.Length - 1)
        from position in Gen.Choose(0, 20)
        select new History(inputs, corrupted, position);

    [Test]
    public void Batch_with_one_stale_version_anywhere_applies_nothing_now_or_later() =>
        Prop.ForAll(Arb.From(Histories), Holds).Check(Config.QuickThrowOnFailure.WithMaxTest(200));

    private static void Holds(History history)
    {
        using var store = new MemoryStore();
        var correlator = new EngineCorrelator(store);
        foreach (var input in history.Inputs[..history.Corrupted])
        {
            Assert.That(correlator.Process(input).Succeeded, Is.True);
        }
        var batch = LinkageEngine.ReadAndDecide(store, history.Inputs[history.Corrupted]);
        var writes = batch.Decisions.Select((d, i) => (d, i)).Where(x => x.d is OrderDecision).Select(x => x.i).ToArray();
        if (writes.Length == 0)
        {
            return;
        }
        var target = writes[history.Position % writes.Length];
        var stale = batch.Decisions[target] switch
        {
            IntentStaged staged => staged with { Order = staged.Order with { Version = 2 } },
            OrderDecision written => written with { Order = written.Order with { Version = written.Order.Version + 1 } },
            var other => other,
        };
        var alert = new AlertRaised(new AlertRecord { At = At(0), Kind = AlertKind.QuantityMismatch, Detail = "staged before the stale write" });
        var corrupt = batch with { Decisions = [alert, .. batch.Decisions.SetItem(target, stale)] };
        var before = store.Snapshot();

        var result = store.Apply(corrupt);

        Assert.That(result.Status, Is.EqualTo(ApplyStatus.Conflict));
        Assert.That(store.Snapshot(), Is.EqualTo(before));
        Assert.That(store.Apply(batch).Status, Is.EqualTo(ApplyStatus.Applied), "the uncorrupted batch still applies");
        Assert.That(store.Snapshot(), Is.EqualTo(Untroubled(history.Inputs[..(history.Corrupted + 1)])),
            "the store ends as if the stale batch had never been offered");
    }

    /// <summary>The state after <paramref name="inputs"/> on a store that never saw a conflict.</summary>
    private static string Untroubled(EngineInput[] inputs)
    {
        using var store = new MemoryStore();
        var correlator = new EngineCorrelator(store);
        foreach (var input in inputs)
        {
            Assert.That(correlator.Process(input).Succeeded, Is.True);
        }
        return store.Snapshot();
    }
}
