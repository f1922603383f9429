using System.Collections.Immutable;
using Linkage.Host;
using Linkage.Engine;
using Linkage.Stores.Sql;
using Linkage.Properties.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Stores.Sql;

/// <summary>
/// Merging a group commit into one statement per shape (<see cref="MultiRowPlan"/>) is done only where the order of the
/// rows cannot matter: every keyed row touched once, except successive versioned updates of one row, which become one
/// update from the first expected version to the last state. Anything else is left to the statement-by-statement path.
/// </summary>
public sealed class MultiRowPlanTests
{
    private static readonly Intent A = Entry("snap-a", size: 1m);
    private static readonly Intent B = Entry("snap-b", size: 1m);

    [Test]
    public void A_burst_of_fills_becomes_one_statement_per_shape_and_an_order_chain_one_update()
    {
        var (store, _) = Book();
        var fills = new List<EngineInput> { Rest("ex-a", "t1", 0.1m), Rest("ex-b", "t2", 0.1m), Rest("ex-a", "t3", 0.2m), Rest("ex-a", "t4", 0.3m) };
        var plan = Plan(LinkageEngine.ReadAndDecideMany(store, fills));

        var merged = MultiRowPlan.Of(plan);

        Assert.That(merged, Is.Not.Null);
        Assert.That(merged!.Appends, Is.Empty);
        var byTable = merged.Merged.GroupBy(m => m.Statement.Table.Name).ToDictionary(g => g.Key, g => g.SelectMany(m => m.Rows).ToList());
        Assert.That(byTable["fill_keys"], Has.Count.EqualTo(4));
        Assert.That(byTable["trade_strategy_link"], Has.Count.EqualTo(4));
        var orders = byTable["order_metadata_staging"];
        Assert.That(orders, Has.Count.EqualTo(2), "three updates of order a chain into one");
        var a = orders.Single(r => Value(r, "client_order_id") is string id && id == Coid(A).Value);
        Assert.That(a.ExpectedVersion, Is.EqualTo(store.FindByClientOrderId(Coid(A))!.Version), "the chain starts at the committed version");
        Assert.That(Value(a, "version"), Is.EqualTo(store.FindByClientOrderId(Coid(A))!.Version + 3));
        Assert.That(Value(a, "rest_quantity"), Is.EqualTo(0.6m), "the last state of the chain");
        Assert.That(Value(a, "link_count"), Is.EqualTo(3));
    }

    [Test]
    public void An_order_staged_and_bound_in_one_group_is_not_merged()
    {
        var staged = LinkageEngine.ReadAndDecide(new MemoryStore(), Received(A));
        var plan = Plan([staged, new DecisionBatch(Ack(A, "ex-a"), [new OrderBound(Next(staged.Of<IntentStaged>()[0].Order, "ex-a"), LinkProvenance.ClientOrderId)])]);

        Assert.That(MultiRowPlan.Of(plan), Is.Null, "an insert and an update of one row must run in order");
    }

    [Test]
    public void Updates_of_one_row_that_do_not_chain_are_not_merged()
    {
        var (store, _) = Book();
        var order = store.FindByClientOrderId(Coid(A))!;
        var first = new LedgerUpdated(order with { ExchangeFilledQuantity = 0.1m, Version = order.Version + 1 });
        var skipping = new LedgerUpdated(order with { ExchangeFilledQuantity = 0.2m, Version = order.Version + 3 });

        Assert.That(MultiRowPlan.Of(Plan([Batch(first), Batch(skipping)])), Is.Null);
        Assert.That(MultiRowPlan.Of(Plan([Batch(first), Batch(first)])), Is.Null, "the same version written twice");
    }

    [Test]
    public void A_group_that_deletes_is_not_merged_and_appends_keep_their_order()
    {
        var parked = new ParkedFill { ExchangeOrderId = Eid("ex-z"), Key = "k", Input = Rest("ex-z", "t1", 0.1m), ParkedAt = At(1) };
        Assert.That(MultiRowPlan.Of(Plan([Batch(new FillParked(parked)), Batch(new FillUnparked(Eid("ex-y"), "k"))])), Is.Null);

        var alerts = Enumerable.Range(1, 3)
            .Select(i => Batch(new AlertRaised(new AlertRecord { At = At(i), Kind = AlertKind.QuantityMismatch, Detail = $"alert {i}" })))
            .ToList();
        var merged = MultiRowPlan.Of(Plan(alerts));
        Assert.That(merged!.Merged, Is.Empty);
        Assert.That(merged.Appends.Select(a => a.Arguments.First(x => x.Column.Name == "detail").Value), Is.EqualTo(new[] { "alert 1", "alert 2", "alert 3" }));
    }

    private static DecisionBatch Batch(params Decision[] decisions) => new(new Tick(At(1)), [.. decisions]);

    private static OrderRecord Next(OrderRecord order, string exchangeId) =>
        order with { ExchangeOrderId = Eid(exchangeId), Placement = PlacementState.Accepted, Version = order.Version + 1 };

    private static ImmutableArray<StoreCommand> Plan(IEnumerable<DecisionBatch> batches) => [.. batches.SelectMany(b => BatchPlan.For(b))];

    private static object? Value(MultiRow row, string column) => row.Arguments.First(a => a.Column.Name == column).Value;

    /// <summary>Orders a and b staged and bound to ex-a and ex-b in a memory store.</summary>
    private static (MemoryStore Store, EngineCorrelator Engine) Book()
    {
        var store = new MemoryStore();
        var engine = new EngineCorrelator(store);
        foreach (var input in new EngineInput[] { Received(A), Received(B), Ack(A, "ex-a"), Ack(B, "ex-b") })
        {
            Assert.That(engine.Process(input).Status, Is.EqualTo(ProcessStatus.Applied));
        }
        return (store, engine);
    }
}
