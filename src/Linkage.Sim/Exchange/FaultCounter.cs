using System.Collections.Immutable;

namespace Linkage.Sim.Exchange;

/// <summary>Counts injected faults by kind for <c>ScenarioResult.FaultsInjected</c>. Read out sorted by kind (ordinal).</summary>
public sealed class FaultCounter
{
    public const string Duplicate = "duplicate";
    public const string Reorder = "reorder";
    public const string Drop = "drop";
    public const string Disconnect = "disconnect";
    public const string Reconnect = "reconnect";
    public const string Restart = "restart";
    public const string AbruptRestart = "restart_abrupt";
    public const string Resend = "resend";
    public const string AckLost = "ack_lost";
    public const string AckDelay = "ack_delay";
    public const string Reject = "reject";

    private readonly SortedDictionary<string, int> _counts = new(StringComparer.Ordinal);

    public void Add(string kind) => _counts[kind] = _counts.GetValueOrDefault(kind) + 1;

    public int this[string kind] => _counts.GetValueOrDefault(kind);

    public ImmutableSortedDictionary<string, int> ToImmutable() => _counts.ToImmutableSortedDictionary(StringComparer.Ordinal);
}
