using System.Text.Json;
using System.Text.Json.Nodes;
using Linkage.Engine;
using Linkage.Sim.Exchange;
using Linkage.Sim.Scenarios;
using Linkage.Sim.World;

namespace Linkage.Sim.Server;

/// <summary>What the WebSocket front end does for a scenario's script. Called under the book's lock.</summary>
internal interface IScriptedFeed
{
    /// <summary>
    /// Ends every WebSocket connection without a close frame (1006); with <paramref name="outage"/> new connections are
    /// refused (503 on the upgrade) until <see cref="EndOutage"/>. Returns how many connections were dropped.
    /// </summary>
    int DropAll(bool outage);

    /// <summary>WebSocket connections are accepted again.</summary>
    void EndOutage();

    /// <summary>
    /// Sends the order's last <c>user</c> update that raised <c>cumulative_quantity</c> again, on every connection that
    /// was sent one (as <paramref name="rewrite"/> alters it, when given); returns one description per copy sent.
    /// </summary>
    IReadOnlyList<string> Redeliver(string orderId, Func<string, string>? rewrite, DateTimeOffset now);
}

/// <summary>How a create-order of the script is answered: held this long (virtual time), or lost (the connection reset).</summary>
internal sealed record ScriptedAnswer(TimeSpan Hold, bool Lost);

/// <summary>
/// Plays a scenario's exchange-side script on the book for whoever connects (<c>linkage exchange --scenario</c>). The
/// script's clock starts when the first client is authenticated and runs on the book's virtual clock (so at
/// <c>--speed</c>). Steps run in <c>replay</c>'s order. The exchange performs <c>manual</c>, <c>fill</c>, <c>cancel</c>,
/// <c>disconnect</c>/<c>reconnect</c> (every WebSocket dropped, new ones refused in between), <c>restart</c> (the
/// webhook's socket drops), <c>duplicate</c> (the last fill update again), the acks the steps ask for, and the feed
/// faults and latencies. <c>place</c> and <c>exit</c> are the client's: the script waits at each until a create-order
/// with the step's client order id arrives, then goes on with the time between steps kept, so a slow client never
/// finds a fill of an order it has not placed yet. Single-threaded: every call comes under the book's lock.
/// </summary>
internal sealed class ScenarioPlayer
{
    private readonly WireScenario _scenario;
    private readonly SimWorld _world;
    private readonly SimulatedExchange _exchange;
    private readonly Func<string, decimal> _price;
    private readonly Action<ExchangeOrder> _opened;
    private readonly WireFaults _faults;
    private readonly TextWriter _log;
    private readonly StepState[] _states;
    private readonly Dictionary<string, string> _manualOrderIds = new(StringComparer.Ordinal);
    private readonly HashSet<string> _attempted = new(StringComparer.Ordinal);
    private DateTimeOffset? _startedAt;
    private DateTimeOffset _origin;
    private int _next;
    private bool _waiting;
    private bool _outage;

    public ScenarioPlayer(WireScenario scenario, SimWorld world, SimulatedExchange exchange, Func<string, decimal> price, Action<ExchangeOrder> opened, WireFaults faults, TextWriter log)
    {
        _scenario = scenario;
        _world = world;
        _exchange = exchange;
        _price = price;
        _opened = opened;
        _faults = faults;
        _log = log;
        _states = [.. scenario.Steps.Select(_ => new StepState())];
    }

    public WireScenario Scenario => _scenario;

    /// <summary>The WebSocket front end, set once it exists (before the server accepts connections).</summary>
    public IScriptedFeed? Feed { get; set; }

    public bool Finished => _next >= _scenario.Steps.Length;

    /// <summary>Starts the script's clock (the first client is authenticated); later calls do nothing.</summary>
    public void Start()
    {
        if (_startedAt is not null)
        {
            return;
        }
        _startedAt = _world.Now;
        _origin = _world.Now;
        _log.WriteLine($"scenario {_scenario.Scenario.Name}: started by the first client");
        ScheduleNext();
    }

