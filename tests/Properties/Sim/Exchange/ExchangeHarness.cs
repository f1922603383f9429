using Linkage.Coinbase;
using Linkage.Engine;
using Linkage.Sim.Exchange;
using Linkage.Sim.Scenarios;
using Linkage.Sim.World;

namespace Linkage.Properties.Sim.Exchange;

/// <summary>A simulated exchange on its own world, with a listener that keeps every message it is sent (raw and parsed).</summary>
internal sealed class ExchangeHarness : IFeedSubscriber
{
    public ExchangeHarness(FeedKind feed = FeedKind.Orders, Faults? faults = null, ExchangeOptions? options = null, ulong seed = 1,
        ResendAnswer resendAnswer = ResendAnswer.Original)
    {
        Faults = new FaultCounter();
        Exchange = new SimulatedExchange(World, seed, new IdMint(seed), feed, Latency.Default, faults ?? Linkage.Sim.Scenarios.Faults.None, Faults,
            options ?? new ExchangeOptions { Heartbeats = false }) { ResendAnswer = resendAnswer };
    }

    public SimWorld World { get; } = new();
    public SimulatedExchange Exchange { get; }
    public FaultCounter Faults { get; }
    public List<string> Received { get; } = [];
    public List<string> Responses { get; } = [];

    public void OnFeedMessage(string json) => Received.Add(json);

    public IEnumerable<FeedMessage> Parsed() => Received.Select(json =>
    {
        var parsed = CoinbaseParser.ParseWebSocket(json);
        Assert.That(parsed.IsSuccess, Is.True, $"{parsed.Error}: {json}");
        return parsed.Value;
    });

    /// <summary>Orders of <c>user</c> updates, in delivery order.</summary>
    public IEnumerable<OrderState> Updates() =>
        Parsed().OfType<UserChannelMessage>().SelectMany(m => m.Events).Where(e => e.Type == UserEventType.Update).SelectMany(e => e.Orders).Select(o => o.State);

    /// <summary>Sends a create-order for a bot order and returns it; the response (if any) lands in <see cref="Responses"/>.</summary>
    public ExchangeOrder? Create(string clientOrderId, decimal size, decimal? price = 50000m, string product = "BTC-USD", Side side = Side.Buy)
    {
        Exchange.CreateOrder(CoinbaseWire.CreateOrderRequest(clientOrderId, product, side, size, price), Responses.Add);
        return Exchange.FindByClientOrderId(clientOrderId);
    }

    public void Run() => Assert.That(World.Run(), Is.True);

    /// <summary>Runs the world up to <paramref name="seconds"/> after the epoch.</summary>
    public void RunUntil(double seconds) => Assert.That(World.RunUntil(SimWorld.Epoch.AddSeconds(seconds)), Is.True);
}
