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
        Execute($"TRUNCATE {EveryTable} RESTART IDENTITY");
        return store;
    }

    public void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>A migrated store over the database as it is.</summary>
    public SqlLinkageStore OpenSame() => PostgresStore.Open(new PostgresStoreOptions { ConnectionString = ConnectionString });

    public void Dispose() => PostgresServer.DropDatabase(ConnectionString);
}
