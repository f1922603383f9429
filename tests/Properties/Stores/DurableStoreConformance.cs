using Linkage.Engine;
using Linkage.Host;
using Linkage.Properties.Engine;
using Linkage.Stores.Sql;
using static Linkage.Properties.Stores.Samples;

namespace Linkage.Properties.Stores;

/// <summary>
/// What the SQL stores promise beyond the port: state that survives reopening the database, the scheduled retention
/// cleanup, group commit, and an asynchronous API that agrees with the synchronous one.
/// </summary>
public abstract class DurableStoreConformance : StoreConformance
{
    private ITestDatabase? _database;

    /// <summary>The store under test as a SQL store.</summary>
    protected SqlLinkageStore Sql => (SqlLinkageStore)Store;

    /// <summary>The fixture's database (created once per fixture).</summary>
    protected abstract ITestDatabase CreateDatabase();

    [OneTimeSetUp]
    public void CreateDatabaseOnce() => _database = CreateDatabase();

    [OneTimeTearDown]
    public void RemoveDatabase() => _database?.Dispose();

    protected override ILinkageStore CreateEmpty() => _database!.OpenEmpty();

    /// <summary>Opens the database of the store under test again (the store under test is closed first).</summary>
    private SqlLinkageStore OpenSameDatabase() => _database!.OpenSame();

    /// <summary>Runs the store's migrations again; returns the versions applied.</summary>
    private IReadOnlyList<int> MigrateAgain() => Sql.Migrate();

    /// <summary>SQL that takes the database back to the schema before the migration that added <c>in_flight</c>.</summary>
    protected abstract string UndoInFlightMigration { get; }

    [Test]
    public void Rows_written_before_the_in_flight_flag_get_it_from_the_migration()
    {
        var engine = new EngineCorrelator(Store);
        var open = Make.Entry("in-flight-open", size: 0.05m);
        var filled = Make.Entry("settled-filled", size: 0.05m);
        var refused = Make.Entry("settled-refused");
        var unlinked = Make.Entry("in-flight-terminal-unlinked", size: 0.05m);
        foreach (var input in new EngineInput[]
        {
            Make.Received(open), Make.Ack(open, "x-open"), Make.Update("x-open", open, 0.02m),
            Make.Received(filled), Make.Ack(filled, "x-filled"), Make.Update("x-filled", filled, 0.05m, status: OrderStatus.Filled),
            Make.Received(refused), Make.Refused(refused),
            Make.Received(unlinked), Make.Ack(unlinked, "x-unlinked"),
            Make.Update("x-unlinked", unlinked, 0.05m, status: OrderStatus.Filled, source: OrderStateSource.RestOrder, reconciliation: true),
        })
        {
            Assert.That(engine.Process(input).Succeeded, Is.True, input.ToString());
        }
        var written = Store.InFlightOrders().Select(o => o.ClientOrderId).ToList();
        _database!.Execute(UndoInFlightMigration);
        Replace(OpenSameDatabase);
        Assert.Multiple(() =>
        {
            Assert.That(written, Is.EqualTo(new[] { Make.Coid(open), Make.Coid(unlinked) }.OrderBy(c => c.Value, StringComparer.Ordinal)),
                "derived on write: an open order, and a terminal one whose executed quantity is not linked yet");
            Assert.That(Store.InFlightOrders().Select(o => o.ClientOrderId), Is.EqualTo(written), "the migration derives the same flag for rows written before it");
        });
    }

    /// <summary>SQL that takes the database back to the schema before the migration that added <c>placed_by_caller</c>.</summary>
    protected abstract string UndoPlacedByCallerMigration { get; }

    [Test]
    public void Orders_staged_before_the_placed_by_caller_flag_read_as_placed_by_the_host()
    {
        var order = Staged("lk-a", 0, Entry() with { PlacedByCaller = true });
        Apply(new IntentStaged(order));
        Assert.That(Store.FindByClientOrderId(order.ClientOrderId), Is.EqualTo(order), "the flag is kept");
        _database!.Execute(UndoPlacedByCallerMigration);
        Replace(OpenSameDatabase);
        Assert.That(
            Store.FindByClientOrderId(order.ClientOrderId),
            Is.EqualTo(order with { Intent = order.Intent with { PlacedByCaller = false } }),
            "the migration gives rows written before it the flag of every order then: placed by the host");
    }

    /// <summary>
    /// SQL that takes the database back to the schema before the migration that gave links a serial, keeping the links
    /// in the order they were written.
    /// </summary>
    protected abstract string UndoLinkSerialMigration { get; }

