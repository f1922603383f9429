using Linkage.Engine;
using Linkage.Stores.Sql;
using Linkage.Stores.Sqlite;

namespace Linkage.Properties.Stores.Sqlite;

/// <summary>The store conformance suite over a real SQLite file per test (WAL, default durability).</summary>
[TestFixture]
public sealed class SqliteStoreConformance : DurableStoreConformance
{
    private TempDirectory? _directory;
    private string? _path;
    private int _databases;

    [OneTimeSetUp]
    public void CreateDirectory() => _directory = new TempDirectory("linkage-sqlite-conformance");

    [OneTimeTearDown]
    public void RemoveDirectory() => _directory?.Dispose();

    protected override ILinkageStore CreateEmpty()
    {
        _path = _directory!.File($"store-{++_databases}.db");
        return SqliteStore.Open(new SqliteStoreOptions { Path = _path });
    }

    protected override SqlLinkageStore OpenSameDatabase() => SqliteStore.Open(new SqliteStoreOptions { Path = _path! });

    
}
