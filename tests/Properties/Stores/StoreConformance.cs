using System.Collections.Immutable;
using Linkage.Engine;
using static Linkage.Properties.Stores.Samples;

namespace Linkage.Properties.Stores;

/// <summary>
/// The store port's documented semantics, run against every store: atomic batches, optimistic versions, unique keys,
/// idempotent re-application, stable read-out orders, and values stored verbatim. A concrete fixture per store supplies
/// an empty store for each test.
/// </summary>
public abstract class StoreConformance
{
    private ILinkageStore? _store;

    /// <summary>The store under test, empty when the test starts.</summary>
    protected ILinkageStore Store => _store ?? throw new InvalidOperationException("no store is open");

    /// <summary>A new store over an empty database.</summary>
    protected abstract ILinkageStore CreateEmpty();

    [SetUp]
    public void OpenEmptyStore() => _store = CreateEmpty();

    [TearDown]
    public void CloseStore()
    {
        _store?.Dispose();
        _store = null;
    }

    /// <summary>Closes the store under test and puts <paramref name="next"/> in its place (a reopened database).</summary>
    protected void Replace(Func<ILinkageStore> next)
    {
        _store?.Dispose();
        _store = null;
        _store = next();
    }

    [Test]
    public void Staged_order_reads_back_equal_by_client_order_id_only()
    {
        var order = Staged("lk-a");
        Assert.That(Store.Apply(Batch(new IntentStaged(order))), Is.EqualTo(ApplyResult.Applied));
        Assert.Multiple(() =>
        {
            Assert.That(Store.FindByClientOrderId(order.ClientOrderId), Is.EqualTo(order));
            Assert.That(Store.FindByClientOrderId(Coid("lk-b")), Is.Null);
            Assert.That(Store.FindByExchangeOrderId(Eoid("lk-a")), Is.Null, "an unbound order has no exchange id");
            Assert.That(Store.Orders(), Is.EqualTo(new[] { order }));
        });
    }

    [Test]
    public void Bound_order_is_found_by_its_exchange_order_id()
    {
        var order = Staged("lk-a");
        var bound = Bound(order, "ex-1");
        Apply(new IntentStaged(order));
        Apply(new OrderBound(bound, LinkProvenance.ClientOrderId));
        Assert.Multiple(() =>
        {
            Assert.That(Store.FindByExchangeOrderId(Eoid("ex-1")), Is.EqualTo(bound));
            Assert.That(Store.FindByClientOrderId(order.ClientOrderId), Is.EqualTo(bound));
            Assert.That(Store.FindByExchangeOrderId(Eoid("ex-2")), Is.Null);
        });
    }

    [Test]
    public void Write_applies_only_over_the_version_it_was_decided_from()
    {
        var order = Staged("lk-a");
        Apply(new IntentStaged(order));
        var v2 = Bound(order, "ex-1");
        var rival = Next(order, o => o with { Placement = PlacementState.Unknown });
        var skipping = Next(Next(v2, o => o), o => o with { Status = OrderStatus.Filled });
        Apply(new OrderBound(v2, LinkProvenance.ExchangeOrderId));
        Assert.Multiple(() =>
        {
            Assert.That(Store.Apply(Batch(new OrderStatusChanged(rival, "timeout"))).Status, Is.EqualTo(ApplyStatus.Conflict), "decided from v1, which is gone");
            Assert.That(Store.Apply(Batch(new OrderStatusChanged(skipping, "filled"))).Status, Is.EqualTo(ApplyStatus.Conflict), "decided from v3, which never was");
            Assert.That(Store.FindByClientOrderId(order.ClientOrderId), Is.EqualTo(v2));
        });
    }

    [Test]
    public void Conflicting_batch_leaves_nothing_applied_though_earlier_decisions_wrote()
    {
        var a = Staged("lk-a");
        Apply(new IntentStaged(a));
        var before = StoreContents.Of(Store);
        var stale = Next(a, o => o with { Placement = PlacementState.Rejected }) with { Version = 5 };
        var result = Store.Apply(Batch(
            new IntentStaged(Staged("lk-b")),
            new FillRecorded(Fill("ex-9", "e-1")),
            new FillParked(Parked("ex-9", "e-2")),
            new ExternalRecorded(External("ex-8")),
            new InputRejected(Rejected("bad")),
            new AlertRaised(Alert("look")),
            new OrderStatusChanged(stale, "rejected")));
        Assert.That(result.Status, Is.EqualTo(ApplyStatus.Conflict));
        Assert.That(result.Detail, Is.Not.Null.And.Not.Empty);
        before.AssertSame(StoreContents.Of(Store), "after a conflicting batch");
        Assert.That(Store.IsFillKeySeen(Fill("ex-9", "e-1").Fill.Key), Is.False);
    }

    [Test]
    public void Staging_a_client_order_id_twice_is_a_conflict()
    {
        var order = Staged("lk-a");
        Apply(new IntentStaged(order));
        var again = Store.Apply(Batch(new IntentStaged(Staged("lk-a", 5, Entry(snapshot: "other")))));
        Assert.Multiple(() =>
        {
            Assert.That(again.Status, Is.EqualTo(ApplyStatus.Conflict));
            Assert.That(Store.Orders(), Is.EqualTo(new[] { order }));
        });
    }

