using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// Properties over random interleavings: whatever order and however often the messages about two orders on one
/// product arrive (acknowledgement, feed updates with or without the client order id, a snapshot, REST order and
/// REST fill rows, legacy matches), each order's executed quantity is linked exactly once, to its own intent.
/// </summary>
public sealed class LinkageProperties
{
    private sealed record Trade(decimal Size, decimal Price);

    /// <summary>One bot order's script: its trades and how each of its feed updates is delivered.</summary>
    private sealed record Script(Intent Intent, string ExchangeId, ImmutableArray<Trade> Trades, ImmutableArray<bool> UpdateCarriesClientId,
        int SnapshotAfter, bool Reconciled)
    {
        public decimal Executed => Trades.Sum(t => t.Size);

        /// <summary>Every message the exchange and the host would produce for this order, each named for the counterexample.</summary>
        public IEnumerable<Message> Messages()
        {
            yield return new($"ack {ExchangeId}", at => Ack(Intent, ExchangeId, 0) with { At = at });
            decimal cumulative = 0m, value = 0m;
            for (var i = 0; i < Trades.Length; i++)
            {
                var trade = Trades[i];
                cumulative += trade.Size;
                value += trade.Size * trade.Price;
                var state = new OrderState
                {
                    ExchangeOrderId = Eid(ExchangeId),
                    ClientOrderId = UpdateCarriesClientId[i] ? Coid(Intent) : null,
                    Product = Btc,
                    Status = i == Trades.Length - 1 ? OrderStatus.Filled : OrderStatus.Open,
                    CumulativeQuantity = cumulative,
                    FilledValue = value,
                    TotalFees = value * 0.006m,
                };
                var index = i;
                yield return new($"update {ExchangeId} cum {cumulative}{(UpdateCarriesClientId[i] ? " +coid" : "")}",
                    at => new OrderUpdate(at, state, OrderStateSource.FeedUpdate));
                if (index == SnapshotAfter)
                {
                    yield return new($"snapshot {ExchangeId} cum {cumulative}",
                        at => new OrderUpdate(at, state with { ClientOrderId = Coid(Intent) }, OrderStateSource.FeedSnapshot));
                }
                yield return new($"rest {ExchangeId} e{index}", at => Rest(ExchangeId, $"{ExchangeId}-e{index}", trade.Size, trade.Price, reconciliation: Reconciled) with { At = at });
                yield return new($"match {ExchangeId} t{index}", at => Match(ExchangeId, (ExchangeId == "x1" ? 1000L : 2000L) + index, trade.Size, trade.Price) with { At = at });
            }
            yield return new($"rest order {ExchangeId} cum {cumulative}", at => new OrderUpdate(at, new OrderState
            {
                ExchangeOrderId = Eid(ExchangeId),
                ClientOrderId = Coid(Intent),
                Status = OrderStatus.Filled,
                CumulativeQuantity = cumulative,
            }, OrderStateSource.RestOrder) { FromReconciliation = true });
        }
    }

    private sealed record Message(string Name, Func<DateTimeOffset, EngineInput> Make)
    {
        public override string ToString() => Name;
    }

    /// <summary>An order placed by hand: its updates carry a foreign client order id; its trade rows carry none.</summary>
    private sealed record Manual(ImmutableArray<Trade> Trades)
    {
        public const string ExchangeId = "m1";

        public IEnumerable<Message> Messages()
        {
            decimal cumulative = 0m;
            for (var i = 0; i < Trades.Length; i++)
            {
                var trade = Trades[i];
                cumulative += trade.Size;
                var state = new OrderState
                {
                    ExchangeOrderId = Eid(ExchangeId),
                    ClientOrderId = ClientOrderId.From("3f1c9a52-6b1e-4d0a-9c77-2e5d8b41a0f3"),
                    Product = Btc,
                    CumulativeQuantity = cumulative,
                };
                var index = i;
                yield return new($"manual update cum {cumulative}", at => new OrderUpdate(at, state, OrderStateSource.FeedUpdate));
                yield return new($"manual rest e{index}", at => Rest(ExchangeId, $"m-e{index}", trade.Size, trade.Price) with { At = at });
                yield return new($"manual match t{index}", at => Match(ExchangeId, 3000L + index, trade.Size, trade.Price) with { At = at });
            }
        }
    }

