using Linkage.Stores.Sql;
using Linkage.Stores.Sqlite;

namespace Linkage.Properties.Stores.Sqlite;

/// <summary>The store conformance suite over a real SQLite file per test (WAL, default durability FULL).</summary>
[TestFixture]
public sealed class SqliteStoreConformance : DurableStoreConformance
{
    protected override ITestDatabase CreateDatabase() => new SqliteTestFiles("linkage-sqlite-conformance", SqliteDurability.Full);
}

/// <summary>The model-based property over SQLite, a new file per history.</summary>
[TestFixture]
public sealed class SqliteStoreModelProperties : StoreModelProperties
{
    protected override int Runs => 150;

    protected override ITestDatabase CreateDatabase() => new SqliteTestFiles("linkage-sqlite-model", SqliteDurability.Normal);
}

/// <summary>SQLite files in a temp directory removed on dispose; each <see cref="OpenEmpty"/> starts a new file.</summary>
internal sealed class SqliteTestFiles(string prefix, SqliteDurability durability) : ITestDatabase
{
    private readonly TempDirectory _directory = new(prefix);
    private int _files;
    private string? _current;

    public SqlLinkageStore OpenEmpty()
    {
        _current = _directory.File($"store-{Interlocked.Increment(ref _files)}.db");
        return OpenSame();
    }

    public SqlLinkageStore OpenSame() => SqliteStore.Open(new SqliteStoreOptions { Path = _current!, Durability = durability });

    public void Dispose() => _directory.Dispose();
}
