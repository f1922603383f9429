using Linkage.Engine;
using Linkage.Stores.Sql;
using Linkage.Stores.Sqlite;
using Microsoft.Data.Sqlite;

namespace Linkage.Properties.Stores.Sqlite;

/// <summary>The store conformance suite over a real SQLite file per test (WAL, default durability FULL).</summary>
[TestFixture]
public sealed class SqliteStoreConformance : DurableStoreConformance
{
    protected override string UndoInFlightMigration =>
        "DROP INDEX order_metadata_staging_in_flight; ALTER TABLE order_metadata_staging DROP COLUMN in_flight; DELETE FROM schema_version WHERE version = 2;";

    // The table as migration 0001 made it, its rows in the order of their serials (so their rowids keep that order).
    protected override string UndoLinkSerialMigration => """
        CREATE TABLE trade_strategy_link_before (
          client_order_id TEXT NOT NULL COLLATE BINARY, sequence_no INTEGER NOT NULL CHECK (sequence_no >= 1), exchange_order_id TEXT NOT NULL,
          kind TEXT NOT NULL, snapshot_id TEXT, product_id TEXT NOT NULL, side TEXT NOT NULL, from_quantity TEXT NOT NULL,
          to_quantity TEXT NOT NULL, price TEXT NOT NULL, fee TEXT NOT NULL, provenance TEXT NOT NULL, source_key TEXT NOT NULL,
          buy_score TEXT, sell_score TEXT, trigger_type TEXT, linked_at INTEGER NOT NULL, PRIMARY KEY (client_order_id, sequence_no)) STRICT;
        INSERT INTO trade_strategy_link_before
          SELECT client_order_id, sequence_no, exchange_order_id, kind, snapshot_id, product_id, side, from_quantity, to_quantity, price,
                 fee, provenance, source_key, buy_score, sell_score, trigger_type, linked_at
          FROM trade_strategy_link ORDER BY serial;
        DROP TABLE trade_strategy_link;
        ALTER TABLE trade_strategy_link_before RENAME TO trade_strategy_link;
        DROP INDEX exit_allocations_entry;
        DELETE FROM schema_version WHERE version = 4;
        """;

    protected override string UndoPlacedByCallerMigration =>
        "ALTER TABLE order_metadata_staging DROP COLUMN placed_by_caller; DELETE FROM schema_version WHERE version = 3;";

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

    public void Execute(string sql)
    {
        using var connection = new SqliteConnection($"Data Source={_current};Pooling=false");
        connection.Open();
        using var command = new SqliteCommand(sql, connection);
        command.ExecuteNonQuery();
    }

    public void Dispose() => _directory.Dispose();
}

/// <summary>The real engine over SQLite with restarts, against the engine over the reference store.</summary>
[TestFixture]
public sealed class SqliteEngineOverStoreProperties : EngineOverStoreProperties
{
    protected override int Runs => 40;

    protected override ITestDatabase CreateDatabase() => new SqliteTestFiles("linkage-sqlite-engine", SqliteDurability.Normal);
}

/// <summary>Store faults under the real engine over SQLite; the mid-transaction fault is a trigger on link inserts.</summary>
[TestFixture]
public sealed class SqliteStoreFaultProperties : StoreFaultProperties
{
    protected override int Runs => 40;

    protected override string PlantFault => """
        CREATE TABLE IF NOT EXISTS test_fault (armed INTEGER NOT NULL);
        INSERT INTO test_fault SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM test_fault);
        CREATE TRIGGER IF NOT EXISTS test_fault_links BEFORE INSERT ON trade_strategy_link
        WHEN (SELECT armed FROM test_fault) = 1
        BEGIN SELECT RAISE(ABORT, 'injected fault after a partial write'); END;
        """;

    protected override ITestDatabase CreateDatabase() => new SqliteTestFiles("linkage-sqlite-faults", SqliteDurability.Normal);

    protected override string Arm(bool armed) => $"UPDATE test_fault SET armed = {(armed ? 1 : 0)}";
}

/// <summary>Bursts decided together over SQLite (its read cache checked once per burst).</summary>
[TestFixture]
public sealed class SqliteBurstProperties : BurstProperties
{
    protected override int Runs => 40;

    protected override ITestDatabase CreateDatabase() => new SqliteTestFiles("linkage-sqlite-burst", SqliteDurability.Normal);
}

/// <summary>Group commits over SQLite.</summary>
[TestFixture]
public sealed class SqliteGroupCommitTests : GroupCommitTests
{
    protected override ITestDatabase CreateDatabase() => new SqliteTestFiles("linkage-sqlite-group", SqliteDurability.Normal);
}

/// <summary>Every persisted property round trip on a SQLite file, read back by a store opened again on the file.</summary>
[TestFixture]
public sealed class SqliteRecordRoundTripTests : RecordRoundTripTests
{
    private readonly SqliteTestFiles _files = new("linkage-sqlite-roundtrip", SqliteDurability.Normal);

    [OneTimeTearDown]
    public void RemoveFiles() => _files.Dispose();

    protected override ILinkageStore CreateEmpty() => _files.OpenEmpty();

    protected override ILinkageStore Reopen(ILinkageStore store)
    {
        store.Dispose();
        return _files.OpenSame();
    }
}
