using System.Collections.Immutable;
using System.Globalization;

namespace Linkage.Sim.Audit;

/// <summary>
/// What <c>audit</c> found in one capture (<c>docs/capture.md</c>). Every list is sorted by a stable key, and
/// nothing in it depends on the wall clock or on hash order, so the same capture gives the same report on every store.
/// Immutable.
/// </summary>
public sealed record AuditReport
{
    /// <summary>Non-blank lines read (records and refused lines).</summary>
    public required int Lines { get; init; }

    /// <summary>Distinct intents staged (a re-delivered intent is counted once).</summary>
    public required int Intents { get; init; }

    /// <summary>Orders the exchange accepted (a response, a feed update or reconciliation bound their exchange order id).</summary>
    public required int OrdersPlaced { get; init; }

    /// <summary>Orders the exchange refused: no order exists.</summary>
    public required int OrdersRejected { get; init; }

    /// <summary>Staged intents whose create-order outcome the capture does not settle (timed out, or no answer recorded).</summary>
    public required int OrdersUnknown { get; init; }

    /// <summary>One row per bot order, by client order id (ordinal).</summary>
    public required ImmutableArray<AuditedOrder> Orders { get; init; }

    /// <summary>One row per external order, by exchange order id (ordinal).</summary>
    public required ImmutableArray<AuditedExternalOrder> ExternalOrders { get; init; }

    /// <summary>Fills seen, split by what became of them.</summary>
    public required FillCounts Fills { get; init; }

    /// <summary>Linked bot fills over bot fills, rounded to <see cref="RateDecimals"/> places; null when the capture shows no bot fill.</summary>
    public required decimal? LinkageRate { get; init; }

    /// <summary>Time from an order's first create-order request to its first fill, over orders that have both in the capture.</summary>
    public required LatencySummary PlacementToFirstFillMs { get; init; }

    /// <summary>Inputs the engine recognised as duplicates or stale (re-delivered intents, repeated updates, fill keys seen before).</summary>
    public required int DuplicatesIgnored { get; init; }

    /// <summary>Messages still parked at the end, waiting for their order's identity.</summary>
    public required int ParkedFills { get; init; }

    /// <summary>By line (lines unknown last), then kind, then detail.</summary>
    public required ImmutableArray<AuditAnomaly> Anomalies { get; init; }

    /// <summary>Refused lines, by line, then reason.</summary>
    public required ImmutableArray<QuarantinedLine> Quarantined { get; init; }

    /// <summary>By line (lines unknown last), then kind, then detail.</summary>
    public required ImmutableArray<AuditAlert> Alerts { get; init; }

    /// <summary>
    /// What each exit closed: one row per allocation of an exit's fills to an entry lot, by exit client order id, then
    /// allocation number. An attached take-profit / stop-loss child is an exit of its parent's lot.
    /// </summary>
    public ImmutableArray<AuditedExit> Exits { get; init; } = [];

    /// <summary>Decimal places of <see cref="LinkageRate"/>.</summary>
    public const int RateDecimals = 4;
}

/// <summary>
/// One bot order: what the exchange executed as far as the capture shows (<see cref="FilledQuantity"/>), what the engine
/// linked to its intent, and how. <see cref="Provenance"/> is that of the order's first link (<c>client_order_id</c>,
/// <c>order_id</c> or <c>reconciliation</c>), null while nothing is linked.
/// </summary>
public sealed record AuditedOrder(
    string ClientOrderId,
    string? OrderId,
    string ProductId,
    string Side,
    string? SnapshotId,
    decimal FilledQuantity,
    decimal LinkedQuantity,
    int Trades,
    int LinkedTrades,
    string? Provenance,
    string Kind,
    string Placement,
    string Status)
{
    /// <summary>Why part of the order is not linked, in a sentence (a quarantined message, a quantity no message gave the engine); null when every trade is linked.</summary>
    public string? Unlinked { get; init; }
}

/// <summary>
/// An order the bot did not place. <see cref="ObservedQuantity"/> counts only what filled after the capture began (a
/// snapshot's or REST order's cumulative quantity is a baseline, not fills); <see cref="ExchangeCumulative"/> is the
/// largest cumulative quantity the exchange reported for it.
/// </summary>
public sealed record AuditedExternalOrder(string OrderId, string? ClientOrderId, string? ProductId, decimal ObservedQuantity, decimal ExchangeCumulative, int Trades);

