using System.Collections.Immutable;
using System.Data.Common;
using Linkage.Engine;

namespace Linkage.Stores.Sql;

/// <summary>Writes: one transaction per batch, a group of batches in one pass or under savepoints, skip-after-conflict.</summary>
public abstract partial class SqlLinkageStore
{
    private ValueTask<ImmutableArray<ApplyResult>> Apply(IReadOnlyList<DecisionBatch> batches, bool async, CancellationToken ct) =>
        batches.All(b => !b.HasWrites)
            ? ValueTask.FromResult<ImmutableArray<ApplyResult>>([.. batches.Select(_ => ApplyResult.Applied)])
            : WithConnection(connection => Apply(connection, batches, Plans(batches), async, ct), async, ct);

    /// <summary>
    /// The plans of a group, in order. An order update is written as a diff against the order's state before it: the
    /// committed one, or the one an earlier batch of the group writes. That earlier state is as good as committed for
    /// the diff: if its batch does not apply, every later batch writing the same row is not run either (see
    /// <see cref="ApplyEach"/>), so a diff never lands on a row that holds other content at the same version.
    /// </summary>
    private List<ImmutableArray<StoreCommand>> Plans(IReadOnlyList<DecisionBatch> batches)
    {
        if (batches.Count == 1)
        {
            return [BatchPlan.For(batches[0], Committed)];
        }
        Dictionary<string, OrderRecord>? written = null;
        var plans = new List<ImmutableArray<StoreCommand>>(batches.Count);
        foreach (var batch in batches)
        {
            plans.Add(BatchPlan.For(batch, id => written is not null && written.TryGetValue(id.Value, out var order) ? order : Committed(id)));
            foreach (var order in BatchPlan.OrdersWritten(batch))
            {
                (written ??= new(StringComparer.Ordinal))[order.ClientOrderId.Value] = order;
            }
        }
        return plans;
    }

    /// <summary>The order's committed state when the read cache holds it (the caller holds the connection, so the cache is stable).</summary>
    private OrderRecord? Committed(ClientOrderId id) =>
        _cache is not null ? (_cache.TryOrder(id, out var order) ? order : null) : _committed!.Find(id);

    /// <summary>How many group commits this store wrote merged (<see cref="MultiRowPlan"/>, every row as planned); for tests and diagnostics.</summary>
    internal int MergedGroups => Volatile.Read(ref _mergedGroups);

    /// <summary>Counts a group written merged (<see cref="MergedGroups"/>).</summary>
    private protected void CountMerged() => Interlocked.Increment(ref _mergedGroups);

    /// <summary>The latest committed state this store knows of the order bound to <paramref name="exchangeId"/> (a store without a read cache), or null.</summary>
    private protected OrderRecord? KnownCommitted(string exchangeId) => _committed?.Find(exchangeId);

    /// <summary>Orders a derived store read outside the port's reads (a read-ahead): committed states to write updates against.</summary>
    private protected void Seen(IEnumerable<OrderRecord> orders)
    {
        foreach (var order in orders)
        {
            _committed?.Seen(order);
        }
    }

    /// <summary>
    /// Applies the plans and folds what was committed into the read cache. A group is first tried in one pass with no
    /// savepoints (for PostgreSQL one round trip for the whole group): when no batch conflicts, which is the common case,
    /// that is the same outcome at a fraction of the cost; when one does, the pass is rolled back whole and the group is
    /// applied again batch by batch under savepoints, so the outcome is exactly that of the savepoint path alone.
    /// </summary>
    private async ValueTask<ImmutableArray<ApplyResult>> Apply(
        DbConnection connection, IReadOnlyList<DecisionBatch> batches, List<ImmutableArray<StoreCommand>> plans, bool async, CancellationToken ct)
    {
        try
        {
            ImmutableArray<ApplyResult> results = plans.Count > 1 && await ApplyAll(connection, plans, async, ct).ConfigureAwait(false)
                ? [.. plans.Select(_ => ApplyResult.Applied)]
                : await ApplyEach(connection, plans, async, ct).ConfigureAwait(false);
            for (var i = 0; i < results.Length; i++)
            {
                if (results[i].Status == ApplyStatus.Applied)
                {
                    _cache?.Applied(batches[i]);
                    _committed?.Applied(batches[i]);
                }
            }
            return results;
        }
        catch
        {
            // The commit may or may not have happened: nothing cached can be trusted.
            _cache?.Clear();
            throw;
        }
    }

    /// <summary>
    /// Called at the start of every write transaction, before its first statement, with whether any of its plans inserts
    /// a link: where the database numbers links at insert rather than at commit (PostgreSQL), the store makes such
    /// transactions commit in serial order here (see <see cref="ILinkageStore.LinksAfter"/>). By default nothing.
    /// </summary>
    private protected virtual ValueTask WillWrite(DbConnection connection, DbTransaction transaction, bool insertsLinks, bool async, CancellationToken ct) =>
        ValueTask.CompletedTask;

    /// <summary>Whether any of <paramref name="plans"/> inserts a link.</summary>
    private static bool InsertsLinks(List<ImmutableArray<StoreCommand>> plans) =>
        plans.Any(plan => plan.Any(c => c.Statement.Kind == StatementKind.Insert && ReferenceEquals(c.Statement.Table, Tables.Links)));