    /// <summary>
    /// Why a create-order for <paramref name="planned"/> does not match the step, or null: the product, side, size
    /// (unless the step sells the open position) and limit price (none for a market order) must be the step's.
    /// </summary>
    public static string? Mismatch(PlannedStep planned, PlaceRequest request)
    {
        var (product, side, size, price) = planned.Step switch
        {
            PlaceStep p => (p.Product, p.Side, (decimal?)p.Size, p.Price),
            ExitStep e => (e.Product, Side.Sell, e.Size, e.Price),
            _ => throw new InvalidOperationException("only place and exit steps are the client's orders"),
        };
        var isLimit = request.Configuration is "limit_limit_gtc" or "limit_limit_gtd";
        var problems = new List<string>();
        if (!string.Equals(request.ProductId, product, StringComparison.Ordinal))
        {
            problems.Add($"product_id {product} (not {request.ProductId})");
        }
        if (request.Side != side)
        {
            problems.Add($"side {(side == Side.Buy ? "BUY" : "SELL")}");
        }
        if (size is { } s && request.BaseSize != s)
        {
            problems.Add($"base_size {WireJson.Dec(s)}{(request.BaseSize is { } sent ? $" (not {WireJson.Dec(sent)})" : "")}");
        }
        if (price is { } limit && (!isLimit || request.LimitPrice != limit))
        {
            problems.Add($"a limit order at limit_price {WireJson.Dec(limit)}");
        }
        if (price is null && request.Configuration != "market_market_ioc")
        {
            problems.Add("a market order (market_market_ioc)");
        }
        return problems.Count == 0
            ? null
            : $"client_order_id {planned.ClientOrderId} is the scenario's {planned.Action} {planned.Label} (line {planned.Step.Line}), which is {string.Join(", ", problems)}";
    }

    /// <summary>
    /// A create-order for the step's client order id arrived (and matched it): the step's ack on the first attempt,
    /// <see cref="Ack.Ok"/> on re-sends. The first attempt releases the script when it waits for this step.
    /// </summary>
    public Ack Attempt(PlannedStep planned)
    {
        var coid = planned.ClientOrderId!;
        if (!_attempted.Add(coid))
        {
            return Ack.Ok;
        }
        var state = _states[planned.Index];
        state.AttemptedAt = _world.Now;
        if (_waiting && _next == planned.Index)
        {
            _waiting = false;
            // Keep the script's spacing from here: the step counts as played now, at its own `at`.
            var origin = _world.Now - planned.Step.At;
            if (origin > _origin)
            {
                _origin = origin;
            }
            Played(planned, $"client order {coid} arrived");
            _next++;
            ScheduleNext();
        }
        return planned.Step switch
        {
            PlaceStep p => p.Ack,
            ExitStep e => e.Ack,
            _ => Ack.Ok,
        };
    }

    /// <summary>The answer an ack asks for (logged as a scripted fault unless it is a plain ok).</summary>
    public ScriptedAnswer Answer(PlannedStep planned, Ack ack, string? orderId)
    {
        var target = $"{planned.Action} {planned.Label} (line {planned.Step.Line}) client_order_id={planned.ClientOrderId}{(orderId is null ? "" : " order_id=" + orderId)}";
        switch (ack)
        {
            case AckLost:
                _faults.Record("script_ack_lost", _world.Now, target);
                return new ScriptedAnswer(TimeSpan.Zero, true);
            case AckDelay delay:
                _faults.Record("script_ack_delay", _world.Now, $"{target} held {ScenarioDurations.Format(delay.Delay)}");
                return new ScriptedAnswer(delay.Delay, false);
            case AckReject:
                _faults.Record("script_ack_reject", _world.Now, target);
                return new ScriptedAnswer(_scenario.Scenario.Latency.Ack, false);
            default:
                return new ScriptedAnswer(_scenario.Scenario.Latency.Ack, false);
        }
    }

    /// <summary>The client's create-order placed the step's order.</summary>
    public void Placed(PlannedStep planned, ExchangeOrder order) => _states[planned.Index].OrderId = order.OrderId;

