using Linkage.Host;
using Linkage.Engine;
using Linkage.Properties.Sim.Exchange;
using Linkage.Sim.Driver;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;
using Linkage.Sim.World;

namespace Linkage.Properties.Sim.Host;

public sealed class WebhookHostTests
{
    private static readonly DateTimeOffset ActiveUntil = SimWorld.Epoch.AddMinutes(5);

    /// <summary>The production host around the engine on a memory store, driven by the simulator against the exchange of <see cref="ExchangeHarness"/>.</summary>
    private sealed class Rig
    {
        public Rig(FeedKind feed = FeedKind.Orders, ICorrelator? correlator = null)
        {
            Exchange = new ExchangeHarness(feed);
            Correlator = correlator ?? new EngineCorrelator(Store);
            var options = HostOptions.Default with { Capture = true, LegacyFeed = feed == FeedKind.Trades };
            Host = new SimulatedDriver(Exchange.World, Exchange.Exchange, new WebhookHost(Correlator, new StoreLedger(Store), options, (_, result) => Results.Add(result)),
                (kind, json) => Capture.Add((kind, json)));
        }

        public ExchangeHarness Exchange { get; }
        public MemoryStore Store { get; } = new();
        public ICorrelator Correlator { get; }
        public SimulatedDriver Host { get; }
        public List<(string Kind, string Json)> Capture { get; } = [];
        public List<ProcessResult> Results { get; } = [];

        public string Intent(string snapshot, decimal size = 0.002m, decimal? price = 50000m) =>
            IntentPayloads.Entry(new PlaceStep(TimeSpan.Zero)
            {
                Order = "o1", Product = "BTC-USD", Side = Side.Buy, Size = size, Price = price, Snapshot = snapshot,
            }, snapshot, Exchange.World.Now);

        public ClientOrderId ClientOrderIdOf(string payload) =>
            ClientOrderIds.For(Linkage.Coinbase.IntentPayloadParser.Parse(payload).Value);
    }

