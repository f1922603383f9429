namespace Linkage.Stores.Sqlite;

/// <summary>How a committed transaction reaches the disk (SQLite's <c>PRAGMA synchronous</c> in WAL mode).</summary>
public enum SqliteDurability
{
    /// <summary>
    /// <c>synchronous=NORMAL</c>: a commit survives the process being killed; a power loss or OS crash may lose the last
    /// commits (never corrupts the file). One fewer fsync per commit.
    /// </summary>
    Normal,

    /// <summary><c>synchronous=FULL</c>: the WAL is synced at every commit, so a commit survives power loss.</summary>
    Full,
}

/// <summary>
/// Options of a <see cref="SqliteStore"/>. Validated once when the store opens, every error reported together.
/// </summary>
public sealed record SqliteStoreOptions
{
    /// <summary>Longest wait for another connection's write lock, so a busy file never hangs a caller forever.</summary>
    public static readonly TimeSpan BusyTimeoutMax = TimeSpan.FromMinutes(5);

    /// <summary>The database file; created if missing.</summary>
    public required string Path { get; init; }

    /// <summary>
    /// Defaults to <see cref="SqliteDurability.Full"/> on purpose: a link reported to the strategy's optimiser must not
    /// vanish in a power cut, and a lost commit of a fill key would let a re-delivered fill link twice. The extra fsync
    /// per commit is amortised for bursts by <see cref="Sql.SqlLinkageStore.ApplyMany"/> (one transaction, one sync).
    /// Choose <see cref="SqliteDurability.Normal"/> where a host-level crash is the only risk (simulation, tests).
    /// </summary>
    public SqliteDurability Durability { get; init; } = SqliteDurability.Full;

    /// <summary>How long a write waits for another connection's lock (several processes on one file) before failing.</summary>
    public TimeSpan BusyTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Called with the store's connection once it is open and configured, before any migration: a host may register SQL
    /// functions or temporary triggers there. The crash test uses it to reach kill points inside a write transaction
    /// (a temporary trigger calls back after a row is written, before the commit).
    /// </summary>
    public Action<Microsoft.Data.Sqlite.SqliteConnection>? ConnectionOpened { get; init; }

    /// <summary>Every problem with these options, or none.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(Path))
        {
            problems.Add("Path is empty");
        }
        if (!Enum.IsDefined(Durability))
        {
            problems.Add($"Durability {Durability} is not a SqliteDurability");
        }
        if (BusyTimeout <= TimeSpan.Zero || BusyTimeout > BusyTimeoutMax)
        {
            problems.Add($"BusyTimeout {BusyTimeout} is not within (0, {BusyTimeoutMax}]");
        }
        return problems;
    }
}
