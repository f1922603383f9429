using Linkage.Engine;
using Linkage.Properties.Support;

namespace Linkage.Properties.Stores.Postgres;

/// <summary>
/// The store conformance suite over a real PostgreSQL database (one per fixture, emptied before each test). Needs a
/// server: see <see cref="PostgresServer"/>.
/// </summary>
[TestFixture]
public sealed class PostgresStoreConformance : DurableStoreConformance
{
    protected override string UndoInFlightMigration =>
        "DROP INDEX order_metadata_staging_in_flight; ALTER TABLE order_metadata_staging DROP COLUMN in_flight; DELETE FROM schema_version WHERE version = 3;";

    protected override string UndoLinkSerialMigration =>
        "DROP INDEX trade_strategy_link_serial; ALTER TABLE trade_strategy_link DROP COLUMN serial; DROP INDEX exit_allocations_entry; DELETE FROM schema_version WHERE version = 5;";

    protected override string UndoPlacedByCallerMigration =>
        "ALTER TABLE order_metadata_staging DROP COLUMN placed_by_caller; DELETE FROM schema_version WHERE version = 4;";

    protected override ITestDatabase CreateDatabase() => new PostgresTestDatabase(nameof(PostgresStoreConformance));
}

/// <summary>The model-based property over PostgreSQL: fewer runs than SQLite, each batch a network round trip.</summary>
[TestFixture]
public sealed class PostgresStoreModelProperties : StoreModelProperties
{
    protected override int Runs => 60;

    protected override ITestDatabase CreateDatabase() => new PostgresTestDatabase(nameof(PostgresStoreModelProperties));
}

/// <summary>The real engine over PostgreSQL with restarts, against the engine over the reference store.</summary>
[TestFixture]
public sealed class PostgresEngineOverStoreProperties : EngineOverStoreProperties
{
    protected override int Runs => 10;

    protected override ITestDatabase CreateDatabase() => new PostgresTestDatabase(nameof(PostgresEngineOverStoreProperties));
}

/// <summary>Store faults under the real engine over PostgreSQL; the mid-transaction fault is a trigger on link inserts.</summary>
[TestFixture]
public sealed class PostgresStoreFaultProperties : StoreFaultProperties
{
    protected override int Runs => 8;

    protected override string PlantFault => """
        CREATE TABLE IF NOT EXISTS test_fault (armed boolean NOT NULL);
        INSERT INTO test_fault SELECT false WHERE NOT EXISTS (SELECT 1 FROM test_fault);
        CREATE OR REPLACE FUNCTION test_fault_raise() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF (SELECT armed FROM test_fault) THEN RAISE EXCEPTION 'injected fault after a partial write'; END IF;
          RETURN NEW;
        END $$;
        CREATE OR REPLACE TRIGGER test_fault_links BEFORE INSERT ON trade_strategy_link
        FOR EACH ROW EXECUTE FUNCTION test_fault_raise();
        """;

    protected override ITestDatabase CreateDatabase() => new PostgresTestDatabase(nameof(PostgresStoreFaultProperties));

    protected override string Arm(bool armed) => $"UPDATE test_fault SET armed = {(armed ? "true" : "false")}";
}

/// <summary>Bursts decided together over PostgreSQL (read ahead in one round trip).</summary>
[TestFixture]
public sealed class PostgresBurstProperties : BurstProperties
{
    protected override int Runs => 15;

    protected override ITestDatabase CreateDatabase() => new PostgresTestDatabase(nameof(PostgresBurstProperties));
}

/// <summary>Group commits over PostgreSQL, which writes a group as multi-row statements when it can.</summary>
[TestFixture]
public sealed class PostgresGroupCommitTests : GroupCommitTests
{
    protected override ITestDatabase CreateDatabase() => new PostgresTestDatabase(nameof(PostgresGroupCommitTests));
}

/// <summary>Every persisted property round trip on PostgreSQL, read back by a store opened again on the database.</summary>
[TestFixture]
public sealed class PostgresRecordRoundTripTests : RecordRoundTripTests
{
    private PostgresTestDatabase? _database;

    [OneTimeSetUp]
    public void CreateDatabase() => _database = new PostgresTestDatabase(nameof(PostgresRecordRoundTripTests));

    [OneTimeTearDown]
    public void RemoveDatabase() => _database?.Dispose();

    protected override ILinkageStore CreateEmpty() => _database!.OpenEmpty();

    protected override ILinkageStore Reopen(ILinkageStore store)
    {
        store.Dispose();
        return _database!.OpenSame();
    }
}