    [Test]
    public void Lost_ack_is_reported_unknown_then_retried_with_the_same_client_order_id_and_bound_to_the_original_order()
    {
        var rig = new Rig();
        rig.Host.Start(ActiveUntil, reconcile: false);
        var payload = rig.Intent("11111111-1111-4111-8111-111111111111");
        var coid = rig.ClientOrderIdOf(payload);
        rig.Exchange.Exchange.PlanAck(coid.Value, Ack.Lost);
        rig.Exchange.Exchange.Disconnect();
        rig.Host.ReceiveIntent(payload);
        rig.Exchange.Run();
        var order = rig.Store.FindByClientOrderId(coid)!;
        var placements = rig.Results.Select(r => r.Batch!.Input).OfType<PlacementOutcome>().Select(p => p.Result).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(rig.Exchange.Exchange.Orders, Has.Count.EqualTo(1), "the retry placed nothing new");
            Assert.That(rig.Capture.Count(c => c.Kind == "order_request"), Is.EqualTo(2));
            Assert.That(rig.Capture.Where(c => c.Kind == "order_response").Select(c => c.Json), Has.Some.Contains("\"timeout\":true"));
            Assert.That(placements, Is.EqualTo(new[] { PlacementResult.Unknown, PlacementResult.Accepted }));
            Assert.That(order.Placement, Is.EqualTo(PlacementState.Accepted));
            Assert.That(order.ExchangeOrderId!.Value.Value, Is.EqualTo(rig.Exchange.Exchange.Orders[0].OrderId));
        });
    }

    [Test]
    public void A_resent_intent_stages_nothing_and_places_nothing()
    {
        var rig = new Rig();
        rig.Host.Start(ActiveUntil, reconcile: false);
        var payload = rig.Intent("11111111-1111-4111-8111-111111111111");
        rig.Host.ReceiveIntent(payload);
        rig.Exchange.RunUntil(1);
        rig.Host.ReceiveIntent(payload);
        rig.Exchange.Run();
        Assert.Multiple(() =>
        {
            Assert.That(rig.Exchange.Exchange.Orders, Has.Count.EqualTo(1));
            Assert.That(rig.Store.Orders(), Has.Length.EqualTo(1));
            Assert.That(rig.Capture.Count(c => c.Kind == "order_request"), Is.EqualTo(1));
            Assert.That(rig.Results.SelectMany(r => r.Batch!.Decisions).OfType<DuplicateIgnored>().Select(d => d.Kind), Does.Contain(DuplicateKind.Intent));
        });
    }

    [Test]
    public void The_intent_is_staged_before_the_create_order_is_sent()
    {
        var rig = new Rig();
        rig.Host.Start(ActiveUntil, reconcile: false);
        var payload = rig.Intent("11111111-1111-4111-8111-111111111111");
        OrderRecord? stagedWhenSent = null;
        var coid = rig.ClientOrderIdOf(payload);
        rig.Exchange.Exchange.PlanAck(coid.Value, Ack.Ok);
        rig.Host.ReceiveIntent(payload);
        stagedWhenSent = rig.Store.FindByClientOrderId(coid);
        Assert.Multiple(() =>
        {
            Assert.That(rig.Capture.Select(c => c.Kind).Take(2), Is.EqualTo(new[] { "intent", "order_request" }));
            Assert.That(stagedWhenSent, Is.Not.Null);
            Assert.That(rig.Exchange.Exchange.FindByClientOrderId(coid.Value), Is.Not.Null);
        });
    }

    [Test]
    public void An_input_the_store_refused_is_kept_and_applied_on_a_later_attempt_in_order()
    {
        var flaky = new FlakyCorrelator();
        var rig = new Rig(correlator: flaky);
        flaky.Inner = new EngineCorrelator(rig.Store);
        rig.Host.Start(ActiveUntil, reconcile: false);
        var payload = rig.Intent("11111111-1111-4111-8111-111111111111");
        rig.Host.ReceiveIntent(payload);
        rig.Exchange.RunUntil(1);
        var order = rig.Exchange.Exchange.Orders.Single();
        flaky.FailuresLeft = 2;
        rig.Exchange.Exchange.Fill(order.OrderId, null, null);
        rig.Exchange.RunUntil(2);
        var waiting = rig.Host.Host.PendingStoreRetries;
        rig.Exchange.Run();
        Assert.Multiple(() =>
        {
            Assert.That(waiting, Is.GreaterThan(0), "the fill waited for the store");
            Assert.That(rig.Host.Host.PendingStoreRetries, Is.Zero);
            Assert.That(rig.Store.Links().Sum(l => l.Quantity), Is.EqualTo(0.002m));
        });
    }

    [Test]
    public void A_manual_orders_match_parked_without_its_received_ends_external_through_get_order()
    {
        var rig = new Rig(FeedKind.Trades);
        var listener = new ExchangeHarness(FeedKind.Trades);
        rig.Host.Start(ActiveUntil, reconcile: false);
        var manual = rig.Exchange.Exchange.PlaceManual("BTC-USD", Side.Sell, 1m, 50000m);
        rig.Exchange.RunUntil(1);
        rig.Exchange.Exchange.Connect(listener);
        rig.Exchange.Exchange.Fill(manual.OrderId, 0.5m, null);
        rig.Exchange.RunUntil(2);
        var match = listener.Received.Single(j => j.Contains("\"match\"", StringComparison.Ordinal));
        var store = new MemoryStore();
        var host = new SimulatedDriver(rig.Exchange.World, rig.Exchange.Exchange,
            new WebhookHost(new EngineCorrelator(store), new StoreLedger(store), HostOptions.Default with { LegacyFeed = true }));
        host.Start(ActiveUntil, reconcile: false);
        host.OnFeedMessage(match);
        var parkedFirst = store.Parked().Length;
        rig.Exchange.Run();
        Assert.Multiple(() =>
        {
            Assert.That(parkedFirst, Is.EqualTo(1), "a match alone cannot say whose order it is");
            Assert.That(store.Parked(), Is.Empty);
            Assert.That(store.ExternalOrders().Select(e => e.ExchangeOrderId.Value), Is.EqualTo(new[] { manual.OrderId }));
            Assert.That(store.Links(), Is.Empty);
        });
    }

    /// <summary>A correlator whose store fails a set number of times (a hand-written fault injector around the real one).</summary>
    private sealed class FlakyCorrelator : ICorrelator
    {
        public ICorrelator Inner { get; set; } = null!;
        public int FailuresLeft { get; set; }

        public string Design => Inner.Design;

        public ProcessResult Process(EngineInput input)
        {
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                return new ProcessResult(null, ProcessStatus.StoreFailed, "injected store failure");
            }
            return Inner.Process(input);
        }

        public System.Collections.Immutable.ImmutableArray<LinkRecord> Links() => Inner.Links();
    }
}