    [Test]
    public void Recording_a_fill_key_twice_is_a_conflict_and_keeps_the_first()
    {
        var first = Fill("ex-1", "e-1", coid: "lk-a");
        Apply(new FillRecorded(first));
        var second = first with { At = At(30), ClientOrderId = null };
        Assert.Multiple(() =>
        {
            Assert.That(Store.Apply(Batch(new FillRecorded(second))).Status, Is.EqualTo(ApplyStatus.Conflict));
            Assert.That(
                Store.Apply(Batch(new FillRecorded(Fill("ex-1", "e-2")), new FillRecorded(Fill("ex-1", "e-2")))).Status,
                Is.EqualTo(ApplyStatus.Conflict),
                "the same key twice in one batch");
            Assert.That(Store.Fills(), Is.EqualTo(new[] { first }));
            Assert.That(Store.IsFillKeySeen(first.Fill.Key), Is.True);
            Assert.That(Store.IsFillKeySeen(Fill("ex-1", "e-2").Fill.Key), Is.False);
        });
    }

    [Test]
    public void Fill_keys_are_distinct_per_order_and_source()
    {
        var rest = Fill("ex-1", "42", FillSource.RestFills);
        var match = Fill("ex-1", "42", FillSource.LegacyMatch);
        var otherOrder = Fill("ex-2", "42", FillSource.RestFills);
        Apply(new FillRecorded(rest), new FillRecorded(match), new FillRecorded(otherOrder));
        Assert.Multiple(() =>
        {
            Assert.That(Store.Fills(), Has.Length.EqualTo(3));
            Assert.That(Store.IsFillKeySeen(new FillKey(Eoid("ex-2"), FillSource.LegacyMatch, "42")), Is.False);
            Assert.That(Store.IsFillKeySeen(new FillKey(Eoid("ex-1"), FillSource.RestFills, "420")), Is.False);
            Assert.That(Store.IsFillKeySeen(match.Fill.Key), Is.True);
        });
    }

    [Test]
    public void Reapplying_an_applied_batch_is_a_conflict_and_duplicates_nothing()
    {
        var order = Staged("lk-a");
        Apply(new IntentStaged(order));
        var bound = Bound(order, "ex-1");
        var (linked, link) = LinkMore(bound, 0.001m, 50000m, "e-1");
        var batch = Batch(
            new OrderBound(bound, LinkProvenance.ClientOrderId),
            new FillRecorded(Fill("ex-1", "e-1", coid: "lk-a")),
            new Linked(linked, link),
            new FillUnparked(Eoid("ex-1"), "e-0"));
        Apply(new FillParked(Parked("ex-1", "e-0")));
        Assert.That(Store.Apply(batch), Is.EqualTo(ApplyResult.Applied));
        var after = StoreContents.Of(Store);
        Assert.That(Store.Apply(batch).Status, Is.EqualTo(ApplyStatus.Conflict), "a retried commit that had succeeded");
        after.AssertSame(StoreContents.Of(Store), "after the batch was applied again");
        Assert.That(Store.Links(), Is.EqualTo(new[] { link }));
    }

    [Test]
    public void An_exchange_order_id_binds_one_client_order_id_forever()
    {
        var a = Staged("lk-a");
        var b = Staged("lk-b", 1);
        Apply(new IntentStaged(a), new IntentStaged(b));
        var boundA = Bound(a, "ex-1");
        Apply(new OrderBound(boundA, LinkProvenance.ClientOrderId));
        Assert.Multiple(() =>
        {
            Assert.That(Store.Apply(Batch(new OrderBound(Bound(b, "ex-1"), LinkProvenance.ExchangeOrderId))).Status, Is.EqualTo(ApplyStatus.Conflict), "another order's id");
            Assert.That(Store.Apply(Batch(new OrderBound(Bound(boundA, "ex-2"), LinkProvenance.ExchangeOrderId))).Status, Is.EqualTo(ApplyStatus.Conflict), "rebinding");
            Assert.That(Store.Apply(Batch(new OrderStatusChanged(Next(boundA, o => o with { ExchangeOrderId = null }), "unbind"))).Status, Is.EqualTo(ApplyStatus.Conflict), "unbinding");
            Assert.That(
                Store.Apply(Batch(new IntentStaged(Staged("lk-c", 2) with { ExchangeOrderId = Eoid("ex-1") }))).Status,
                Is.EqualTo(ApplyStatus.Conflict),
                "staging with a bound id");
            Assert.That(Store.FindByExchangeOrderId(Eoid("ex-1")), Is.EqualTo(boundA));
            Assert.That(Store.FindByClientOrderId(b.ClientOrderId), Is.EqualTo(b));
        });
    }