    /// <summary>Every plan in one transaction without savepoints; true when all were applied, false (nothing kept) at the first conflict.</summary>
    private async ValueTask<bool> ApplyAll(DbConnection connection, List<ImmutableArray<StoreCommand>> plans, bool async, CancellationToken ct)
    {
        var transaction = await Begin(connection, async, ct).ConfigureAwait(false);
        try
        {
            await WillWrite(connection, transaction, InsertsLinks(plans), async, ct).ConfigureAwait(false);
            if (await ExecuteOrConflict(connection, transaction, [.. plans.SelectMany(p => p)], group: true, async, ct).ConfigureAwait(false) is not null)
            {
                await Rollback(transaction, async, ct).ConfigureAwait(false);
                return false;
            }
            await Commit(transaction, async, ct).ConfigureAwait(false);
            return true;
        }
        finally
        {
            await DisposeAsync(transaction, async).ConfigureAwait(false);
        }
    }

    private async ValueTask<ImmutableArray<ApplyResult>> ApplyEach(
        DbConnection connection, List<ImmutableArray<StoreCommand>> plans, bool async, CancellationToken ct)
    {
        var grouped = plans.Count > 1;
        var results = new ApplyResult[plans.Count];

        // Rows written by a batch that conflicted. A later batch of the group that writes one of them was decided on that
        // batch's state (DecideMany chains versions through the burst), which is now never committed, and its version
        // numbers may still match: another writer that moved the row by as many versions holds other content under them.
        HashSet<(string Table, string Key)>? abandoned = null;
        var transaction = await Begin(connection, async, ct).ConfigureAwait(false);
        try
        {
            // Before the first savepoint: a lock taken inside one would be released if its batch were rolled back.
            await WillWrite(connection, transaction, InsertsLinks(plans), async, ct).ConfigureAwait(false);
            for (var i = 0; i < plans.Count; i++)
            {
                if (abandoned is not null && plans[i].Select(c => c.Row).FirstOrDefault(r => r is { } row && abandoned.Contains(row)) is { } dependent)
                {
                    results[i] = ApplyResult.Conflict(
                        $"it writes {dependent.Table} row {dependent.Key.Replace('\u001f', '/')} after an earlier batch of the group that wrote it conflicted");

                    // Its own rows are never written either, so what a later batch decided on them is just as stale.
                    abandoned.UnionWith(plans[i].Select(c => c.Row).OfType<(string, string)>());
                    continue;
                }
                var savepoint = $"batch_{i}";
                if (grouped)
                {
                    await Savepoint(transaction, savepoint, async, ct).ConfigureAwait(false);
                }
                var conflict = await ExecuteOrConflict(connection, transaction, plans[i], group: false, async, ct).ConfigureAwait(false);
                if (conflict is null)
                {
                    results[i] = ApplyResult.Applied;
                }
                else if (grouped)
                {
                    await RollbackTo(transaction, savepoint, async, ct).ConfigureAwait(false);
                    results[i] = ApplyResult.Conflict(conflict);
                    (abandoned ??= []).UnionWith(plans[i].Select(c => c.Row).OfType<(string, string)>());
                }
                else
                {
                    await Rollback(transaction, async, ct).ConfigureAwait(false);
                    return [ApplyResult.Conflict(conflict)];
                }
            }
            await Commit(transaction, async, ct).ConfigureAwait(false);
            return [.. results];
        }
        finally
        {
            // Disposing a transaction that was neither committed nor rolled back rolls it back (an exception escaped).
            await DisposeAsync(transaction, async).ConfigureAwait(false);
        }
    }

    private async ValueTask<string?> ExecuteOrConflict(
        DbConnection connection, DbTransaction transaction, ImmutableArray<StoreCommand> plan, bool group, bool async, CancellationToken ct)
    {
        try
        {
            return group
                ? await ExecuteGroup(connection, transaction, plan, async, ct).ConfigureAwait(false)
                : await Execute(connection, transaction, plan, async, ct).ConfigureAwait(false);
        }
        catch (DbException error) when (IsConflict(error))
        {
            return $"another writer got there first: {error.Message}";
        }
    }

    private static async ValueTask Commit(DbTransaction transaction, bool async, CancellationToken ct)
    {
        if (async)
        {
            await transaction.CommitAsync(ct).ConfigureAwait(false);
        }
        else
        {
            transaction.Commit();
        }
    }

    private static async ValueTask Savepoint(DbTransaction transaction, string name, bool async, CancellationToken ct)
    {
        if (async)
        {
            await transaction.SaveAsync(name, ct).ConfigureAwait(false);
        }
        else
        {
            transaction.Save(name);
        }
    }

    private static async ValueTask RollbackTo(DbTransaction transaction, string name, bool async, CancellationToken ct)
    {
        if (async)
        {
            await transaction.RollbackAsync(name, ct).ConfigureAwait(false);
        }
        else
        {
            transaction.Rollback(name);
        }
    }

    private static async ValueTask Rollback(DbTransaction transaction, bool async, CancellationToken ct)
    {
        if (async)
        {
            await transaction.RollbackAsync(ct).ConfigureAwait(false);
        }
        else
        {
            transaction.Rollback();
        }
    }
}
