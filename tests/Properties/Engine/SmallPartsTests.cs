using System.Collections.Immutable;
using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// The engine's small public parts, pinned where nothing larger would notice a change: what a record says about
/// reconciliation, the engine's argument checks and context handling, and how arrays hash and print.
/// </summary>
public sealed class SmallPartsTests
{
    private static OrderRecord Order(Action<OrderRecordBuilder>? change = null)
    {
        var b = new OrderRecordBuilder();
        change?.Invoke(b);
        return new OrderRecord
        {
            ClientOrderId = Coid(Entry("aaa")),
            Intent = Entry("aaa", size: b.Size),
            StagedAt = T0,
            Placement = b.Placement,
            Status = b.Status,
            Feed = new Executed(b.Feed, b.Feed * 50_000m, 0m),
            Rest = new Executed(b.Rest, b.Rest * 50_000m, 0m),
            Matches = new Executed(b.Matches, b.Matches * 50_000m, 0m),
            Linked = new Executed(b.Linked, b.Linked * 50_000m, 0m),
            ExchangeFilledQuantity = b.ExchangeFilled,
        };
    }

    private sealed class OrderRecordBuilder
    {
        public decimal? Size { get; set; } = 0.01m;
        public PlacementState Placement { get; set; } = PlacementState.Accepted;
        public OrderStatus Status { get; set; } = OrderStatus.Open;
        public decimal Feed { get; set; }
        public decimal Rest { get; set; }
        public decimal Matches { get; set; }
        public decimal Linked { get; set; }
        public decimal? ExchangeFilled { get; set; }
    }

