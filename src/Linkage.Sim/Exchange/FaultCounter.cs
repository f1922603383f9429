using System.Collections.Immutable;

namespace Linkage.Sim.Exchange;

/// <summary>Counts injected faults by kind for <c>ScenarioResult.FaultsInjected</c>. Read out sorted by kind (ordinal).</summary>
public sealed class FaultCounter
{
    /// <summary>A feed message delivered twice (drawn per message), or a <c>duplicate</c> step's re-delivery.</summary>
    public const string Duplicate = "duplicate";

    /// <summary>A feed message held back past later ones (drawn per message).</summary>
    public const string Reorder = "reorder";

    /// <summary>A feed message lost without a disconnect (drawn per message).</summary>
    public const string Drop = "drop";

    /// <summary>A <c>disconnect</c> step.</summary>
    public const string Disconnect = "disconnect";

    /// <summary>A <c>reconnect</c> step.</summary>
    public const string Reconnect = "reconnect";

    /// <summary>A clean <c>restart</c> step.</summary>
    public const string Restart = "restart";

    /// <summary>A <c>restart: { abrupt: true }</c> step.</summary>
    public const string AbruptRestart = "restart_abrupt";

    /// <summary>The webhook process killed at a kill point of the crash test and restarted on what its store kept.</summary>
    public const string Kill = "kill";

    /// <summary>A <c>resend</c> step (the strategy's webhook delivered again).</summary>
    public const string Resend = "resend";

    /// <summary>A create-order whose response was lost (<c>ack: lost</c>).</summary>
    public const string AckLost = "ack_lost";

    /// <summary>A create-order answered late (<c>ack: { delay }</c>).</summary>
    public const string AckDelay = "ack_delay";

    /// <summary>A create-order the exchange refused (<c>ack: reject</c>).</summary>
    public const string Reject = "reject";

    /// <summary>A create-order carrying a client order id the exchange holds, answered with an error (<c>resend_answer: error</c>).</summary>
    public const string ResendRefused = "resend_refused";

    private readonly SortedDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public void Add(string kind) => _counts[kind] = _counts.GetValueOrDefault(kind) + 1;

    public int this[string kind] => _counts.GetValueOrDefault(kind);

    public ImmutableSortedDictionary<string, int> ToImmutable() => _counts.ToImmutableSortedDictionary(StringComparer.Ordinal);
}