    [Test]
    public void Links_written_before_the_serial_page_in_the_order_they_were_written_and_new_ones_follow()
    {
        // Written in time order (all PostgreSQL's migration has to go by; SQLite's keeps the write order itself), and in
        // no client order id order.
        var orders = new[] { Staged("lk-c"), Staged("lk-a"), Staged("lk-b") };
        Apply([.. orders.Select(o => new IntentStaged(o))]);
        var links = new List<LinkRecord>();
        var linked = new List<OrderRecord>();
        for (var i = 0; i < orders.Length; i++)
        {
            var bound = Bound(orders[i], "ex-" + orders[i].ClientOrderId.Value);
            var (order, link) = LinkMore(bound, 1m, 10m, "f-" + i, second: 10 * (i + 1));
            Apply(new OrderBound(bound, LinkProvenance.ClientOrderId), new Linked(order, link));
            links.Add(link);
            linked.Add(order);
        }
        _database!.Execute(UndoLinkSerialMigration);
        Replace(OpenSameDatabase);
        var (later, laterLink) = LinkMore(linked[1], 1m, 10m, "f-later", second: 1);
        Apply(new Linked(later, laterLink));
        Assert.Multiple(() =>
        {
            Assert.That(Store.LinksAfter(0, 10).Links, Is.EqualTo(links.Append(laterLink)), "old links in the order they were written, a new one after them");
            Assert.That(Store.Links(), Has.Length.EqualTo(4), "no link lost or doubled by the migration");
        });
    }

