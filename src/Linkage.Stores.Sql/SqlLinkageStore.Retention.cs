using System.Collections.Immutable;
using Linkage.Engine;

namespace Linkage.Stores.Sql;

/// <summary>Retention: an order's intent breakdown is purged a day after the order turned terminal, in bounded rounds.</summary>
public abstract partial class SqlLinkageStore
{
    private ValueTask<ImmutableArray<OrderRecord>> TerminalBefore(DateTimeOffset cutoff, int max, bool async, CancellationToken ct) =>
        Many(
            Queries.TerminalBefore,
            [Arg(Tables.Orders, "terminal_at", cutoff), new(Queries.RowLimit, (long)Math.Max(max, 0))],
            Rows.Order,
            async,
            ct);

    private async ValueTask<int> PurgeExpired(DateTimeOffset now, bool async, CancellationToken ct)
    {
        // "More than 24 h": an order terminal exactly 24 h ago keeps its intent one tick longer.
        var cutoff = now - Limits.RetentionAfterTerminal - TimeSpan.FromTicks(1);
        var purged = 0;
        while (true)
        {
            var expired = await TerminalBefore(cutoff, Limits.RetentionBatchMax, async, ct).ConfigureAwait(false);
            if (expired.IsEmpty)
            {
                return purged;
            }
            var batches = expired.Select(o => new DecisionBatch(new Tick(now), [new IntentPurged(Retention.Purge(o))])).ToList();
            var results = await Apply(batches, async, ct).ConfigureAwait(false);
            var applied = results.Count(r => r.Status == ApplyStatus.Applied);
            purged += applied;

            // A conflict means an engine changed that order meanwhile; the next round reads it again. A round that purges
            // nothing ends the run (every round purges at least one, so the loop is bounded by the number of orders), and the
            // next scheduled run finds what a busy writer held back.
            if (applied == 0)
            {
                return purged;
            }
        }
    }
}
