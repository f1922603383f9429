using System.Collections.Immutable;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text.Json;
using Linkage.Engine;
using Linkage.Stores.Sql;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Linkage.Stores.Sqlite;

/// <summary>
/// The embedded default store: one SQLite file in WAL mode. Each <see cref="SqlLinkageStore.Apply"/> is one
/// <c>BEGIN IMMEDIATE</c> transaction (the write lock is taken up front, so two processes on one file queue instead of
/// deadlocking on a lock upgrade); <see cref="SqlLinkageStore.ApplyMany"/> commits a burst in one transaction with a
/// savepoint per batch. Statements are prepared once and reused.
/// </summary>
/// <remarks>
/// Open, then call <see cref="Migrate"/> (an explicit step, idempotent) before use; <see cref="Open"/> does both.
/// Thread safety: one connection guarded by a lock, so every call is atomic and sees only committed batches. Several
/// <see cref="SqliteStore"/> instances (or processes) may share a file: SQLite serialises their writers, and the
/// version checks make a writer that read stale state get a conflict.
/// </remarks>
public sealed partial class SqliteStore : SqlLinkageStore
{
    private const string MigrationPrefix = "Linkage.Stores.Sqlite.Migrations.";

    private static readonly SqliteDialect TheDialect = new();

    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly SqliteConnection _connection;
    private readonly Dictionary<object, SqliteCommand> _prepared = [];
    private readonly Dictionary<Query, Dictionary<string, int>> _ordinals = [];
    private readonly Dictionary<Statement, WriteStatement> _writes = [];
    private sqlite3_stmt? _dataVersion;

    /// <summary>The read transaction of <see cref="InOneSnapshot"/> while it runs (under the lock), which every query then joins.</summary>
    private SqliteTransaction? _snapshot;