    [Test]
    public void Parked_fills_come_out_by_time_then_key_and_leave_once()
    {
        var late = Parked("ex-1", "a", 9);
        var earlyB = Parked("ex-1", "b", 5);
        var earlyA2 = Parked("ex-1", "a2", 5);
        var other = Parked("ex-0", "z", 1);
        Apply(new FillParked(late), new FillParked(earlyB), new FillParked(earlyA2), new FillParked(other));
        Assert.Multiple(() =>
        {
            Assert.That(Store.ParkedFor(Eoid("ex-1")), Is.EqualTo(new[] { earlyA2, earlyB, late }));
            Assert.That(Store.ParkedFor(Eoid("ex-2")), Is.Empty);
            Assert.That(Store.ParkedCount, Is.EqualTo(4));
            Assert.That(Store.Parked(), Is.EqualTo(new[] { other, late, earlyA2, earlyB }), "by exchange order id, then key");
            Assert.That(Store.Apply(Batch(new FillParked(Parked("ex-1", "b", 7)))).Status, Is.EqualTo(ApplyStatus.Conflict), "parked twice");
        });
        Apply(new FillUnparked(Eoid("ex-1"), "b"));
        Assert.Multiple(() =>
        {
            Assert.That(Store.Apply(Batch(new FillUnparked(Eoid("ex-1"), "b"))).Status, Is.EqualTo(ApplyStatus.Conflict), "taken out twice");
            Assert.That(Store.Apply(Batch(new FillUnparked(Eoid("ex-3"), "b"))).Status, Is.EqualTo(ApplyStatus.Conflict), "never parked");
            Assert.That(Store.ParkedFor(Eoid("ex-1")), Is.EqualTo(new[] { earlyA2, late }));
            Assert.That(Store.ParkedCount, Is.EqualTo(3));
        });
    }

    [Test]
    public void Parking_again_after_taking_out_in_one_batch_keeps_the_new_one()
    {
        var first = Parked("ex-1", "k", 1);
        Apply(new FillParked(first));
        var again = Parked("ex-1", "k", 8);
        Apply(new FillUnparked(Eoid("ex-1"), "k"), new FillParked(again));
        Assert.That(Store.Parked(), Is.EqualTo(new[] { again }));
    }

    [Test]
    public void External_orders_are_versioned_like_orders()
    {
        var v1 = External("ex-7");
        Apply(new ExternalRecorded(v1));
        var v2 = External("ex-7", version: 2, observed: 0.5m);
        Assert.Multiple(() =>
        {
            Assert.That(Store.Apply(Batch(new ExternalRecorded(External("ex-7")))).Status, Is.EqualTo(ApplyStatus.Conflict), "recorded twice");
            Assert.That(Store.Apply(Batch(new ExternalRecorded(External("ex-7", version: 3)))).Status, Is.EqualTo(ApplyStatus.Conflict), "skipping a version");
            Assert.That(Store.Apply(Batch(new ExternalRecorded(External("ex-6", version: 2)))).Status, Is.EqualTo(ApplyStatus.Conflict), "updating what is not there");
            Assert.That(Store.Apply(Batch(new ExternalRecorded(v2))), Is.EqualTo(ApplyResult.Applied));
            Assert.That(Store.FindExternal(Eoid("ex-7")), Is.EqualTo(v2));
            Assert.That(Store.FindExternal(Eoid("ex-6")), Is.Null);
        });
    }

    [Test]
    public void Open_lots_and_awaiting_exits_are_per_product_and_kind_oldest_first()
    {
        OrderRecord Open(string coid, int second, Intent intent)
        {
            var staged = Staged(coid, second, intent);
            Apply(new IntentStaged(staged));
            var bound = Bound(staged, "ex-" + coid);
            var (linked, link) = LinkMore(bound, 1m, 100m, "k-" + coid);
            Apply(new OrderBound(bound, LinkProvenance.ClientOrderId), new Linked(linked, link));
            return linked;
        }

        var lotB = Open("lk-b", 5, Entry());
        var lotA = Open("lk-a", 5, Entry());
        var lotOld = Open("lk-z", 1, Entry());
        var closed = Open("lk-c", 2, Entry());
        var closedFully = Next(closed, o => o with { Allocated = 1m });
        Apply(new LedgerUpdated(closedFully));
        Open("lk-e", 3, Entry("ETH-USD"));
        _ = Open("lk-x", 4, Exit());
        var exit = Store.FindByClientOrderId(Coid("lk-x"))!;
        Apply(new IntentStaged(Staged("lk-never", 0)));
        Assert.Multiple(() =>
        {
            Assert.That(Store.OpenEntryLots(ProductId.From("BTC-USD")), Is.EqualTo(new[] { lotOld, lotA, lotB }));
            Assert.That(Store.OpenEntryLots(ProductId.From("SOL-USD")), Is.Empty);
            Assert.That(Store.ExitsAwaitingAllocation(ProductId.From("BTC-USD")), Is.EqualTo(new[] { exit }));
            Assert.That(Store.ExitsAwaitingAllocation(ProductId.From("ETH-USD")), Is.Empty);
        });
    }

    [Test]
    public void Terminal_orders_come_out_by_terminal_time_up_to_max_and_never_once_purged()
    {
        OrderRecord Ended(string coid, int second)
        {
            var staged = Staged(coid);
            var ended = Terminal(staged, second);
            Apply(new IntentStaged(staged));
            Apply(new OrderStatusChanged(ended, "filled"));
            return ended;
        }

        var b = Ended("lk-b", 10);
        var a = Ended("lk-a", 10);
        var early = Ended("lk-z", 5);
        var late = Ended("lk-y", 20);
        Apply(new IntentStaged(Staged("lk-open")));
        var purged = Ended("lk-p", 1);
        Apply(new IntentPurged(Next(purged, o => o with { IntentPurged = true, Intent = o.Intent with { IndicatorsJson = null } })));
        Assert.Multiple(() =>
        {
            Assert.That(Store.TerminalBefore(At(10), 10), Is.EqualTo(new[] { early, a, b }), "cutoff inclusive, by time then id");
            Assert.That(Store.TerminalBefore(At(10), 2), Is.EqualTo(new[] { early, a }));
            Assert.That(Store.TerminalBefore(At(4), 10), Is.Empty);
            Assert.That(Store.TerminalBefore(At(60), 10), Is.EqualTo(new[] { early, a, b, late }));
            Assert.That(Store.TerminalBefore(At(60), 0), Is.Empty);
        });
    }

