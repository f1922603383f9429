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

    [TestCase("Linkage", "not a plain identifier")]
    [TestCase("1st", "not a plain identifier")]
    [TestCase("linkage-a", "not a plain identifier")]
    [TestCase("linkage; DROP SCHEMA public CASCADE", "not a plain identifier")]
    [TestCase("\"linkage\"", "not a plain identifier")]
    [TestCase("linkage_0123456789_0123456789_0123456789_0123456789_0123456789xy", "at most 63")]
    [TestCase("pg_linkage", "pg_")]
    [TestCase("", "is empty")]
    public void A_schema_that_is_not_a_plain_identifier_is_refused_naming_the_option(string schema, string why)
    {
        var options = new PostgresStoreOptions { ConnectionString = "Host=localhost", Schema = schema };
        Assert.That(() => new PostgresStore(options), Throws.ArgumentException.With.Message.Contains("Schema").And.Message.Contains(why));
    }

    [Test]
    public void A_search_path_in_the_connection_string_is_refused_unless_it_is_the_schema()
    {
        Assert.Multiple(() =>
        {
            Assert.That(
                new PostgresStoreOptions { ConnectionString = "Host=localhost;Search Path=public" }.Problems(),
                Has.One.Contains("Search Path 'public'").And.Contains("Schema 'linkage'"));
            Assert.That(new PostgresStoreOptions { ConnectionString = "Host=localhost;Search Path=mine", Schema = "mine" }.Problems(), Is.Empty);
        });
    }

    [Test]
    public void The_default_schema_is_linkage_and_holds_everything_the_store_creates()
    {
        using var database = new PostgresTestDatabase("default schema");
        database.OpenEmpty().Dispose();
        Assert.Multiple(() =>
        {
            Assert.That(new PostgresStoreOptions { ConnectionString = database.ConnectionString }.Schema, Is.EqualTo("linkage"));
            Assert.That(Tables(database, "linkage"), Is.EqualTo(StoreTables));
            Assert.That(
                Scalar(database.ConnectionString, "SELECT string_agg(n.nspname, ',') FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace WHERE p.proname = 'linkage_try_jsonb'"),
                Is.EqualTo("linkage"),
                "the function of the indicator breakdown too");
            Assert.That(Tables(database, "public"), Is.Empty, "nothing in the database's default schema");
        });
    }

    [Test]
    public void A_user_table_of_the_same_name_in_public_stays_untouched()
    {
        using var database = new PostgresTestDatabase("public untouched");

        // The old design's table, in the schema every role writes to by default, with rows of its own shape.
        Scalar(database.ConnectionString, """
            CREATE TABLE public.trade_strategy_link (order_id text PRIMARY KEY, snapshot_id text, linked boolean);
            INSERT INTO public.trade_strategy_link VALUES ('o-1', 's-1', true), ('o-2', NULL, false);
            """);
        const string UserRows = "SELECT string_agg(concat_ws('|', order_id, snapshot_id, linked), ',' ORDER BY order_id) FROM public.trade_strategy_link";
        var before = Scalar(database.ConnectionString, UserRows);
        var order = Staged("lk-a");
        var (linked, link) = LinkMore(Bound(order, "ex-1"), 1m, 10m, "e-1");
        using (var store = PostgresStore.Open(new PostgresStoreOptions { ConnectionString = database.ConnectionString }))
        {
            Assert.That(store.Apply(Batch(new IntentStaged(order))), Is.EqualTo(ApplyResult.Applied));
            Assert.That(store.Apply(Batch(new OrderBound(Bound(order, "ex-1"), LinkProvenance.ClientOrderId), new Linked(linked, link))), Is.EqualTo(ApplyResult.Applied));
            Assert.That(store.Links(), Is.EqualTo(new[] { link }), "the store reads its own table");
            Assert.That(store.Migrate(), Is.Empty);
        }
        Assert.Multiple(() =>
        {
            Assert.That(Scalar(database.ConnectionString, UserRows), Is.EqualTo(before).And.EqualTo("o-1|s-1|t,o-2|f"), "the user's rows");
            Assert.That(Scalar(database.ConnectionString, "SELECT string_agg(column_name, ',' ORDER BY ordinal_position) FROM information_schema.columns WHERE table_schema = 'public' AND table_name = 'trade_strategy_link'"),
                Is.EqualTo("order_id,snapshot_id,linked"), "the user's columns");
            Assert.That(Tables(database, "public"), Is.EqualTo(new[] { "trade_strategy_link" }), "nothing added beside it");
            Assert.That(Tables(database, "linkage"), Is.EqualTo(StoreTables));
        });
    }

    [Test]
    public void Stores_in_two_schemas_of_one_database_are_independent()
    {
        using var database = new PostgresTestDatabase("two schemas");
        using var a = new PostgresStore(new PostgresStoreOptions { ConnectionString = database.ConnectionString, Schema = "linkage_a" });
        using var b = new PostgresStore(new PostgresStoreOptions { ConnectionString = database.ConnectionString, Schema = "linkage_b" });
        var versions = a.Migrate();
        Assert.That(b.Migrate(), Is.EqualTo(versions).And.Not.Empty, "each schema keeps its own migration history");

        // The same client order id in both: no conflict, each store sees its own.
        var inA = Staged("lk-same", 0, Entry() with { Trigger = "in a" });
        var inB = Staged("lk-same", 5, Entry() with { Trigger = "in b" });
        var (linked, link) = LinkMore(Bound(inA, "ex-1"), 1m, 10m, "e-1");
        Assert.That(a.Apply(Batch(new IntentStaged(inA))), Is.EqualTo(ApplyResult.Applied));
        Assert.That(b.Apply(Batch(new IntentStaged(inB))), Is.EqualTo(ApplyResult.Applied));
        Assert.That(a.Apply(Batch(new OrderBound(Bound(inA, "ex-1"), LinkProvenance.ClientOrderId), new Linked(linked, link), new FillRecorded(Fill("ex-1", "e-1", coid: "lk-same")))), Is.EqualTo(ApplyResult.Applied));
        Assert.Multiple(() =>
        {
            Assert.That(a.Orders(), Is.EqualTo(new[] { linked }));
            Assert.That(a.Links(), Is.EqualTo(new[] { link }));
            Assert.That(b.Orders(), Is.EqualTo(new[] { inB }));
            Assert.That(b.Links(), Is.Empty);
            Assert.That(b.FindByExchangeOrderId(Eoid("ex-1")), Is.Null);
            Assert.That(b.IsFillKeySeen(Fill("ex-1", "e-1").Fill.Key), Is.False);
            Assert.That(Tables(database, "linkage_a"), Is.EqualTo(StoreTables));
            Assert.That(Tables(database, "linkage_b"), Is.EqualTo(StoreTables));
            Assert.That(Tables(database, "linkage"), Is.Empty, "the default schema is not made when another is named");
            Assert.That(Tables(database, "public"), Is.Empty);
        });
    }

    [Test]
    public void A_pager_never_skips_a_link_that_a_slower_writer_commits_after_a_faster_one()
    {
        using var database = new PostgresTestDatabase("serial order");
        using var store = database.OpenEmpty();
        var slow = Bound(Staged("lk-slow"), "ex-slow");
        var fast = Bound(Staged("lk-fast"), "ex-fast");
        Assert.That(store.Apply(Batch(new IntentStaged(Staged("lk-slow")), new IntentStaged(Staged("lk-fast")))), Is.EqualTo(ApplyResult.Applied));
        Assert.That(store.Apply(Batch(new OrderBound(slow, LinkProvenance.ClientOrderId), new OrderBound(fast, LinkProvenance.ClientOrderId))), Is.EqualTo(ApplyResult.Applied));

        // The slow writer's transaction stays open for 2 s after its link row is inserted, so after its serial is handed out.
        database.Execute("""
            CREATE FUNCTION hold_slow_link() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN IF NEW.source_key = 'slow' THEN PERFORM pg_sleep(2); END IF; RETURN NULL; END $$;
            CREATE TRIGGER hold_slow_link AFTER INSERT ON trade_strategy_link FOR EACH ROW EXECUTE FUNCTION hold_slow_link();
            """);
        var (slowLinked, slowLink) = LinkMore(slow, 1m, 10m, "slow");
        var (fastLinked, fastLink) = LinkMore(fast, 1m, 10m, "fast");
        var results = new ApplyResult[2];
        LinkPage? during = null;
        Concurrently.Run(3, i =>
        {
            if (i == 0)
            {
                results[0] = store.Apply(Batch(new Linked(slowLinked, slowLink)));
                return;
            }
            WaitUntilSleeping(database);
            if (i == 1)
            {
                results[1] = store.Apply(Batch(new Linked(fastLinked, fastLink)));
            }
            else
            {
                // Long enough for the fast writer to have committed, were it not made to wait for the slow one.
                Thread.Sleep(TimeSpan.FromMilliseconds(700));
                during = store.LinksAfter(0, 10);
            }
        });
        var after = store.LinksAfter(during!.Next, 10);
        Assert.Multiple(() =>
        {
            Assert.That(results, Is.All.EqualTo(ApplyResult.Applied));
            Assert.That(during.Links, Is.Empty, "while the slow writer's link is not committed, the fast writer's (a higher serial) is not either");
            Assert.That(during.Links.Concat(after.Links), Is.EqualTo(new[] { slowLink, fastLink }), "the pager sees both links, once each, in serial order");
        });
    }

    /// <summary>Waits (at most 20 s) until a backend of the database is in <c>pg_sleep</c>.</summary>
    private static void WaitUntilSleeping(PostgresTestDatabase database)
    {
        for (var waited = 0; waited < 2000; waited++)
        {
            if (Scalar(database.ConnectionString, "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event = 'PgSleep'") is > 0L)
            {
                return;
            }
            Thread.Sleep(10);
        }
        throw new TimeoutException("the slow writer never reached its trigger");
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
                Assert.That(applied.Single(a => a.Count > 0), Is.EqualTo(new[] { 1, 2, 3, 4, 5, 6, 7 }));
                Assert.That(Scalar(database.InSchema, "SELECT COUNT(*) FROM schema_version"), Is.EqualTo(7L));
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
        Scalar(database.InSchema, "INSERT INTO schema_version (version, name) VALUES (9999, '9999_future.sql')");
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
            Assert.That(Scalar(database.InSchema, "SELECT size::text FROM order_metadata_staging WHERE client_order_id = 'lk-a'"), Is.EqualTo("0.00200000"));
            Assert.That(
                Scalar(database.InSchema, "SELECT to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US') || '+' || decided_at_ns100 FROM order_metadata_staging WHERE client_order_id = 'lk-a'"),
                Is.EqualTo("2025-03-14 15:09:26.535897+9"),
                "microseconds in timestamptz, the 100 ns digit beside it");
            Assert.That(Scalar(database.InSchema, "SELECT indicator_breakdown->>'rsi' FROM order_metadata_staging WHERE client_order_id = 'lk-a'"), Is.EqualTo("31.0"));
            Assert.That(Scalar(database.InSchema, "SELECT indicator_breakdown IS NULL FROM order_metadata_staging WHERE client_order_id = 'lk-b'"), Is.EqualTo(true), "not JSON: no breakdown, text kept");
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

    /// <summary>Every table the store creates, by name.</summary>
    private static readonly string[] StoreTables =
    [
        "alerts", "exit_allocations", "external_orders", "fill_keys", "order_metadata_staging", "parked_fills", "quarantine", "schema_version",
        "trade_strategy_link",
    ];

    /// <summary>The tables of <paramref name="schema"/>, by name.</summary>
    private static string[] Tables(PostgresTestDatabase database, string schema) =>
        Scalar(database.ConnectionString, $"SELECT string_agg(tablename, ',' ORDER BY tablename COLLATE \"C\") FROM pg_tables WHERE schemaname = '{schema}'") is string names
            ? names.Split(',')
            : [];

    private static object? Scalar(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(connectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }
}
