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

    /// <summary>Largest page cache a store may ask for, in MiB.</summary>
    public const int CacheMegabytesMax = 16_384;

    /// <summary>Fewest and most pages the write-ahead log may hold before it is checkpointed.</summary>
    public const int CheckpointPagesMin = 100;

    /// <inheritdoc cref="CheckpointPagesMin"/>
    public const int CheckpointPagesMax = 1_000_000;

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
    /// SQLite's page cache for the store's connection, in MiB (<c>PRAGMA cache_size</c>). SQLite's own default is 2 MiB,
    /// which a book of a few thousand open orders with their fill keys and links outgrows: every page it drops is read
    /// again through the OS. 64 MiB keeps the working set of a busy book in process.
    /// </summary>
    public int CacheMegabytes { get; init; } = 64;

    /// <summary>
    /// How many pages the write-ahead log may hold before a commit checkpoints it into the database file
    /// (<c>PRAGMA wal_autocheckpoint</c>). SQLite's default, 1,000 pages (4 MiB), checkpoints every few group commits of
    /// fills, and a checkpoint writes each page again and syncs the file. 10,000 (40 MiB of log) writes a page that many
    /// commits changed once per checkpoint: a quarter less time per grouped fill on this project's benchmark. The cost is
    /// a longer log to replay when a crashed process reopens the file, and a commit that checkpoints takes longer.
    /// </summary>
    public int CheckpointPages { get; init; } = 10_000;

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
        if (CacheMegabytes is < 1 or > CacheMegabytesMax)
        {
            problems.Add($"CacheMegabytes {CacheMegabytes} is not within [1, {CacheMegabytesMax}]");
        }
        if (CheckpointPages is < CheckpointPagesMin or > CheckpointPagesMax)
        {
            problems.Add($"CheckpointPages {CheckpointPages} is not within [{CheckpointPagesMin}, {CheckpointPagesMax}]");
        }
        return problems;
    }
}
