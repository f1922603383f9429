using Linkage.Host;
using Linkage.Engine;
using Linkage.Stores.Sqlite;
using Microsoft.Data.Sqlite;
using static Linkage.Properties.Stores.Samples;

namespace Linkage.Properties.Stores.Sqlite;

/// <summary>What is particular to the SQLite store: its file settings, migrations, and several stores on one file.</summary>
[TestFixture]
public sealed class SqliteStoreTests
{
    private TempDirectory? _directory;
    private int _files;

    [SetUp]
    public void CreateDirectory() => _directory = new TempDirectory("linkage-sqlite-store");

    [TearDown]
    public void RemoveDirectory() => _directory?.Dispose();

    private string NewPath() => _directory!.File($"file-{++_files}.db");

    [TestCase(SqliteDurability.Full, "2")]
    [TestCase(SqliteDurability.Normal, "1")]
    public void Opens_in_wal_mode_with_the_durability_asked_for(SqliteDurability durability, string synchronous)
    {
        using var store = SqliteStore.Open(new SqliteStoreOptions { Path = NewPath(), Durability = durability, BusyTimeout = TimeSpan.FromSeconds(3) });
        Assert.Multiple(() =>
        {
            Assert.That(store.Scalar("PRAGMA journal_mode"), Is.EqualTo("wal"));
            Assert.That(store.Scalar("PRAGMA synchronous"), Is.EqualTo(synchronous));
            Assert.That(store.Scalar("PRAGMA busy_timeout"), Is.EqualTo("3000"));
        });
    }

    [Test]
    public void Durability_defaults_to_full()
    {
        Assert.That(new SqliteStoreOptions { Path = "x.db" }.Durability, Is.EqualTo(SqliteDurability.Full));
    }

    [Test]
    public void Invalid_options_are_reported_together()
    {
        var options = new SqliteStoreOptions
        {
            Path = " ", BusyTimeout = TimeSpan.Zero, Durability = (SqliteDurability)7, CacheMegabytes = 0, CheckpointPages = 99,
        };
        Assert.That(() => new SqliteStore(options), Throws.ArgumentException
            .With.Message.Contains("Path is empty").And.Message.Contains("BusyTimeout").And.Message.Contains("Durability")
            .And.Message.Contains("CacheMegabytes 0").And.Message.Contains("CheckpointPages 99"));
    }

    [TestCase(null, null, "-65536", "10000")]
    [TestCase(8, 1_000, "-8192", "1000")]
    public void Opens_with_the_page_cache_and_checkpoint_interval_asked_for(int? megabytes, int? pages, string cacheSize, string checkpoint)
    {
        var options = new SqliteStoreOptions { Path = NewPath() };
        options = options with { CacheMegabytes = megabytes ?? options.CacheMegabytes, CheckpointPages = pages ?? options.CheckpointPages };
        using var store = SqliteStore.Open(options);
        Assert.That(store.Scalar("PRAGMA cache_size"), Is.EqualTo(cacheSize));
        Assert.That(store.Scalar("PRAGMA wal_autocheckpoint"), Is.EqualTo(checkpoint));
    }

    [Test]
    public void Decimals_are_exact_text_and_times_utc_ticks_in_the_file()
    {
        var path = NewPath();
        var order = Staged("lk-a", 0, Entry() with { DecidedAt = new DateTimeOffset(2025, 3, 14, 17, 9, 21, TimeSpan.FromHours(2)).AddTicks(7) });
        using (var store = SqliteStore.Open(new SqliteStoreOptions { Path = path }))
        {
            Assert.That(store.Apply(Batch(new IntentStaged(order))), Is.EqualTo(ApplyResult.Applied));
        }
        using var connection = new SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var command = new SqliteCommand("SELECT typeof(size), size, typeof(decided_at), decided_at FROM order_metadata_staging", connection);
        using var reader = command.ExecuteReader();
        Assert.That(reader.Read(), Is.True);
        Assert.Multiple(() =>
        {
            Assert.That(reader.GetString(0), Is.EqualTo("text"));
            Assert.That(reader.GetString(1), Is.EqualTo("0.00200000"));
            Assert.That(reader.GetString(2), Is.EqualTo("integer"));
            Assert.That(reader.GetInt64(3), Is.EqualTo(order.Intent.DecidedAt.UtcTicks));
        });
    }

