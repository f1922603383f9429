using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using Linkage.Engine;
using Linkage.Host;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Stores;

/// <summary>
/// Random deliveries for the engine: two entries and an exit on one product (acknowledged or timed out, feed updates
/// with and without the client order id, REST fill rows, legacy matches, a snapshot, the legacy done), an order that is
/// not ours (parked, then classified), a malformed message, and a retention tick a day later; shuffled, partly
/// duplicated, with a process restart before about one step in six.
/// </summary>
internal static class EngineDeliveries
{
    /// <summary>
    /// Decides <paramref name="delivery"/> burst by burst (cut at its restart points) over <paramref name="store"/> as one
    /// (<see cref="LinkageEngine.ReadAndDecideMany"/>, then <paramref name="apply"/>), and input by input over the
    /// reference store: each input must decide the same, apply without conflict, and both stores hold the same after.
    /// </summary>
    public static void AssertBurstsDecideAsOneAtATime(Step[] delivery, ILinkageStore store, Func<ImmutableArray<DecisionBatch>, IReadOnlyList<ApplyResult>> apply)
    {
        using var reference = new MemoryStore();
        var referenceCorrelator = new EngineCorrelator(reference);
        var start = 0;
        for (var i = 1; i <= delivery.Length; i++)
        {
            if (i < delivery.Length && !delivery[i].Restart)
            {
                continue;
            }
            var burst = Enumerable.Range(start, i - start).Select(j => delivery[j].Make(At(10 + j))).ToList();
            var expected = burst.Select(referenceCorrelator.Process).ToList();
            var batches = LinkageEngine.ReadAndDecideMany(store, burst);
            var results = apply(batches);
            for (var k = 0; k < burst.Count; k++)
            {
                Assert.That(results[k].Status, Is.EqualTo(ApplyStatus.Applied), $"{delivery[start + k]}: {results[k].Detail}");
                Assert.That(batches[k].Decisions, Is.EqualTo(expected[k].Batch?.Decisions), $"step {start + k}: {delivery[start + k]}");
            }
            start = i;
        }
        StoreContents.Of(reference).AssertSame(StoreContents.Of(store), "after the delivery");
    }

    public static readonly Intent First = Entry("aaa", size: 0.006m, decidedSecond: 0);
    public static readonly Intent Second = Entry("bbb", size: 0.006m, decidedSecond: 1);
    public static readonly Intent Closing = Exit(0.004m, decidedSecond: 2);

    /// <summary>What happens, before it is delivered: the intents, every message once, the final tick and what each order executed.</summary>
    public static readonly Gen<Story> Stories =
        from firstSizes in Sizes
        from secondSizes in Sizes
        from closingSizes in Gen.Elements<decimal[]>([0.004m], [0.001m, 0.003m], [0.002m, 0.001m])
        from firstAcked in Gen.Elements(true, false)
        from carries in Gen.Elements(true, false)
        select new Story(
            [Step.Of("intent aaa", _ => Received(First)), Step.Of("intent bbb", _ => Received(Second, 1)), Step.Of("exit", _ => Received(Closing, 2))],
            [
                .. Messages(First, "x1", firstSizes, firstAcked, carries),
                .. Messages(Second, "x2", secondSizes, true, !carries),
                .. Messages(Closing, "x3", closingSizes, true, carries),
                .. Others(),
            ],
            Step.Of("retention tick", at => new Tick(at + Limits.RetentionAfterTerminal + TimeSpan.FromHours(1))),
            new Dictionary<string, decimal> { ["x1"] = firstSizes.Sum(), ["x2"] = secondSizes.Sum(), ["x3"] = closingSizes.Sum() });

    /// <summary>A story delivered: intents first, then the messages shuffled with some twice, a restart before about one in six, the tick last.</summary>
    public static readonly Gen<Step[]> Any =
        from story in Stories
        from duplicated in Gen.SubListOf(story.Messages.ToArray())
        from shuffled in Gen.Shuffle(story.Messages.Concat(duplicated))
        from restarts in Gen.ArrayOf(Gen.Frequency((1, Gen.Constant(true)), (5, Gen.Constant(false))), shuffled.Length)
        select story.Intents.Concat(shuffled.Select((s, i) => s with { Restart = restarts[i] })).Append(story.Tick).ToArray();

    private static Gen<decimal[]> Sizes =>
        from count in Gen.Choose(1, 3)
        from sizes in Gen.ArrayOf(Gen.Elements(0.001m, 0.002m), count)
        select sizes;

    /// <summary>What the exchange and the host say about one bot order, as named steps.</summary>
    private static IEnumerable<Step> Messages(Intent intent, string exchangeId, decimal[] sizes, bool acked, bool carryClientId)
    {
        yield return acked
            ? Step.Of($"ack {exchangeId}", at => Ack(intent, exchangeId) with { At = at })
            : Step.Of($"timeout {exchangeId}", at => Timeout(intent) with { At = at });
        yield return Step.Of($"legacy received {exchangeId}", at => LegacyReceived(exchangeId, intent) with { At = at });
        decimal cumulative = 0m;
        for (var i = 0; i < sizes.Length; i++)
        {
            var size = sizes[i];
            cumulative += size;
            var now = cumulative;
            var last = i == sizes.Length - 1;
            var index = i;
            yield return Step.Of($"update {exchangeId} {now}", at => Update(exchangeId, carryClientId ? intent : null, now, 50000m + index,
                last ? OrderStatus.Filled : OrderStatus.Open) with { At = at });
            yield return Step.Of($"rest {exchangeId} e{index}", at => Rest(exchangeId, $"{exchangeId}-e{index}", size, 50000m + index, reconciliation: index == 0) with { At = at });
            yield return Step.Of($"match {exchangeId} t{index}", at => Match(exchangeId, 7000 + index, size, 50000m + index) with { At = at });
        }
        yield return Step.Of($"snapshot {exchangeId}", at => Update(exchangeId, intent, cumulative, source: OrderStateSource.FeedSnapshot) with { At = at });
        yield return Step.Of($"done {exchangeId}", at => LegacyDone(exchangeId) with { At = at });
    }

    /// <summary>An order that is not ours (parked until reconciliation says so), and a message that does not parse.</summary>
    private static IEnumerable<Step> Others()
    {
        yield return Step.Of("rest x9 (not ours)", at => Rest("x9", "x9-e0", 1.5m) with { At = at });
        yield return Step.Of("update x9 (not ours)", at => Update("x9", null, 1.5m) with { At = at });
        yield return Step.Of("x9 is not ours", at => new OrderNotOurs(at, Eid("x9"), ClientOrderId.From("manual-9")));
        yield return Step.Of("malformed", at => new MalformedInput(at, "ws.user", "not valid JSON", "{\"channel\":\"user\",\u0000") { Line = 3 });
    }

    /// <summary>The messages of a delivery before shuffling; <see cref="Executed"/> is each exchange order's executed quantity.</summary>
    internal sealed record Story(ImmutableArray<Step> Intents, ImmutableArray<Step> Messages, Step Tick, IReadOnlyDictionary<string, decimal> Executed);

    /// <summary>One delivery: a named input, made at its time; <see cref="Restart"/> restarts the process before it.</summary>
    internal sealed record Step(string Name, Func<DateTimeOffset, EngineInput> Make, bool Restart)
    {
        public static Step Of(string name, Func<DateTimeOffset, EngineInput> make) => new(name, make, false);

        public override string ToString() => Restart ? $"restart, {Name}" : Name;
    }
}
