using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// What a read set follows from its keys and holds, past the cases the deciders' own tests reach: lots of a second
/// product, an exit awaiting allocation found by its client order id, the parked count only where an input may park,
/// and the miss's constructors.
/// </summary>
public sealed class ReadSetSurvivorsTests
{
    private static readonly ProductId Eth = ProductId.From("ETH-USD");
    private static readonly ProductId Sol = ProductId.From("SOL-USD");

    [Test]
    public void Orders_of_every_fetched_list_are_found_by_client_order_id_and_a_waiting_exit_brings_its_lots()
    {
        using var rig = new Rig();
        var store = rig.Store;
        var btc = Entry("aaa", size: 0.002m);
        var eth = Entry("bbb", size: 0.5m, price: 3_000m, product: Eth, decidedSecond: 1);
        var solExit = Exit(2m, product: Sol, decidedSecond: 3601);
        rig.Feed(Received(btc), Ack(btc, "ex-btc"), Rest("ex-btc", "t-btc", 0.002m, second: 1), Received(eth, 1), Ack(eth, "ex-eth", 1.2),
            On(Eth, Rest("ex-eth", "t-eth", 0.5m, 3_000m, second: 2)), Received(solExit, 3601), Ack(solExit, "ex-solx", 3601.2),
            On(Sol, Rest("ex-solx", "t-solx", 2m, 150m, second: 3602)));
        Assert.That(store.ExitsAwaitingAllocation(Sol).Select(o => o.ClientOrderId), Is.EqualTo(new[] { Coid(solExit) }), "no SOL lot: the exit waits");

        var builder = new ReadSetKeys.Builder();
        builder.Lots(Btc);
        builder.Lots(Eth);
        builder.Exits(Sol);
        var reads = ReadSet.Fetch(store, builder.Build());
        Assert.Multiple(() =>
        {
            Assert.That(reads.OpenEntryLots(Sol), Is.Empty, "a waiting exit leads to the lots it may close");
            foreach (var intent in new[] { btc, eth, solExit })
            {
                Assert.That(reads.FindByClientOrderId(Coid(intent)), Is.EqualTo(store.FindByClientOrderId(Coid(intent))).And.Not.Null, intent.Snapshot.ToString());
            }
        });
    }

    private static TradeFillReceived On(ProductId product, TradeFillReceived row) => row with { Fill = row.Fill with { Product = product } };

    [Test]
    public void The_parked_count_is_fetched_for_an_exchange_id_without_an_order_and_not_for_a_bound_one()
    {
        using var rig = new Rig();
        var store = rig.Store;
        var btc = Entry("aaa", size: 0.002m);
        rig.Feed(Received(btc), Ack(btc, "ex-btc"));

        var bound = new ReadSetKeys.Builder();
        bound.Exchange(Eid("ex-btc"));
        var unbound = new ReadSetKeys.Builder();
        unbound.Exchange(Eid("ex-unknown"));
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<ReadSetMiss>(() => _ = ReadSet.Fetch(store, bound.Build()).ParkedCount)!.Missing.ParkedCount, Is.True,
                "an input about a bound id never parks");
            Assert.That(ReadSet.Fetch(store, unbound.Build()).ParkedCount, Is.Zero);
        });
    }

    [Test]
    public void A_miss_made_without_keys_names_none()
    {
        var inner = new InvalidOperationException("cause");
        Assert.Multiple(() =>
        {
            var nameless = new ReadSetMiss((ReadSetKeys)null!);
            Assert.That(nameless.Message, Is.EqualTo("the read set holds no answer for nothing; fetch it too and decide again"));
            Assert.That(nameless.Missing, Is.SameAs(ReadSetKeys.Empty));
            Assert.That(new ReadSetMiss().Missing, Is.SameAs(ReadSetKeys.Empty));
            var worded = new ReadSetMiss("worded");
            Assert.That((worded.Message, worded.Missing), Is.EqualTo(("worded", ReadSetKeys.Empty)));
            var caused = new ReadSetMiss("caused", inner);
            Assert.That((caused.Message, caused.Missing, caused.InnerException), Is.EqualTo(("caused", ReadSetKeys.Empty, (Exception)inner)));
        });
    }
}
