using Linkage.Properties.Support;
using Linkage.Stores.Postgres;
using Linkage.Stores.Sql;
using Npgsql;

namespace Linkage.Properties.Stores.Postgres;

/// <summary>One fixture's own PostgreSQL database (dropped on dispose), and stores over it.</summary>
internal sealed class PostgresTestDatabase : ITestDatabase
{
    private const string EveryTable =
        "order_metadata_staging, trade_strategy_link, fill_keys, exit_allocations, parked_fills, external_orders, quarantine, alerts";

    public PostgresTestDatabase(string purpose) => ConnectionString = PostgresServer.CreateDatabase(purpose);

    public string ConnectionString { get; }

    /// <summary>A migrated store over the database, emptied first.</summary>
    public SqlLinkageStore OpenEmpty()
    {
        var store = OpenSame();
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var truncate = new NpgsqlCommand($"TRUNCATE {EveryTable} RESTART IDENTITY", connection);
        truncate.ExecuteNonQuery();
        return store;
    }

    /// <summary>A migrated store over the database as it is.</summary>
    public SqlLinkageStore OpenSame() => PostgresStore.Open(new PostgresStoreOptions { ConnectionString = ConnectionString });

    public void Dispose() => PostgresServer.DropDatabase(ConnectionString);
}