    [Test]
    public void Exit_allocation_writes_both_orders_and_the_allocation_or_nothing()
    {
        var entry = Staged("lk-entry");
        var exit = Staged("lk-exit", 1, Exit());
        Apply(new IntentStaged(entry), new IntentStaged(exit));
        var (entryLinked, entryLink) = LinkMore(Bound(entry, "ex-1"), 2m, 50000m, "e-1");
        var (exitLinked, exitLink) = LinkMore(Bound(exit, "ex-2"), 1.5m, 51000m, "e-2");
        Apply(new OrderBound(Bound(entry, "ex-1"), LinkProvenance.ClientOrderId), new Linked(entryLinked, entryLink));
        Apply(new OrderBound(Bound(exit, "ex-2"), LinkProvenance.ClientOrderId), new Linked(exitLinked, exitLink));
        var allocation = Allocation(exitLinked, entryLinked, 1, 1.5m);
        var exitAfter = Next(exitLinked, o => o with { Allocated = 1.5m });
        var entryAfter = Next(entryLinked, o => o with { Allocated = 1.5m });
        var staleEntry = entryAfter with { Version = entryAfter.Version + 1 };
        Assert.That(Store.Apply(Batch(new ExitAllocated(exitAfter, staleEntry, allocation))).Status, Is.EqualTo(ApplyStatus.Conflict));
        Assert.Multiple(() =>
        {
            Assert.That(Store.Allocations(), Is.Empty);
            Assert.That(Store.FindByClientOrderId(exit.ClientOrderId), Is.EqualTo(exitLinked), "the exit's write was rolled back");
        });
        Apply(new ExitAllocated(exitAfter, entryAfter, allocation));
        Assert.Multiple(() =>
        {
            Assert.That(Store.Allocations(), Is.EqualTo(new[] { allocation }));
            Assert.That(Store.FindByClientOrderId(exit.ClientOrderId), Is.EqualTo(exitAfter));
            Assert.That(Store.FindByClientOrderId(entry.ClientOrderId), Is.EqualTo(entryAfter));
            Assert.That(Store.OpenEntryLots(ProductId.From("BTC-USD")).Single().Open, Is.EqualTo(0.5m));
            Assert.That(Store.ExitsAwaitingAllocation(ProductId.From("BTC-USD")), Is.Empty);
        });
    }

    [Test]
    public void Read_outs_come_in_their_documented_stable_orders()
    {
        // Written in an order that is none of the documented ones, with ties that only the second key breaks.
        var orderB = Staged("lk-b", 3);
        var orderA = Staged("lk-a", 3);
        var orderC = Staged("lk-c", 1);
        Apply(new IntentStaged(orderB), new IntentStaged(orderA), new IntentStaged(orderC));
        var boundA = Bound(orderA, "ex-a");
        var boundB = Bound(orderB, "ex-b");
        var (a1, linkA1) = LinkMore(boundA, 1m, 10m, "a1");
        var (a2, linkA2) = LinkMore(a1, 1m, 11m, "a2");
        var (b1, linkB1) = LinkMore(boundB, 1m, 12m, "b1");
        Apply(new OrderBound(boundB, LinkProvenance.ClientOrderId), new Linked(b1, linkB1));
        Apply(new OrderBound(boundA, LinkProvenance.ClientOrderId), new Linked(a1, linkA1), new Linked(a2, linkA2));
        var fills = new[]
        {
            Fill("ex-b", "2"), Fill("ex-a", "9", FillSource.LegacyMatch), Fill("ex-a", "10"), Fill("ex-a", "1", FillSource.LegacyMatch),
            Fill("ex-a", "9"),
        };
        Apply([.. fills.Select(f => new FillRecorded(f))]);
        var externals = new[] { External("ex-z"), External("ex-m"), External("ex-a") };
        Apply([.. externals.Select(e => new ExternalRecorded(e))]);
        Assert.Multiple(() =>
        {
            Assert.That(Store.Orders().Select(o => o.ClientOrderId.Value), Is.EqualTo(new[] { "lk-c", "lk-a", "lk-b" }));
            Assert.That(Store.Links(), Is.EqualTo(new[] { linkA1, linkA2, linkB1 }));
            Assert.That(
                Store.Fills().Select(f => f.Fill.Key.ToString()),
                Is.EqualTo(new[] { "ex-a/RestFills/10", "ex-a/RestFills/9", "ex-a/LegacyMatch/1", "ex-a/LegacyMatch/9", "ex-b/RestFills/2" }),
                "by order, then source (enum order: REST before legacy), then key (ordinal: '10' before '9')");
            Assert.That(Store.ExternalOrders().Select(e => e.ExchangeOrderId.Value), Is.EqualTo(new[] { "ex-a", "ex-m", "ex-z" }));
        });
    }

