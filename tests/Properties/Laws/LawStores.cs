using Linkage.Properties.Support;
using Linkage.Sim.Stores;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Laws;

/// <summary>
/// The store a law runs on, as run options. PostgreSQL gets a database of its own for the law (the test fixture's
/// throwaway server, or <c>LINKAGE_PG</c>), dropped afterwards; a store this build cannot open makes the test fail
/// with the reason, never silently run on another store.
/// </summary>
internal sealed class LawStores : IDisposable
{
    public static readonly RunOptions Memory = new() { Store = StoreFactory.Memory };
    public static readonly RunOptions Sqlite = new() { Store = StoreFactory.Sqlite };

    private readonly string? _database;

    private LawStores(RunOptions options, string? database)
    {
        Options = options;
        _database = database;
    }

    public RunOptions Options { get; }

    public static LawStores Open(string store, string purpose)
    {
        Assert.That(StoreFactory.IsAvailable(store, out var reason), Is.True, () => reason ?? "");
        if (store != StoreFactory.Postgres)
        {
            return new LawStores(new RunOptions { Store = store }, null);
        }
        var database = PostgresServer.CreateDatabase(purpose);
        return new LawStores(new RunOptions { Store = store, PostgresConnectionString = database }, database);
    }

    public void Dispose()
    {
        if (_database is not null)
        {
            PostgresServer.DropDatabase(_database);
        }
    }
}
