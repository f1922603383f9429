using System.Collections.Immutable;
using Linkage.Engine;
using Linkage.Host;
using Linkage.Properties.Support;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// Bursts the random property rarely builds, each decided as one and compared with deciding input by input: two
/// products at once, an entry linking inside the burst an exit of the same burst closes, and the parking bound met
/// inside a burst (what the burst parked and released counts).
/// </summary>
public sealed class BurstCasesTests
{
    private static readonly ProductId Eth = ProductId.From("ETH-USD");

    private static TradeFillReceived EthRest(string exchangeId, string entryId, decimal size, decimal price, double second)
    {
        var row = Rest(exchangeId, entryId, size, price, second: second);
        return row with { Fill = row.Fill with { Product = Eth } };
    }

    /// <summary>Decides <paramref name="setup"/> input by input, then <paramref name="burst"/> as one, and checks each decision against input by input.</summary>
    private static ImmutableArray<DecisionBatch> AsOne(EngineInput[] setup, EngineInput[] burst, Func<ILinkageStore, ILinkageStoreView>? view = null)
    {
        using var reference = new MemoryStore();
        using var store = new MemoryStore();
        var referenceCorrelator = new EngineCorrelator(reference);
        var correlator = new EngineCorrelator(store);
        foreach (var input in setup)
        {
            referenceCorrelator.Process(input);
            correlator.Process(input);
        }
        // Each view is made once, after the setup: what the burst and the reference park later counts on top of it.
        var storeView = view?.Invoke(store) ?? store;
        var referenceView = view?.Invoke(reference) ?? reference;
        var batches = LinkageEngine.ReadAndDecideMany(storeView, burst);
        var expected = new List<DecisionBatch>();
        foreach (var input in burst)
        {
            expected.Add(LinkageEngine.ReadAndDecide(referenceView, input));
            Assert.That(reference.Apply(expected[^1]).Status, Is.EqualTo(ApplyStatus.Applied));
        }
        for (var i = 0; i < burst.Length; i++)
        {
            Assert.That(store.Apply(batches[i]).Status, Is.EqualTo(ApplyStatus.Applied), $"input {i}: {burst[i]}");
            Assert.That(batches[i].Decisions, Is.EqualTo(expected[i].Decisions), $"input {i}: {burst[i]}");
        }
        return batches;
    }

    [Test]
    public void Entries_of_two_products_linking_in_a_burst_give_an_exit_of_the_burst_only_its_own_products_lots()
    {
        var btc = Entry("aaa", size: 0.002m);
        var eth = Entry("bbb", size: 0.5m, price: 3_000m, product: Eth, decidedSecond: 1);
        var exit = Exit(0.002m, decidedSecond: 3600);
        var ethExit = Exit(0.5m, product: Eth, decidedSecond: 3601);
        EngineInput[] setup = [Received(btc), Ack(btc, "ex-btc"), Received(eth, 1), Ack(eth, "ex-eth", 1.2),
            Received(exit, 3600), Ack(exit, "ex-x", 3600.2), Received(ethExit, 3601), Ack(ethExit, "ex-ethx", 3601.2)];
        var batches = AsOne(setup, [Rest("ex-x", "t-x", 0.002m, second: 3602), EthRest("ex-ethx", "t-ethx", 0.5m, 3_100m, 3603),
            EthRest("ex-eth", "t-eth", 0.5m, 3_000m, 3604), Rest("ex-btc", "t-btc", 0.002m, second: 3605)]);
        Assert.Multiple(() =>
        {
            Assert.That(batches[2].Of<ExitAllocated>().Single().Allocation.ExitClientOrderId, Is.EqualTo(Coid(ethExit)), "the ETH lot closes the ETH exit");
            Assert.That(batches[3].Of<ExitAllocated>().Single().Allocation.ExitClientOrderId, Is.EqualTo(Coid(exit)));
        });
    }

    [Test]
    public void An_exit_waiting_in_a_burst_is_allocated_when_its_lot_links_later_in_the_same_burst()
    {
        var entry = Entry("aaa", size: 0.002m);
        var exit = Exit(0.002m, decidedSecond: 10);
        var batches = AsOne([Received(entry), Ack(entry, "ex-1"), Received(exit, 10), Ack(exit, "ex-x", 10.2)],
            [Rest("ex-x", "t-x", 0.002m, price: 52_000m, second: 11), Rest("ex-1", "t-1", 0.001m, second: 12), Rest("ex-1", "t-2", 0.001m, second: 13)]);
        Assert.Multiple(() =>
        {
            Assert.That(batches[1].Of<ExitAllocated>().Single().Allocation.Quantity, Is.EqualTo(0.001m));
            Assert.That(batches[2].Of<ExitAllocated>().Single().Allocation.Quantity, Is.EqualTo(0.001m));
        });
    }

    [Test]
    public void The_parking_bound_counts_what_the_burst_parked_and_released()
    {
        var entry = Entry("aaa", size: 0.002m);
        // Committed: one fill parked for ex-1 before its answer; the view says the parking holds one fill short of full.
        EngineInput[] setup = [Received(entry), Rest("ex-1", "t-1", 0.001m, second: 1)];
        var filling = AsOne(setup, [Rest("ex-a", "t-a", 0.001m, second: 2), Rest("ex-b", "t-b", 0.001m, second: 3)],
            store => new ParkingCountView(store, Limits.ParkedFillsMax - 1));
        var releasing = AsOne(setup, [Ack(entry, "ex-1", 2), Rest("ex-b", "t-b", 0.001m, second: 3)],
            store => new ParkingCountView(store, Limits.ParkedFillsMax));
        Assert.Multiple(() =>
        {
            Assert.That(filling[0].Of<FillParked>(), Has.Length.EqualTo(1), "one short of full: parks");
            Assert.That(filling[1].Of<FillParked>(), Is.Empty, "the burst's own parked fill filled the parking");
            Assert.That(filling[1].Of<AlertRaised>().Single().Alert.Kind, Is.EqualTo(AlertKind.ParkedFillsFull));
            Assert.That(releasing[0].Of<FillUnparked>(), Has.Length.EqualTo(1));
            Assert.That(releasing[1].Of<FillParked>(), Has.Length.EqualTo(1), "the burst released one, so one more fits");
        });
    }
}
