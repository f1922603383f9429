using System.Globalization;
using Linkage.Engine;
using Linkage.Sim.Stores;
using Linkage.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Linkage.Sim.Crash;

/// <summary>
/// The crash test's SQLite store, one file per process life as <see cref="CrashPlan"/> says: a re-executed life runs on
/// a scratch copy of the file as the death before it left it (the first on an empty scratch file), and the live process
/// on the plan's database file. Every store connection gets temporary triggers that cross a kill point after each row
/// written, so a death can fall between two statements of one transaction.
/// </summary>
/// <remarks>
/// A store of a dead life is never disposed: its thread is parked inside a transaction and still holds the store's
/// lock, exactly as the dead process held the file. Nothing reads it again, and process exit releases it.
/// </remarks>
internal sealed class CrashStoreSession(CrashPlan plan, KillSwitch killSwitch) : IStoreSession
{
    /// <summary>The tables a decision batch writes; a row written to any of them is a kill point.</summary>
    private static readonly string[] WrittenTables =
    [
        "order_metadata_staging", "trade_strategy_link", "fill_keys", "exit_allocations", "parked_fills", "external_orders", "quarantine", "alerts",
    ];

    private SqliteStore? _current;
    private int _openedAfterDeaths = -1;

    public string Name => StoreFactory.Sqlite;

    public bool IsDurable => true;

    public ILinkageStore Open()
    {
        var deaths = killSwitch.Deaths;
        if (deaths == _openedAfterDeaths)
        {
            // A restart the scenario asked for, in the same segment between deaths: the previous life ended normally.
            _current?.Dispose();
        }
        var path = deaths == _openedAfterDeaths ? _current!.Options.Path : PathAfter(deaths);
        _openedAfterDeaths = deaths;
        // The kill-point function is registered as the connection opens; the triggers that call it name tables a new
        // file has only after its migrations, so they are added to the same connection once those have run.
        SqliteConnection? connection = null;
        _current = SqliteStore.Open(new SqliteStoreOptions
        {
            Path = path,
            Durability = SqliteDurability.Normal,
            ConnectionOpened = opened =>
            {
                connection = opened;
                opened.CreateFunction("linkage_kill_point", (string table) =>
                {
                    killSwitch.Cross("write:" + table);
                    return 0;
                });
            },
        });
        AddKillPoints(connection!);
        return _current;
    }

    /// <summary>Closes the live process's store (the one that ran to the end) so the parent can read the file.</summary>
    public void Dispose() => _current?.Dispose();

    /// <summary>
    /// The file of the lives after <paramref name="deaths"/> deaths: before the first, an empty one; after death
    /// <c>d</c>, the file as it left it. Segments before the last real death are re-executions, each on a scratch copy;
    /// from there on the process runs on the plan's file.
    /// </summary>
    private string PathAfter(int deaths)
    {
        if (deaths >= plan.Snapshots.Length)
        {
            return plan.DatabasePath;
        }
        var scratch = Path.Combine(plan.ScratchDirectory, string.Create(CultureInfo.InvariantCulture, $"after-{deaths}.db"));
        if (deaths == 0)
        {
            SqliteFiles.Delete(scratch);
        }
        else
        {
            SqliteFiles.Copy(plan.Snapshots[deaths - 1], scratch);
        }
        return scratch;
    }

    /// <summary>A temporary trigger per written table and operation, crossing a kill point after each row.</summary>
    private static void AddKillPoints(SqliteConnection connection)
    {
        foreach (var table in WrittenTables)
        {
            foreach (var operation in new[] { "INSERT", "UPDATE" })
            {
                using var command = connection.CreateCommand();
                command.CommandText = $"""
                    CREATE TEMP TRIGGER kill_point_{table}_{operation.ToLowerInvariant()} AFTER {operation} ON main.{table}
                    BEGIN SELECT linkage_kill_point('{table}'); END
                    """;
                command.ExecuteNonQuery();
            }
        }
    }
}

/// <summary>A SQLite database as files: the main file, its write-ahead log and its shared-memory index.</summary>
public static class SqliteFiles
{
    public static readonly string[] Suffixes = ["", "-wal", "-shm"];

    /// <summary>Deletes every file of the database at <paramref name="path"/>.</summary>
    public static void Delete(string path)
    {
        foreach (var suffix in Suffixes)
        {
            File.Delete(path + suffix);
        }
    }

    /// <summary>Copies every file of the database at <paramref name="from"/> that exists to <paramref name="to"/>, as a dead process left them.</summary>
    public static void Copy(string from, string to)
    {
        foreach (var suffix in Suffixes)
        {
            if (File.Exists(from + suffix))
            {
                File.Copy(from + suffix, to + suffix, overwrite: true);
            }
            else
            {
                File.Delete(to + suffix);
            }
        }
    }
}
