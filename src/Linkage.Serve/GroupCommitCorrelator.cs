using System.Collections.Immutable;
using Linkage.Engine;
using Linkage.Host;
using Linkage.Stores.Sql;

namespace Linkage.Serve;

/// <summary>
/// The engine over a SQL store, committing a burst of inputs in one transaction (<see cref="SqlLinkageStore.ApplyMany"/>)
/// instead of one per input. With SQLite at <c>synchronous=FULL</c> every commit waits for the disk, and that wait was
/// the daemon's whole cost per WebSocket message (docs: benchmarks/README.md, "Daemon load"); a burst pays it once.
/// Durability is unchanged: nothing of a burst is acknowledged (no link counted, no create-order sent, no intake
/// answered) before the burst's commit returns.
/// </summary>
/// <remarks>
/// The burst is decided as one (<see cref="LinkageEngine.DecideMany"/> over one read set), then applied as a group. A
/// batch the store reports in conflict (another writer moved an order, or an earlier batch of the group did not apply)
/// is processed again on its own, as <see cref="EngineCorrelator"/> processes any conflict. When deciding or applying
/// the group fails at all (a store error, a read the keys did not foresee, a bug in deciding), the whole burst is
/// processed one input at a time instead, with <see cref="EngineCorrelator"/>'s retries and quarantine; a group commit
/// that failed but did commit then finds duplicates, never links twice.
/// </remarks>
internal sealed class GroupCommitCorrelator(ILinkageStore store) : ICorrelator
{
    private readonly EngineCorrelator _one = new(store);
    private readonly DecisionContext _context = new();

    /// <summary>Bursts committed as one group (for tests and diagnostics).</summary>
    public long GroupCommits { get; private set; }

    public string Design => _one.Design;

    public ProcessResult Process(EngineInput input) => _one.Process(input);

    public ImmutableArray<LinkRecord> Links() => _one.Links();

    public ImmutableArray<ProcessResult> ProcessMany(IReadOnlyList<EngineInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (inputs.Count < 2 || store is not SqlLinkageStore sql)
        {
            return [.. inputs.Select(Process)];
        }
        ImmutableArray<DecisionBatch> batches;
        ImmutableArray<ApplyResult> applied;
        try
        {
            batches = LinkageEngine.ReadAndDecideMany(store, inputs, _context);
            applied = sql.ApplyMany(batches);
        }
        // Whatever failed, each input is processed on its own: EngineCorrelator retries the store, quarantines a bug.
        catch (Exception)
        {
            return [.. inputs.Select(Process)];
        }
        GroupCommits++;
        var results = ImmutableArray.CreateBuilder<ProcessResult>(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            results.Add(applied[i].Status == ApplyStatus.Applied ? new ProcessResult(batches[i], ProcessStatus.Applied) : Process(inputs[i]));
        }
        return results.MoveToImmutable();
    }
}
