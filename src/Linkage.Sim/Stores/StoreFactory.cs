using System.Globalization;
using Linkage.Engine;
using Linkage.Stores.Postgres;
using Linkage.Stores.Sqlite;
using Npgsql;

namespace Linkage.Sim.Stores;

/// <summary>A store asked for by name that cannot be opened as asked; the message says what to do instead.</summary>
public sealed class StoreUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>
/// One run's store: opened at the start and again after every restart. A volatile store (memory) comes back empty, as
/// a real process's memory does; a durable one comes back with everything it committed.
/// </summary>
public interface IStoreSession : IDisposable
{
    /// <summary><c>memory</c>, <c>sqlite</c>, <c>postgres</c>.</summary>
    string Name { get; }

    bool IsDurable { get; }

    /// <summary>Opens the store for a new process life (closing the previous one's handle).</summary>
    ILinkageStore Open();
}

/// <summary>
/// Creates store sessions by name: <c>memory</c> (volatile), <c>sqlite</c> (a temporary file per run, removed at the
/// end) and <c>postgres</c> (a schema of its own per run in the database <see cref="Scenarios.RunOptions.PostgresConnectionString"/>
/// names, <see cref="Scenarios.RunOptions.PostgresSchema"/> or a new one, created at the start and dropped at the end).
/// A run never sees another run's data, nor anything else in the database.
/// </summary>
public static class StoreFactory
{
    public const string Memory = "memory";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>Whether a store of this name exists in this build (its connection, if any, is checked when it opens).</summary>
    public static bool IsAvailable(string name, out string? reason)
    {
        reason = name is Memory or Sqlite or Postgres ? null : $"unknown store '{name}': expected memory, sqlite or postgres";
        return reason is null;
    }