    private void ScheduleNext()
    {
        if (Finished)
        {
            Finish();
            return;
        }
        var due = _origin + _scenario.Steps[_next].Step.At;
        _world.At(due < _world.Now ? _world.Now : due, RunNext);
    }

    private void RunNext()
    {
        var planned = _scenario.Steps[_next];
        if (planned.Awaited)
        {
            if (!_attempted.Contains(planned.ClientOrderId!))
            {
                _waiting = true;
                _states[planned.Index].State = "waiting";
                _log.WriteLine($"scenario: step {planned.Index} (line {planned.Step.Line}) waits for the client to {planned.Action} {planned.Label} with client_order_id {planned.ClientOrderId}");
                return;
            }
            Played(planned, $"client order {planned.ClientOrderId} arrived before its time");
        }
        else
        {
            Play(planned);
        }
        _next++;
        ScheduleNext();
    }

    private void Finish()
    {
        if (_outage)
        {
            _outage = false;
            Feed?.EndOutage();
            _log.WriteLine("scenario: the outage ends with the script (no reconnect step followed the disconnect)");
        }
        _log.WriteLine($"scenario {_scenario.Scenario.Name}: every step played");
    }

    private void Play(PlannedStep planned)
    {
        var now = _world.Now;
        switch (planned.Step)
        {
            case ManualStep manual:
                var placed = _exchange.PlaceManual(manual.Product, manual.Side, manual.Size, manual.Price, manual.ClientOrderId);
                _opened(placed);
                _manualOrderIds[manual.Order] = placed.OrderId;
                _states[planned.Index].OrderId = placed.OrderId;
                Played(planned, $"order {placed.OrderId} client_order_id {placed.ClientOrderId}");
                break;
            case FillStep fill:
                OnOrder(planned, order =>
                {
                    var (trade, error) = _exchange.Fill(order.OrderId, fill.Size, fill.Price ?? order.LimitPrice ?? _price(order.Product));
                    return trade is null ? (false, error!) : (true, $"trade {trade.TradeId}: {WireJson.Dec(trade.Size)} at {WireJson.Dec(trade.Price)}");
                });
                break;
            case CancelStep:
                OnOrder(planned, order => _exchange.Cancel(order.OrderId) is { } error
                    ? (true, $"nothing to cancel: {error}")
                    : (true, "cancelled"));
                break;
            case DisconnectStep:
                _outage = true;
                var dropped = Feed?.DropAll(outage: true) ?? 0;
                _faults.Record("script_disconnect", now, $"step {planned.Index} (line {planned.Step.Line}): {Connections(dropped)} dropped, new ones refused until reconnect");
                Played(planned, $"{Connections(dropped)} dropped");
                break;
            case ReconnectStep:
                _outage = false;
                Feed?.EndOutage();
                _faults.Record("script_reconnect", now, $"step {planned.Index} (line {planned.Step.Line}): WebSocket connections accepted again");
                Played(planned, "connections accepted again");
                break;
            case RestartStep restart:
                var ended = Feed?.DropAll(outage: false) ?? 0;
                _faults.Record("script_restart", now, $"step {planned.Index} (line {planned.Step.Line}): the webhook restarts{(restart.Abrupt ? " abruptly" : "")}; {Connections(ended)} dropped");
                Played(planned, $"{Connections(ended)} dropped");
                break;
            case DuplicateStep duplicate:
                OnOrder(planned, order => Duplicate(planned, duplicate, order, now));
                break;
            case ResendStep resend:
                Played(planned, $"the client's to do: a create-order with client_order_id {_scenario.ClientOrderIdOf(resend.Order)} again returns the existing order");
                break;
            default:
                Failed(planned, $"unknown step {planned.Step.GetType().Name}");
                break;
        }
    }

    private static string Connections(int count) => count == 1 ? "1 WebSocket connection" : $"{count} WebSocket connections";

