namespace Linkage.Engine;

/// <summary>
/// The correlation state machine: <c>Decide(state, input) -&gt; decisions</c>. Pure: it reads only the store view it
/// is given and the input (which carries its own time), performs no I/O, reads no clock, uses no randomness, and never
/// throws for bad input (that is an <see cref="InputRejected"/> decision). Thread safety: stateless; safe to call
/// concurrently with views that are themselves safe.
/// </summary>
public static class LinkageEngine
{
    /// <summary>Decides what <paramref name="input"/> means given the committed <paramref name="state"/>.</summary>
    public static DecisionBatch Decide(ILinkageStoreView state, EngineInput input) =>
        throw new NotImplementedException("issue 2: the engine core");
}