    [Test]
    public void Allocations_come_out_by_exit_then_sequence()
    {
        var entry = Staged("lk-entry");
        var exitB = Staged("lk-exit-b", 1, Exit());
        var exitA = Staged("lk-exit-a", 2, Exit());
        Apply(new IntentStaged(entry), new IntentStaged(exitB), new IntentStaged(exitA));
        var entryV = entry;
        var exitBV = exitB;
        var exitAV = exitA;
        var written = new List<AllocationRecord>();
        foreach (var (exit, sequence) in new[] { ("b", 2), ("a", 1), ("b", 1), ("a", 2) })
        {
            var current = exit == "b" ? exitBV : exitAV;
            var allocation = Allocation(current, entryV, sequence, 0.1m);
            var exitNext = Next(current, o => o);
            entryV = Next(entryV, o => o);
            Apply(new ExitAllocated(exitNext, entryV, allocation));
            written.Add(allocation);
            if (exit == "b")
            {
                exitBV = exitNext;
            }
            else
            {
                exitAV = exitNext;
            }
        }
        Assert.That(
            Store.Allocations().Select(a => $"{a.ExitClientOrderId}#{a.Sequence}"),
            Is.EqualTo(new[] { "lk-exit-a#1", "lk-exit-a#2", "lk-exit-b#1", "lk-exit-b#2" }));
    }

    [Test]
    public void Quarantine_and_alerts_keep_the_order_they_were_raised_in()
    {
        Apply(new InputRejected(Rejected("z first", 9)), new AlertRaised(Alert("z first", 9)));
        Apply(new InputRejected(Rejected("a second", 1)), new InputRejected(Rejected("m third", 5)), new AlertRaised(Alert("a second", 1)));
        Assert.Multiple(() =>
        {
            Assert.That(Store.Quarantine().Select(q => q.Reason), Is.EqualTo(new[] { "z first", "a second", "m third" }));
            Assert.That(Store.Alerts().Select(a => a.Detail), Is.EqualTo(new[] { "z first", "a second" }));
        });
    }

    [Test]
    public void A_batch_of_duplicates_only_writes_nothing()
    {
        Apply(new IntentStaged(Staged("lk-a")));
        var before = StoreContents.Of(Store);
        Assert.That(
            Store.Apply(Batch(new DuplicateIgnored(DuplicateKind.FillKey, "ex-1/RestFills/e-1"), new DuplicateIgnored(DuplicateKind.Intent, "lk-a"))),
            Is.EqualTo(ApplyResult.Applied));
        before.AssertSame(StoreContents.Of(Store));
    }

    [Test]
    public void Hostile_text_in_every_text_field_is_stored_verbatim()
    {
        for (var i = 0; i < Hostile.Length; i++)
        {
            var text = Hostile[i];
            var eoid = $"{text[..Math.Min(text.Length, 50)]}#{i}";
            var intent = Entry() with
            {
                Product = ProductId.From(text[..Math.Min(text.Length, 32)]),
                Snapshot = SnapshotId.From(text),
                Trigger = text,
                IndicatorsJson = text,
            };
            var staged = Staged($"lk-hostile-{i}", i, intent) with { RejectReason = text };
            var bound = Bound(staged, eoid);
            var (linked, link) = LinkMore(bound, 1m, 2m, text);
            var fill = Fill(eoid, text) with { Fill = Fill(eoid, text).Fill with { TradeId = text, Product = intent.Product } };
            var parked = Parked(eoid, text, input: new MalformedInput(At(i), text, text, text) { Field = text, Line = i, Origin = text });
            var external = External(text + "/external") with { Product = intent.Product };
            var rejected = new QuarantineRecord { At = At(i), Kind = text, Reason = text, Field = text, Origin = text, RawPayload = text, Line = i };
            var alert = Alert(text) with { ExchangeOrderId = Eoid(eoid) };
            Apply(new IntentStaged(staged));
            Apply(
                new OrderBound(bound, LinkProvenance.ClientOrderId),
                new Linked(linked, link),
                new FillRecorded(fill),
                new FillParked(parked),
                new ExternalRecorded(external),
                new InputRejected(rejected),
                new AlertRaised(alert));
            Assert.Multiple(() =>
            {
                Assert.That(Store.FindByExchangeOrderId(Eoid(eoid)), Is.EqualTo(linked), text);
                Assert.That(Store.Links().Single(l => l.ClientOrderId == staged.ClientOrderId), Is.EqualTo(link), text);
                Assert.That(Store.IsFillKeySeen(fill.Fill.Key), Is.True, text);
                Assert.That(Store.Fills().Single(f => f.Fill.Key == fill.Fill.Key), Is.EqualTo(fill), text);
                Assert.That(Store.ParkedFor(Eoid(eoid)), Is.EqualTo(new[] { parked }), text);
                Assert.That(Store.FindExternal(external.ExchangeOrderId), Is.EqualTo(external), text);
                Assert.That(Store.Quarantine()[^1], Is.EqualTo(rejected), text);
                Assert.That(Store.Alerts()[^1], Is.EqualTo(alert), text);
            });
        }
        Assert.That(Store.Orders(), Has.Length.EqualTo(Hostile.Length), "every table is still there");
    }