/// <summary>
/// Part of an exit allocated to the entry lot it closes: the entry's snapshot (the decision the exit closes), the
/// quantity, both prices, the realized PnL (gross, quote currency; negated for a short entry) and the exit's trigger
/// (<c>take_profit</c> or <c>stop_loss</c> for a bracket child, by the leg that executed).
/// </summary>
public sealed record AuditedExit(
    string ExitClientOrderId,
    int Sequence,
    string EntryClientOrderId,
    string? EntrySnapshotId,
    string ProductId,
    decimal Quantity,
    decimal EntryPrice,
    decimal ExitPrice,
    decimal RealizedPnl,
    string? ExitTrigger)
{
    /// <summary>The row of one allocation the engine made.</summary>
    public static AuditedExit From(Engine.AllocationRecord a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(a.ExitClientOrderId.Value, a.Sequence, a.EntryClientOrderId.Value, a.EntrySnapshot?.Value,
            a.Product.Value, a.Quantity, a.EntryPrice, a.ExitPrice, a.RealizedPnl, a.ExitTrigger);
    }
}

/// <summary>
/// Fills (exchange trades, or cumulative increases where the capture has no trade-level data) by outcome. Bot fills are
/// either linked (split by the provenance of the link that covers them) or unresolved; so are fills of orders nobody
/// could classify. External fills are never failures.
/// </summary>
public sealed record FillCounts(int Bot, int Linked, int LinkedByClientOrderId, int LinkedByOrderId, int LinkedByReconciliation, int External, int Unresolved);

/// <summary>Nearest-rank percentiles of whole milliseconds; all zero when <see cref="Count"/> is zero.</summary>
public sealed record LatencySummary(int Count, long P50, long P90, long Max, long Sum)
{
    public static readonly LatencySummary Empty = new(0, 0, 0, 0, 0);

    /// <summary>Nearest-rank p50, p90 and max of <paramref name="samples"/>.</summary>
    public static LatencySummary Of(IEnumerable<long> samples)
    {
        var sorted = samples.Order().ToImmutableArray();
        if (sorted.IsEmpty)
        {
            return Empty;
        }
        return new(sorted.Length, NearestRank(sorted, 50), NearestRank(sorted, 90), sorted[^1], sorted.Sum());
    }

    /// <summary>The smallest sample with at least <paramref name="percent"/>% of the samples at or below it.</summary>
    private static long NearestRank(ImmutableArray<long> sorted, int percent)
    {
        var rank = ((percent * sorted.Length) + 99) / 100;
        return sorted[Math.Max(rank, 1) - 1];
    }
}

/// <summary>Something in the capture worth a look, with the line that shows it (null when no single line does).</summary>
public sealed record AuditAnomaly(string Kind, int? Line, string Detail);

/// <summary>A line the audit refused, with why; the rest of the file was still read.</summary>
public sealed record QuarantinedLine(int Line, string Reason);

/// <summary>An alert: raised by the engine while it processed a line, or by the audit over the whole capture.</summary>
public sealed record AuditAlert(string Kind, int? Line, string Detail);

/// <summary>Formatting shared by the report's outputs.</summary>
public static class AuditText
{
    /// <summary>A quantity as the report writes it: invariant, without trailing zeros (<c>120</c>, <c>0.05</c>).</summary>
    public static string Quantity(decimal value) =>
        (value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    /// <summary><c>ClientOrderId</c> as <c>client_order_id</c>: the report's spelling of enum members.</summary>
    public static string Snake(string pascal)
    {
        var b = new System.Text.StringBuilder(pascal.Length + 8);
        for (var i = 0; i < pascal.Length; i++)
        {
            var c = pascal[i];
            if (char.IsAsciiLetterUpper(c))
            {
                if (i > 0)
                {
                    b.Append('_');
                }
                b.Append(char.ToLowerInvariant(c));
            }
            else
            {
                b.Append(c);
            }
        }
        return b.ToString();
    }

    /// <summary>Orders anomalies and alerts: by line (unknown last), then kind, then detail, ordinally.</summary>
    public static int CompareByLine(int? lineA, string kindA, string detailA, int? lineB, string kindB, string detailB)
    {
        var byLine = (lineA ?? int.MaxValue).CompareTo(lineB ?? int.MaxValue);
        if (byLine != 0)
        {
            return byLine;
        }
        var byKind = string.CompareOrdinal(kindA, kindB);
        return byKind != 0 ? byKind : string.CompareOrdinal(detailA, detailB);
    }
}