    [Test]
    public void Store_is_durable_and_named()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Store.IsDurable, Is.True);
            Assert.That(Store.Name, Is.AnyOf("sqlite", "postgres"));
        });
    }

    [Test]
    public void Everything_survives_reopening_the_database()
    {
        var entry = Staged("lk-entry");
        var exit = Staged("lk-exit", 1, Exit());
        Apply(new IntentStaged(entry), new IntentStaged(exit));
        var (entryLinked, entryLink) = LinkMore(Bound(entry, "ex-1"), 2m, 50000m, "e-1");
        var (exitLinked, exitLink) = LinkMore(Bound(exit, "ex-2"), 1.5m, 51000m, "e-2");
        Apply(new OrderBound(Bound(entry, "ex-1"), LinkProvenance.ClientOrderId), new Linked(entryLinked, entryLink), new FillRecorded(Fill("ex-1", "e-1", coid: "lk-entry")));
        Apply(new OrderBound(Bound(exit, "ex-2"), LinkProvenance.ClientOrderId), new Linked(exitLinked, exitLink));
        Apply(new ExitAllocated(
            Next(exitLinked, o => o with { Allocated = 1.5m }),
            Next(entryLinked, o => o with { Allocated = 1.5m }),
            Allocation(exitLinked, entryLinked, 1, 1.5m)));
        Apply(new FillParked(Parked("ex-9", "p-1")), new ExternalRecorded(External("ex-8")));
        Apply(new InputRejected(Rejected("bad")), new AlertRaised(Alert("look")));
        var before = StoreContents.Of(Store);
        Replace(OpenSameDatabase);
        before.AssertSame(StoreContents.Of(Store), "after reopening");
        Assert.Multiple(() =>
        {
            Assert.That(Store.IsFillKeySeen(Fill("ex-1", "e-1").Fill.Key), Is.True);
            Assert.That(Store.FindByExchangeOrderId(Eoid("ex-2"))?.Allocated, Is.EqualTo(1.5m));
            Assert.That(MigrateAgain(), Is.Empty, "an existing database is current");
        });
    }

    [Test]
    public void A_batch_that_fails_midway_with_an_error_leaves_nothing_and_the_error_escapes()
    {
        var order = Staged("lk-a");
        Apply(new IntentStaged(order));
        var before = StoreContents.Of(Store);
        var (linked, link) = LinkMore(Bound(order, "ex-1"), 1m, 10m, "e-1");

        // Link sequences start at 1 (a CHECK in both schemas): the database refuses the third statement, an I/O-like
        // failure rather than a conflict, after the first two were written inside the transaction.
        var batch = Batch(
            new IntentStaged(Staged("lk-b")),
            new FillRecorded(Fill("ex-1", "e-1")),
            new OrderBound(Bound(order, "ex-1"), LinkProvenance.ClientOrderId),
            new Linked(linked, link with { Sequence = 0 }));
        Assert.That(() => Store.Apply(batch), Throws.InstanceOf<System.Data.Common.DbException>());
        before.AssertSame(StoreContents.Of(Store), "after a batch that failed midway");
        Assert.That(Store.Apply(Batch(new IntentStaged(Staged("lk-b")))), Is.EqualTo(ApplyResult.Applied), "the store works on after the failure");
    }

    [Test]
    public void Migrate_is_idempotent()
    {
        Apply(new IntentStaged(Staged("lk-a")));
        Assert.Multiple(() =>
        {
            Assert.That(MigrateAgain(), Is.Empty);
            Assert.That(MigrateAgain(), Is.Empty);
            Assert.That(Store.Orders(), Has.Length.EqualTo(1), "migrating again keeps the data");
        });
    }

    [Test]
    public void Purge_expired_removes_only_intent_metadata_of_orders_terminal_over_24h()
    {
        var now = At(0) + Limits.RetentionAfterTerminal + TimeSpan.FromSeconds(100);
        OrderRecord EndedAndLinked(string coid, int terminalSecond)
        {
            var staged = Staged(coid);
            Apply(new IntentStaged(staged));
            var (linked, link) = LinkMore(Bound(staged, "ex-" + coid), 1m, 10m, "f-" + coid);
            var ended = Terminal(linked, terminalSecond);
            Apply(
                new OrderBound(Bound(staged, "ex-" + coid), LinkProvenance.ClientOrderId),
                new FillRecorded(Fill("ex-" + coid, "f-" + coid, coid: coid)),
                new Linked(linked, link),
                new OrderStatusChanged(ended, "filled"));
            return ended;
        }

        var old = EndedAndLinked("lk-old", 99);
        var boundary = EndedAndLinked("lk-boundary", 100);
        var recent = EndedAndLinked("lk-recent", 3600);
        var open = Staged("lk-open");
        Apply(new IntentStaged(open));
        var linksBefore = Store.Links();
        var fillsBefore = Store.Fills();

        Assert.That(Sql.PurgeExpired(now), Is.EqualTo(1));
        var purged = Store.FindByClientOrderId(old.ClientOrderId)!;
        Assert.Multiple(() =>
        {
            Assert.That(purged.IntentPurged, Is.True);
            Assert.That(purged.Intent.IndicatorsJson, Is.Null);
            Assert.That(purged.Intent.IndicatorsFired, Is.Null);
            Assert.That(purged.Version, Is.EqualTo(old.Version + 1), "a concurrent engine's write over the old version must conflict");
            Assert.That(purged with { IntentPurged = false, Version = old.Version, Intent = old.Intent }, Is.EqualTo(old), "binding, status and ledger stay");
            Assert.That(purged.Intent.Snapshot, Is.EqualTo(old.Intent.Snapshot), "the snapshot stays: exits still allocate to the lot");
            Assert.That(Store.FindByClientOrderId(boundary.ClientOrderId), Is.EqualTo(boundary), "terminal exactly 24 h ago is not MORE than 24 h");
            Assert.That(Store.FindByClientOrderId(recent.ClientOrderId), Is.EqualTo(recent));
            Assert.That(Store.FindByClientOrderId(open.ClientOrderId), Is.EqualTo(open));
            Assert.That(Store.FindByExchangeOrderId(Eoid("ex-lk-old")), Is.EqualTo(purged), "the binding outlives retention");
            Assert.That(Store.IsFillKeySeen(Fill("ex-lk-old", "f-lk-old").Fill.Key), Is.True, "dedupe outlives retention");
            Assert.That(Store.Links(), Is.EqualTo(linksBefore));
            Assert.That(Store.Fills(), Is.EqualTo(fillsBefore));
            Assert.That(Store.TerminalBefore(now, 10).Select(o => o.ClientOrderId.Value), Is.EqualTo(new[] { "lk-boundary", "lk-recent" }));
        });
        Assert.Multiple(() =>
        {
            Assert.That(Sql.PurgeExpired(now), Is.Zero, "purging again finds nothing");
            Assert.That(Sql.PurgeExpired(now + TimeSpan.FromTicks(1)), Is.EqualTo(1), "one tick later the boundary order is over 24 h");
        });
    }

    [Test]
    public void Group_commit_rolls_back_a_conflicting_batch_alone()
    {
        var a = Staged("lk-a");
        Apply(new IntentStaged(a));
        var bound = Bound(a, "ex-1");
        var results = Sql.ApplyMany(
        [
            Batch(new IntentStaged(Staged("lk-b")), new FillRecorded(Fill("ex-1", "e-1"))),
            Batch(new FillRecorded(Fill("ex-1", "e-2")), new IntentStaged(Staged("lk-b"))),
            Batch(new OrderBound(bound, LinkProvenance.ClientOrderId)),
            Batch(new DuplicateIgnored(DuplicateKind.FillKey, "e-1")),
            Batch(new FillRecorded(Fill("ex-1", "e-3")), new OrderStatusChanged(Next(a, o => o with { Placement = PlacementState.Unknown }), "stale")),
            Batch(new InputRejected(Rejected("kept"))),
        ]);
        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.Status), Is.EqualTo(new[]
            {
                ApplyStatus.Applied, ApplyStatus.Conflict, ApplyStatus.Applied, ApplyStatus.Applied, ApplyStatus.Conflict, ApplyStatus.Applied,
            }));
            Assert.That(Store.Fills().Select(f => f.Fill.Key.Key), Is.EqualTo(new[] { "e-1" }), "the conflicting batches' fills were rolled back with them");
            Assert.That(Store.Orders().Select(o => o.ClientOrderId.Value), Is.EquivalentTo(new[] { "lk-a", "lk-b" }));
            Assert.That(Store.FindByClientOrderId(a.ClientOrderId), Is.EqualTo(bound));
            Assert.That(Store.Quarantine().Select(q => q.Reason), Is.EqualTo(new[] { "kept" }));
        });
    }

    [Test]
    public async Task Async_api_agrees_with_the_synchronous_port()
    {
        var order = Staged("lk-a");
        Assert.That(await Sql.ApplyAsync(Batch(new IntentStaged(order))), Is.EqualTo(ApplyResult.Applied));
        var bound = Bound(order, "ex-1");
        var many = await Sql.ApplyManyAsync(
        [
            Batch(new OrderBound(bound, LinkProvenance.ClientOrderId), new FillRecorded(Fill("ex-1", "e-1"))),
            Batch(new FillParked(Parked("ex-2", "p")), new ExternalRecorded(External("ex-3"))),
            Batch(new InputRejected(Rejected("r")), new AlertRaised(Alert("a"))),
        ]);
        Assert.That(many.Select(r => r.Status), Is.All.EqualTo(ApplyStatus.Applied));
        Assert.Multiple(async () =>
        {
            Assert.That(await Sql.FindByClientOrderIdAsync(order.ClientOrderId), Is.EqualTo(Store.FindByClientOrderId(order.ClientOrderId)));
            Assert.That(await Sql.FindByExchangeOrderIdAsync(Eoid("ex-1")), Is.EqualTo(bound));
            Assert.That(await Sql.IsFillKeySeenAsync(Fill("ex-1", "e-1").Fill.Key), Is.True);
            Assert.That(await Sql.ParkedForAsync(Eoid("ex-2")), Is.EqualTo(Store.ParkedFor(Eoid("ex-2"))));
            Assert.That(await Sql.FindExternalAsync(Eoid("ex-3")), Is.EqualTo(External("ex-3")));
            Assert.That(await Sql.OrdersAsync(), Is.EqualTo(Store.Orders()));
            Assert.That(await Sql.LinksAsync(), Is.EqualTo(Store.Links()));
            Assert.That(await Sql.FillsAsync(), Is.EqualTo(Store.Fills()));
            Assert.That(await Sql.AllocationsAsync(), Is.EqualTo(Store.Allocations()));
            Assert.That(await Sql.ParkedAsync(), Is.EqualTo(Store.Parked()));
            Assert.That(await Sql.ExternalOrdersAsync(), Is.EqualTo(Store.ExternalOrders()));
            Assert.That(await Sql.QuarantineAsync(), Has.Length.EqualTo(1));
            Assert.That(await Sql.AlertsAsync(), Is.EqualTo(Store.Alerts()));
            Assert.That(await Sql.PurgeExpiredAsync(At(0)), Is.Zero);
        });
    }

    [Test]
    public void A_cancelled_token_stops_an_async_call_before_it_writes()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.Multiple(() =>
        {
            Assert.That(async () => await Sql.ApplyAsync(Batch(new IntentStaged(Staged("lk-a"))), cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
            Assert.That(async () => await Sql.OrdersAsync(cancelled.Token), Throws.InstanceOf<OperationCanceledException>());
        });
        Assert.That(Store.Orders(), Is.Empty);
    }
}
