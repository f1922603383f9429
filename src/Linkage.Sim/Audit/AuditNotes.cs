using Linkage.Engine;

namespace Linkage.Sim.Audit;

/// <summary>What the engine's applied batches showed, each attributed to a capture line. Single-threaded.</summary>
internal sealed class AuditNotes
{
    private readonly List<AuditAlert> _alerts = [];
    private readonly HashSet<QuarantinedLine> _quarantined = [];
    private readonly Dictionary<ClientOrderId, int> _lastLinkLine = [];

    public IReadOnlyList<AuditAlert> Alerts => _alerts;

    public IReadOnlyCollection<QuarantinedLine> Quarantined => _quarantined;

    public int DuplicatesIgnored { get; private set; }

    /// <summary>The line whose processing made the order's latest link.</summary>
    public int? LastLinkLine(ClientOrderId id) => _lastLinkLine.TryGetValue(id, out var line) ? line : null;

    /// <summary>
    /// Notes one applied batch decided while <paramref name="line"/> was processed. A refused input keeps its own line
    /// (a parked input released later was refused for the line it came from).
    /// </summary>
    public void Note(DecisionBatch batch, int line)
    {
        foreach (var decision in batch.Decisions)
        {
            switch (decision)
            {
                case InputRejected { Record: var record }:
                    _quarantined.Add(new QuarantinedLine(record.Line ?? AuditOrigin.LineOf(record.Origin) ?? line, record.Reason));
                    break;
                case AlertRaised { Alert: var alert }:
                    _alerts.Add(new AuditAlert(AuditText.Snake(alert.Kind.ToString()), line, alert.Detail));
                    break;
                case DuplicateIgnored:
                    DuplicatesIgnored++;
                    break;
                case Linked linked:
                    _lastLinkLine[linked.Link.ClientOrderId] = line;
                    break;
                default:
                    break;
            }
        }
    }
}