    /// <summary>Whether <paramref name="options"/>' store can be opened as configured; if not, <paramref name="reason"/> says why.</summary>
    public static bool IsAvailable(Scenarios.RunOptions options, out string? reason)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IsAvailable(options.Store, out reason))
        {
            return false;
        }
        if (options.Store == Postgres && string.IsNullOrWhiteSpace(options.PostgresConnectionString))
        {
            reason = "store 'postgres' needs a connection string (set LINKAGE_PG or pass --pg), or run with --store sqlite or --store memory";
            return false;
        }
        return true;
    }

    /// <summary>
    /// Opens <paramref name="options"/>' store once, as a run would (a PostgreSQL schema created, migrated and dropped; a
    /// SQLite file created and removed), and returns why it cannot be used, or null when it can. A command calls this
    /// before anything runs, so an unreachable database is a usage problem (exit 2) and never a scenario's failure.
    /// </summary>
    public static string? Problem(Scenarios.RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IsAvailable(options, out var reason))
        {
            return reason;
        }
        try
        {
            using var session = Open(options);
            session.Open();
            return null;
        }
        catch (StoreUnavailableException e)
        {
            return e.Message;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return $"store '{options.Store}' cannot be opened: {Reason(e)}";
        }
    }

    /// <summary>An exception's message with its causes', without type names or stack: what a user can act on.</summary>
    private static string Reason(Exception e)
    {
        var parts = new List<string>();
        for (var cause = e; cause is not null && parts.Count < 3; cause = cause.InnerException)
        {
            if (!parts.Any(p => p.Contains(cause.Message, StringComparison.Ordinal)))
            {
                parts.Add(cause.Message.TrimEnd('.'));
            }
        }
        return string.Join(": ", parts);
    }

    /// <summary>A session for <paramref name="options"/>' store; throws <see cref="StoreUnavailableException"/> when it cannot be opened.</summary>
    public static IStoreSession Open(Scenarios.RunOptions options)
    {
        if (!IsAvailable(options, out var reason))
        {
            throw new StoreUnavailableException(reason!);
        }
        return options.Store switch
        {
            Sqlite => new SqliteSession(),
            Postgres => PostgresSession.Create(options.PostgresConnectionString!, options.PostgresSchema),
            _ => new MemorySession(),
        };
    }

    /// <summary>A name no other run uses at the same time (the name never reaches a result, so it need not be seeded).</summary>
    private static string UniqueName() => Path.GetFileNameWithoutExtension(Path.GetRandomFileName()) + Path.GetExtension(Path.GetRandomFileName()).TrimStart('.');

    /// <summary>Memory: each process life gets a new, empty store.</summary>
    private sealed class MemorySession : IStoreSession
    {
        private MemoryStore? _current;

        public string Name => Memory;

        public bool IsDurable => false;

        public ILinkageStore Open()
        {
            _current?.Dispose();
            _current = new MemoryStore();
            return _current;
        }

        public void Dispose() => _current?.Dispose();
    }

    /// <summary>SQLite: one file per run, reopened after a restart, deleted (with its WAL files) at the end.</summary>
    private sealed class SqliteSession : IStoreSession
    {
        private readonly string _path = Path.Combine(Path.GetTempPath(), "linkage-sim-" + UniqueName() + ".db");
        private SqliteStore? _current;

        public string Name => Sqlite;

        public bool IsDurable => true;

        public ILinkageStore Open()
        {
            _current?.Dispose();
            // NORMAL durability: a commit survives the process being killed, which is what a simulated restart is.
            _current = SqliteStore.Open(new SqliteStoreOptions { Path = _path, Durability = SqliteDurability.Normal });
            return _current;
        }

        public void Dispose()
        {
            _current?.Dispose();
            foreach (var file in new[] { _path, _path + "-wal", _path + "-shm" })
            {
                File.Delete(file);
            }
        }
    }

    /// <summary>
    /// PostgreSQL: a schema of its own per run (the store's <see cref="PostgresStoreOptions.Schema"/>), so runs sharing
    /// one database never see each other; created here, so that a name that exists already is refused before anything
    /// runs, and dropped at the end. Creating and dropping the schema is the only place the simulator speaks to the
    /// driver directly.
    /// </summary>
    private sealed class PostgresSession : IStoreSession
    {
        private readonly string _admin;
        private readonly string _schema;
        private readonly string _connection;
        private PostgresStore? _current;

        private PostgresSession(string admin, string schema)
        {
            _admin = admin;
            _schema = schema;

            // The store sets its connections' search path to its schema; one the caller's string names is not for it.
            _connection = new NpgsqlConnectionStringBuilder(admin) { SearchPath = null }.ConnectionString;
        }

        /// <summary>A session in <paramref name="schema"/> (which must not exist yet), or in a new schema of its own when null.</summary>
        public static PostgresSession Create(string connectionString, string? schema)
        {
            var named = schema is not null;
            schema ??= "linkage_sim_" + UniqueName().ToLowerInvariant();
            if (PostgresStoreOptions.SchemaProblem(schema) is { } problem)
            {
                throw new StoreUnavailableException($"store 'postgres' cannot use schema {problem}");
            }
            try
            {
                Execute(connectionString, string.Create(CultureInfo.InvariantCulture, $"CREATE SCHEMA {schema}"));
            }
            catch (PostgresException e) when (named && e.SqlState == PostgresErrorCodes.DuplicateSchema)
            {
                throw new StoreUnavailableException(
                    $"store 'postgres' will not use schema {schema}: it exists already, and a run drops the schema it runs in at its end. Name a schema that does not exist (the run creates it), or leave the schema out for a new one per run", e);
            }
            catch (Exception e) when (e is NpgsqlException or ArgumentException or InvalidOperationException or TimeoutException)
            {
                throw new StoreUnavailableException($"store 'postgres' could not be reached or may not create a schema ({Described(connectionString)}): {Reason(e)}", e);
            }
            return new PostgresSession(connectionString, schema);
        }

        public string Name => Postgres;

        /// <summary>Where the connection string points, without its password.</summary>
        private static string Described(string connectionString)
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(connectionString);
                return string.Create(CultureInfo.InvariantCulture, $"host {builder.Host}, port {builder.Port}, database {builder.Database ?? "(default)"}");
            }
            catch (ArgumentException)
            {
                return "a connection string Npgsql cannot read";
            }
        }

        public bool IsDurable => true;

        public ILinkageStore Open()
        {
            _current?.Dispose();
            _current = PostgresStore.Open(new PostgresStoreOptions { ConnectionString = _connection, Schema = _schema });
            return _current;
        }

        public void Dispose()
        {
            _current?.Dispose();
            Execute(_admin, string.Create(CultureInfo.InvariantCulture, $"DROP SCHEMA IF EXISTS {_schema} CASCADE"));
        }

        private static void Execute(string connectionString, string sql)
        {
            using var connection = new NpgsqlConnection(connectionString);
            connection.Open();
            using var command = new NpgsqlCommand(sql, connection);
            command.ExecuteNonQuery();
        }
    }
}