    [Test]
    public void Ids_at_their_longest_are_stored_whole()
    {
        var coid = "lk-" + new string('f', Limits.ClientOrderIdLengthMax - 3);
        var eoid = new string('e', Limits.ExchangeIdLengthMax);
        var intent = Entry(new string('P', Limits.ProductIdLengthMax), new string('s', Limits.SnapshotIdLengthMax)) with
        {
            Trigger = new string('t', Limits.TriggerLengthMax),
            ClientOrderId = Coid(new string('9', Limits.ClientOrderIdLengthMax)),
        };
        var staged = Staged(coid, 0, intent);
        var bound = Bound(staged, eoid);
        Apply(new IntentStaged(staged));
        Apply(new OrderBound(bound, LinkProvenance.ClientOrderId));
        Assert.Multiple(() =>
        {
            Assert.That(coid, Has.Length.EqualTo(36));
            Assert.That(Store.FindByClientOrderId(Coid(coid)), Is.EqualTo(bound));
            Assert.That(Store.FindByExchangeOrderId(Eoid(eoid))?.Intent.Snapshot?.Value, Has.Length.EqualTo(Limits.SnapshotIdLengthMax));
            Assert.That(Store.FindByClientOrderId(Coid(coid[..35])), Is.Null, "no prefix match");
        });
    }

