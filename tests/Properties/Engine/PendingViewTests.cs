using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// The engine's pending view (committed read set plus the decisions already made in the call): its merged lists hold
/// exactly the orders the store would list after applying them, in the port's orders, ties broken by id.
/// </summary>
public sealed class PendingViewTests
{
    private static OrderRecord Order(string id, Intent intent, decimal linked = 0m, decimal allocated = 0m, double staged = 0, double? terminal = null) => new()
    {
        ClientOrderId = ClientOrderId.From(id),
        Intent = intent,
        StagedAt = At(staged),
        TerminalAt = terminal is { } t ? At(t) : null,
        Linked = new Executed(linked, linked * 50_000m, 0m),
        Allocated = allocated,
    };

    private static PendingView Over(Action<ReadSetKeys.Builder> keys, params Decision[] decisions)
    {
        var builder = new ReadSetKeys.Builder();
        keys(builder);
        using var store = new MemoryStore();
        var view = new PendingView();
        view.Reset(ReadSet.Fetch(store, builder.Build()));
        foreach (var decision in decisions)
        {
            view.Apply(decision);
        }
        return view;
    }

    private static ExternalOrderRecord External(string id) => new() { ExchangeOrderId = Eid(id), FirstSeenAt = At(1) };

    private static void Lists(ReadSetKeys.Builder b)
    {
        b.Lots(Btc);
        b.Exits(Btc);
    }

    [Test]
    public void A_pending_view_read_outside_a_call_of_the_engine_says_so() =>
        Assert.That(() => new PendingView().FindByClientOrderId(ClientOrderId.From("any")),
            Throws.InvalidOperationException.With.Message.EqualTo("a pending view was read outside a call of the engine"));

    [Test]
    public void Pending_lots_of_one_staging_second_are_listed_by_client_order_id()
    {
        var view = Over(Lists, new LedgerUpdated(Order("lot-b", Entry("b"), linked: 0.002m, staged: 5)),
            new LedgerUpdated(Order("lot-a", Entry("a"), linked: 0.001m, staged: 5)));
        Assert.That(view.OpenEntryLots(Btc).Select(o => o.ClientOrderId.Value), Is.EqualTo(new[] { "lot-a", "lot-b" }));
    }

    [Test]
    public void Only_orders_of_the_kind_and_product_with_open_quantity_are_pending_lots_or_waiting_exits()
    {
        var eth = ProductId.From("ETH-USD");
        var view = Over(Lists,
            new LedgerUpdated(Order("lot-open", Entry("a"), linked: 0.002m, allocated: 0.001m, staged: 1)),
            new LedgerUpdated(Order("lot-closed", Entry("b"), linked: 0.002m, allocated: 0.002m, staged: 2)),
            new LedgerUpdated(Order("lot-eth", Entry("c", product: eth), linked: 0.002m, staged: 3)),
            new LedgerUpdated(Order("exit-waiting", Exit(0.002m), linked: 0.002m, staged: 4)),
            new LedgerUpdated(Order("exit-allocated", Exit(0.002m), linked: 0.002m, allocated: 0.002m, staged: 5)),
            new LedgerUpdated(Order("exit-eth", Exit(0.002m, product: eth), linked: 0.002m, staged: 6)));
        Assert.Multiple(() =>
        {
            Assert.That(view.OpenEntryLots(Btc).Select(o => o.ClientOrderId.Value), Is.EqualTo(new[] { "lot-open" }));
            Assert.That(view.ExitsAwaitingAllocation(Btc).Select(o => o.ClientOrderId.Value), Is.EqualTo(new[] { "exit-waiting" }));
        });
    }

    [Test]
    public void Pending_orders_terminal_at_one_instant_are_retention_candidates_by_client_order_id()
    {
        var view = Over(b => b.Retain(new RetentionPage(At(100), 10)),
            new OrderStatusChanged(Order("done-b", Entry("b"), staged: 1, terminal: 50), "filled"),
            new OrderStatusChanged(Order("done-a", Entry("a"), staged: 2, terminal: 50), "filled"),
            new OrderStatusChanged(Order("done-late", Entry("c"), staged: 3, terminal: 101), "filled"));
        Assert.That(view.TerminalBefore(At(100), 10).Select(o => o.ClientOrderId.Value), Is.EqualTo(new[] { "done-a", "done-b" }));
    }

    [Test]
    public void Fills_parked_in_the_call_are_listed_by_parking_time_then_key()
    {
        var id = Eid("ex-1");
        ParkedFill Parked(string key, double second) => new() { ExchangeOrderId = id, Key = key, Input = Match("ex-1", 1, 0.001m), ParkedAt = At(second) };
        var view = Over(b => b.Exchange(id), new FillParked(Parked("k-b", 1)), new FillParked(Parked("k-a", 1)), new FillParked(Parked("k-c", 0)));
        Assert.Multiple(() =>
        {
            Assert.That(view.ParkedFor(id).Select(p => p.Key), Is.EqualTo(new[] { "k-c", "k-a", "k-b" }));
            Assert.That(view.ParkedCount, Is.EqualTo(3));
        });
    }

    [Test]
    public void A_committed_fill_unparked_and_parked_again_in_one_call_is_listed_once_as_the_store_will_hold_it()
    {
        var id = Eid("ex-1");
        ParkedFill Parked(double second) => new() { ExchangeOrderId = id, Key = "k", Input = Match("ex-1", 1, 0.001m), ParkedAt = At(second) };
        using var store = new MemoryStore();
        store.Apply(new DecisionBatch(new Tick(At(1)), [new FillParked(Parked(1))]));
        var keys = new ReadSetKeys.Builder();
        keys.Exchange(id);
        keys.CountParked();
        var view = new PendingView();
        view.Reset(ReadSet.Fetch(store, keys.Build()));
        Decision[] call = [new FillUnparked(id, "k"), new FillParked(Parked(2))];
        foreach (var decision in call)
        {
            view.Apply(decision);
        }
        var listed = view.ParkedFor(id).Select(p => p.ParkedAt).ToList();
        var count = view.ParkedCount;
        store.Apply(new DecisionBatch(new Tick(At(2)), [.. call]));
        Assert.Multiple(() =>
        {
            Assert.That(listed, Is.EqualTo(new[] { At(2) }), "the fill parked again, once");
            Assert.That(count, Is.EqualTo(1));
            Assert.That(store.ParkedFor(id).Select(p => p.ParkedAt), Is.EqualTo(listed), "what the store holds after the call");
        });
    }

    [Test]
    public void Every_external_order_recorded_in_the_call_is_found()
    {
        var view = Over(b =>
            {
                b.External(Eid("ext-1"));
                b.External(Eid("ext-2"));
            },
            new ExternalRecorded(External("ext-1")),
            new ExternalRecorded(External("ext-2")));
        Assert.Multiple(() =>
        {
            Assert.That(view.FindExternal(Eid("ext-1")), Is.EqualTo(External("ext-1")));
            Assert.That(view.FindExternal(Eid("ext-2")), Is.EqualTo(External("ext-2")));
        });
    }
}
