using System.Collections.Immutable;
using System.Data.Common;
using Linkage.Engine;

namespace Linkage.Stores.Sql;

/// <summary>
/// The store port over a SQL database: everything the SQLite and PostgreSQL stores share. A derived store supplies a
/// connection, how a plan's statements run (one by one, or as one round trip) and which driver errors are concurrency
/// conflicts; this class owns the semantics: one transaction per batch, a savepoint per batch of a group commit, the
/// conflict checks of <see cref="BatchPlan"/>, the read-outs in the port's stable orders, and retention.
/// </summary>
/// <remarks>
/// Every operation has a synchronous form (the port) and an asynchronous one with a cancellation token. Both run the
/// same code: each step takes an <c>async</c> flag and calls the driver's synchronous or asynchronous method, so the
/// synchronous form never blocks on a task (the pattern Npgsql uses internally).
/// Thread safety: every member may be called from several threads; each call is atomic.
/// Times come back in UTC (the same instants: <see cref="DateTimeOffset"/> equality compares instants).
/// </remarks>
public abstract partial class SqlLinkageStore : ILinkageStore, IDecisionScopedView
{
    /// <summary>What the engine read, kept while the derived store can prove it current (see <see cref="DataVersion"/>); null when it cannot.</summary>
    private readonly ReadCache? _cache;

    /// <summary>Without a read cache, the committed order states an update can be written against as a diff.</summary>
    private readonly CommittedOrders? _committed;

    /// <summary>The database's change counter when <see cref="_cache"/> was last known current.</summary>
    private long _cachedVersion = -1;

    private int _mergedGroups;

    /// <summary>A store over <paramref name="dialect"/>; <paramref name="cacheReads"/> when <see cref="DataVersion"/> tells every other writer's commit.</summary>
    private protected SqlLinkageStore(SqlDialect dialect, bool cacheReads = false)
    {
        Dialect = dialect;
        _cache = cacheReads ? new ReadCache() : null;
        _committed = cacheReads ? null : new CommittedOrders();
    }

    /// <inheritdoc />
    public abstract string Name { get; }

    /// <summary>True: the state is in a database that outlives the process.</summary>
    public bool IsDurable => true;

    private protected SqlDialect Dialect { get; }

    /// <inheritdoc />
    public OrderRecord? FindByClientOrderId(ClientOrderId id) => Sync(FindByClientOrderId(id, null, false, default));

    public ValueTask<OrderRecord?> FindByClientOrderIdAsync(ClientOrderId id, CancellationToken ct = default) =>
        FindByClientOrderId(id, null, true, ct);

    /// <inheritdoc />
    public OrderRecord? FindByExchangeOrderId(ExchangeOrderId id) => Sync(FindByExchangeOrderId(id, null, false, default));

    public ValueTask<OrderRecord?> FindByExchangeOrderIdAsync(ExchangeOrderId id, CancellationToken ct = default) =>
        FindByExchangeOrderId(id, null, true, ct);

    /// <inheritdoc />
    public bool IsFillKeySeen(FillKey key) => Sync(IsFillKeySeen(key, null, false, default));

    public ValueTask<bool> IsFillKeySeenAsync(FillKey key, CancellationToken ct = default) => IsFillKeySeen(key, null, true, ct);

    /// <inheritdoc />
    public ImmutableArray<ParkedFill> ParkedFor(ExchangeOrderId id) => Sync(ParkedFor(id, null, false, default));

    public ValueTask<ImmutableArray<ParkedFill>> ParkedForAsync(ExchangeOrderId id, CancellationToken ct = default) => ParkedFor(id, null, true, ct);

    /// <inheritdoc />
    public int ParkedCount => Sync(ParkedCountRead(null, false, default));

    /// <inheritdoc />
    public ExternalOrderRecord? FindExternal(ExchangeOrderId id) => Sync(FindExternal(id, null, false, default));

    public ValueTask<ExternalOrderRecord?> FindExternalAsync(ExchangeOrderId id, CancellationToken ct = default) => FindExternal(id, null, true, ct);

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> OpenEntryLots(ProductId product) => Sync(OpenOrders(product, IntentKind.Entry, null, false, default));

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> ExitsAwaitingAllocation(ProductId product) => Sync(OpenOrders(product, IntentKind.Exit, null, false, default));

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> TerminalBefore(DateTimeOffset cutoff, int max) => Sync(TerminalBefore(cutoff, max, false, default));