    [Test]
    public void Decimals_keep_full_precision_and_scale()
    {
        decimal[] values =
        [
            0.05000000m, 79228162514264337593543950335m, 0.0000000000000000000000000001m, 1234567890.123456789012345678m,
            -7922816251426433759354395033.5m, 0.00m, 1.000000000000000000000000000m, -0.10m,
        ];
        var order = Staged("lk-a");
        Apply(new IntentStaged(order));
        var written = Bound(order, "ex-1");
        Apply(new OrderBound(written, LinkProvenance.ClientOrderId));
        for (var i = 0; i < values.Length; i++)
        {
            var v = values[i];
            var previous = written;
            written = Next(previous, o => o with
            {
                Intent = o.Intent with { Size = v, Price = v, BuyScore = v, SellScore = v },
                Feed = new Executed(v, v, v),
                Rest = new Executed(v, v, v),
                Matches = new Executed(v, v, v),
                FeedLinkable = new Executed(v, v, v),
                Linked = new Executed(0m, 0m, 0m),
                ExchangeFilledQuantity = v,
                Allocated = v,
            });
            Apply(new LedgerUpdated(written));
            var read = Store.FindByClientOrderId(order.ClientOrderId)!;
            var text = v.ToString(System.Globalization.CultureInfo.InvariantCulture);
            Assert.Multiple(() =>
            {
                foreach (var d in new[] { read.Intent.Size, read.Intent.Price, read.Intent.BuyScore, read.Intent.SellScore, read.Feed.Quantity, read.Rest.Value, read.Matches.Fees, read.FeedLinkable.Quantity, read.ExchangeFilledQuantity, read.Allocated })
                {
                    Assert.That(d?.ToString(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo(text));
                }
            });
        }
        var fill = Fill("ex-1", "p") with { Fill = Fill("ex-1", "p").Fill with { Size = 0.05000000m, Price = 79228162514264337593543950335m, Commission = 0.0000000000000000000000000001m } };
        Apply(new FillRecorded(fill));
        var stored = Store.Fills().Single().Fill;
        Assert.That(
            new[] { stored.Size, stored.Price, stored.Commission }.Select(d => d.ToString(System.Globalization.CultureInfo.InvariantCulture)),
            Is.EqualTo(new[] { "0.05000000", "79228162514264337593543950335", "0.0000000000000000000000000001" }));
    }

    [Test]
    public void Null_scores_stay_null_and_zero_stays_zero()
    {
        var nulls = Staged("lk-n", 0, Entry() with { BuyScore = null, SellScore = null, Size = null, Price = null, Trigger = null, IndicatorsJson = null, IndicatorsFired = null });
        var zeros = Staged("lk-z", 1, Entry() with { BuyScore = 0m, SellScore = 0.0m, IndicatorsFired = 0, Trigger = "" });
        Apply(new IntentStaged(nulls), new IntentStaged(zeros));
        var readNulls = Store.FindByClientOrderId(nulls.ClientOrderId)!.Intent;
        var readZeros = Store.FindByClientOrderId(zeros.ClientOrderId)!.Intent;
        Assert.Multiple(() =>
        {
            Assert.That(readNulls.BuyScore, Is.Null);
            Assert.That(readNulls.SellScore, Is.Null);
            Assert.That(readNulls.Size, Is.Null);
            Assert.That(readNulls.Trigger, Is.Null);
            Assert.That(readNulls.IndicatorsFired, Is.Null);
            Assert.That(readZeros.BuyScore, Is.EqualTo(0m));
            Assert.That(readZeros.SellScore?.ToString(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo("0.0"));
            Assert.That(readZeros.Trigger, Is.EqualTo(string.Empty), "an empty trigger is not a missing one");
            Assert.That(readZeros.IndicatorsFired, Is.EqualTo(0));
        });
    }

    [Test]
    public void Every_kind_of_parked_input_comes_back_equal()
    {
        var inputs = Inputs.Every();
        var parked = inputs.Select((input, i) => Parked("ex-p", $"k{i:D2}", i, input)).ToArray();
        Apply([.. parked.Select(p => new FillParked(p))]);
        Assert.That(Store.ParkedFor(Eoid("ex-p")), Is.EqualTo(parked));
    }

    [Test]
    public void Concurrent_writers_of_one_version_see_exactly_one_win()
    {
        var order = Staged("lk-a");
        Apply(new IntentStaged(order));
        const int writers = 4;
        var results = new ApplyResult[writers];
        Concurrently.Run(writers, i =>
            results[i] = Store.Apply(Batch(
                new OrderStatusChanged(Next(order, o => o with { RejectReason = $"writer {i}" }), "race"),
                new FillRecorded(Fill("ex-1", $"w{i}")))));
        var winner = Array.FindIndex(results, r => r.Status == ApplyStatus.Applied);
        Assert.Multiple(() =>
        {
            Assert.That(results.Count(r => r.Status == ApplyStatus.Applied), Is.EqualTo(1));
            Assert.That(Store.FindByClientOrderId(order.ClientOrderId)!.RejectReason, Is.EqualTo($"writer {winner}"));
            Assert.That(Store.Fills().Select(f => f.Fill.Key.Key), Is.EqualTo(new[] { $"w{winner}" }), "the losers' fills were rolled back");
        });
    }

    [Test]
    public void Links_page_in_the_order_they_were_written_however_many_are_written_between_pages()
    {
        // Written in an order that is neither the client order ids' nor the link times': b's first link, then a's, then b's second.
        var a = Staged("lk-a");
        var b = Staged("lk-b");
        Apply(new IntentStaged(a), new IntentStaged(b));
        var (b1, linkB1) = LinkMore(Bound(b, "ex-b"), 1m, 10m, "b1", second: 30);
        var (a1, linkA1) = LinkMore(Bound(a, "ex-a"), 1m, 11m, "a1", second: 20);
        Apply(new OrderBound(Bound(b, "ex-b"), LinkProvenance.ClientOrderId), new Linked(b1, linkB1));
        Apply(new OrderBound(Bound(a, "ex-a"), LinkProvenance.ClientOrderId), new Linked(a1, linkA1));

        var first = Store.LinksAfter(0, 1);
        var second = Store.LinksAfter(first.Next, 5);
        var atTheEnd = Store.LinksAfter(second.Next, 5);
        var (b2, linkB2) = LinkMore(b1, 1m, 12m, "b2", second: 10);
        Apply(new Linked(b2, linkB2));
        var written = Store.LinksAfter(second.Next, 5);
        Assert.Multiple(() =>
        {
            Assert.That(first.Links, Is.EqualTo(new[] { linkB1 }));
            Assert.That(first.More, Is.True);
            Assert.That(first.Next, Is.Positive);
            Assert.That(second.Links, Is.EqualTo(new[] { linkA1 }));
            Assert.That(second.Next, Is.GreaterThan(first.Next));
            Assert.That(second.More, Is.False);
            Assert.That(atTheEnd, Is.EqualTo(new LinkPage([], second.Next, false)), "nothing after the last: the cursor stays");
            Assert.That(written.Links, Is.EqualTo(new[] { linkB2 }), "a link written later comes after, whatever its order and time");
            Assert.That(written.Next, Is.GreaterThan(second.Next));
            Assert.That(Store.LinksAfter(0, 10).Links, Is.EqualTo(new[] { linkB1, linkA1, linkB2 }));
            Assert.That(Store.LinksAfter(0, 2), Is.EqualTo(new LinkPage([linkB1, linkA1], second.Next, true)), "a page as long as the limit: maybe more");
            Assert.That(Store.LinksAfter(long.MaxValue, 10), Is.EqualTo(new LinkPage([], long.MaxValue, false)));
        });
    }

    [Test]
    public void Paging_refuses_a_negative_cursor_and_a_limit_below_one() => Assert.Multiple(() =>
    {
        Assert.That(() => Store.LinksAfter(-1, 10), Throws.InstanceOf<ArgumentOutOfRangeException>());
        Assert.That(() => Store.LinksAfter(0, 0), Throws.InstanceOf<ArgumentOutOfRangeException>());
    });

    [Test]
    public void Detail_holds_the_order_its_links_its_fills_and_the_allocations_that_name_it()
    {
        var entry = Staged("lk-entry");
        var other = Staged("lk-other", 1);
        var exit = Staged("lk-exit", 2, Exit());
        var unbound = Staged("lk-unbound", 3);
        Apply(new IntentStaged(entry), new IntentStaged(other), new IntentStaged(exit), new IntentStaged(unbound));
        var (entry1, entryLink1) = LinkMore(Bound(entry, "ex-entry"), 1m, 50000m, "e-1");
        var (entry2, entryLink2) = LinkMore(entry1, 1m, 50010m, "e-2");
        var (other1, otherLink) = LinkMore(Bound(other, "ex-other"), 1m, 50000m, "o-1");
        var (exit1, exitLink) = LinkMore(Bound(exit, "ex-exit"), 1.5m, 51000m, "x-1");
        var entryFills = new[] { Fill("ex-entry", "e-2", coid: "lk-entry"), Fill("ex-entry", "e-1", coid: "lk-entry"), Fill("ex-entry", "m-1", FillSource.LegacyMatch, "lk-entry") };
        Apply(
            new OrderBound(Bound(entry, "ex-entry"), LinkProvenance.ClientOrderId), new Linked(entry1, entryLink1), new Linked(entry2, entryLink2),
            new OrderBound(Bound(other, "ex-other"), LinkProvenance.ClientOrderId), new Linked(other1, otherLink),
            new OrderBound(Bound(exit, "ex-exit"), LinkProvenance.ClientOrderId), new Linked(exit1, exitLink),
            new FillRecorded(entryFills[0]), new FillRecorded(Fill("ex-other", "o-1", coid: "lk-other")), new FillRecorded(entryFills[1]), new FillRecorded(entryFills[2]));
        var closeEntry = Allocation(exit1, entry2, 1, 1m);
        var exitAfter = Next(exit1, o => o with { Allocated = 1m });
        var entryAfter = Next(entry2, o => o with { Allocated = 1m });
        Apply(new ExitAllocated(exitAfter, entryAfter, closeEntry));
        var closeOther = Allocation(exitAfter, other1, 2, 0.5m);
        var exitLast = Next(exitAfter, o => o with { Allocated = 1.5m });
        var otherAfter = Next(other1, o => o with { Allocated = 0.5m });
        Apply(new ExitAllocated(exitLast, otherAfter, closeOther));
        Assert.Multiple(() =>
        {
            Assert.That(
                Store.Detail(entry.ClientOrderId),
                Is.EqualTo(new OrderDetail(entryAfter, [entryLink1, entryLink2], [entryFills[1], entryFills[0], entryFills[2]], [closeEntry])),
                "an entry: its links by sequence, its fills by source then key, the allocation that closes it");
            Assert.That(
                Store.Detail(exit.ClientOrderId),
                Is.EqualTo(new OrderDetail(exitLast, [exitLink], [], [closeEntry, closeOther])),
                "an exit: the allocations it made, by sequence (no fill recorded under it)");
            Assert.That(Store.Detail(other.ClientOrderId)?.Allocations, Is.EqualTo(new[] { closeOther }));
            Assert.That(Store.Detail(unbound.ClientOrderId), Is.EqualTo(new OrderDetail(unbound, [], [], [])), "unbound: nothing but the order");
            Assert.That(Store.Detail(Coid("lk-never")), Is.Null);
        });
    }

    /// <summary>Applies one batch and asserts it applied.</summary>
    protected void Apply(params Decision[] decisions)
    {
        var result = Store.Apply(Batch(decisions));
        Assert.That(result, Is.EqualTo(ApplyResult.Applied), result.Detail);
    }

    /// <summary>Distinct inputs of every type, every optional field set somewhere.</summary>
    private static class Inputs
    {
        public static ImmutableArray<EngineInput> Every() =>
        [
            new IntentReceived(At(1), Entry() with { ClientOrderId = Coid("other-webhook-1") }) { Origin = "webhook" },
            new IntentReceived(At(1), Exit("BTC-USD", "lk-a", "lk-b")),
            new PlacementOutcome(At(2), Coid("lk-a"), PlacementResult.Accepted, Eoid("ex-1")),
            new PlacementOutcome(At(2), Coid("lk-b"), PlacementResult.Rejected, RejectReason: "INSUFFICIENT_FUND"),
            new PlacementOutcome(At(2), Coid("lk-c"), PlacementResult.Unknown),
            new OrderUpdate(
                new DateTimeOffset(2025, 3, 14, 15, 9, 26, 535, TimeSpan.Zero).AddTicks(8979),
                new OrderState
                {
                    ExchangeOrderId = Eoid("ex-1"),
                    ClientOrderId = Coid("lk-a"),
                    Product = ProductId.From("BTC-USD"),
                    Side = Side.Buy,
                    Status = OrderStatus.Open,
                    CumulativeQuantity = 0.00100000m,
                    LeavesQuantity = 0.001m,
                    AveragePrice = 50000.01m,
                    FilledValue = 50.00001m,
                    TotalFees = 0.0600000m,
                    NumberOfFills = 1,
                    OrderSize = 0.002m,
                },
                OrderStateSource.FeedUpdate) { FromReconciliation = true, Origin = "ws:14" },
            new OrderUpdate(At(3), new OrderState { ExchangeOrderId = Eoid("ex-2") }, OrderStateSource.LegacyDone),
            new TradeFillReceived(new DateTimeOffset(2025, 3, 14, 17, 9, 28, TimeSpan.FromHours(2)), Fill("ex-1", "e-1").Fill),
            new TradeFillReceived(At(4), Fill("ex-1", "77", FillSource.LegacyMatch).Fill with { Product = null, Side = null, TradeId = null, TradeTime = null, TradeType = TradeType.Correction }),
            new OrderNotOurs(At(5), Eoid("ex-3"), Coid("manual-1")),
            new OrderNotOurs(At(5), Eoid("ex-4"), null),
            new Tick(At(6)),
            new MalformedInput(At(7), "ws.user", "not valid JSON", "{\"broken\u0000") { Field = "events", Line = 23 },
            new MalformedInput(At(7), "rest.fills", "missing", ""),
        ];
    }
}
