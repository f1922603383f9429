using Linkage.Engine;
using Linkage.Properties.Support;
using Linkage.Stores.Postgres;
using Linkage.Stores.Sql;
using Npgsql;

namespace Linkage.Properties.Stores.Postgres;

/// <summary>
/// The store conformance suite over a real PostgreSQL database (one per fixture, emptied before each test). Needs a
/// server: see <see cref="PostgresServer"/>.
/// </summary>
[TestFixture]
public sealed class PostgresStoreConformance : DurableStoreConformance
{
    private string? _database;

    [OneTimeSetUp]
    public void CreateDatabase() => _database = PostgresServer.CreateDatabase(nameof(PostgresStoreConformance));

    [OneTimeTearDown]
    public void DropDatabase()
    {
        if (_database is not null)
        {
            PostgresServer.DropDatabase(_database);
        }
    }

    protected override ILinkageStore CreateEmpty()
    {
        var store = PostgresStore.Open(new PostgresStoreOptions { ConnectionString = _database! });
        using var connection = new NpgsqlConnection(_database);
        connection.Open();
        using var truncate = new NpgsqlCommand(
            "TRUNCATE order_metadata_staging, trade_strategy_link, fill_keys, exit_allocations, parked_fills, external_orders, quarantine, alerts RESTART IDENTITY",
            connection);
        truncate.ExecuteNonQuery();
        return store;
    }

    protected override SqlLinkageStore OpenSameDatabase() => PostgresStore.Open(new PostgresStoreOptions { ConnectionString = _database! });

    
}
