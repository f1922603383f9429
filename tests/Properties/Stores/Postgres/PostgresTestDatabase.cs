using Linkage.Properties.Support;
using Linkage.Stores.Postgres;
using Linkage.Stores.Sql;
using Npgsql;

namespace Linkage.Properties.Stores.Postgres;

/// <summary>
/// One fixture's own PostgreSQL database (dropped on dispose), and stores over it in the store's default schema
/// (<see cref="Schema"/>); <see cref="Execute"/> and <see cref="InSchema"/> look behind the store's back in that schema.
/// </summary>
internal sealed class PostgresTestDatabase : ITestDatabase
{
    private const string EveryTable =
        "order_metadata_staging, trade_strategy_link, fill_keys, exit_allocations, parked_fills, external_orders, quarantine, alerts";

    public PostgresTestDatabase(string purpose) => ConnectionString = PostgresServer.CreateDatabase(purpose);

    /// <summary>The schema the stores keep their tables in: the store's default.</summary>
    public const string Schema = PostgresStoreOptions.DefaultSchema;

    /// <summary>The database's connection string (what a store is given).</summary>
    public string ConnectionString { get; }

    /// <summary>The database's connection string with the stores' schema as its search path, for SQL that names their tables.</summary>
    public string InSchema => new NpgsqlConnectionStringBuilder(ConnectionString) { SearchPath = Schema }.ConnectionString;

    /// <summary>A migrated store over the database, emptied first.</summary>
    public SqlLinkageStore OpenEmpty()
    {
        var store = OpenSame();
        Execute($"TRUNCATE {EveryTable} RESTART IDENTITY");
        return store;
    }

    public void Execute(string sql)
    {
        using var connection = new NpgsqlConnection(InSchema);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    /// <summary>A migrated store over the database as it is.</summary>
    public SqlLinkageStore OpenSame() => PostgresStore.Open(new PostgresStoreOptions { ConnectionString = ConnectionString });

    public void Dispose() => PostgresServer.DropDatabase(ConnectionString);
}