    [Test]
    public void An_order_is_settled_when_refused_or_terminal_with_all_the_exchange_reported_linked()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Order(o => o.Placement = PlacementState.Rejected).IsSettled(), Is.True, "refused");
            Assert.That(Order(o => o.Status = OrderStatus.Open).IsSettled(), Is.False, "open");
            Assert.That(Order(o => { o.Status = OrderStatus.Cancelled; o.ExchangeFilled = 0.004m; o.Linked = 0.004m; }).IsSettled(), Is.True, "all linked");
            Assert.That(Order(o => { o.Status = OrderStatus.Cancelled; o.ExchangeFilled = 0.004m; o.Linked = 0.003m; }).IsSettled(), Is.False, "0.001 not linked");
            Assert.That(Order(o => { o.Status = OrderStatus.Cancelled; o.ExchangeFilled = null; o.Linked = 0m; }).IsSettled(), Is.True, "nothing reported");
            Assert.That(Order(o => { o.Status = OrderStatus.Open; o.ExchangeFilled = 0.004m; o.Linked = 0.004m; }).IsSettled(), Is.False, "not terminal");
            Assert.Throws<ArgumentNullException>(() => ((OrderRecord)null!).IsSettled());
        });
    }

    [Test]
    public void The_known_executed_quantity_is_the_largest_any_report_showed_and_a_filled_orders_size()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Order(o => { o.Feed = 0.003m; o.Rest = 0.001m; o.Matches = 0.002m; }).KnownExecutedQuantity(), Is.EqualTo(0.003m), "the feed");
            Assert.That(Order(o => { o.Feed = 0.001m; o.Rest = 0.004m; o.Matches = 0.002m; }).KnownExecutedQuantity(), Is.EqualTo(0.004m), "REST");
            Assert.That(Order(o => { o.Feed = 0.001m; o.Rest = 0.002m; o.Matches = 0.005m; }).KnownExecutedQuantity(), Is.EqualTo(0.005m), "matches");
            Assert.That(Order(o => { o.Feed = 0.001m; o.ExchangeFilled = 0.006m; }).KnownExecutedQuantity(), Is.EqualTo(0.006m), "filled_size");
            Assert.That(Order(o => { o.Status = OrderStatus.Filled; o.Feed = 0.004m; }).KnownExecutedQuantity(), Is.EqualTo(0.01m), "FILLED: all of the size");
            Assert.That(Order(o => { o.Status = OrderStatus.Filled; o.Size = null; o.Feed = 0.004m; }).KnownExecutedQuantity(), Is.EqualTo(0.004m), "FILLED without a size");
            Assert.That(Order(o => { o.Feed = 0.004m; o.Linked = 0.001m; }).UnlinkedQuantity(), Is.EqualTo(0.003m));
            Assert.Throws<ArgumentNullException>(() => ((OrderRecord)null!).KnownExecutedQuantity());
        });
    }

    [Test]
    public void The_engine_refuses_null_arguments_by_name()
    {
        var store = new MemoryStore();
        var reads = ReadSet.Fetch(store, ReadSetKeys.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ArgumentNullException>(() => LinkageEngine.Decide(null!, new Tick(T0)))!.ParamName, Is.EqualTo("reads"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => LinkageEngine.Decide(reads, null!))!.ParamName, Is.EqualTo("input"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => LinkageEngine.DecideMany(null!, []))!.ParamName, Is.EqualTo("reads"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => LinkageEngine.DecideMany(reads, null!))!.ParamName, Is.EqualTo("inputs"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => LinkageEngine.DecideMany(reads, [null!]))!.ParamName, Is.EqualTo("input"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => LinkageEngine.ReadAndDecide(null!, new Tick(T0)))!.ParamName, Is.EqualTo("store"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => LinkageEngine.ReadAndDecide(store, null!))!.ParamName, Is.EqualTo("input"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => LinkageEngine.ReadAndDecideMany(null!, []))!.ParamName, Is.EqualTo("store"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => LinkageEngine.ReadAndDecideMany(store, null!))!.ParamName, Is.EqualTo("inputs"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => ReadSetKeys.Of((EngineInput)null!))!.ParamName, Is.EqualTo("input"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => ReadSetKeys.Of((IEnumerable<EngineInput>)null!))!.ParamName, Is.EqualTo("inputs"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => ReadSetKeys.Of([new Tick(T0), null!]))!.ParamName, Is.EqualTo("input"));
            Assert.That(Assert.Throws<ArgumentNullException>(() => ReadSetKeys.Empty.Union(null!))!.ParamName, Is.EqualTo("other"));
        });
    }

    [Test]
    public void A_context_serves_one_call_at_a_time_and_holds_nothing_of_a_call_after_it()
    {
        var store = new MemoryStore();
        var context = new DecisionContext();
        var intent = Received(Entry("aaa"));
        var reads = ReadSet.Fetch(store, ReadSetKeys.Of(intent));
        var first = LinkageEngine.Decide(reads, intent, context);
        var again = LinkageEngine.Decide(reads, intent, context);
        var many = LinkageEngine.DecideMany(reads, [intent, intent], context);
        Assert.Multiple(() =>
        {
            Assert.That(again.Decisions, Is.EqualTo(first.Decisions), "the second call decides from the reads alone, not from what the first left pending");
            Assert.That(many[0].Decisions, Is.EqualTo(first.Decisions));
            Assert.That(many[1].Decisions, Is.Not.EqualTo(first.Decisions), "within one burst the second copy sees the first's staging");
        });
        // Lent and not returned: a call from within a call is refused.
        var lent = new DecisionContext();
        lent.Lend(reads);
        var refused = Assert.Throws<InvalidOperationException>(() => LinkageEngine.Decide(reads, intent, lent))!;
        Assert.That(refused.Message, Does.Contain("lent to a call that has not returned"));
        lent.Return();
        Assert.That(LinkageEngine.Decide(reads, intent, lent).Decisions, Is.EqualTo(first.Decisions), "returned, it serves again");
    }

    [Test]
    public void A_read_and_decide_burst_fetches_what_it_missed_and_decides_the_burst_as_one()
    {
        var store = new MemoryStore();
        var entry = Entry("aaa");
        store.Apply(LinkageEngine.ReadAndDecide(store, Received(entry)));
        store.Apply(LinkageEngine.ReadAndDecide(store, Ack(entry, "ex-1")));
        var burst = LinkageEngine.ReadAndDecideMany(store, [Rest("ex-1", "t-1", 0.001m), Rest("ex-1", "t-2", 0.001m, second: 3)]);
        Assert.Multiple(() =>
        {
            Assert.That(burst, Has.Length.EqualTo(2));
            Assert.That(burst.SelectMany(b => b.Decisions).OfType<Linked>().Select(l => l.Link.To), Is.EqualTo(new[] { 0.001m, 0.002m }),
                "the second fill links on top of the first, decided in the same burst");
        });
    }

    [Test]
    public void Equal_arrays_hash_alike_and_different_ones_almost_never_and_both_print_their_items()
    {
        EquatableArray<int> a = ImmutableArray.Create(1, 2, 3);
        EquatableArray<int> b = ImmutableArray.Create(3, 2, 1);
        EquatableArray<int> none = default;
        Assert.Multiple(() =>
        {
            Assert.That(a.GetHashCode(), Is.Not.EqualTo(b.GetHashCode()), "the items are hashed in order");
            Assert.That(a.GetHashCode(), Is.Not.EqualTo(((EquatableArray<int>)ImmutableArray<int>.Empty).GetHashCode()));
            Assert.That(none.GetHashCode(), Is.EqualTo(((EquatableArray<int>)ImmutableArray<int>.Empty).GetHashCode()));
            Assert.That(a != b, Is.True);
            Assert.That(a != (EquatableArray<int>)ImmutableArray.Create(1, 2, 3), Is.False);
            Assert.That(a.ToString(), Is.EqualTo("[1, 2, 3]"));
            Assert.That(none.ToString(), Is.EqualTo("default"));
        });
    }

    private sealed record Strange(DateTimeOffset At) : EngineInput(At);

    [Test]
    public void An_input_of_a_kind_the_engine_does_not_know_is_refused_by_name()
    {
        var batch = LinkageEngine.Decide(ReadSet.Fetch(new MemoryStore(), ReadSetKeys.Empty), new Strange(T0));
        var refused = batch.Of<InputRejected>().Single().Record;
        Assert.Multiple(() =>
        {
            Assert.That(refused.Reason, Is.EqualTo("the engine does not know inputs of kind Strange"));
            Assert.That(refused.Field, Is.EqualTo("kind"));
            Assert.That(refused.Kind, Is.EqualTo("Strange"));
        });
    }
}
