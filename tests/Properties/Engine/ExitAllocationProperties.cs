using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// Law L3 over random books: entries and exits (some naming the lots they close) filling in any order. Allocations
/// never exceed what either side linked, named exits close only what they name, and when no exit names lots every
/// exit quantity that has an open lot somewhere is allocated.
/// </summary>
public sealed class ExitAllocationProperties
{
    private sealed record Order(Intent Intent, string ExchangeId, decimal Price)
    {
        public EngineInput[] Inputs(double second) =>
        [
            Received(Intent, second), Ack(Intent, ExchangeId, second + 0.1),
            Update(ExchangeId, Intent, Intent.Size!.Value, Price, OrderStatus.Filled, second + 0.2),
        ];

        public override string ToString() =>
            $"{Intent.Kind} {ExchangeId} {Intent.Size} @ {Price}{(Intent.Closes.IsEmpty ? "" : " closes " + string.Join("+", Intent.Closes))}";
    }

    private sealed record Book(ImmutableArray<Order> Entries, ImmutableArray<Order> Exits, ImmutableArray<Order> Fills)
    {
        public override string ToString() => string.Join("; ", Fills);
    }

    private static readonly Gen<decimal> Sizes = Gen.Elements(0.001m, 0.002m, 0.003m, 0.004m);
    private static readonly Gen<decimal> Prices = Gen.Elements(49000m, 50000m, 51000m);

    private static Gen<Book> Books(bool namedLots) =>
        from entryCount in Gen.Choose(1, 4)
        from entrySizes in Gen.ArrayOf(Sizes, entryCount)
        from entryPrices in Gen.ArrayOf(Prices, entryCount)
        let entries = entrySizes.Select((size, i) => new Order(Entry($"s{i}", size: size, decidedSecond: i), $"e{i}", entryPrices[i])).ToArray()
        from exitCount in Gen.Choose(1, 3)
        from exitSizes in Gen.ArrayOf(Sizes, exitCount)
        from exitPrices in Gen.ArrayOf(Prices, exitCount)
        from names in Gen.ArrayOf(namedLots ? Gen.SubListOf(entries).Select(l => l.ToArray()) : Gen.Constant(Array.Empty<Order>()), exitCount)
        let exits = exitSizes.Select((size, i) => new Order(
            Exit(size, decidedSecond: 1000 + i, closes: [.. names[i].Select(e => Coid(e.Intent).Value)]), $"x{i}", exitPrices[i])).ToArray()
        from fills in Gen.Shuffle(entries.Concat(exits))
        select new Book([.. entries], [.. exits], [.. fills]);

    [Test]
    public void Allocations_never_exceed_either_side_and_oldest_first_exits_close_every_open_lot() =>
        Prop.ForAll(Arb.From(Books(namedLots: false)), book => Holds(book, namedLots: false)).Check(Config.QuickThrowOnFailure.WithMaxTest(200));

    [Test]
    public void Exits_naming_their_lots_close_only_those_and_never_more_than_either_side() =>
        Prop.ForAll(Arb.From(Books(namedLots: true)), book => Holds(book, namedLots: true)).Check(Config.QuickThrowOnFailure.WithMaxTest(200));

    private static void Holds(Book book, bool namedLots)
    {
        using var rig = new Rig();
        for (var i = 0; i < book.Fills.Length; i++)
        {
            rig.Feed(book.Fills[i].Inputs(10 * i));
        }
        var allocations = rig.Store.Allocations();
        foreach (var entry in book.Entries)
        {
            var order = rig.Order(entry.Intent);
            var closed = allocations.Where(a => a.EntryClientOrderId == order.ClientOrderId).Sum(a => a.Quantity);
            Assert.That(closed, Is.EqualTo(order.Allocated).And.LessThanOrEqualTo(order.Linked.Quantity), $"entry {entry.ExchangeId}");
        }
        foreach (var exit in book.Exits)
        {
            var order = rig.Order(exit.Intent);
            var mine = allocations.Where(a => a.ExitClientOrderId == order.ClientOrderId).ToArray();
            Assert.That(mine.Sum(a => a.Quantity), Is.EqualTo(order.Allocated).And.LessThanOrEqualTo(order.Linked.Quantity), $"exit {exit.ExchangeId}");
            if (!exit.Intent.Closes.IsEmpty)
            {
                Assert.That(mine.Select(a => a.EntryClientOrderId), Is.SubsetOf(exit.Intent.Closes), $"exit {exit.ExchangeId} closes only what it names");
            }
            Assert.That(mine.Select(a => a.RealizedPnl), Is.EqualTo(mine.Select(a => (a.ExitPrice - a.EntryPrice) * a.Quantity)));
        }
        if (!namedLots)
        {
            var exitsLinked = book.Exits.Sum(e => rig.Order(e.Intent).Linked.Quantity);
            var entriesLinked = book.Entries.Sum(e => rig.Order(e.Intent).Linked.Quantity);
            Assert.That(allocations.Sum(a => a.Quantity), Is.EqualTo(Math.Min(exitsLinked, entriesLinked)), "L3: every exit quantity with an open lot is allocated");
        }
    }
}
