namespace Linkage.Engine;

/// <summary>
/// The engine's working objects for deciding (a decider and its pending view), owned by the caller and lent to one
/// call of <see cref="LinkageEngine.Decide(ReadSet, EngineInput, DecisionContext?)"/> at a time, so a caller that
/// decides input after input (a correlator) allocates them once. Nothing of one call reaches the next: the engine
/// empties the context before and after each call. A call without a context makes its own.
/// </summary>
/// <remarks>
/// Not for two calls at once: a context lent to a call that has not returned is refused (<see cref="InvalidOperationException"/>);
/// give each thread its own, or pool them.
/// </remarks>
public sealed class DecisionContext
{
    private readonly Decider _decider = new();
    private bool _lent;

    /// <summary>The decider, over <paramref name="reads"/> with nothing pending; <see cref="Return"/> it when the call ends.</summary>
    internal Decider Lend(ReadSet reads)
    {
        // A plain flag: it catches a context lent again before it returned (a call from within a call, or two threads
        // that share one); it is no lock.
        if (_lent)
        {
            throw new InvalidOperationException("this decision context is lent to a call that has not returned; a context serves one call at a time");
        }
        _lent = true;
        _decider.Reset(reads);
        return _decider;
    }

    /// <summary>Takes the decider back, holding nothing of the call.</summary>
    internal void Return()
    {
        _decider.Reset(null);
        _lent = false;
    }
}