    [Test]
    public void Stores_migrating_one_file_at_once_apply_each_version_once()
    {
        var path = NewPath();
        var stores = Enumerable.Range(0, 3).Select(_ => new SqliteStore(new SqliteStoreOptions { Path = path })).ToList();
        try
        {
            var applied = new IReadOnlyList<int>[stores.Count];
            Concurrently.Run(stores.Count, i => applied[i] = stores[i].Migrate());
            Assert.Multiple(() =>
            {
                Assert.That(applied.Count(a => a.Count > 0), Is.EqualTo(1), "exactly one store applied the migrations");
                Assert.That(applied.Single(a => a.Count > 0), Is.EqualTo(new[] { 1, 2, 3, 4, 5, 6 }));
                Assert.That(stores[0].Scalar("SELECT COUNT(*) FROM schema_version"), Is.EqualTo("6"));
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
        var path = NewPath();
        using (var store = SqliteStore.Open(new SqliteStoreOptions { Path = path }))
        {
            store.Scalar("INSERT INTO schema_version (version, name) VALUES (9999, '9999_future.sql')");
        }
        Assert.That(
            () => SqliteStore.Open(new SqliteStoreOptions { Path = path }),
            Throws.InvalidOperationException.With.Message.Contains("9999"));
    }

    [Test]
    public void Two_stores_on_one_file_see_each_others_commits_and_conflict()
    {
        var path = NewPath();
        using var first = SqliteStore.Open(new SqliteStoreOptions { Path = path });
        using var second = SqliteStore.Open(new SqliteStoreOptions { Path = path });
        var order = Staged("lk-a");
        Assert.That(first.Apply(Batch(new IntentStaged(order))), Is.EqualTo(ApplyResult.Applied));
        var seen = second.FindByClientOrderId(order.ClientOrderId);
        Assert.That(seen, Is.EqualTo(order));
        Assert.Multiple(() =>
        {
            Assert.That(second.Apply(Batch(new OrderBound(Bound(seen!, "ex-2"), LinkProvenance.ClientOrderId))), Is.EqualTo(ApplyResult.Applied));
            Assert.That(first.Apply(Batch(new OrderBound(Bound(order, "ex-1"), LinkProvenance.ClientOrderId))).Status, Is.EqualTo(ApplyStatus.Conflict));
            Assert.That(first.FindByExchangeOrderId(Eoid("ex-2"))?.ClientOrderId, Is.EqualTo(order.ClientOrderId));
        });
    }

    [Test]
    public void A_store_never_answers_from_its_read_cache_what_another_store_on_the_file_has_changed()
    {
        var path = NewPath();
        using var reader = SqliteStore.Open(new SqliteStoreOptions { Path = path });
        using var writer = SqliteStore.Open(new SqliteStoreOptions { Path = path });
        var order = Staged("lk-a");
        var bound = Bound(order, "ex-1");
        var key = Fill("ex-1", "k-1").Fill.Key;

        // Each answer below is first cached by the reader (absence included), then changed by the writer.
        Assert.Multiple(() =>
        {
            Assert.That(reader.FindByClientOrderId(order.ClientOrderId), Is.Null);
            Assert.That(reader.FindByExchangeOrderId(Eoid("ex-1")), Is.Null);
        });
        Assert.That(writer.Apply(Batch(new IntentStaged(order))), Is.EqualTo(ApplyResult.Applied));
        Assert.That(reader.FindByClientOrderId(order.ClientOrderId), Is.EqualTo(order));
        Assert.That(writer.Apply(Batch(new OrderBound(bound, LinkProvenance.ClientOrderId))), Is.EqualTo(ApplyResult.Applied));
        Assert.That(reader.ForDecision().FindByExchangeOrderId(Eoid("ex-1"))?.Version, Is.EqualTo(bound.Version));
        Assert.That(reader.IsFillKeySeen(key), Is.False);
        Assert.That(writer.Apply(Batch(new FillRecorded(Fill("ex-1", "k-1")))), Is.EqualTo(ApplyResult.Applied));
        Assert.That(reader.ForDecision().IsFillKeySeen(key), Is.True);
    }

    [Test]
    public void A_file_locked_past_the_busy_timeout_is_a_store_failure_and_the_input_applies_once_offered_again()
    {
        var path = NewPath();
        using var store = SqliteStore.Open(new SqliteStoreOptions { Path = path, BusyTimeout = TimeSpan.FromMilliseconds(100) });
        var correlator = new EngineCorrelator(store);
        var entry = Linkage.Properties.Engine.Make.Entry("aaa");
        var input = Linkage.Properties.Engine.Make.Received(entry);
        using (var other = new SqliteConnection($"Data Source={path};Pooling=false"))
        {
            // Another process holds the write lock for longer than the store waits.
            other.Open();
            using var hold = other.BeginTransaction(System.Data.IsolationLevel.Serializable, deferred: false);
            var blocked = correlator.Process(input);
            Assert.Multiple(() =>
            {
                Assert.That(blocked.Status, Is.EqualTo(ProcessStatus.StoreFailed));
                Assert.That(blocked.Detail, Does.Contain("locked").IgnoreCase.Or.Contain("busy").IgnoreCase);
            });
        }
        var offeredAgain = correlator.Process(input);
        Assert.Multiple(() =>
        {
            Assert.That(offeredAgain.Status, Is.EqualTo(ProcessStatus.Applied));
            Assert.That(store.Orders(), Has.Length.EqualTo(1));
            Assert.That(correlator.Process(input).Batch?.Decisions.Single(), Is.InstanceOf<DuplicateIgnored>(), "a third delivery is a duplicate");
        });
    }

    [Test]
    public void Writers_on_one_file_queue_for_the_lock_instead_of_failing()
    {
        var path = NewPath();
        const int writers = 3;
        const int batchesEach = 40;
        var stores = Enumerable.Range(0, writers).Select(_ => SqliteStore.Open(new SqliteStoreOptions { Path = path, Durability = SqliteDurability.Normal })).ToList();
        try
        {
            var results = new List<ApplyResult>();
            Concurrently.Run(writers, w =>
            {
                for (var i = 0; i < batchesEach; i++)
                {
                    var result = stores[w].Apply(Batch(new FillRecorded(Fill($"ex-{w}", $"k{i}")), new IntentStaged(Staged($"lk-{w}-{i}"))));
                    lock (results)
                    {
                        results.Add(result);
                    }
                }
            });
            Assert.Multiple(() =>
            {
                Assert.That(results, Has.Count.EqualTo(writers * batchesEach).And.All.EqualTo(ApplyResult.Applied), "no write failed or conflicted");
                Assert.That(stores[0].Fills(), Has.Length.EqualTo(writers * batchesEach));
                Assert.That(stores[1].Orders(), Has.Length.EqualTo(writers * batchesEach));
            });
        }
        finally
        {
            stores.ForEach(s => s.Dispose());
        }
    }
}