    private (bool Played, string Outcome) Duplicate(PlannedStep planned, DuplicateStep duplicate, ExchangeOrder order, DateTimeOffset now)
    {
        Func<string, string>? rewrite = null;
        if (duplicate.As is { } other)
        {
            var otherClientId = _scenario.ClientOrderIdOf(other) ?? (OrderOf(other)?.ClientOrderId);
            if (otherClientId is null)
            {
                return (false, $"{other} has no client order id on the exchange (never placed)");
            }
            rewrite = json => WithClientOrderId(json, otherClientId);
        }
        var copies = Feed?.Redeliver(order.OrderId, rewrite, now) ?? [];
        foreach (var copy in copies)
        {
            _faults.Record("script_duplicate", now, $"{copy} ({duplicate.Order}{(duplicate.As is { } a ? " as " + a : "")})");
        }
        return (true, copies.Count == 0 ? "no connection was sent a fill update of the order, so there is nothing to deliver again" : copies.Count == 1 ? "1 copy sent" : $"{copies.Count} copies sent");
    }

    /// <summary>The copy names another order's client order id (the <c>as</c> extension).</summary>
    private static string WithClientOrderId(string json, string clientOrderId)
    {
        var node = JsonNode.Parse(json)!.AsObject();
        if (node["events"] is JsonArray events)
        {
            foreach (var order in events.OfType<JsonObject>().SelectMany(e => e["orders"] as JsonArray ?? []).OfType<JsonObject>())
            {
                order["client_order_id"] = clientOrderId;
            }
        }
        return node.ToJsonString(CoinbaseWire.SerializerOptions);
    }

    private void OnOrder(PlannedStep planned, Func<ExchangeOrder, (bool Played, string Outcome)> act)
    {
        if (OrderOf(planned.Label!) is not { } order)
        {
            Failed(planned, $"the exchange has no order {planned.Label} (the client never placed it, or it was refused)");
            return;
        }
        _states[planned.Index].OrderId = order.OrderId;
        var (played, outcome) = act(order);
        if (played)
        {
            Played(planned, outcome);
        }
        else
        {
            Failed(planned, outcome);
        }
    }

    private ExchangeOrder? OrderOf(string label) =>
        _manualOrderIds.TryGetValue(label, out var orderId) ? _exchange.Find(orderId)
        : _scenario.ClientOrderIdOf(label) is { } coid ? _exchange.FindByClientOrderId(coid)
        : null;

    private void Played(PlannedStep planned, string outcome) => Mark(planned, "played", outcome);

    private void Failed(PlannedStep planned, string outcome) => Mark(planned, "failed", outcome);

    private void Mark(PlannedStep planned, string stateName, string outcome)
    {
        var state = _states[planned.Index];
        state.State = stateName;
        state.PlayedAt = _world.Now;
        state.Outcome = outcome;
        _log.WriteLine($"scenario: step {planned.Index} (line {planned.Step.Line}, at {ScenarioDurations.Format(planned.Step.At)}) {planned.Action}{(planned.Label is null ? "" : " " + planned.Label)}{(stateName == "failed" ? " failed" : "")}: {outcome}");
    }

    /// <summary>
    /// The plan and where the script stands (<c>GET /sim/scenario</c>, <c>DIR/plan.json</c>, and the truth file's
    /// <c>scenario</c>): every step in run order, the client's with what to send.
    /// </summary>
    public void Write(Utf8JsonWriter w)
    {
        var scenario = _scenario.Scenario;
        w.WriteString("name", scenario.Name);
        w.WriteString("file", _scenario.File);
        w.WriteNumber("seed", _scenario.Seed);
        w.WriteString("ack_latency", ScenarioDurations.Format(scenario.Latency.Ack));
        w.WriteString("feed_latency", ScenarioDurations.Format(scenario.Latency.Feed));
        if (_startedAt is { } started)
        {
            w.WriteString("started_at", CoinbaseWire.Micros(started));
            var scriptTime = _waiting ? _scenario.Steps[_next].Step.At : _world.Now - _origin;
            w.WriteNumber("script_seconds", Math.Round((decimal)scriptTime.TotalSeconds, 3));
        }
        else
        {
            w.WriteNull("started_at");
            w.WriteNull("script_seconds");
        }
        if (_waiting)
        {
            var waiting = _scenario.Steps[_next];
            w.WriteString("waiting_for", waiting.Label);
        }
        else
        {
            w.WriteNull("waiting_for");
        }
        w.WriteBoolean("finished", Finished);
        w.WriteNumber("failed_steps", _states.Count(s => s.State == "failed"));
        w.WriteStartArray("steps");
        foreach (var planned in _scenario.Steps)
        {
            WriteStep(w, planned, _states[planned.Index]);
        }
        w.WriteEndArray();
    }