    /// <inheritdoc />
    /// <remarks>With a read cache, a view that checks the cache is current once, at its first read (see <see cref="DecisionReads"/>); else the store itself.</remarks>
    public ILinkageStoreView ForDecision() => _cache is null ? this : new DecisionReads(this);

    /// <summary>
    /// A view for deciding a burst of <paramref name="inputs"/> together (<see cref="LinkageEngine.DecideMany"/>), then
    /// applying it with <see cref="ApplyMany"/>: PostgreSQL reads the state the burst will ask about in one round trip
    /// (instead of one per read); SQLite checks its read cache once for the whole burst and fills what it lacks about
    /// the burst's exchange order ids with four bulk queries (instead of three per fill). Reads the burst did not
    /// foresee go to the store. Decide from it promptly: like any read, it may be overtaken by another writer, which
    /// the versions turn into a conflict at apply time.
    /// </summary>
    public ILinkageStoreView ReadAhead(IReadOnlyList<EngineInput> inputs) => Sync(ReadAhead(inputs, false, default));

    /// <inheritdoc cref="ReadAhead(IReadOnlyList{EngineInput})"/>
    public ValueTask<ILinkageStoreView> ReadAheadAsync(IReadOnlyList<EngineInput> inputs, CancellationToken ct = default) => ReadAhead(inputs, true, ct);

    /// <inheritdoc />
    public ApplyResult Apply(DecisionBatch batch) => Sync(Apply([batch], false, default))[0];

    /// <summary>Applies <paramref name="batch"/> in one transaction; see <see cref="Apply(DecisionBatch)"/>.</summary>
    public async ValueTask<ApplyResult> ApplyAsync(DecisionBatch batch, CancellationToken ct = default) =>
        (await Apply([batch], true, ct).ConfigureAwait(false))[0];

    /// <summary>
    /// Group commit for a burst: applies every batch in ONE transaction (one fsync), each under its own savepoint, so a
    /// batch that conflicts is rolled back alone and reported, and the others are kept. The batches were decided
    /// against the state before the burst, so a later batch may conflict with an earlier one of the same burst: decide
    /// it again, as for any conflict. A batch that writes a row an earlier conflicted batch wrote is reported as a
    /// conflict without being run: a burst decided together (<see cref="LinkageEngine.DecideMany"/>) chains its
    /// versions through that batch's state, which is never committed, and another writer may hold other content under
    /// the same version numbers. The results are in the order of <paramref name="batches"/>.
    /// </summary>
    public ImmutableArray<ApplyResult> ApplyMany(IReadOnlyList<DecisionBatch> batches) => Sync(Apply(batches, false, default));

    /// <inheritdoc cref="ApplyMany"/>
    public ValueTask<ImmutableArray<ApplyResult>> ApplyManyAsync(IReadOnlyList<DecisionBatch> batches, CancellationToken ct = default) =>
        Apply(batches, true, ct);

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> InFlightOrders() => Sync(All(Queries.InFlightOrders, Rows.Order, false, default));

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> TerminalSince(DateTimeOffset since) =>
        [.. Sync(Many(Queries.TerminalSince, [Arg(Tables.Orders, "terminal_at", since)], Rows.Order, false, default))
            .OrderBy(o => o.ClientOrderId.Value, StringComparer.Ordinal)];

    /// <inheritdoc />
    public ImmutableArray<ExchangeOrderId> ParkedOrderIds() =>
        [.. Sync(All(Queries.ParkedOrderIds, Rows.ExchangeOrderIdOf, false, default)).Distinct()];

    /// <inheritdoc />
    public ImmutableArray<OrderRecord> Orders() => Sync(All(Queries.AllOrders, Rows.Order, false, default));

    public ValueTask<ImmutableArray<OrderRecord>> OrdersAsync(CancellationToken ct = default) => All(Queries.AllOrders, Rows.Order, true, ct);

    /// <inheritdoc />
    public ImmutableArray<LinkRecord> Links() => Sync(All(Queries.AllLinks, Rows.Link, false, default));

    public ValueTask<ImmutableArray<LinkRecord>> LinksAsync(CancellationToken ct = default) => All(Queries.AllLinks, Rows.Link, true, ct);

    /// <inheritdoc />
    public ImmutableArray<FillRecord> Fills() => Sync(All(Queries.AllFills, Rows.Fill, false, default));

    public ValueTask<ImmutableArray<FillRecord>> FillsAsync(CancellationToken ct = default) => All(Queries.AllFills, Rows.Fill, true, ct);