    private sealed record Case(Script First, Script Second, Manual Manual, ImmutableArray<Message> Delivery)
    {
        public override string ToString() => $"deliveries: {string.Join(", ", Delivery)}";
    }

    private static readonly Gen<Trade> Trades =
        from size in Gen.Elements(0.001m, 0.002m, 0.005m)
        from price in Gen.Elements(49900m, 50000m, 50100.5m)
        select new Trade(size, price);

    private static Gen<Script> Scripts(string snapshot, string exchangeId, int decidedSecond) =>
        from count in Gen.Choose(1, 4)
        from trades in Gen.ArrayOf(Trades, count)
        from carries in Gen.ArrayOf(Gen.Elements(true, false), count)
        from snapshotAfter in Gen.Choose(-1, count - 1)
        from reconciled in Gen.Elements(true, false)
        select new Script(Entry(snapshot, size: trades.Sum(t => t.Size), decidedSecond: decidedSecond), exchangeId,
            [.. trades], [.. carries], snapshotAfter, reconciled);

    private static readonly Gen<Case> Cases =
        from first in Scripts("aaa", "x1", 0)
        from second in Scripts("bbb", "x2", 5)
        from manualCount in Gen.Choose(1, 3)
        from manualTrades in Gen.ArrayOf(Trades, manualCount)
        let manual = new Manual([.. manualTrades])
        let messages = first.Messages().Concat(second.Messages()).Concat(manual.Messages()).ToArray()
        from duplicated in Gen.SubListOf(messages)
        from delivery in Gen.Shuffle(messages.Concat(duplicated))
        select new Case(first, second, manual, [.. delivery]);

    [Test]
    public void Any_interleaving_and_duplication_links_exactly_the_executed_quantity_to_the_right_intent_never_more_and_external_never() =>
        Prop.ForAll(Arb.From(Cases), Holds).Check(Config.QuickThrowOnFailure.WithMaxTest(300));

    private static void Holds(Case c)
    {
        using var rig = new Rig();
        rig.Feed(Received(c.First.Intent, 0), Received(c.Second.Intent, 5));
        for (var i = 0; i < c.Delivery.Length; i++)
        {
            rig.Feed(c.Delivery[i].Make(At(10 + i)));
        }
        foreach (var script in new[] { c.First, c.Second })
        {
            var links = rig.Store.Links().Where(l => l.ExchangeOrderId == Eid(script.ExchangeId)).ToArray();
            Assert.That(links.Select(l => l.ClientOrderId), Is.All.EqualTo(Coid(script.Intent)), "S1: a fill links only to its own intent");
            Assert.That(links.Select(l => l.From), Is.EqualTo(links.Select(l => l.To).Prepend(0m).SkipLast(1)), "links cover consecutive ranges");
            Assert.That(links.Sum(l => l.Quantity), Is.EqualTo(script.Executed), "S2 and L1: the executed quantity, linked once");
            Assert.That(rig.Order(script.Intent).Linked.Quantity, Is.EqualTo(script.Executed));
        }
        Assert.That(rig.Store.Links().Where(l => l.ExchangeOrderId == Eid(Manual.ExchangeId)), Is.Empty, "S3: external stays external");
        Assert.That(rig.Store.FindExternal(Eid(Manual.ExchangeId))!.Trades, Is.EqualTo(2 * c.Manual.Trades.Length), "every distinct trade row recorded once");
        Assert.That(rig.Store.Quarantine(), Is.Empty);
        Assert.That(rig.Store.Alerts(), Is.Empty);
        Assert.That(rig.Store.Parked(), Is.Empty, "every parked message was released once its order was known");
    }
}