    /// <summary>Opens (creating if missing) the database file. Call <see cref="Migrate"/> before first use.</summary>
    /// <exception cref="ArgumentException">The options are invalid (every problem is listed).</exception>
    public SqliteStore(SqliteStoreOptions options)
        : base(TheDialect, cacheReads: true)
    {
        Options = Validated(options, o => o.Problems());
        var connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = options.Path,
            Mode = SqliteOpenMode.ReadWriteCreate,

            // No pool: disposing the store closes the file, so a host (or a test) can reopen, move or delete it at once.
            Pooling = false,
            DefaultTimeout = (int)Math.Ceiling(options.BusyTimeout.TotalSeconds),
        }.ToString();
        _connection = new SqliteConnection(connectionString);
        _connection.Open();
        // Migration 0002 compares decimals kept as text; SQLite would compare them as text or as binary floats.
        _connection.CreateFunction(
            "linkage_decimal_at_least",
            (string a, string b) => decimal.Parse(a, NumberStyles.Number, CultureInfo.InvariantCulture) >= decimal.Parse(b, NumberStyles.Number, CultureInfo.InvariantCulture),
            isDeterministic: true);
        try
        {
            var busyMs = ((long)options.BusyTimeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
            Scalar($"PRAGMA busy_timeout = {busyMs}");

            // WAL: readers never block the writer, and a commit appends to the log instead of rewriting pages.
            var mode = Scalar("PRAGMA journal_mode = WAL");
            if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            {
                throw new InvalidOperationException($"SQLite refused WAL mode for {options.Path} (journal_mode is {mode})");
            }
            Scalar($"PRAGMA synchronous = {(options.Durability == SqliteDurability.Full ? "FULL" : "NORMAL")}");
            Scalar($"PRAGMA cache_size = {-1024L * options.CacheMegabytes}");
            Scalar($"PRAGMA wal_autocheckpoint = {options.CheckpointPages}");
            options.ConnectionOpened?.Invoke(_connection);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    /// <inheritdoc />
    public override string Name => "sqlite";

    /// <summary>The options the store was opened with.</summary>
    public SqliteStoreOptions Options { get; }

    /// <summary>Opens the file and applies any pending migrations.</summary>
    public static SqliteStore Open(SqliteStoreOptions options) => Migrated(new SqliteStore(options));

    /// <inheritdoc />
    /// <remarks>One <c>BEGIN IMMEDIATE</c> transaction, so several processes migrating one file at once apply each step once.</remarks>
    public override ImmutableArray<int> Migrate()
    {
        var known = Migrations.Embedded(typeof(SqliteStore).Assembly, MigrationPrefix);
        _gate.Wait();
        try
        {
            using var transaction = _connection.BeginTransaction(IsolationLevel.Serializable, deferred: false);
            Run(transaction, """
                CREATE TABLE IF NOT EXISTS schema_version (
                  version     INTEGER NOT NULL PRIMARY KEY,
                  name        TEXT    NOT NULL,
                  applied_at  TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
                ) STRICT
                """);
            var applied = new List<long>();
            using (var select = Command(transaction, "SELECT version FROM schema_version"))
            using (var reader = select.ExecuteReader())
            {
                while (reader.Read())
                {
                    applied.Add(reader.GetInt64(0));
                }
            }
            var pending = Migrations.Pending(known, applied);
            foreach (var migration in pending)
            {
                Run(transaction, migration.Sql);
                using var record = Command(transaction, "INSERT INTO schema_version (version, name) VALUES (@version, @name)");
                record.Parameters.AddWithValue("@version", migration.Version);
                record.Parameters.AddWithValue("@name", migration.Name);
                record.ExecuteNonQuery();
            }
            transaction.Commit();
            return [.. pending.Select(m => m.Version)];
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <inheritdoc />
    protected override void Dispose(bool disposing)
    {
        if (!disposing)
        {
            return;
        }
        _gate.Wait();
        try
        {
            foreach (var command in _prepared.Values)
            {
                command.Dispose();
            }
            _prepared.Clear();
            foreach (var write in _writes.Values)
            {
                write.Dispose();
            }
            _writes.Clear();
            _dataVersion?.Dispose();
            _connection.Dispose();
        }
        finally
        {
            _gate.Release();
        }
        _gate.Dispose();
    }

    // Microsoft.Data.Sqlite's asynchronous methods complete synchronously, so this store always takes the synchronous
    // path; its Async members are for callers that program against the asynchronous API of both SQL stores.
    private protected override async ValueTask<T> WithConnection<T>(Func<DbConnection, ValueTask<T>> work, bool async, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        _gate.Wait(ct);
        try
        {
            return await work(_connection).ConfigureAwait(false);
        }
        finally
        {
            _gate.Release();
        }
    }

    private protected override ValueTask<DbTransaction> Begin(DbConnection connection, bool async, CancellationToken ct) =>
        ValueTask.FromResult<DbTransaction>(_connection.BeginTransaction(IsolationLevel.Serializable, deferred: false));

    private protected override ValueTask<string?> Execute(
        DbConnection connection, DbTransaction transaction, ImmutableArray<StoreCommand> plan, bool async, CancellationToken ct)
    {
        foreach (var step in plan)
        {
            ct.ThrowIfCancellationRequested();
            if (step.Conflict(Written(step.Statement, step.Arguments).Run(_connection.Handle!, step.Arguments)) is { } conflict)
            {
                // Later statements may depend on this one (an update after an insert): stop at the first conflict.
                return ValueTask.FromResult<string?>(conflict);
            }
        }
        return ValueTask.FromResult<string?>(null);
    }

    /// <inheritdoc />
    /// <remarks>
    /// A group is written through <see cref="MultiRowPlan"/> when it can be: successive updates of one order (a burst of
    /// fills on it) become one update from the first expected version, so the row is written once, not once per fill.
    /// </remarks>
    private protected override ValueTask<string?> ExecuteGroup(
        DbConnection connection, DbTransaction transaction, ImmutableArray<StoreCommand> plans, bool async, CancellationToken ct)
    {
        if (MultiRowPlan.Of(plans) is not { } merged)
        {
            return Execute(connection, transaction, plans, async, ct);
        }
        foreach (var (statement, arguments) in merged.SingleRows())
        {
            ct.ThrowIfCancellationRequested();
            if (Written(statement, arguments).Run(_connection.Handle!, arguments) != 1)
            {
                return ValueTask.FromResult<string?>($"a write to {statement.Table.Name} in a group found its row moved or its key taken: another writer got there first");
            }
        }
        CountMerged();
        return Execute(connection, transaction, merged.Appends, async, ct);
    }

    private protected override ValueTask<ImmutableArray<T>> Read<T>(
        DbConnection connection, Query query, ImmutableArray<Argument> arguments, Func<IRow, T> map, bool async, CancellationToken ct)
    {
        var command = Prepared(query, Dialect.Render, arguments);
        command.Transaction = _snapshot;
        Bind(command, arguments);
        using var reader = command.ExecuteReader();
        var row = new SqliteRow(reader, Ordinals(query, reader));
        var rows = ImmutableArray.CreateBuilder<T>();
        while (reader.Read())
        {
            rows.Add(map(row));
        }
        return ValueTask.FromResult(rows.ToImmutable());
    }

    /// <inheritdoc />
    /// <remarks>
    /// A deferred transaction: its first query takes a read snapshot of the WAL that later commits (of another
    /// connection on the file) do not change; committed at the end, having written nothing.
    /// </remarks>
    private protected override async ValueTask<T> InOneSnapshot<T>(DbConnection connection, Func<ValueTask<T>> reads, bool async, CancellationToken ct)
    {
        using var transaction = _connection.BeginTransaction(IsolationLevel.Serializable, deferred: true);
        _snapshot = transaction;
        try
        {
            var result = await reads().ConfigureAwait(false);
            transaction.Commit();
            return result;
        }
        finally
        {
            _snapshot = null;
        }
    }

    /// <inheritdoc />
    /// <remarks>
    /// Warms the read cache for the burst's exchange order ids in four queries (orders, fill keys, parked fills,
    /// external orders; the ids go as one JSON array, unpacked by <c>json_each</c>), then decides from the cache.
    /// </remarks>
    private protected override ValueTask<ILinkageStoreView> ReadAhead(ReadSetKeys keys, bool async, CancellationToken ct) =>
        ReadAheadIntoCache(
            keys,
            (_, ids) =>
            {
                var json = JsonSerializer.Serialize(ids);
                return ValueTask.FromResult(new BulkRows(
                    Bulk($"SELECT * FROM {Tables.Orders.Name} WHERE exchange_order_id IN {InJson}", json, Rows.Order),
                    Bulk($"SELECT exchange_order_id, source, fill_key FROM {Tables.Fills.Name} WHERE exchange_order_id IN {InJson}", json, Rows.FillKey),
                    Bulk($"SELECT * FROM {Tables.Parked.Name} WHERE exchange_order_id IN {InJson}", json, Rows.Parked),
                    Bulk($"SELECT * FROM {Tables.External.Name} WHERE exchange_order_id IN {InJson}", json, Rows.External)));
            },
            async,
            ct);

    private protected override bool IsConflict(DbException error) =>
        error is SqliteException { SqliteErrorCode: SqliteErrorCodes.Constraint, SqliteExtendedErrorCode: SqliteErrorCodes.ConstraintUnique or SqliteErrorCodes.ConstraintPrimaryKey };

    /// <summary>
    /// The command for a statement or query (its rendered SQL), prepared on first use (after <see cref="Migrate"/>, so
    /// its tables exist) and reused. It is found by the statement's shape, not by its SQL text: hashing the text of a
    /// 45-column update on every call cost more than the lookup. Parameters are added in argument order, which is the
    /// same for every use of a shape, so <see cref="Bind"/> sets them by position.
    /// </summary>
    private SqliteCommand Prepared<TShape>(TShape shape, Func<TShape, string> render, ImmutableArray<Argument> arguments)
        where TShape : notnull
    {
        if (_prepared.TryGetValue(shape, out var command))
        {
            return command;
        }
        command = _connection.CreateCommand();
        command.CommandText = render(shape);
        foreach (var argument in arguments)
        {
            command.Parameters.Add(new SqliteParameter("@" + argument.Column.Name, SqliteDialect.TypeOf(argument.Column.Kind)));
        }
        command.Prepare();
        _prepared[shape] = command;
        return command;
    }

    private static void Bind(SqliteCommand command, ImmutableArray<Argument> arguments)
    {
        for (var i = 0; i < arguments.Length; i++)
        {
            command.Parameters[i].Value = SqliteDialect.ToDatabase(arguments[i]);
        }
    }

    /// <summary>The ids of a bulk read: a JSON array of text bound to <c>@ids</c>.</summary>
    private const string InJson = "(SELECT value FROM json_each(@ids))";

    /// <summary>Runs a read-ahead query (prepared on first use, found by its text) with the JSON array of ids and maps every row.</summary>
    private List<T> Bulk<T>(string sql, string ids, Func<IRow, T> map)
    {
        var command = Prepared(sql, static text => text, [new Argument(new NamedColumn("ids", ColumnKind.Text), ids)]);
        command.Transaction = null;
        command.Parameters[0].Value = ids;
        using var reader = command.ExecuteReader();
        var row = new SqliteRow(reader, DbRow.OrdinalsOf(reader));
        var rows = new List<T>();
        while (reader.Read())
        {
            rows.Add(map(row));
        }
        return rows;
    }

    /// <summary>The write statement for a shape, prepared on first use and reused (every use of a shape passes its arguments in the same order).</summary>
    private WriteStatement Written(Statement statement, ImmutableArray<Argument> arguments)
    {
        if (!_writes.TryGetValue(statement, out var write))
        {
            write = WriteStatement.Prepare(_connection.Handle!, Dialect.Render(statement), arguments);
            _writes[statement] = write;
        }
        return write;
    }

    /// <summary>A query's column ordinals by name, computed from its first result and reused (a prepared query's columns never change).</summary>
    private Dictionary<string, int> Ordinals(Query query, SqliteDataReader reader)
    {
        if (!_ordinals.TryGetValue(query, out var ordinals))
        {
            ordinals = DbRow.OrdinalsOf(reader);
            _ordinals[query] = ordinals;
        }
        return ordinals;
    }

    /// <summary>Runs one statement on the store's connection and returns its first value (a PRAGMA's setting, a count).</summary>
    internal string? Scalar(string sql)
    {
        _gate.Wait();
        try
        {
            using var command = _connection.CreateCommand();
            command.CommandText = sql;
            return Convert.ToString(command.ExecuteScalar(), CultureInfo.InvariantCulture);
        }
        finally
        {
            _gate.Release();
        }
    }

    private SqliteCommand Command(SqliteTransaction transaction, string sql)
    {
        var command = _connection.CreateCommand();
        command.Transaction = transaction;
        command.CommandText = sql;
        return command;
    }

    private void Run(SqliteTransaction transaction, string sql)
    {
        using var command = Command(transaction, sql);
        command.ExecuteNonQuery();
    }
}