    /// <inheritdoc />
    public ImmutableArray<AllocationRecord> Allocations() => Sync(All(Queries.AllAllocations, Rows.Allocation, false, default));

    public ValueTask<ImmutableArray<AllocationRecord>> AllocationsAsync(CancellationToken ct = default) =>
        All(Queries.AllAllocations, Rows.Allocation, true, ct);

    /// <inheritdoc />
    public ImmutableArray<ParkedFill> Parked() => Sync(All(Queries.AllParked, Rows.Parked, false, default));

    public ValueTask<ImmutableArray<ParkedFill>> ParkedAsync(CancellationToken ct = default) => All(Queries.AllParked, Rows.Parked, true, ct);

    /// <inheritdoc />
    public ImmutableArray<ExternalOrderRecord> ExternalOrders() => Sync(All(Queries.AllExternal, Rows.External, false, default));

    public ValueTask<ImmutableArray<ExternalOrderRecord>> ExternalOrdersAsync(CancellationToken ct = default) =>
        All(Queries.AllExternal, Rows.External, true, ct);

    /// <inheritdoc />
    public ImmutableArray<QuarantineRecord> Quarantine() => Sync(All(Queries.AllQuarantine, Rows.Quarantine, false, default));

    public ValueTask<ImmutableArray<QuarantineRecord>> QuarantineAsync(CancellationToken ct = default) =>
        All(Queries.AllQuarantine, Rows.Quarantine, true, ct);

    /// <inheritdoc />
    public ImmutableArray<AlertRecord> Alerts() => Sync(All(Queries.AllAlerts, Rows.Alert, false, default));

    public ValueTask<ImmutableArray<AlertRecord>> AlertsAsync(CancellationToken ct = default) => All(Queries.AllAlerts, Rows.Alert, true, ct);

    /// <summary>
    /// The seed document's scheduled cleanup, for hosts that run it outside the engine's retention ticks: removes the
    /// intent metadata (<see cref="Retention.Purge"/>) of every order terminal for MORE than
    /// <see cref="Limits.RetentionAfterTerminal"/> before <paramref name="now"/>, in batches of at most
    /// <see cref="Limits.RetentionBatchMax"/>. Never deletes an order row, a ledger, a link or a fill key: dedupe must
    /// outlive retention. Each purge bumps the order's version, so an engine deciding about the order concurrently gets a
    /// conflict and decides again. Returns how many intents were purged.
    /// </summary>
    public int PurgeExpired(DateTimeOffset now) => Sync(PurgeExpired(now, false, default));

    /// <inheritdoc cref="PurgeExpired(DateTimeOffset)"/>
    public ValueTask<int> PurgeExpiredAsync(DateTimeOffset now, CancellationToken ct = default) => PurgeExpired(now, true, ct);

    /// <inheritdoc />
    public void Dispose()
    {
        Dispose(disposing: true);
        GC.SuppressFinalize(this);
    }

    /// <summary>
    /// Applies the store's embedded migrations (<c>Migrations/NNNN_name.sql</c>) not yet recorded in
    /// <c>schema_version</c>, safely when several instances migrate one database at once. An explicit step, run before
    /// first use; idempotent. Returns the versions this call applied (empty when the schema was current).
    /// </summary>
    public abstract ImmutableArray<int> Migrate();

    /// <summary>Releases the store's connections.</summary>
    protected abstract void Dispose(bool disposing);

    /// <summary>Throws one <see cref="ArgumentException"/> listing every problem of a store's options, if there is any.</summary>
    private protected static T Validated<T>(T options, Func<T, IReadOnlyList<string>> problems)
    {
        ArgumentNullException.ThrowIfNull(options);
        var found = problems(options);
        return found.Count == 0
            ? options
            : throw new ArgumentException($"invalid {typeof(T).Name}: {string.Join("; ", found)}", nameof(options));
    }

    /// <summary><paramref name="store"/>, migrated; disposed if migrating fails.</summary>
    private protected static TStore Migrated<TStore>(TStore store)
        where TStore : SqlLinkageStore
    {
        try
        {
            store.Migrate();
            return store;
        }
        catch
        {
            store.Dispose();
            throw;
        }
    }

    /// <summary>Runs <paramref name="work"/> on a connection of this store (SQLite: its one connection, under its lock; PostgreSQL: a pooled one).</summary>
    private protected abstract ValueTask<T> WithConnection<T>(Func<DbConnection, ValueTask<T>> work, bool async, CancellationToken ct);

