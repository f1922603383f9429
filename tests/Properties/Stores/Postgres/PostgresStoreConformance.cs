using Linkage.Properties.Support;

namespace Linkage.Properties.Stores.Postgres;

/// <summary>
/// The store conformance suite over a real PostgreSQL database (one per fixture, emptied before each test). Needs a
/// server: see <see cref="PostgresServer"/>.
/// </summary>
[TestFixture]
public sealed class PostgresStoreConformance : DurableStoreConformance
{
    protected override ITestDatabase CreateDatabase() => new PostgresTestDatabase(nameof(PostgresStoreConformance));
}

/// <summary>The model-based property over PostgreSQL: fewer runs than SQLite, each batch a network round trip.</summary>
[TestFixture]
public sealed class PostgresStoreModelProperties : StoreModelProperties
{
    protected override int Runs => 60;

    protected override ITestDatabase CreateDatabase() => new PostgresTestDatabase(nameof(PostgresStoreModelProperties));
}
