using System.Collections.Immutable;
using Linkage.Host;
using Linkage.Sim.Exchange;
using Linkage.Sim.World;

namespace Linkage.Sim.Driver;

/// <summary>
/// Runs the production host (<see cref="WebhookHost"/>, which does no I/O) on the simulator: timers on the virtual
/// clock, create-orders and REST requests to the simulated exchange, the feed from its WebSocket. A REST request is
/// answered at once, before the commands after it run, as a webhook that calls REST synchronously would see it, unless
/// the scenario gives REST a latency (<see cref="RestLatency"/>): then the exchange answers what it knows when the
/// request arrives and the answer reaches the webhook that much later. A create-order's answer comes when the exchange
/// sends it, or never. One driver per process life.
/// </summary>
public sealed class SimulatedDriver : IFeedSubscriber
{
    private readonly SimWorld _world;
    private readonly IExchangeApi _exchange;
    private readonly Action<string, string>? _capture;

    /// <param name="world">The clock and scheduler.</param>
    /// <param name="exchange">REST and WebSocket.</param>
    /// <param name="host">The host this process life runs.</param>
    /// <param name="capture">Receives (kind, raw JSON) for every capture line the host writes.</param>
    public SimulatedDriver(SimWorld world, IExchangeApi exchange, WebhookHost host, Action<string, string>? capture = null)
    {
        _world = world;
        _exchange = exchange;
        Host = host;
        _capture = capture;
    }

    /// <summary>The host this driver runs.</summary>
    public WebhookHost Host { get; }

    /// <summary>How long a REST answer takes to reach the webhook; zero answers at once.</summary>
    public TimeSpan RestLatency { get; init; } = TimeSpan.Zero;

    /// <summary>The process starts (see <see cref="WebhookHost.Start"/>).</summary>
    public void Start(DateTimeOffset activeUntil, bool reconcile) => Run(Host.Start(_world.Now, activeUntil, reconcile));

    /// <summary>The WebSocket is back after a drop.</summary>
    public void Reconnect() => Run(Host.Reconnect(_world.Now));

    /// <summary>The process ends (see <see cref="WebhookHost.Stop"/>).</summary>
    public void Stop(bool abrupt) => Run(Host.Stop(_world.Now, abrupt));

    /// <summary>The strategy posts an intent to the webhook.</summary>
    public void ReceiveIntent(string payloadJson) => Run(Host.DeliverIntent(_world.Now, payloadJson));

    /// <summary>Sees every feed message as it reaches the webhook, before the webhook reads it (the oracle's own view of the wire).</summary>
    public Action<string>? FeedDelivered { get; init; }

    /// <inheritdoc />
    public void OnFeedMessage(string json)
    {
        FeedDelivered?.Invoke(json);
        Run(Host.FeedMessage(_world.Now, json));
    }

    private void Run(ImmutableArray<HostCommand> commands)
    {
        foreach (var command in commands)
        {
            switch (command)
            {
                case SendCreateOrder send:
                    _exchange.CreateOrder(send.RequestJson, json => Run(Host.CreateOrderAnswered(_world.Now, send.ClientOrderId, json)));
                    break;
                case SendRest rest when RestLatency > TimeSpan.Zero:
                    var answer = Call(rest.Call);
                    _world.After(RestLatency, () => Run(Host.RestAnswered(_world.Now, rest.RequestId, answer)));
                    break;
                case SendRest rest:
                    Run(Host.RestAnswered(_world.Now, rest.RequestId, Call(rest.Call)));
                    break;
                case OpenFeed:
                    _exchange.Connect(this);
                    break;
                case SetTimer timer:
                    _world.At(timer.At, () => Run(Host.TimerFired(_world.Now, timer.TimerId)));
                    break;
                case WriteCapture line:
                    _capture?.Invoke(line.Kind, line.Json);
                    break;
                default:
                    throw new InvalidOperationException($"the simulated driver does not know the command {command.GetType().Name}");
            }
        }
    }

    private RestResponse Call(RestCall call) => call switch
    {
        GetOrderCall get => _exchange.GetOrder(get.OrderId),
        ListOpenOrdersCall open => _exchange.ListOpenOrders(open.Cursor, open.Limit),
        ListFillsCall fills => _exchange.ListFills(fills.OrderIds, fills.Cursor, fills.Limit),
        ListFillsSinceCall since => _exchange.ListFillsSince(since.Start, since.Cursor, since.Limit),
        _ => throw new InvalidOperationException($"the simulated driver does not know the REST call {call.GetType().Name}"),
    };
}