    /// <summary>Begins the write transaction (SQLite: <c>BEGIN IMMEDIATE</c>, so the write lock is taken up front).</summary>
    private protected abstract ValueTask<DbTransaction> Begin(DbConnection connection, bool async, CancellationToken ct);

    /// <summary>Runs a plan's statements in <paramref name="transaction"/>; returns the first conflict, or null when all did what the plan needs.</summary>
    private protected abstract ValueTask<string?> Execute(
        DbConnection connection, DbTransaction transaction, ImmutableArray<StoreCommand> plan, bool async, CancellationToken ct);

    /// <summary>
    /// Runs the concatenated plans of a group commit's single pass (no savepoints) in <paramref name="transaction"/>;
    /// returns a conflict, or null when all did what they need. Which batch conflicted need not be known: a conflict
    /// rolls the pass back and the group is applied again batch by batch. By default the plans run as one plan.
    /// </summary>
    private protected virtual ValueTask<string?> ExecuteGroup(
        DbConnection connection, DbTransaction transaction, ImmutableArray<StoreCommand> plans, bool async, CancellationToken ct) =>
        Execute(connection, transaction, plans, async, ct);

    /// <summary>Runs a query and maps every row.</summary>
    private protected abstract ValueTask<ImmutableArray<T>> Read<T>(
        DbConnection connection, Query query, ImmutableArray<Argument> arguments, Func<IRow, T> map, bool async, CancellationToken ct);

    /// <summary>The view <see cref="ReadAhead(IReadOnlyList{EngineInput})"/> returns; by default one decision scope over the store.</summary>
    private protected virtual ValueTask<ILinkageStoreView> ReadAhead(IReadOnlyList<EngineInput> inputs, bool async, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return ValueTask.FromResult(ForDecision());
    }

    /// <summary>
    /// The read-ahead of a store with a read cache: under the store's connection, checks the cache is current, reads
    /// with <paramref name="read"/> (a few bulk queries) the state of every exchange order id the burst names that the
    /// cache does not fully hold (its order, all its fill keys, its parked fills, its external record), folds the rows
    /// into the cache, and returns one decision view over it. A burst of fills for orders the cache has not seen then
    /// costs a few queries instead of three per fill; the decisions are the same, since the cache answers exactly what
    /// a query would.
    /// </summary>
    private protected ValueTask<ILinkageStoreView> ReadAheadIntoCache(
        IReadOnlyList<EngineInput> inputs, Func<DbConnection, ImmutableArray<string>, ValueTask<BulkRows>> read, bool async, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        if (_cache is null)
        {
            throw new NotSupportedException($"{GetType().Name} keeps no read cache");
        }
        var keys = ReadAheadKeys.Of(inputs);
        return WithConnection<ILinkageStoreView>(
            async connection =>
            {
                var scope = new ReadScope();
                var cache = Current(connection, scope);
                var missing = keys.ExchangeOrderIds.Where(id => !cache.HoldsAllOf(id)).ToImmutableArray();
                if (!missing.IsEmpty)
                {
                    cache.Loaded(missing, await read(connection, missing).ConfigureAwait(false));
                }
                return new DecisionReads(this, scope);
            },
            async,
            ct);
    }

    /// <summary>Whether a driver error means another writer got there first (a unique key, a deadlock, a serialization failure).</summary>
    private protected abstract bool IsConflict(DbException error);

    /// <summary>
    /// A counter that changes whenever another connection commits to the database (SQLite's <c>PRAGMA data_version</c>),
    /// read on <paramref name="connection"/> outside any transaction. Only a store that passed <c>cacheReads</c> is asked.
    /// </summary>
    private protected virtual long DataVersion(DbConnection connection) =>
        throw new NotSupportedException($"{GetType().Name} keeps no read cache");

    private protected static Argument Arg(ITable table, string column, object? value) => new(table.Column(column), value);

    private protected static T Sync<T>(ValueTask<T> task) =>

        // The synchronous path calls only synchronous driver methods, so its task is complete; anything else is a bug.
        task.IsCompleted ? task.GetAwaiter().GetResult() : throw new InvalidOperationException("a synchronous store call went asynchronous");

    private protected static async ValueTask DisposeAsync(IAsyncDisposable resource, bool async)
    {
        if (async)
        {
            await resource.DisposeAsync().ConfigureAwait(false);
        }
        else
        {
            ((IDisposable)resource).Dispose();
        }
    }
}
