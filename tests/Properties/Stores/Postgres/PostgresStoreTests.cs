using Linkage.Engine;
using Linkage.Stores.Postgres;
using Npgsql;
using static Linkage.Properties.Stores.Samples;

namespace Linkage.Properties.Stores.Postgres;

/// <summary>What is particular to the PostgreSQL store: its column types, concurrent migrations, and its options.</summary>
[TestFixture]
public sealed class PostgresStoreTests
{
    [Test]
    public void Invalid_options_are_reported_together()
    {
        var options = new PostgresStoreOptions { ConnectionString = "Host=;Nonsense Key=1", CommandTimeout = TimeSpan.FromHours(1), AutoPrepareMax = -1 };
        Assert.That(() => new PostgresStore(options), Throws.ArgumentException
            .With.Message.Contains("ConnectionString").And.Message.Contains("CommandTimeout").And.Message.Contains("AutoPrepareMax"));
    }

    [Test]
    public void Instances_migrating_one_database_at_once_apply_each_version_once()
    {
        using var database = new PostgresTestDatabase("concurrent migrate");
        var stores = Enumerable.Range(0, 4).Select(_ => new PostgresStore(new PostgresStoreOptions { ConnectionString = database.ConnectionString })).ToList();
        try
        {
            var applied = new IReadOnlyList<int>[stores.Count];
            Concurrently.Run(stores.Count, i => applied[i] = stores[i].Migrate());
            Assert.Multiple(() =>
            {
                Assert.That(applied.Count(a => a.Count > 0), Is.EqualTo(1), "exactly one instance applied the migrations");
                Assert.That(applied.Single(a => a.Count > 0), Is.EqualTo(new[] { 1, 2, 3, 4 }));
                Assert.That(Scalar(database.ConnectionString, "SELECT COUNT(*) FROM schema_version"), Is.EqualTo(4L));
            });
        }
        finally
        {
            stores.ForEach(s => s.Dispose());
        }
    }

    [Test]
    public void A_database_migrated_by_a_newer_build_is_refused()
    {
        using var database = new PostgresTestDatabase("newer schema");
        database.OpenEmpty().Dispose();
        Scalar(database.ConnectionString, "INSERT INTO schema_version (version, name) VALUES (9999, '9999_future.sql')");
        using var again = new PostgresStore(new PostgresStoreOptions { ConnectionString = database.ConnectionString });
        Assert.That(async () => await again.MigrateAsync(), Throws.InvalidOperationException.With.Message.Contains("9999"));
    }

    [Test]
    public void Columns_hold_numeric_scale_exact_times_and_a_queryable_indicator_breakdown()
    {
        using var database = new PostgresTestDatabase("column types");
        using var store = database.OpenEmpty();
        var decided = new DateTimeOffset(2025, 3, 14, 15, 9, 26, 535, TimeSpan.Zero).AddTicks(8979);
        var order = Staged("lk-a", 0, Entry() with { DecidedAt = decided, IndicatorsJson = """{"rsi":31.0,"macd":1.25}""" });
        var broken = Staged("lk-b", 0, Entry() with { IndicatorsJson = "'); DROP TABLE x;-- {" });
        Assert.That(store.Apply(Batch(new IntentStaged(order), new IntentStaged(broken))), Is.EqualTo(ApplyResult.Applied));
        Assert.Multiple(() =>
        {
            Assert.That(Scalar(database.ConnectionString, "SELECT size::text FROM order_metadata_staging WHERE client_order_id = 'lk-a'"), Is.EqualTo("0.00200000"));
            Assert.That(
                Scalar(database.ConnectionString, "SELECT to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+' || decided_at_ns100 FROM order_metadata_staging WHERE client_order_id = 'lk-a'"),
                Is.EqualTo("2025-03-14 15:09:26.535897+9"),
                "microseconds in timestamptz, the 100 ns digit beside it");
            Assert.That(Scalar(database.ConnectionString, "SELECT indicator_breakdown->>'rsi' FROM order_metadata_staging WHERE client_order_id = 'lk-a'"), Is.EqualTo("31.0"));
            Assert.That(Scalar(database.ConnectionString, "SELECT indicator_breakdown IS NULL FROM order_metadata_staging WHERE client_order_id = 'lk-b'"), Is.EqualTo(true), "not JSON: no breakdown, text kept");
            Assert.That(store.FindByClientOrderId(broken.ClientOrderId), Is.EqualTo(broken));
            Assert.That(store.FindByClientOrderId(order.ClientOrderId)?.Intent.DecidedAt.UtcTicks, Is.EqualTo(decided.UtcTicks));
        });
    }

    [Test]
    public void Raw_payloads_with_nul_and_unicode_are_kept_as_bytes()
    {
        using var database = new PostgresTestDatabase("payloads");
        using var store = database.OpenEmpty();
        var rejected = Rejected("binary junk") with { RawPayload = "\u0000\u0001{\"a\":\"\u00e9\ud83d\ude80\"}\u0000" };
        Assert.That(store.Apply(Batch(new InputRejected(rejected))), Is.EqualTo(ApplyResult.Applied));
        Assert.That(store.Quarantine(), Is.EqualTo(new[] { rejected }));
    }

    [Test]
    public void Text_with_nul_outside_raw_payloads_is_refused_whole_and_loudly()
    {
        // PostgreSQL text cannot hold U+0000. Only raw payloads (bytea) may carry it; anywhere else the batch fails with
        // an exception (the host retries, then reports StoreFailed) and nothing of it is written. The engine's input
        // validation is the place to quarantine such text before it reaches a store.
        using var database = new PostgresTestDatabase("nul text");
        using var store = database.OpenEmpty();
        var batch = Batch(new FillRecorded(Fill("ex-1", "e-1")), new IntentStaged(Staged("lk-a", 0, Entry() with { Trigger = "roc\u0000momo" })));
        Assert.That(() => store.Apply(batch), Throws.InstanceOf<PostgresException>().With.Property(nameof(PostgresException.SqlState)).EqualTo("22021"));
        Assert.That(store.Fills(), Is.Empty);
    }

    private static object? Scalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }
}