    private static void WriteStep(Utf8JsonWriter w, PlannedStep planned, StepState state)
    {
        var step = planned.Step;
        w.WriteStartObject();
        w.WriteNumber("index", planned.Index);
        w.WriteNumber("line", step.Line);
        w.WriteString("at", ScenarioDurations.Format(step.At));
        w.WriteNumber("at_seconds", (decimal)step.At.Ticks / TimeSpan.TicksPerSecond);
        w.WriteString("action", planned.Action);
        w.WriteString("by", planned.ByClient ? "client" : "exchange");
        if (planned.Label is { } label)
        {
            w.WriteString("order", label);
        }
        switch (step)
        {
            case PlaceStep place:
                WriteOrder(w, planned.ClientOrderId, place.Product, place.Side, place.Size, place.Price);
                w.WriteString("ack", AckText(place.Ack));
                break;
            case ExitStep exit:
                WriteOrder(w, planned.ClientOrderId, exit.Product, Side.Sell, exit.Size, exit.Price);
                w.WriteString("ack", AckText(exit.Ack));
                w.WriteString("trigger", exit.Trigger);
                w.WriteStartArray("closes");
                foreach (var close in planned.Closes)
                {
                    w.WriteStringValue(close);
                }
                w.WriteEndArray();
                break;
            case ManualStep manual:
                WriteOrder(w, manual.ClientOrderId, manual.Product, manual.Side, manual.Size, manual.Price);
                break;
            case FillStep fill:
                WriteOptional(w, "size", fill.Size);
                WriteOptional(w, "price", fill.Price);
                break;
            case DuplicateStep { As: { } other }:
                w.WriteString("as", other);
                break;
            case RestartStep restart:
                w.WriteBoolean("abrupt", restart.Abrupt);
                break;
            default:
                break;
        }
        w.WriteString("state", state.State);
        if (state.OrderId is { } orderId)
        {
            w.WriteString("order_id", orderId);
        }
        if (state.AttemptedAt is { } attempted)
        {
            w.WriteString("client_sent_at", CoinbaseWire.Micros(attempted));
        }
        if (state.PlayedAt is { } played)
        {
            w.WriteString("played_at", CoinbaseWire.Micros(played));
        }
        if (state.Outcome is { } outcome)
        {
            w.WriteString("outcome", outcome);
        }
        w.WriteEndObject();
    }

    private static void WriteOrder(Utf8JsonWriter w, string? clientOrderId, string product, Side side, decimal? size, decimal? price)
    {
        if (clientOrderId is null)
        {
            w.WriteNull("client_order_id");
        }
        else
        {
            w.WriteString("client_order_id", clientOrderId);
        }
        w.WriteString("product_id", product);
        w.WriteString("side", side == Side.Buy ? "BUY" : "SELL");
        WriteOptional(w, "size", size);
        WriteOptional(w, "limit_price", price);
    }

    private static void WriteOptional(Utf8JsonWriter w, string name, decimal? value)
    {
        if (value is { } v)
        {
            w.WriteString(name, WireJson.Dec(v));
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string AckText(Ack ack) => ack switch
    {
        AckLost => "lost",
        AckReject => "reject",
        AckDelay d => "delay " + ScenarioDurations.Format(d.Delay),
        _ => "ok",
    };

    /// <summary>Where one step stands.</summary>
    private sealed class StepState
    {
        public string State { get; set; } = "pending";
        public string? OrderId { get; set; }
        public DateTimeOffset? AttemptedAt { get; set; }
        public DateTimeOffset? PlayedAt { get; set; }
        public string? Outcome { get; set; }
    }
}
