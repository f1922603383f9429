namespace Linkage.Engine;

/// <summary>
/// The correlation state machine: <c>Decide(state, input) -&gt; decisions</c>. Pure: it reads only the store view it
/// is given and the input (which carries its own time), performs no I/O, reads no clock, uses no randomness, and never
/// throws for bad input (that is an <see cref="InputRejected"/> decision). Thread safety: stateless; safe to call
/// concurrently with views that are themselves safe.
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
        var view = state is IDecisionScopedView scoped ? scoped.ForDecision() : state;
        var decider = new Decider(new PendingView(view), input.At);
        decider.Decide(input);
        return new DecisionBatch(input, decider.Decisions);
    }
}
