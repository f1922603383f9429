using System.Collections.Immutable;

namespace Linkage.Engine;

/// <summary>
/// The correlation state machine: <c>Decide(read set, input) -&gt; decisions</c>. Pure: it reads only the
/// <see cref="ReadSet"/> it is given (fetched from the store beforehand, <see cref="ReadSetKeys"/>) and the input
/// (which carries its own time), performs no I/O, reads no clock, uses no randomness, and never throws for bad input
/// (that is an <see cref="InputRejected"/> decision). A read the set does not hold throws <see cref="ReadSetMiss"/>
/// before any batch is returned; the caller fetches more and decides again (<see cref="ReadAndDecide"/> shows the loop).
/// Thread safety: stateless; safe to call concurrently, each call with its own <see cref="DecisionContext"/> (or none).
/// </summary>
/// <remarks>
/// Invariants kept for every order (the store enforces versions, the engine everything else):
/// an exchange order id, once bound to a client order id, is never rebound (a contradiction raises an alert);
/// <c>Linked</c> is always the largest linkable ledger source (<c>FeedLinkable</c>, <c>Rest</c>, <c>Matches</c>), so
/// sources are never added together and linked quantity never exceeds what any source saw executed;
/// a rejected order never gains a link; an external order's fills are never linked.
/// </remarks>
public static class LinkageEngine
{
    /// <summary>Most read sets fetched per input by <see cref="ReadAndDecide"/> and <see cref="ReadAndDecideMany"/> (each miss adds the key it names).</summary>
    public const int ReadAttemptsMax = 8;

    /// <summary>Decides what <paramref name="input"/> means given the committed state in <paramref name="reads"/>.</summary>
    /// <param name="reads">The read set fetched for the input (<see cref="ReadSetKeys.Of(EngineInput)"/>); the only state read.</param>
    /// <param name="input">The input, carrying its time.</param>
    /// <param name="context">The caller's working objects, reused call by call; null makes a new one.</param>
    /// <returns>The decisions, in the order a store must apply them; versions assume the state did not change meanwhile.</returns>
    /// <exception cref="ReadSetMiss">The decision read a key <paramref name="reads"/> does not hold.</exception>
    public static DecisionBatch Decide(ReadSet reads, EngineInput input, DecisionContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(reads);
        ArgumentNullException.ThrowIfNull(input);
        context ??= new DecisionContext();
        var decider = context.Lend(reads);
        try
        {
            return decider.Batch(input);
        }
        finally
        {
            context.Return();
        }
    }

    /// <summary>
    /// Decides a burst of inputs in order, each against the committed state in <paramref name="reads"/> plus the
    /// decisions of the inputs before it, so two inputs about the same order chain their versions instead of both
    /// deciding from the same one. Apply the batches in order in one group commit (<c>ApplyMany</c> of the SQL stores):
    /// if one conflicts, the batches after it that read its writes conflict too, and each is decided again on its own,
    /// as for any conflict. One read set serves the whole burst (<see cref="ReadSetKeys.Of(IEnumerable{EngineInput})"/>).
    /// </summary>
    /// <returns>One batch per input, in input order.</returns>
    /// <exception cref="ReadSetMiss">An input read a key <paramref name="reads"/> does not hold; no batch is returned.</exception>
    public static ImmutableArray<DecisionBatch> DecideMany(ReadSet reads, IReadOnlyList<EngineInput> inputs, DecisionContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(reads);
        ArgumentNullException.ThrowIfNull(inputs);
        var batches = ImmutableArray.CreateBuilder<DecisionBatch>(inputs.Count);
        context ??= new DecisionContext();
        var decider = context.Lend(reads);
        try
        {
            foreach (var input in inputs)
            {
                ArgumentNullException.ThrowIfNull(input);
                batches.Add(decider.Batch(input));
            }
        }
        finally
        {
            context.Return();
        }
        return batches.MoveToImmutable();
    }

    /// <summary>
    /// Not pure, and not part of deciding: fetches the read set of <paramref name="input"/> from
    /// <paramref name="store"/> (<see cref="ILinkageStoreView.Read"/>), then decides from it; on a
    /// <see cref="ReadSetMiss"/> fetches the missing keys too and decides again, at most <see cref="ReadAttemptsMax"/>
    /// fetches. The loop a caller without retries needs (tests, tools); <c>EngineCorrelator</c> runs the same loop with
    /// store retries around it. Store failures propagate.
    /// </summary>
    public static DecisionBatch ReadAndDecide(ILinkageStoreView store, EngineInput input, DecisionContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(input);
        return ReadAndDecide(store, ReadSetKeys.Of(input), ReadAttemptsMax, reads => Decide(reads, input, context));
    }

    /// <summary>
    /// <see cref="DecideMany"/> from a read set fetched for the whole burst, as <see cref="ReadAndDecide"/> does for one
    /// input; a miss re-decides the whole burst from the larger set, at most <see cref="ReadAttemptsMax"/> fetches per input.
    /// </summary>
    public static ImmutableArray<DecisionBatch> ReadAndDecideMany(ILinkageStoreView store, IReadOnlyList<EngineInput> inputs, DecisionContext? context = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(inputs);
        return ReadAndDecide(store, ReadSetKeys.Of(inputs), ReadAttemptsMax * Math.Max(1, inputs.Count), reads => DecideMany(reads, inputs, context));
    }

    private static T ReadAndDecide<T>(ILinkageStoreView store, ReadSetKeys keys, int attemptsMax, Func<ReadSet, T> decide)
    {
        for (var attempt = 1; ; attempt++)
        {
            var reads = store.Read(keys);
            try
            {
                return decide(reads);
            }
            catch (ReadSetMiss miss) when (attempt < attemptsMax)
            {
                keys = keys.Union(miss.Missing);
            }
        }
    }
}
