using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Linkage.Coinbase;
using Linkage.Coinbase.Capture;
using Linkage.Engine;
using Linkage.Sim.Exchange;
using Linkage.Sim.Scenarios;
using Linkage.Sim.World;

namespace Linkage.Sim.Host;

/// <summary>The webhook's timings and bounds; every one named.</summary>
public sealed record HostOptions
{
    /// <summary>How long the webhook waits for a create-order response before it reports the outcome unknown and retries with the same client order id.</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most create-order requests per intent in one process life (the first and its retries); reconciliation resolves the rest.</summary>
    public int PlacementAttemptsMax { get; init; } = 3;

    /// <summary>How often the webhook ticks while busy: retention, heartbeat silence, parked fills, store retries.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>After this long without activity the webhook ticks at the idle pace.</summary>
    public TimeSpan IdleAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the webhook ticks while idle (retention needs no more: it works in hours).</summary>
    public TimeSpan IdleTickInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often the webhook reconciles in-flight orders on the legacy feed, whose per-product sequences skip by design
    /// on the user channel and so cannot reveal a lost message (REST polling is the only backstop there, as Hummingbot's
    /// fills poll is). The <c>user</c> channel reconciles on sequence gaps and silent heartbeats instead.
    /// </summary>
    public TimeSpan LegacyReconcileInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long after an order turns terminal the webhook confirms its fills against REST (Get Order and List Fills):
    /// the feed's last update may have been lost or coalesced, and the legacy <c>done</c> carries no quantities.
    /// </summary>
    public TimeSpan ConfirmDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How far back a reconciliation re-checks orders that turned terminal without this process confirming them (after a
    /// restart, those that ended while it was down or just before). Older ones were settled by the process before.
    /// </summary>
    public TimeSpan RecheckTerminalWithin { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Rows asked per List Fills page.</summary>
    public int ListFillsPageSize { get; init; } = ExchangeRules.ListFillsPageSizeDefault;

    /// <summary>Orders asked per List Orders page.</summary>
    public int ListOrdersPageSize { get; init; } = ExchangeRules.ListOrdersPageSizeDefault;

    /// <summary>Most order ids in one List Fills request.</summary>
    public int OrderIdsPerFillsRequestMax { get; init; } = 100;

    /// <summary>Most pages one paginated call follows; past it the listing is cut off and the next reconciliation goes on.</summary>
    public int PagesMax { get; init; } = 10_000;

    /// <summary>Most inputs kept for a later attempt after the store failed; past it the oldest is quarantined as lost.</summary>
    public int StoreRetryQueueMax { get; init; } = 10_000;

    /// <summary>Whether to record every message the webhook saw (<c>docs/capture.md</c>).</summary>
    public bool Capture { get; init; }

    public static readonly HostOptions Default = new();
}

/// <summary>
/// The webhook process around the engine: what a real one does, on the simulated clock. It stages each intent before
/// sending it (write-ahead), sends create-order with the intent's client order id, retries with the same id when the
/// response does not come in time, listens to the feed (parsing every message with <c>Linkage.Coinbase</c>), watches
/// sequence numbers, reconciles over REST on a gap, a reconnect or a start, asks the exchange about orders whose fills
/// are parked, ticks retention, and keeps an input the store could not take for a later attempt. It talks to the
/// design only through <see cref="ICorrelator.Process"/>. One instance is one process life: <see cref="Stop"/> ends it
/// and nothing it held survives except what the design's store kept. Single-threaded.
/// </summary>
public sealed class WebhookHost : IFeedSubscriber
{
    private readonly SimWorld _world;
    private readonly IExchangeApi _exchange;
    private readonly ICorrelator _correlator;
    private readonly bool _legacyFeed;
    private readonly IHostLedger _ledger;
    private readonly HostOptions _options;
    private readonly Action<string, string>? _capture;
    private readonly Action<EngineInput, ProcessResult>? _processed;
    private readonly SequenceTracker _tracker = new();
    private readonly Dictionary<string, Placement> _placements = new(StringComparer.Ordinal);
    private readonly HashSet<string> _confirmed = new(StringComparer.Ordinal);
    private readonly HashSet<string> _confirming = new(StringComparer.Ordinal);
    private readonly HashSet<string> _checkWhenAccepted = new(StringComparer.Ordinal);
    private readonly HashSet<string> _askedParked = new(StringComparer.Ordinal);
    private readonly LinkedList<Pending> _retry = new();
    private bool _alive = true;
    private bool _idle;
    private long _tickGeneration;
    private DateTimeOffset _lastActivity;
    private DateTimeOffset _lastReconcile;
    private DateTimeOffset _fillsSince;
    private bool _reconciling;
    private bool _draining;
    private DateTimeOffset _activeUntil = DateTimeOffset.MaxValue;

    /// <param name="world">The clock and scheduler.</param>
    /// <param name="exchange">REST and WebSocket.</param>
    /// <param name="feed">Which feed the webhook listens to.</param>
    /// <param name="correlator">The design under test.</param>
    /// <param name="ledger">What the host reads of the design's state.</param>
    /// <param name="options">Timings and bounds.</param>
    /// <param name="capture">Receives (kind, raw JSON) for every capture line, when capturing.</param>
    /// <param name="processed">Told about every input the design applied, with its result (the oracle watches here).</param>
    public WebhookHost(
        SimWorld world,
        IExchangeApi exchange,
        FeedKind feed,
        ICorrelator correlator,
        IHostLedger ledger,
        HostOptions? options = null,
        Action<string, string>? capture = null,
        Action<EngineInput, ProcessResult>? processed = null)
    {
        _world = world;
        _exchange = exchange;
        _legacyFeed = feed == FeedKind.Trades;
        _correlator = correlator;
        _ledger = ledger;
        _options = options ?? HostOptions.Default;
        _capture = _options.Capture ? capture : null;
        _processed = processed;
    }

    /// <summary>Inputs waiting for the store to come back.</summary>
    public int PendingStoreRetries => _retry.Count;

    /// <summary>
    /// Starts the process: ticks until <paramref name="activeUntil"/>, connects the feed and reconciles (a fresh start
    /// after a crash must ask about everything in flight: nothing is replayed to it).
    /// </summary>
    public void Start(DateTimeOffset activeUntil, bool reconcile)
    {
        _activeUntil = activeUntil;
        _fillsSince = _world.Now - _options.RecheckTerminalWithin;
        _lastActivity = _world.Now;
        _lastReconcile = _world.Now;
        Connect(reconcile);
        ScheduleTick(_options.TickInterval);
    }

    /// <summary>The WebSocket is back after a drop: subscribe again and reconcile, since nothing missed is replayed.</summary>
    public void Reconnect() => Connect(reconcile: true);

    /// <summary>
    /// Ends this process life. A clean stop gives inputs waiting for the store one last attempt; an abrupt one loses
    /// them. Either way, answers and messages still in flight to this process are lost.
    /// </summary>
    public void Stop(bool abrupt)
    {
        if (!abrupt)
        {
            DrainRetries();
        }
        _alive = false;
    }

    /// <summary>The strategy's webhook call: <paramref name="payloadJson"/> is the intent as the bot posts it.</summary>
    public void ReceiveIntent(string payloadJson)
    {
        if (!_alive)
        {
            return;
        }
        Active();
        var parsed = IntentPayloadParser.Parse(payloadJson, _world.Now);
        if (!parsed.TryGetValue(out var intent))
        {
            Capture(CaptureKind.Intent, payloadJson);
            Process(new MalformedInput(_world.Now, "intent", parsed.Error!.Reason, payloadJson) { Field = parsed.Field, Origin = "webhook" });
            return;
        }
        var coid = ClientOrderIds.For(intent);
        Capture(CaptureKind.Intent, WithClientOrderId(payloadJson, coid));
        Process(new IntentReceived(_world.Now, intent) { Origin = "webhook" }, result => AfterStaging(intent, coid, result));
    }

    private void AfterStaging(Intent intent, ClientOrderId coid, ProcessResult result)
    {
        var duplicate = result.Batch?.Decisions.Any(d => d is DuplicateIgnored { Kind: DuplicateKind.Intent }) == true;
        var refused = result.Batch?.Decisions.Any(d => d is InputRejected) == true;
        if (refused)
        {
            return;
        }
        // A re-delivered intent places nothing new; it only nudges a placement whose outcome is still open and that no
        // request of this process is waiting on (the exchange answers a re-sent client order id with the original order).
        if (duplicate && (_placements.ContainsKey(coid.Value) || !_ledger.AwaitsPlacement(coid)))
        {
            return;
        }
        Send(intent, coid, attempt: 1);
    }

    // ---- placement ----

    private void Send(Intent intent, ClientOrderId coid, int attempt)
    {
        var size = intent.Size ?? _ledger.OpenQuantity(intent.Product, intent.Closes);
        if (size <= 0m)
        {
            // An exit with nothing open to sell: nothing is sent, and the intent is closed as refused by the webhook.
            Process(new PlacementOutcome(_world.Now, coid, PlacementResult.Rejected, RejectReason: "NO_OPEN_POSITION") { Origin = "webhook" });
            return;
        }
        var request = CoinbaseWire.CreateOrderRequest(coid.Value, intent.Product.Value, intent.Side, size, intent.Price);
        var placement = new Placement(intent, attempt);
        _placements[coid.Value] = placement;
        _ledger.Sent(coid, intent);
        Capture(CaptureKind.OrderRequest, request);
        _exchange.CreateOrder(request, response => OnCreateResponse(coid, response));
        _world.After(_options.AckTimeout, () => OnAckTimeout(coid, placement));
    }

    private void OnCreateResponse(ClientOrderId coid, string json)
    {
        if (!_alive)
        {
            return;
        }
        Active();
        Capture(CaptureKind.OrderResponse, json);
        _placements.Remove(coid.Value);
        var parsed = CoinbaseParser.ParseCreateOrderResponse(json);
        if (!parsed.TryGetValue(out var response))
        {
            Process(new MalformedInput(_world.Now, "order_response", parsed.Error!.Reason, json) { Field = parsed.Field, Origin = "rest:create" });
            return;
        }
        var outcome = CoinbaseParser.ToPlacementOutcome(response, _world.Now, coid);
        if (!outcome.TryGetValue(out var placement))
        {
            Process(new MalformedInput(_world.Now, "order_response", outcome.Error!.Reason, json) { Field = outcome.Field, Origin = "rest:create" });
            return;
        }
        if (placement.ExchangeOrderId is { } eid)
        {
            _ledger.Bound(coid, eid);
        }
        Process(placement with { Origin = "rest:create" });
        if (placement is { Result: PlacementResult.Accepted, ExchangeOrderId: { } accepted } && _checkWhenAccepted.Remove(coid.Value))
        {
            // The placement's outcome was in doubt (a timeout, or a re-send after a restart): the order may have filled
            // while nobody knew its id, so its state and fills are fetched now.
            AskOrder(accepted);
            ListFills([accepted.Value]);
        }
    }

    private void OnAckTimeout(ClientOrderId coid, Placement placement)
    {
        if (!_alive || !_placements.TryGetValue(coid.Value, out var current) || !ReferenceEquals(current, placement))
        {
            return;
        }
        Capture(CaptureKind.OrderResponse, CoinbaseWire.CreateOrderTimeout(coid.Value));
        _checkWhenAccepted.Add(coid.Value);
        Process(new PlacementOutcome(_world.Now, coid, PlacementResult.Unknown) { Origin = "rest:create" });
        if (placement.Attempt < _options.PlacementAttemptsMax)
        {
            Send(placement.Intent, coid, placement.Attempt + 1);
        }
        else
        {
            _placements.Remove(coid.Value);
        }
    }

    // ---- feed ----

    /// <summary>One raw WebSocket message, as read off the socket.</summary>
    public void OnFeedMessage(string json)
    {
        if (!_alive)
        {
            return;
        }
        Capture(CaptureKind.Ws, json);
        var parsed = CoinbaseParser.ParseWebSocket(json);
        if (!parsed.TryGetValue(out var message))
        {
            Process(new MalformedInput(_world.Now, "ws", parsed.Error!.Reason, json) { Field = parsed.Field, Origin = "ws" });
            return;
        }
        if (message is not HeartbeatMessage)
        {
            Active();
        }
        var anomalies = _tracker.Observe(message);
        foreach (var input in FeedInputs.From(message, _world.Now, "ws"))
        {
            Process(input);
        }
        if (anomalies.Any(MeansLoss))
        {
            Reconcile();
        }
    }

    private void Connect(bool reconcile)
    {
        _tracker.NewConnection();
        _exchange.Connect(this);
        if (reconcile)
        {
            Reconcile();
        }
    }

    /// <summary>Duplicates and stale numbers lose nothing (the gap before a stale one was already reported); every other anomaly may have.</summary>
    private static bool MeansLoss(SequenceAnomaly anomaly) =>
        anomaly.Kind is not (SequenceAnomalyKind.Duplicate or SequenceAnomalyKind.Stale);

    // ---- reconciliation ----

    /// <summary>
    /// Asks the exchange what the feed may have missed: the open orders (List Orders), each in-flight order (Get Order,
    /// or a re-sent create-order when its exchange id is not known: the exchange answers with the existing order or
    /// places it), their fills (List Fills, to exhaustion), and whose the parked fills are. Everything goes to the
    /// design as reconciliation inputs.
    /// </summary>
    public void Reconcile()
    {
        if (!_alive || _reconciling)
        {
            return;
        }
        _reconciling = true;
        _lastReconcile = _world.Now;
        try
        {
            // The listing reports each open order exactly as Get Order would: those need no second question, and those
            // whose reported executed quantity is already linked need no List Fills either. Without this, every feed gap
            // re-asked about every open order, and a book of long-open orders made reconciliation quadratic.
            var listed = new Dictionary<string, decimal>(StringComparer.Ordinal);
            Paginate(CaptureKind.Orders, cursor => _exchange.ListOpenOrders(cursor, _options.ListOrdersPageSize), body =>
            {
                var page = CoinbaseParser.ParseListOrders(body);
                if (!page.TryGetValue(out var orders))
                {
                    return Failed(page.Error!, "orders", body);
                }
                foreach (var order in orders.Orders)
                {
                    listed[order.State.ExchangeOrderId.Value] = order.State.CumulativeQuantity ?? decimal.MaxValue;
                }
                return (FeedInputs.From(orders, _world.Now, "reconcile"), orders.HasNext ? orders.Cursor : null, null);
            });
            var inFlight = _ledger.InFlight();
            bool NeedsFills(InFlightOrder order) =>
                order.ExchangeOrderId is { } id
                && !(listed.TryGetValue(id.Value, out var executed) && _ledger.LinkedQuantity(order.ClientOrderId) >= executed);
            var unconfirmed = _ledger.Terminal(_world.Now - _options.RecheckTerminalWithin).Where(o => !_confirmed.Contains(o.ClientOrderId.Value)).ToList();
            foreach (var order in inFlight.Concat(unconfirmed))
            {
                if (order.ExchangeOrderId is { } eid)
                {
                    if (!listed.ContainsKey(eid.Value))
                    {
                        AskOrder(eid);
                    }
                }
                else if (!_placements.ContainsKey(order.ClientOrderId.Value))
                {
                    Resend(order.ClientOrderId);
                }
            }
            // The open orders were listed first, so the exchange ids they bound are already in the ledger's answer.
            ListFills([.. inFlight.Concat(unconfirmed).Where(NeedsFills).Select(o => o.ExchangeOrderId!.Value.Value).Distinct(StringComparer.Ordinal)]);
            // Then every fill since the last reconciliation, whoever placed the order: a manual order that filled while
            // the feed was down is found only this way (its fills park, and Get Order below says whose they are).
            var since = _fillsSince;
            _fillsSince = _world.Now;
            Paginate(CaptureKind.Fills, cursor => _exchange.ListFillsSince(since, cursor, _options.ListFillsPageSize), ReadFills);
            foreach (var order in unconfirmed)
            {
                _confirmed.Add(order.ClientOrderId.Value);
            }
            ResolveParked(again: true);
        }
        finally
        {
            _reconciling = false;
        }
    }

    /// <summary>List Fills for <paramref name="orderIds"/>, in requests of a bounded number of ids, each paginated to exhaustion.</summary>
    private void ListFills(IReadOnlyList<string> orderIds)
    {
        foreach (var chunk in orderIds.Chunk(_options.OrderIdsPerFillsRequestMax))
        {
            Paginate(CaptureKind.Fills, cursor => _exchange.ListFills(chunk, cursor, _options.ListFillsPageSize), ReadFills);
        }
    }

    private (ImmutableArray<EngineInput>, string?, string?) ReadFills(string body)
    {
        var page = CoinbaseParser.ParseListFills(body);
        return page.TryGetValue(out var fills) ? (FeedInputs.From(fills, _world.Now, "reconcile"), fills.Cursor, null) : Failed(page.Error!, "fills", body);
    }

    /// <summary>
    /// An order turned terminal. If the message that said so also stated the executed quantity and all of it is linked,
    /// the order is settled. Otherwise (a legacy <c>done</c> carries no quantities; a terminal update may have come ahead
    /// of lost fills) its state and fills are confirmed against REST shortly after, once per process life (<c>docs/formats.md</c>:
    /// provisional fills from the feed, confirmed by List Fills).
    /// </summary>
    private void ScheduleConfirmation(DecisionBatch batch)
    {
        foreach (var changed in batch.Decisions.OfType<OrderStatusChanged>())
        {
            var coid = changed.Order.ClientOrderId.Value;
            if (!changed.Order.Status.IsTerminal() || changed.Order.ExchangeOrderId is not { } eid || _confirmed.Contains(coid) || _confirming.Contains(coid))
            {
                continue;
            }
            var final = batch.Decisions.OfType<OrderDecision>().Last(d => d.Order.ClientOrderId == changed.Order.ClientOrderId).Order;
            if (batch.Input is OrderUpdate { Order.CumulativeQuantity: { } executed } && final.Linked.Quantity >= executed)
            {
                _confirmed.Add(coid);
            }
            else
            {
                _confirming.Add(coid);
                _world.After(_options.ConfirmDelay, () => Confirm(coid, eid));
            }
        }
    }

    private void Confirm(string coid, ExchangeOrderId eid)
    {
        if (!_alive || !_confirmed.Add(coid))
        {
            return;
        }
        AskOrder(eid);
        ListFills([eid.Value]);
    }

    /// <summary>Re-sends the create-order of an intent whose exchange id is unknown (the intent as the design staged it).</summary>
    private void Resend(ClientOrderId coid)
    {
        if (_ledger.IntentOf(coid) is { } intent)
        {
            _checkWhenAccepted.Add(coid.Value);
            Send(intent, coid, attempt: 1);
        }
    }

    /// <summary>Get Order for one in-flight order; its state goes to the design as reconciliation.</summary>
    private void AskOrder(ExchangeOrderId eid)
    {
        var response = _exchange.GetOrder(eid.Value);
        Capture(CaptureKind.Order, response.Body);
        if (!response.IsOk)
        {
            return;
        }
        var parsed = CoinbaseParser.ParseGetOrder(response.Body);
        if (!parsed.TryGetValue(out var report))
        {
            Process(new MalformedInput(_world.Now, "order", parsed.Error!.Reason, response.Body) { Field = parsed.Field, Origin = "reconcile" });
            return;
        }
        Process(FeedInputs.From(report, _world.Now, "reconcile"));
    }

    /// <summary>
    /// Fills parked under an exchange order id the design does not know (a legacy <c>match</c> before its <c>received</c>,
    /// or with the <c>received</c> lost): Get Order says whose it is. A client order id that is not ours (or no order at
    /// all) makes it external; ours binds it, and the design releases the parked fills. Between reconciliations
    /// (<paramref name="again"/> false) an exchange order is asked about once per process life: an orphan of ours that
    /// a volatile store forgot stays parked whatever the exchange says, until its intent is delivered again.
    /// </summary>
    private void ResolveParked(bool again)
    {
        foreach (var eid in _ledger.ParkedOrders())
        {
            if (!_askedParked.Add(eid.Value) && !again)
            {
                continue;
            }
            var response = _exchange.GetOrder(eid.Value);
            Capture(CaptureKind.Order, response.Body);
            if (response.Status == 404)
            {
                Process(new OrderNotOurs(_world.Now, eid, null) { Origin = "reconcile" });
                continue;
            }
            var parsed = CoinbaseParser.ParseGetOrder(response.Body);
            if (!parsed.TryGetValue(out var report))
            {
                Process(new MalformedInput(_world.Now, "order", parsed.Error!.Reason, response.Body) { Field = parsed.Field, Origin = "reconcile" });
                continue;
            }
            var coid = report.State.ClientOrderId;
            if (coid is not { } id || (!id.IsMintedByLinkage && !_ledger.IsKnown(id)))
            {
                Process(new OrderNotOurs(_world.Now, eid, coid) { Origin = "reconcile" });
            }
            else
            {
                Process(FeedInputs.From(report, _world.Now, "reconcile"));
            }
        }
    }

    private void Paginate(CaptureKind kind, Func<string?, RestResponse> call, Func<string, (ImmutableArray<EngineInput> Inputs, string? Next, string? Error)> read)
    {
        string? cursor = null;
        for (var page = 0; page < _options.PagesMax; page++)
        {
            var response = call(cursor);
            Capture(kind, response.Body);
            if (!response.IsOk)
            {
                return;
            }
            var (inputs, next, error) = read(response.Body);
            foreach (var input in inputs)
            {
                Process(input);
            }
            if (error is not null || string.IsNullOrEmpty(next))
            {
                return;
            }
            cursor = next;
        }
    }

    private (ImmutableArray<EngineInput>, string?, string?) Failed(ParseError error, string kind, string body)
    {
        Process(new MalformedInput(_world.Now, kind, error.Reason, body) { Field = error.Field, Origin = "reconcile" });
        return ([], null, error.Reason);
    }

    // ---- periodic ----

    /// <summary>
    /// The periodic work: store retries, retention, heartbeat silence, parked fills, and on the legacy feed the REST poll.
    /// Every <see cref="HostOptions.TickInterval"/> while there is activity; once idle for <see cref="HostOptions.IdleAfter"/>,
    /// every <see cref="HostOptions.IdleTickInterval"/> until activity resumes, so idle days cost few events.
    /// </summary>
    private void Tick(long generation)
    {
        if (!_alive || generation != _tickGeneration || _world.Now > _activeUntil)
        {
            return;
        }
        DrainRetries();
        Process(new Tick(_world.Now) { Origin = "tick" });
        if (_tracker.CheckSilence(_world.Now).Any(MeansLoss)
            || (_legacyFeed && _world.Now - _lastReconcile >= _options.LegacyReconcileInterval && _ledger.InFlight().Count > 0))
        {
            Reconcile();
        }
        else if (_ledger.ParkedOrders().Count > 0)
        {
            ResolveParked(again: false);
        }
        _idle = _world.Now - _lastActivity > _options.IdleAfter;
        ScheduleTick(_idle ? _options.IdleTickInterval : _options.TickInterval);
    }

    /// <summary>Schedules the next tick, never past the end of the active period (the run is over then).</summary>
    private void ScheduleTick(TimeSpan after)
    {
        var generation = ++_tickGeneration;
        var at = _world.Now + after;
        if (at <= _activeUntil)
        {
            _world.At(at, () => Tick(generation));
        }
    }

    /// <summary>Something happened (an intent, an answer, a feed message other than a heartbeat): tick at the busy pace again.</summary>
    private void Active()
    {
        _lastActivity = _world.Now;
        if (_idle)
        {
            _idle = false;
            ScheduleTick(_options.TickInterval);
        }
    }

    // ---- processing ----

    /// <summary>
    /// Hands one input to the design. Inputs wait behind any the store could not take, so the design sees them in
    /// arrival order; <paramref name="then"/> runs once the input is applied.
    /// </summary>
    private void Process(EngineInput input, Action<ProcessResult>? then = null)
    {
        DrainRetries();
        var pending = new Pending(input, then);
        if (_retry.Count > 0 || !TryApply(pending))
        {
            Enqueue(pending);
        }
    }

    private bool TryApply(Pending pending)
    {
        var result = _correlator.Process(pending.Input);
        if (result.Status == ProcessStatus.StoreFailed)
        {
            return false;
        }
        _processed?.Invoke(pending.Input, result);
        if (result.Batch is { } batch)
        {
            ScheduleConfirmation(batch);
        }
        pending.Then?.Invoke(result);
        return true;
    }

    /// <summary>Offers the waiting inputs again, oldest first, until one fails again. Not re-entered from a continuation.</summary>
    private void DrainRetries()
    {
        if (_draining)
        {
            return;
        }
        _draining = true;
        try
        {
            while (_retry.First is { } first)
            {
                _retry.RemoveFirst();
                if (!TryApply(first.Value))
                {
                    _retry.AddFirst(first.Value);
                    return;
                }
            }
        }
        finally
        {
            _draining = false;
        }
    }

    private void Enqueue(Pending pending)
    {
        if (_retry.Count >= _options.StoreRetryQueueMax)
        {
            // The bound is reached: the oldest input is given up. Reconciliation fetches its facts again later.
            _retry.RemoveFirst();
        }
        _retry.AddLast(pending);
    }

    private void Capture(CaptureKind kind, string json) => _capture?.Invoke(CaptureKinds.ToWire(kind), json);

    /// <summary>The intent line of a capture carries the client order id the webhook minted for it (<c>docs/capture.md</c>).</summary>
    private static string WithClientOrderId(string payloadJson, ClientOrderId coid)
    {
        var node = JsonNode.Parse(payloadJson)!.AsObject();
        node["client_order_id"] = coid.Value;
        return node.ToJsonString(CoinbaseWire.SerializerOptions);
    }

    private sealed record Placement(Intent Intent, int Attempt);

    private sealed record Pending(EngineInput Input, Action<ProcessResult>? Then);
}
