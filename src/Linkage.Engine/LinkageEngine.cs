using System.Collections.Immutable;

namespace Linkage.Engine;

/// <summary>
/// The correlation state machine: <c>Decide(state, input) -&gt; decisions</c>. Pure: it reads only the store view it
/// is given and the input (which carries its own time), performs no I/O, reads no clock, uses no randomness, and never
/// throws for bad input (that is an <see cref="InputRejected"/> decision). Thread safety: stateless; safe to call
/// concurrently with views that are themselves safe. (Each thread keeps its working objects between calls, emptied,
/// so deciding allocates little; nothing of one call reaches the next.)
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
    /// <summary>Decides what <paramref name="input"/> means given the committed <paramref name="state"/>.</summary>
    /// <returns>The decisions, in the order a store must apply them; versions assume the state did not change meanwhile.</returns>
    public static DecisionBatch Decide(ILinkageStoreView state, EngineInput input)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(input);
        var decider = Decider.Rent(ForDecision(state));
        try
        {
            return decider.Batch(input);
        }
        finally
        {
            Decider.Return(decider);
        }
    }

    /// <summary>
    /// Decides a burst of inputs in order, each against the committed <paramref name="state"/> plus the decisions of the
    /// inputs before it, so two inputs about the same order chain their versions instead of both deciding from the same
    /// one. Apply the batches in order in one group commit (<c>ApplyMany</c> of the SQL stores): if one conflicts, the
    /// batches after it that read its writes conflict too, and each is decided again on its own, as for any conflict.
    /// All reads go through one view (one <see cref="IDecisionScopedView.ForDecision"/>), so a store that reads ahead
    /// or caches answers the whole burst from one check.
    /// </summary>
    /// <returns>One batch per input, in input order.</returns>
    public static ImmutableArray<DecisionBatch> DecideMany(ILinkageStoreView state, IReadOnlyList<EngineInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(inputs);
        var batches = ImmutableArray.CreateBuilder<DecisionBatch>(inputs.Count);
        var decider = Decider.Rent(ForDecision(state));
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
            Decider.Return(decider);
        }
        return batches.MoveToImmutable();
    }

    private static ILinkageStoreView ForDecision(ILinkageStoreView state) => state is IDecisionScopedView scoped ? scoped.ForDecision() : state;
}
