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
