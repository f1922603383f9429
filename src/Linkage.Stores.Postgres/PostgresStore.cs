using System.Collections.Immutable;
using System.Data.Common;
using Linkage.Stores.Sql;
using Linkage.Engine;
using Npgsql;
using NpgsqlTypes;

namespace Linkage.Stores.Postgres;

/// <summary>
/// The production store: PostgreSQL, shared by several engine instances. One <see cref="NpgsqlDataSource"/> (one
/// connection pool) per store; each batch is ONE <see cref="NpgsqlBatch"/> (one round trip) inside a read-committed
/// transaction. Inserts are <c>ON CONFLICT DO NOTHING</c> and their row counts are checked, so a key another writer
/// inserted first is detected as a conflict without aborting the transaction; updates are version-checked (a concurrent
/// writer of the same row waits for the first to commit, then finds the version moved and touches no row). A unique
/// violation, deadlock or serialization failure is a conflict too: the engine decides again.
/// </summary>
/// <remarks>
/// Call <see cref="Migrate()"/> (or <see cref="MigrateAsync"/>) before use; <see cref="Open"/> does both. Everything
/// lives in one schema, <see cref="PostgresStoreOptions.Schema"/> (<c>linkage</c> unless set), never in the database's
/// default one. Every member has an asynchronous form taking a cancellation token. Thread safety: every member may be
/// called from several threads; each call uses its own pooled connection.
/// </remarks>
public sealed class PostgresStore : SqlLinkageStore
{
    private const string MigrationPrefix = "Linkage.Stores.Postgres.Migrations.";

    /// <summary>The advisory lock that serialises migrations of one database: "Linkage1" as a 64-bit key.</summary>
    private const long MigrationLockKey = 0x4C696E6B61676531;

    /// <summary>The first key of the advisory lock that orders link-writing transactions (<see cref="WillWrite"/>): "Link" as 32 bits.</summary>
    private const int LinkSerialLockClass = 0x4C696E6B;

    private static readonly PostgresDialect TheDialect = new();

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>The lock statement of <see cref="WillWrite"/>: the second key is the schema's, so stores of other schemas never wait for it.</summary>
    private readonly string _linkSerialLock;

    /// <summary>Creates the store's connection pool; nothing is opened until the first call.</summary>
    /// <exception cref="ArgumentException">The options are invalid (every problem is listed).</exception>
    public PostgresStore(PostgresStoreOptions options)
        : base(TheDialect)
    {
        Options = Validated(options, o => o.Problems());
        var connection = new NpgsqlConnectionStringBuilder(options.ConnectionString)
        {
            CommandTimeout = (int)Math.Ceiling(options.CommandTimeout.TotalSeconds),
            MaxAutoPrepare = options.AutoPrepareMax,
            AutoPrepareMinUsages = 2,

            // The store keeps no session state (its advisory locks are transaction-level, the search path a startup
            // parameter), so a pooled connection needs no reset when it is returned: Npgsql's reset is seven statements
            // run before the next command, on every checkout (a fifth of the statements a fuzz run sent).
            NoResetOnClose = true,

            // Every statement of the store names its tables unqualified, so the schema alone on the search path puts all
            // of them, and the migrations, in the schema (a startup parameter: it holds for every pooled connection).
            SearchPath = Options.Schema,
        };
        _dataSource = NpgsqlDataSource.Create(connection);
        _linkSerialLock = string.Create(
            System.Globalization.CultureInfo.InvariantCulture, $"SELECT pg_advisory_xact_lock({LinkSerialLockClass}, {SchemaKey(Options.Schema)})");
    }

    /// <inheritdoc />
    public override string Name => "postgres";

    /// <summary>The options the store was created with.</summary>
    public PostgresStoreOptions Options { get; }

    /// <summary>Creates the store and applies any pending migrations.</summary>
    public static PostgresStore Open(PostgresStoreOptions options) => Migrated(new PostgresStore(options));

    /// <inheritdoc />
    /// <remarks>
    /// One transaction holding an advisory lock, so several instances migrating one database at once apply each step
    /// exactly once (the others wait, then find it applied). The lock is the database's, whatever the schema: stores of
    /// other schemas wait too, which costs only a moment at start. <see cref="PostgresStoreOptions.Schema"/> is created
    /// first when it does not exist, and the migrations and <c>schema_version</c> go in it; a connection whose search
    /// path is not that schema (a pooler that drops the startup parameter) is refused before anything is created.
    /// </remarks>
    public override ImmutableArray<int> Migrate() => Sync(Migrate(false, default));

