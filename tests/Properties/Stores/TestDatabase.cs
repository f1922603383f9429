using Linkage.Stores.Sql;

namespace Linkage.Properties.Stores;

/// <summary>A database a fixture owns for its lifetime (a folder of SQLite files, a PostgreSQL database), removed on dispose.</summary>
public interface ITestDatabase : IDisposable
{
    /// <summary>A migrated store over an empty database.</summary>
    SqlLinkageStore OpenEmpty();

    /// <summary>A migrated store over the database the last <see cref="OpenEmpty"/> returned, as it is now.</summary>
    SqlLinkageStore OpenSame();
}

/// <summary>A fixture that owns one <see cref="ITestDatabase"/> for its lifetime.</summary>
public abstract class DatabaseFixture
{
    private ITestDatabase? _database;

    /// <summary>The fixture's database.</summary>
    protected ITestDatabase Database => _database ?? throw new InvalidOperationException("the fixture's database is not created yet");

    /// <summary>Creates the fixture's database (once per fixture).</summary>
    protected abstract ITestDatabase CreateDatabase();

    [OneTimeSetUp]
    public void CreateDatabaseOnce() => _database = CreateDatabase();

    [OneTimeTearDown]
    public void RemoveDatabase() => _database?.Dispose();
}
