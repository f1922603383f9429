using System.Collections.Immutable;

namespace Linkage.Sim.Audit;

/// <summary>
/// The <c>kind</c> of every anomaly the audit reports (documented in <c>docs/audit.md</c>). Those in
/// <see cref="Problems"/> mean a fill may be unlinked or linked wrongly; the others describe the feed the engine
/// coped with (gaps, reconnects, snapshots) and are informational: their consequences, if any, show as problems.
/// </summary>
public static class AnomalyKinds
{
    /// <summary>One exchange order id reported with two client order ids.</summary>
    public const string ConflictingClientOrderIds = "conflicting_client_order_ids";

    /// <summary>One client order id reported for two exchange order ids.</summary>
    public const string ConflictingOrderIds = "conflicting_order_ids";

    /// <summary>The engine linked more of an order than any message in the capture showed executed.</summary>
    public const string LinkedAboveFilled = "linked_above_filled";

    /// <summary>A bot order executed more than the engine linked to its intent.</summary>
    public const string UnlinkedQuantity = "unlinked_quantity";

    /// <summary>Fills still parked at the end: their order was never identified as ours or external.</summary>
    public const string UnresolvedFills = "unresolved_fills";

    /// <summary>A line was refused (not JSON, unknown kind, data that fails validation, or refused by the engine).</summary>
    public const string Quarantined = "quarantined";

    /// <summary><c>sequence_num</c> jumped: messages were lost.</summary>
    public const string SequenceGap = "sequence_gap";

    /// <summary>The same <c>sequence_num</c> arrived again (a duplicated message).</summary>
    public const string SequenceDuplicate = "sequence_duplicate";

    /// <summary>A lower <c>sequence_num</c> arrived: out of order or stale.</summary>
    public const string SequenceStale = "sequence_stale";

    /// <summary>The counter restarted at 0: a new connection (a reconnect), after which nothing missed is replayed.</summary>
    public const string SequenceReset = "sequence_reset";

    /// <summary><c>heartbeat_counter</c> jumped.</summary>
    public const string HeartbeatGap = "heartbeat_gap";

    /// <summary>No heartbeat for longer than the allowed silence.</summary>
    public const string HeartbeatSilence = "heartbeat_silence";

    /// <summary>A snapshot restated an order's cumulative quantity; a reader that took it as a fill would count it again.</summary>
    public const string SnapshotNotFill = "snapshot_not_fill";

    /// <summary>A REST call's answer was an error body (for example Get Order's NOT_FOUND): it tells nothing about fills.</summary>
    public const string RestError = "rest_error";

    /// <summary>A create-order answer without a client order id (a refusal) could belong to several waiting requests.</summary>
    public const string UnmatchedResponse = "unmatched_response";

    /// <summary>The store failed on an input even after retries; the input was not applied.</summary>
    public const string StoreFailed = "store_failed";

    /// <summary>Every kind, sorted (ordinal).</summary>
    public static readonly ImmutableArray<string> All =
    [
        .. new[]
        {
            ConflictingClientOrderIds, ConflictingOrderIds, LinkedAboveFilled, UnlinkedQuantity, UnresolvedFills, Quarantined,
            SequenceGap, SequenceDuplicate, SequenceStale, SequenceReset, HeartbeatGap, HeartbeatSilence, SnapshotNotFill,
            RestError, StoreFailed, UnmatchedResponse,
        }.Order(StringComparer.Ordinal),
    ];

    /// <summary>The kinds that mean a fill may be unlinked or wrongly linked (what <c>--strict</c> fails on).</summary>
    public static readonly IReadOnlySet<string> Problems = new HashSet<string>(StringComparer.Ordinal)
    {
        ConflictingClientOrderIds, ConflictingOrderIds, LinkedAboveFilled, UnlinkedQuantity, UnresolvedFills, Quarantined, StoreFailed,
    };
}