    /// <inheritdoc cref="Migrate()"/>
    public ValueTask<ImmutableArray<int>> MigrateAsync(CancellationToken ct = default) => Migrate(true, ct);

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _dataSource.Dispose();
        }
    }

    private protected override async ValueTask<T> WithConnection<T>(Func<DbConnection, ValueTask<T>> work, bool async, CancellationToken ct)
    {
        var connection = async ? await _dataSource.OpenConnectionAsync(ct).ConfigureAwait(false) : _dataSource.OpenConnection();
        try
        {
            return await work(connection).ConfigureAwait(false);
        }
        finally
        {
            await DisposeAsync(connection, async).ConfigureAwait(false);
        }
    }

    private protected override async ValueTask<DbTransaction> Begin(DbConnection connection, bool async, CancellationToken ct) =>
        async ? await connection.BeginTransactionAsync(ct).ConfigureAwait(false) : connection.BeginTransaction();

    /// <inheritdoc />
    /// <remarks>
    /// A transaction that inserts links first takes a transaction-level advisory lock of the schema and holds it until it
    /// ends. A link's serial is an identity value, handed out at insert: without the lock, a writer could insert serial 7
    /// after another inserted 8, commit after it, and a pager that had read 8 would never see 7. With it, link-writing
    /// transactions run one at a time from their first statement to their commit, so serials become visible in order.
    /// Taken before any row is written, it cannot close a cycle with row locks (a writer holding it waits only for rows,
    /// and one waiting for it holds none yet). The cost: one more round trip for such a transaction, and several engines
    /// on one schema write links one transaction at a time; a transaction without links never waits for it.
    /// </remarks>
    private protected override async ValueTask WillWrite(DbConnection connection, DbTransaction transaction, bool insertsLinks, bool async, CancellationToken ct)
    {
        if (insertsLinks)
        {
            await Run((NpgsqlConnection)connection, (NpgsqlTransaction)transaction, _linkSerialLock, async, ct).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>A repeatable-read transaction: every query of it reads the snapshot its first one took.</remarks>
    private protected override async ValueTask<T> InOneSnapshot<T>(DbConnection connection, Func<ValueTask<T>> reads, bool async, CancellationToken ct)
    {
        var npgsql = (NpgsqlConnection)connection;
        var transaction = async
            ? await npgsql.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct).ConfigureAwait(false)
            : npgsql.BeginTransaction(System.Data.IsolationLevel.RepeatableRead);
        try
        {
            var result = await reads().ConfigureAwait(false);
            if (async)
            {
                await transaction.CommitAsync(ct).ConfigureAwait(false);
            }
            else
            {
                transaction.Commit();
            }
            return result;
        }
        finally
        {
            await DisposeAsync(transaction, async).ConfigureAwait(false);
        }
    }

    /// <summary>A 32-bit key of the schema's name (FNV-1a of its bytes: stable across processes and builds, unlike string hashes).</summary>
    private static int SchemaKey(string schema)
    {
        var hash = 2166136261u;
        foreach (var b in System.Text.Encoding.UTF8.GetBytes(schema))
        {
            hash = (hash ^ b) * 16777619u;
        }
        return unchecked((int)hash);
    }

    private protected override async ValueTask<string?> Execute(
        DbConnection connection, DbTransaction transaction, ImmutableArray<StoreCommand> plan, bool async, CancellationToken ct)
    {
        using var batch = new NpgsqlBatch((NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        foreach (var step in plan)
        {
            batch.BatchCommands.Add(Command(step));
        }
        await Run(batch, async, ct).ConfigureAwait(false);

        // Every statement ran (one round trip); the first whose row count is wrong names the conflict.
        for (var i = 0; i < plan.Length; i++)
        {
            if (plan[i].Conflict(batch.BatchCommands[i].RecordsAffected) is { } conflict)
            {
                return conflict;
            }
        }
        return null;
    }

    /// <inheritdoc />
    /// <remarks>
    /// A group's rows are written with one statement per shape (<see cref="MultiRowPlan"/>): each column's values go as
    /// one array and <c>unnest</c> turns them back into rows, so PostgreSQL parses, plans and executes a handful of
    /// statements for a burst instead of three per fill. Appends keep their own statements, after the merged ones and in
    /// their order. A group that cannot be merged safely runs statement by statement, as <see cref="Execute"/>.
    /// </remarks>
    private protected override async ValueTask<string?> ExecuteGroup(
        DbConnection connection, DbTransaction transaction, ImmutableArray<StoreCommand> plans, bool async, CancellationToken ct)
    {
        if (MultiRowPlan.Of(plans) is not { } merged)
        {
            return await Execute(connection, transaction, plans, async, ct).ConfigureAwait(false);
        }
        using var batch = new NpgsqlBatch((NpgsqlConnection)connection, (NpgsqlTransaction)transaction);
        foreach (var statement in merged.Merged)
        {
            batch.BatchCommands.Add(TheDialect.MultiRow(statement));
        }
        foreach (var append in merged.Appends)
        {
            batch.BatchCommands.Add(Command(append));
        }
        await Run(batch, async, ct).ConfigureAwait(false);
        for (var i = 0; i < merged.Merged.Length; i++)
        {
            var statement = merged.Merged[i];
            if (batch.BatchCommands[i].RecordsAffected != statement.Rows.Length)
            {
                return $"{statement.Rows.Length} rows written to {statement.Statement.Table.Name} in one statement touched {batch.BatchCommands[i].RecordsAffected}: another writer got to one of them first";
            }
        }
        CountMerged();
        return null;
    }

    private static async ValueTask Run(NpgsqlBatch batch, bool async, CancellationToken ct)
    {
        if (async)
        {
            await batch.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }
        else
        {
            batch.ExecuteNonQuery();
        }
    }

    private NpgsqlBatchCommand Command(StoreCommand step)
    {
        var command = new NpgsqlBatchCommand(Dialect.Render(step.Statement));
        command.Parameters.AddRange(step.Arguments.SelectMany(PostgresDialect.Parameters).ToArray());
        return command;
    }

    private protected override async ValueTask<ImmutableArray<T>> Read<T>(
        DbConnection connection, Query query, ImmutableArray<Argument> arguments, Func<IRow, T> map, bool async, CancellationToken ct)
    {
        using var command = new NpgsqlCommand(Dialect.Render(query), (NpgsqlConnection)connection);
        command.Parameters.AddRange(arguments.SelectMany(PostgresDialect.Parameters).ToArray());
        var reader = async ? await command.ExecuteReaderAsync(ct).ConfigureAwait(false) : command.ExecuteReader();
        try
        {
            var row = new PostgresRow(reader);
            var rows = ImmutableArray.CreateBuilder<T>();
            while (async ? await reader.ReadAsync(ct).ConfigureAwait(false) : reader.Read())
            {
                rows.Add(map(row));
            }
            return rows.ToImmutable();
        }
        finally
        {
            await DisposeAsync(reader, async).ConfigureAwait(false);
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// One <see cref="NpgsqlBatch"/> of six queries, one round trip: the orders with the burst's ids (by exchange order id
    /// only those that moved past the version this store last saw committed), then which of its
    /// fill keys are recorded, the parked fills and external records under its exchange order ids, then the exits awaiting allocation in the
    /// products of those orders. Parked fills and exits are ordered in memory, as <see cref="ReadAheadView"/> needs.
    /// </remarks>
    private protected override ValueTask<ILinkageStoreView> ReadAhead(ReadSetKeys readSetKeys, bool async, CancellationToken ct)
    {
        var keys = ReadAheadKeys.Of(readSetKeys);
        return WithConnection<ILinkageStoreView>(async connection =>
        {
            var ids = new NpgsqlParameter("ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys.ExchangeOrderIds.ToArray() };
            var clientIds = new NpgsqlParameter("client_ids", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys.ClientOrderIds.ToArray() };
            var known = keys.ExchangeOrderIds.Select(KnownCommitted).ToArray();
            var knownVersions = new NpgsqlParameter("known_versions", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = known.Select(o => o?.Version).ToArray() };
            const string Touched = "exchange_order_id = ANY(@ids) OR client_order_id = ANY(@client_ids)";
            using var batch = new NpgsqlBatch((NpgsqlConnection)connection)
            {
                BatchCommands =
                {
                    // An order this store knows at its current version comes back as nothing: one committed version has
                    // one content, so the known state is the row. Only orders that moved (or are unknown) are sent.
                    Query(
                        $"SELECT o.* FROM unnest(@ids, @known_versions) AS k (id, v) CROSS JOIN LATERAL (SELECT * FROM {Tables.Orders.Name} WHERE exchange_order_id = k.id AND version IS DISTINCT FROM k.v LIMIT 1) AS o",
                        ids,
                        knownVersions),
                    Query($"SELECT * FROM {Tables.Orders.Name} WHERE client_order_id = ANY(@client_ids)", clientIds),
                    Query(
                        // One primary-key probe per asked key (LATERAL with LIMIT keeps the planner from hashing the
                        // asked keys and scanning every fill key ever recorded, which it did for a generic plan).
                        $"SELECT f.exchange_order_id, f.source, f.fill_key FROM unnest(@key_orders, @key_sources, @key_keys) AS k (o, s, k) CROSS JOIN LATERAL (SELECT exchange_order_id, source, fill_key FROM {Tables.Fills.Name} WHERE exchange_order_id = k.o AND source = k.s AND fill_key = k.k LIMIT 1) AS f",
                        new("key_orders", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys.FillKeys.Select(k => k.Order.Value).ToArray() },
                        new("key_sources", NpgsqlDbType.Array | NpgsqlDbType.Bigint) { Value = keys.FillKeys.Select(k => (long)k.Source).ToArray() },
                        new("key_keys", NpgsqlDbType.Array | NpgsqlDbType.Text) { Value = keys.FillKeys.Select(k => k.Key).ToArray() }),
                    Query($"SELECT * FROM {Tables.Parked.Name} WHERE exchange_order_id = ANY(@ids)", ids),
                    Query($"SELECT * FROM {Tables.External.Name} WHERE exchange_order_id = ANY(@ids)", ids),
                    Query(
                        $"SELECT * FROM {Tables.Orders.Name} WHERE kind = '{IntentKind.Exit}' AND has_open AND product_id IN (SELECT product_id FROM {Tables.Orders.Name} WHERE {Touched})",
                        ids,
                        clientIds),
                },
            };
            var reader = async ? await batch.ExecuteReaderAsync(ct).ConfigureAwait(false) : batch.ExecuteReader();
            try
            {
                var moved = await Rows(reader, Sql.Rows.Order, advance: false).ConfigureAwait(false);
                var byClientId = await Rows(reader, Sql.Rows.Order, advance: true).ConfigureAwait(false);
                var fillKeys = await Rows(reader, Sql.Rows.FillKey, advance: true).ConfigureAwait(false);
                var parked = await Rows(reader, Sql.Rows.Parked, advance: true).ConfigureAwait(false);
                var externals = await Rows(reader, Sql.Rows.External, advance: true).ConfigureAwait(false);
                var exits = await Rows(reader, Sql.Rows.Order, advance: true).ConfigureAwait(false);
                Seen(moved);
                Seen(byClientId);
                var movedIds = moved.Select(o => o.ExchangeOrderId!.Value.Value).ToHashSet(StringComparer.Ordinal);
                var unmoved = known.Where(o => o is not null && !movedIds.Contains(o.ExchangeOrderId!.Value.Value)).Select(o => o!);
                var orders = moved.Concat(byClientId).Concat(unmoved)
                    .GroupBy(o => o.ClientOrderId.Value, StringComparer.Ordinal).Select(g => g.MaxBy(o => o.Version)!);
                return new ReadAheadView(this, keys, orders, fillKeys, parked, externals, exits);
            }
            finally
            {
                await DisposeAsync(reader, async).ConfigureAwait(false);
            }

            async ValueTask<List<T>> Rows<T>(NpgsqlDataReader reader, Func<IRow, T> map, bool advance)
            {
                if (advance)
                {
                    _ = async ? await reader.NextResultAsync(ct).ConfigureAwait(false) : reader.NextResult();
                }
                var row = new PostgresRow(reader);
                var rows = new List<T>();
                while (async ? await reader.ReadAsync(ct).ConfigureAwait(false) : reader.Read())
                {
                    rows.Add(map(row));
                }
                return rows;
            }
        }, async, ct);

        static NpgsqlBatchCommand Query(string sql, params NpgsqlParameter[] parameters)
        {
            var command = new NpgsqlBatchCommand(sql);
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(parameter.Clone());
            }
            return command;
        }
    }

    private protected override bool IsConflict(DbException error) =>
        error is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation or PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure };

    private ValueTask<ImmutableArray<int>> Migrate(bool async, CancellationToken ct)
    {
        var known = Migrations.Embedded(typeof(PostgresStore).Assembly, MigrationPrefix);
        return WithConnection(async connection =>
        {
            var npgsql = (NpgsqlConnection)connection;
            var transaction = async ? await npgsql.BeginTransactionAsync(ct).ConfigureAwait(false) : npgsql.BeginTransaction();
            try
            {
                // Held until commit: a second migrator waits here, then sees the first one's schema_version rows.
                await Run(npgsql, transaction, $"SELECT pg_advisory_xact_lock({MigrationLockKey})", async, ct).ConfigureAwait(false);
                await EnsureSchema(npgsql, transaction, async, ct).ConfigureAwait(false);
                await Run(npgsql, transaction, """
                    CREATE TABLE IF NOT EXISTS schema_version (
                      version     integer     NOT NULL PRIMARY KEY,
                      name        text        NOT NULL,
                      applied_at  timestamptz NOT NULL DEFAULT now()
                    )
                    """, async, ct).ConfigureAwait(false);
                var applied = new List<long>();
                using (var select = new NpgsqlCommand("SELECT version FROM schema_version", npgsql, transaction))
                {
                    var reader = async ? await select.ExecuteReaderAsync(ct).ConfigureAwait(false) : select.ExecuteReader();
                    while (async ? await reader.ReadAsync(ct).ConfigureAwait(false) : reader.Read())
                    {
                        applied.Add(reader.GetInt32(0));
                    }
                    await DisposeAsync(reader, async).ConfigureAwait(false);
                }
                var pending = Migrations.Pending(known, applied);
                foreach (var migration in pending)
                {
                    await Run(npgsql, transaction, migration.Sql, async, ct).ConfigureAwait(false);
                    using var record = new NpgsqlCommand("INSERT INTO schema_version (version, name) VALUES (@version, @name)", npgsql, transaction);
                    record.Parameters.AddWithValue("version", migration.Version);
                    record.Parameters.AddWithValue("name", migration.Name);
                    _ = async ? await record.ExecuteNonQueryAsync(ct).ConfigureAwait(false) : record.ExecuteNonQuery();
                }
                if (async)
                {
                    await transaction.CommitAsync(ct).ConfigureAwait(false);
                }
                else
                {
                    transaction.Commit();
                }
                return pending.Select(m => m.Version).ToImmutableArray();
            }
            finally
            {
                await DisposeAsync(transaction, async).ConfigureAwait(false);
            }
        }, async, ct);
    }

    /// <summary>
    /// Creates the store's schema unless it exists (asked first: <c>CREATE SCHEMA IF NOT EXISTS</c> would still need the
    /// CREATE privilege on the database, which a role given a schema by its administrator lacks), then checks that the
    /// connection resolves unqualified names in it, so nothing is ever created in another schema.
    /// </summary>
    private async ValueTask EnsureSchema(NpgsqlConnection connection, NpgsqlTransaction transaction, bool async, CancellationToken ct)
    {
        var schema = Options.Schema;
        using (var exists = new NpgsqlCommand("SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = @schema)", connection, transaction))
        {
            exists.Parameters.AddWithValue("schema", schema);
            if (!(bool)(async ? await exists.ExecuteScalarAsync(ct).ConfigureAwait(false) : exists.ExecuteScalar())!)
            {
                // A plain identifier (PostgresStoreOptions.SchemaProblem), so quoting it changes nothing but is exact.
                await Run(connection, transaction, $"CREATE SCHEMA \"{schema}\"", async, ct).ConfigureAwait(false);
            }
        }
        using var current = new NpgsqlCommand("SELECT current_schema()", connection, transaction);
        var resolved = async ? await current.ExecuteScalarAsync(ct).ConfigureAwait(false) : current.ExecuteScalar();
        if (resolved is not string name || !string.Equals(name, schema, StringComparison.Ordinal))
        {
            throw new InvalidOperationException(
                $"the connection resolves unqualified names in schema '{resolved ?? "(none)"}', not in '{schema}' (its search_path startup parameter did not take: a pooler that drops it?): nothing was migrated");
        }
    }

    private static async ValueTask Run(NpgsqlConnection connection, NpgsqlTransaction transaction, string sql, bool async, CancellationToken ct)
    {
        using var command = new NpgsqlCommand(sql, connection, transaction);
        _ = async ? await command.ExecuteNonQueryAsync(ct).ConfigureAwait(false) : command.ExecuteNonQuery();
    }
}
