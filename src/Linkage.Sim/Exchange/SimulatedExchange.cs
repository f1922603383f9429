using System.Globalization;
using Linkage.Host;
using Linkage.Coinbase;
using Linkage.Engine;
using Linkage.Sim.Scenarios;
using Linkage.Sim.World;

namespace Linkage.Sim.Exchange;

/// <summary>Realism switches of the simulated exchange; the defaults are what scenarios run with.</summary>
public sealed record ExchangeOptions
{
    /// <summary>Chance that a trade's <c>user</c> update is held and merged with the trades that follow within <see cref="ExchangeRules.CoalesceWindow"/>.</summary>
    public decimal CoalesceChance { get; init; } = ExchangeRules.CoalesceChanceDefault;

    /// <summary>Whether the <c>heartbeats</c> channel speaks (every <see cref="ExchangeRules.HeartbeatInterval"/> while the feed has traffic).</summary>
    public bool Heartbeats { get; init; } = true;

    public static readonly ExchangeOptions Default = new();
}

/// <summary>A feed message (its text, and its identity: what it is, not where it is in the stream) and the faults drawn for it.</summary>
public readonly record struct FeedMessageDraw(string Identity, string Json, bool Drop, bool Reorder, bool Duplicate);

/// <summary>
/// The simulated Coinbase: it holds the orders and trades (the truth), answers REST (create order, Get Order, List
/// Orders, List Fills) and speaks on one WebSocket connection, either the Advanced Trade <c>user</c> channel or the
/// legacy feed, in the real JSON shapes (<see cref="CoinbaseWire"/>). Feed messages go through the scenario's faults
/// (duplicate, reorder, drop), drawn from the seed. Everything happens on the <see cref="SimWorld"/>'s clock;
/// single-threaded.
/// </summary>
public sealed class SimulatedExchange : IExchangeApi
{
    /// <summary>The failure reason of a create-order whose client order id is already in use (<c>resend_answer: error</c>).</summary>
    public const string DuplicateClientOrderId = "DUPLICATE_CLIENT_ORDER_ID";

    private readonly SimWorld _world;
    private readonly ulong _seed;
    private readonly IdMint _ids;
    private readonly FaultCounter _faults;
    private readonly FeedKind _feed;
    private readonly Latency _latency;
    private readonly Faults _faultRates;
    private readonly ExchangeOptions _options;
    private readonly List<ExchangeOrder> _orders = [];

    // The orders not yet terminal, in creation order: what List Orders and a snapshot read, without walking every order
    // ever placed. Open adds an order, Close takes it out when it turns terminal (a terminal status never changes).
    private readonly List<ExchangeOrder> _open = [];

    private readonly List<(ExchangeOrder Order, ExchangeTrade Trade)> _trades = [];
    private readonly Dictionary<string, ExchangeOrder> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, ExchangeOrder> _byClientId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Ack> _ackPlans = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _marketPrices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> _productSequences = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OrderFeedState> _feedStates = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _keysByClientId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _messageOccurrences = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _orderKeys = new(StringComparer.Ordinal);
    private FeedConnection? _connection;
    private int _connections;

    public SimulatedExchange(SimWorld world, ulong seed, IdMint ids, FeedKind feed, Latency latency, Faults faults, FaultCounter faultCounter, ExchangeOptions? options = null)
    {
        _world = world;
        _seed = seed;
        _ids = ids;
        _feed = feed;
        _latency = latency;
        _faultRates = faults;
        _faults = faultCounter;
        _options = options ?? ExchangeOptions.Default;
    }

    /// <summary>Until when periodic messages (heartbeats) keep coming; the runner sets it past the last step.</summary>
    public DateTimeOffset ActiveUntil { get; set; } = DateTimeOffset.MaxValue;

    /// <summary>
    /// Raised with every <c>user</c> channel update the book decides to send (after coalescing), whether or not an
    /// in-process connection listens: the wire server's front end fans it out to its own WebSocket connections. It draws
    /// nothing from the seed, so a simulator run is the same with or without a listener.
    /// </summary>
    public event Action<ExchangeOrder, OrderStatus>? OrderUpdated;

    /// <summary>Every trade, in execution order, with its order.</summary>
    public IReadOnlyList<(ExchangeOrder Order, ExchangeTrade Trade)> Trades => _trades;

    /// <summary>Every order, in creation order.</summary>
    public IReadOnlyList<ExchangeOrder> Orders => _orders;

    public ExchangeOrder? Find(string orderId) => _byId.GetValueOrDefault(orderId);

    public ExchangeOrder? FindByClientOrderId(string clientOrderId) => _byClientId.GetValueOrDefault(clientOrderId);

    /// <summary>How a create-order carrying a client order id already used is answered (the scenario's <c>resend_answer</c>).</summary>
    public ResendAnswer ResendAnswer { get; init; } = ResendAnswer.Original;

    /// <summary>How the next create-order carrying <paramref name="clientOrderId"/> is answered (once; re-sends are answered normally).</summary>
    public void PlanAck(string clientOrderId, Ack ack) => _ackPlans[clientOrderId] = ack;

    /// <summary>
    /// Told the client order id of every create-order request the exchange receives, as it receives it, before it is
    /// answered. What it returns decides the answer when the exchange holds no order under that id yet (null: the
    /// <see cref="PlanAck"/> plan, else ok). The runner uses it to learn which step a request belongs to from what the
    /// exchange received (the step it was driving when the request arrived), instead of computing the id the webhook
    /// should mint, so the truth does not depend on the code it judges.
    /// </summary>
    public Func<string, Ack?>? CreateOrderReceived { get; set; }

    /// <summary>
    /// Names the order a create-order with <paramref name="clientOrderId"/> will open (the runner passes the scenario's
    /// label): the stable part of its feed messages' identities, from which their faults are drawn
    /// (<see cref="MessageDraw"/>). Without a name an order is known by its client order id.
    /// </summary>
    public void NameOrder(string clientOrderId, string key) => _keysByClientId[clientOrderId] = key;

    /// <summary>Told of every feed message as it is sent, with its identity and the faults drawn for it (for tests).</summary>
    public Action<FeedMessageDraw>? MessageSent { get; set; }

    /// <summary>The product's market price, from the seed and the product alone (so it does not depend on which product is priced first).</summary>
    public decimal MarketPrice(string product)
    {
        if (!_marketPrices.TryGetValue(product, out var price))
        {
            var prng = Prng.Stream(_seed, "market:" + product);
            var cents = prng.NextInRange((long)(ExchangeRules.MarketPriceMin * 100), (long)(ExchangeRules.MarketPriceMax * 100));
            price = cents / 100m;
            _marketPrices.Add(product, price);
        }
        return price;
    }

    // ---- REST ----

    /// <summary>
    /// <c>POST /orders</c>. A client order id already used returns the ORIGINAL order and places nothing (with
    /// <see cref="ResendAnswer.Error"/>, a <c>DUPLICATE_CLIENT_ORDER_ID</c> failure instead, still placing nothing). Otherwise the
    /// planned ack decides: ok (answer after the ack latency), delay, lost (the order exists, the answer never comes) or
    /// reject (no order). <paramref name="respond"/> is called on the world's clock, or never.
    /// </summary>
    public void CreateOrder(string requestJson, Action<string> respond)
    {
        var request = ParseRequest(requestJson);
        var attributed = CreateOrderReceived?.Invoke(request.ClientOrderId);
        if (_byClientId.TryGetValue(request.ClientOrderId, out var existing))
        {
            if (ResendAnswer == ResendAnswer.Error)
            {
                _faults.Add(FaultCounter.ResendRefused);
                var refusal = CoinbaseWire.CreateOrderFailure(request.Size, request.LimitPrice, DuplicateClientOrderId, "the client order id is already in use");
                _world.After(_latency.Ack, () => respond(refusal));
                return;
            }
            var original = CoinbaseWire.CreateOrderSuccess(existing);
            _world.After(_latency.Ack, () => respond(original));
            return;
        }
        var ack = attributed ?? (_ackPlans.Remove(request.ClientOrderId, out var planned) ? planned : Ack.Ok);
        if (ack is AckReject)
        {
            _faults.Add(FaultCounter.Reject);
            var refusal = CoinbaseWire.CreateOrderFailure(request.Size, request.LimitPrice, "INSUFFICIENT_FUND", "Insufficient balance in source account");
            _world.After(_latency.Ack, () => respond(refusal));
            return;
        }
        var order = Open(request.ClientOrderId, request.Product, request.Side, request.Size, request.LimitPrice, _keysByClientId.GetValueOrDefault(request.ClientOrderId), request.Bracket);
        if (request.Bracket is { } bracket)
        {
            OpenAttached(order, bracket);
        }
        var response = CoinbaseWire.CreateOrderSuccess(order);
        switch (ack)
        {
            case AckLost:
                _faults.Add(FaultCounter.AckLost);
                break;
            case AckDelay delay:
                _faults.Add(FaultCounter.AckDelay);
                _world.After(delay.Delay, () => respond(response));
                break;
            default:
                _world.After(_latency.Ack, () => respond(response));
                break;
        }
    }

    /// <summary><c>GET /orders/historical/{order_id}</c>: the order, or a NOT_FOUND error body.</summary>
    public RestResponse GetOrder(string orderId) =>
        _byId.TryGetValue(orderId, out var order)
            ? new RestResponse(200, CoinbaseWire.GetOrder(order))
            : new RestResponse(404, CoinbaseWire.NotFound("order with this orderID was not found"));

    /// <summary><c>GET /orders/historical/batch?order_status=OPEN</c>: open orders in creation order, a page at a time.</summary>
    public RestResponse ListOpenOrders(string? cursor, int limit = ExchangeRules.ListOrdersPageSizeDefault)
    {
        var (page, next) = Page(_open, cursor, limit);
        return new RestResponse(200, CoinbaseWire.ListOrders(page, next));
    }

    /// <summary>
    /// <c>GET /orders/historical/fills?order_ids=...</c>: the orders' trades, in execution order per order and orders in
    /// creation order, a page at a time; the cursor of the last page is empty.
    /// </summary>
    public RestResponse ListFills(IReadOnlyCollection<string> orderIds, string? cursor, int limit = ExchangeRules.ListFillsPageSizeDefault)
    {
        var rows = orderIds.Distinct(StringComparer.Ordinal).Select(Find).OfType<ExchangeOrder>().OrderBy(o => o.Number)
            .SelectMany(o => o.Trades.Select(t => (o, t))).ToList();
        var (page, next) = Page(rows, cursor, limit);
        return new RestResponse(200, CoinbaseWire.ListFills(page, next));
    }

    /// <summary>
    /// <c>GET /orders/historical/fills?start_sequence_timestamp=...</c>: the account's trades posted at or after
    /// <paramref name="start"/>, in execution order, a page at a time.
    /// </summary>
    public RestResponse ListFillsSince(DateTimeOffset start, string? cursor, int limit = ExchangeRules.ListFillsPageSizeDefault)
    {
        var rows = _trades.Where(t => t.Trade.Time >= start).ToList();
        var (page, next) = Page(rows, cursor, limit);
        return new RestResponse(200, CoinbaseWire.ListFills(page, next));
    }

    // ---- WebSocket ----

    /// <summary>
    /// Opens a new connection (closing any other: Coinbase expects one <c>user</c> connection per user) and subscribes to
    /// <c>heartbeats</c> and <c>user</c>: the counter starts again at 0, and a snapshot of the OPEN orders follows.
    /// </summary>
    public FeedConnection Connect(IFeedSubscriber subscriber)
    {
        Disconnect();
        var connection = new FeedConnection(++_connections, subscriber, _world.Now);
        _connection = connection;
        if (_feed == FeedKind.Orders)
        {
            Publish(seq => CoinbaseWire.Subscriptions(seq, _world.Now, ["heartbeats"]), "subscriptions:heartbeats@" + Ticks(_world.Now));
            var open = _open.Select(o => (o, o.Status)).ToList();
            // Batches of 50; the last batch has fewer, so a reader knows the snapshot is complete.
            for (var start = 0; start == 0 || start <= open.Count; start += ExchangeRules.SnapshotBatchSize)
            {
                var batch = open.Skip(start).Take(ExchangeRules.SnapshotBatchSize).ToList();
                var first = start;
                Publish(seq => CoinbaseWire.UserEvent(seq, _world.Now, "snapshot", batch), $"snapshot:{first.ToString(CultureInfo.InvariantCulture)}@{Ticks(_world.Now)}");
            }
            Publish(seq => CoinbaseWire.Subscriptions(seq, _world.Now, ["heartbeats", "user"]), "subscriptions:heartbeats,user@" + Ticks(_world.Now));
        }
        return connection;
    }

    /// <summary>The socket drops: messages in flight and every message until the next <see cref="Connect"/> are lost.</summary>
    public void Disconnect()
    {
        if (_connection is { } connection)
        {
            connection.IsOpen = false;
            _connection = null;
        }
    }

    // ---- scenario actions ----

    /// <summary>
    /// An order placed outside the bot (by hand): a client order id that is not ours, no REST answer to anyone.
    /// <paramref name="key"/> names it for its messages' fault draws (see <see cref="NameOrder"/>).
    /// </summary>
    public ExchangeOrder PlaceManual(string product, Side side, decimal size, decimal? limitPrice, string? clientOrderId = null, string? key = null) =>
        Open(clientOrderId ?? (key is null ? _ids.NextUuid() : _ids.UuidFor("manual-client:" + key)), product, side, size, limitPrice, key);

    /// <summary>
    /// Executes <paramref name="size"/> (null: the rest) of the order at <paramref name="price"/> (null: its limit price,
    /// else the product's market price). Returns the trade, or the reason the step is impossible.
    /// </summary>
    public (ExchangeTrade? Trade, string? Error) Fill(string orderId, decimal? size, decimal? price) => Fill(orderId, size, price, leg: null);

    /// <summary>
    /// Executes the attached bracket order of entry <paramref name="parentOrderId"/> on <paramref name="leg"/>
    /// (<see cref="Bracket.TakeProfitTrigger"/> or <see cref="Bracket.StopLossTrigger"/>) at <paramref name="price"/>,
    /// null meaning the leg's own price (the take-profit limit, or the stop trigger price).
    /// </summary>
    public (ExchangeTrade? Trade, string? Error) FillBracket(string parentOrderId, string leg, decimal? size, decimal? price)
    {
        if (Find(parentOrderId) is not { AttachedOrderId: { } childId, Bracket: { } bracket })
        {
            return (null, "the order has no attached bracket order");
        }
        var legPrice = leg == Bracket.TakeProfitTrigger ? bracket.TakeProfit : bracket.StopLoss;
        return Fill(childId, size, price ?? legPrice, leg);
    }

    private (ExchangeTrade? Trade, string? Error) Fill(string orderId, decimal? size, decimal? price, string? leg)
    {
        if (!_byId.TryGetValue(orderId, out var order))
        {
            return (null, "the exchange has no such order");
        }
        if (order.Status.IsTerminal())
        {
            return (null, $"the order is already {order.Status}");
        }
        var quantity = size ?? order.Unfilled;
        if (quantity <= 0m || quantity > order.Unfilled)
        {
            return (null, $"fill of {CoinbaseWire.Dec(quantity)} but {CoinbaseWire.Dec(order.Unfilled)} is left");
        }
        var tradePrice = price ?? order.LimitPrice ?? MarketPrice(order.Product);
        var maker = order.IsLimit;
        var rate = maker ? ExchangeRules.MakerFeeRate : ExchangeRules.TakerFeeRate;
        // Ids from what the trade is (its order's key and its index there), so a scenario without some other step mints
        // the same ids for it; only the legacy feed's increasing trade id depends on how many trades went before.
        var index = order.NumberOfFills + 1;
        var tradeKey = $"{FeedState(order).Key}:{index.ToString(CultureInfo.InvariantCulture)}";
        var trade = new ExchangeTrade(
            order.OrderId, _ids.UuidFor("entry:" + tradeKey), _ids.UuidFor("trade:" + tradeKey), _ids.NextLegacyTradeId(), index, _world.Now,
            quantity, tradePrice, Math.Round(quantity * tradePrice * rate, ExchangeRules.FeeDecimals, MidpointRounding.ToEven), maker) { Leg = leg };
        if (leg == Bracket.StopLossTrigger)
        {
            order.StopTriggered = true;
        }
        order.Execute(trade);
        _trades.Add((order, trade));
        if (order.Status.IsTerminal())
        {
            Close(order);
        }
        if (_feed == FeedKind.Trades)
        {
            var counterparty = _ids.UuidFor("counterparty:" + tradeKey);
            PublishLegacy(order, seq => CoinbaseWire.LegacyMatch(order, trade, counterparty, seq), LegacyKind.Match);
            if (order.Status.IsTerminal())
            {
                PublishLegacy(order, seq => CoinbaseWire.LegacyDone(order, seq, _world.Now), LegacyKind.Done);
            }
        }
        else
        {
            TradeUpdate(order);
        }
        return (trade, null);
    }

    /// <summary>Cancels the rest of the order. Returns the reason when it cannot be cancelled.</summary>
    public string? Cancel(string orderId) => End(orderId, OrderStatus.Cancelled);

    /// <summary>Expires the rest of the order (a good-till-date order past its end time). Returns the reason when it cannot.</summary>
    public string? Expire(string orderId) => End(orderId, OrderStatus.Expired);

    private string? End(string orderId, OrderStatus status)
    {
        if (!_byId.TryGetValue(orderId, out var order))
        {
            return "the exchange has no such order";
        }
        if (order.Status.IsTerminal())
        {
            return $"the order is already {order.Status}";
        }
        order.Status = status;
        order.LastUpdateTime = _world.Now;
        Close(order);
        if (_feed == FeedKind.Trades)
        {
            PublishLegacy(order, seq => CoinbaseWire.LegacyDone(order, seq, _world.Now), LegacyKind.Done);
        }
        else
        {
            Update(order, order.Status);
        }
        return null;
    }

    /// <summary>
    /// Delivers the order's last fill message again, byte for byte (the <c>duplicate</c> step): its last <c>match</c>
    /// on the legacy feed, its last update that raised <c>cumulative_quantity</c> on the <c>user</c> channel. False when
    /// there is none or nobody is connected. <paramref name="rewrite"/>, when given, alters the copy (the <c>as</c>
    /// extension: the same exchange order id seen again with another client order id); on the legacy feed the copy is
    /// then of the order's <c>received</c>, the only legacy message that carries a client id.
    /// </summary>
    public bool DuplicateLastFill(string orderId, Func<string, string>? rewrite = null)
    {
        if (_connection is not { } connection || !_feedStates.TryGetValue(orderId, out var state))
        {
            return false;
        }
        var original = rewrite is not null && _feed == FeedKind.Trades ? state.ReceivedMessage : state.LastFillMessage;
        if (original is null)
        {
            return false;
        }
        var json = rewrite is null ? original : rewrite(original);
        if (_feed != FeedKind.Trades && !ReferenceEquals(state.LastFillConnection, connection))
        {
            // Sent on an earlier connection: the exchange replays nothing on a new one, so a copy that reaches this one
            // carries this connection's next number (sequence_num counts per connection), not the old connection's.
            json = Renumbered(json, connection.NextSequence());
        }
        _faults.Add(FaultCounter.Duplicate);
        _world.After(_latency.Feed, () => Deliver(connection, json));
        return true;
    }

    // ---- internals ----

    private static string Renumbered(string json, long sequence)
    {
        var node = System.Text.Json.Nodes.JsonNode.Parse(json)!.AsObject();
        node["sequence_num"] = sequence;
        return node.ToJsonString();
    }

    /// <summary>
    /// The order Coinbase creates for an entry's <c>attached_order_configuration</c>: the other side, the entry's size,
    /// the take profit as its limit price, no client order id (no client sent one), named in the entry's
    /// <c>attached_order_id</c> and naming the entry in its <c>originating_order_id</c>.
    /// </summary>
    private void OpenAttached(ExchangeOrder parent, Bracket bracket)
    {
        var child = Open("", parent.Product, parent.Side == Side.Buy ? Side.Sell : Side.Buy, parent.Size, bracket.TakeProfit, FeedState(parent).Key + "/attached", bracket, parent.OrderId);
        parent.AttachedOrderId = child.OrderId;
        AttachedOrderCreated?.Invoke(parent, child);
    }

    /// <summary>The exchange created an attached bracket order (the entry, then its child): the oracle learns whose it is.</summary>
    public event Action<ExchangeOrder, ExchangeOrder>? AttachedOrderCreated;

    private ExchangeOrder Open(string clientOrderId, string product, Side side, decimal size, decimal? limitPrice, string? key, Bracket? bracket = null, string? parentOrderId = null)
    {
        // The order's key names it in message identities and ids: the runner's label, else its client order id, made
        // unique by how many orders had that key before (two foreign orders may share a client order id).
        var described = key is null ? "client:" + clientOrderId : "label:" + key;
        var seen = _orderKeys.GetValueOrDefault(described);
        _orderKeys[described] = seen + 1;
        var unique = seen == 0 ? described : described + "#" + seen.ToString(CultureInfo.InvariantCulture);
        var order = new ExchangeOrder(_orders.Count + 1, _ids.UuidFor("order:" + unique), clientOrderId, product, side, size, limitPrice, _world.Now)
        {
            LastUpdateTime = _world.Now,
            Bracket = bracket,
            ParentOrderId = parentOrderId,
        };
        FeedState(order).Key = unique;
        _orders.Add(order);
        _open.Add(order);
        _byId.Add(order.OrderId, order);
        if (clientOrderId.Length > 0)
        {
            _byClientId.TryAdd(clientOrderId, order);
        }
        if (_feed == FeedKind.Trades)
        {
            PublishLegacy(order, seq => CoinbaseWire.LegacyReceived(order, seq, _world.Now), LegacyKind.Received);
        }
        else
        {
            // PENDING then OPEN, sent as the exchange accepts the order: with the usual latencies they reach the webhook
            // before the REST response does.
            Update(order, OrderStatus.Pending);
            Update(order, OrderStatus.Open);
        }
        return order;
    }

    /// <summary>An order turned terminal: it leaves the open orders for good.</summary>
    private void Close(ExchangeOrder order) => _open.Remove(order);

    /// <summary>After a trade on the <c>user</c> channel: send the update now, or hold it to coalesce with the trades that follow.</summary>
    private void TradeUpdate(ExchangeOrder order)
    {
        var state = FeedState(order);
        if (state.Held)
        {
            if (order.Status.IsTerminal())
            {
                Update(order, order.Status);
            }
            return;
        }
        // Drawn for this trade of this order (its key and the cumulative quantity it brings the order to), not by its
        // place among all trades, so removing another order's fill from a scenario does not change what coalesces here.
        var hold = MessageDraw.Chance(_seed, "coalesce", $"{state.Key}:{CoinbaseWire.Dec(order.CumulativeQuantity)}", _options.CoalesceChance);
        if (hold && !order.Status.IsTerminal())
        {
            state.Held = true;
            _world.After(ExchangeRules.CoalesceWindow, () =>
            {
                if (state.Held)
                {
                    Update(order, order.Status);
                }
            });
            return;
        }
        Update(order, order.Status);
    }

    /// <summary>Sends the order's cumulative state as a <c>user</c> update; it replaces any held update.</summary>
    private void Update(ExchangeOrder order, OrderStatus status)
    {
        var state = FeedState(order);
        state.Held = false;
        var raisesCumulative = order.CumulativeQuantity > state.SentCumulative;
        state.SentCumulative = order.CumulativeQuantity;
        OrderUpdated?.Invoke(order, status);
        var identity = $"update:{state.Key}:{status}:{CoinbaseWire.Dec(order.CumulativeQuantity)}";
        var json = Publish(seq => CoinbaseWire.UserEvent(seq, _world.Now, "update", [(order, status)]), identity);
        if (raisesCumulative && json is not null)
        {
            state.LastFillMessage = json;
            state.LastFillConnection = _connection;
        }
    }

    /// <summary>
    /// Numbers and sends one message on the open connection; returns its text, or null when nobody is connected.
    /// <paramref name="identity"/> says what the message is, independent of its place in the stream (its sequence number
    /// is a place): its faults are drawn from it.
    /// </summary>
    private string? Publish(Func<long, string> build, string identity, bool heartbeat = false)
    {
        if (_connection is not { } connection)
        {
            return null;
        }
        var json = build(connection.NextSequence());
        Send(connection, json, identity);
        if (!heartbeat)
        {
            connection.LastTraffic = _world.Now;
            if (_options.Heartbeats && !connection.HeartbeatScheduled)
            {
                connection.HeartbeatScheduled = true;
                _world.After(ExchangeRules.HeartbeatInterval, () => Heartbeat(connection));
            }
        }
        return json;
    }

    /// <summary>Legacy messages carry the product's own <c>sequence</c>, which advances whether or not anyone listens.</summary>
    private void PublishLegacy(ExchangeOrder order, Func<long, string> build, LegacyKind kind)
    {
        var sequence = _productSequences.GetValueOrDefault(order.Product) + 1;
        _productSequences[order.Product] = sequence;
        var json = build(sequence);
        var state = FeedState(order);
        var identity = kind == LegacyKind.Match
            ? $"match:{state.Key}:{order.NumberOfFills.ToString(CultureInfo.InvariantCulture)}"
            : $"{kind}:{state.Key}";
        switch (kind)
        {
            case LegacyKind.Received:
                FeedState(order).ReceivedMessage = json;
                break;
            case LegacyKind.Match:
                FeedState(order).LastFillMessage = json;
                break;
            default:
                break;
        }
        if (_connection is { } connection)
        {
            Send(connection, json, identity);
        }
    }

    /// <summary>
    /// Sends one message through the faults: dropped (a sequence gap), held back past later messages, or delivered twice.
    /// Each decision is drawn from the seed, the fault's kind and the message's identity (<see cref="FaultDraws"/>), so a
    /// message keeps its faults whatever other messages a scenario sends or stops sending.
    /// </summary>
    private void Send(FeedConnection connection, string json, string identity)
    {
        var unique = Occurrence(identity);
        var (drop, reorder, duplicate) = FaultDraws(_seed, _faultRates, unique);
        MessageSent?.Invoke(new FeedMessageDraw(unique, json, drop, reorder, duplicate));
        if (drop)
        {
            _faults.Add(FaultCounter.Drop);
            return;
        }
        var delay = _latency.Feed;
        if (reorder)
        {
            _faults.Add(FaultCounter.Reorder);
            delay += ExchangeRules.ReorderHoldback;
        }
        _world.After(delay, () => Deliver(connection, json));
        if (duplicate)
        {
            _faults.Add(FaultCounter.Duplicate);
            _world.After(delay, () => Deliver(connection, json));
        }
    }

    /// <summary>
    /// The fault decisions for the message with this identity (what it is and its occurrence among messages with the
    /// same description): dropped, held back, delivered twice. A pure function of its arguments.
    /// </summary>
    public static (bool Drop, bool Reorder, bool Duplicate) FaultDraws(ulong seed, Faults rates, string identity)
    {
        ArgumentNullException.ThrowIfNull(rates);
        return (
            MessageDraw.Chance(seed, "fault:drop", identity, rates.Drop),
            MessageDraw.Chance(seed, "fault:reorder", identity, rates.Reorder),
            MessageDraw.Chance(seed, "fault:duplicate", identity, rates.Duplicate));
    }

    /// <summary>The identity made unique: its description and how many messages with that description went before.</summary>
    private string Occurrence(string description)
    {
        var n = _messageOccurrences.GetValueOrDefault(description);
        _messageOccurrences[description] = n + 1;
        return description + "#" + n.ToString(CultureInfo.InvariantCulture);
    }

    private static string Ticks(DateTimeOffset at) => at.UtcTicks.ToString(CultureInfo.InvariantCulture);

    private void Deliver(FeedConnection connection, string json)
    {
        if (connection.IsOpen && ReferenceEquals(connection, _connection))
        {
            connection.Subscriber.OnFeedMessage(json);
        }
    }

    private void Heartbeat(FeedConnection connection)
    {
        if (!ReferenceEquals(connection, _connection) || _world.Now > ActiveUntil || _world.Now - connection.LastTraffic > ExchangeRules.HeartbeatQuietAfter)
        {
            connection.HeartbeatScheduled = false;
            return;
        }
        var counter = ++connection.HeartbeatCounter;
        Publish(seq => CoinbaseWire.Heartbeat(seq, _world.Now, counter, _world.Now - connection.OpenedAt), "heartbeat@" + Ticks(_world.Now), heartbeat: true);
        _world.After(ExchangeRules.HeartbeatInterval, () => Heartbeat(connection));
    }

    private OrderFeedState FeedState(ExchangeOrder order)
    {
        if (!_feedStates.TryGetValue(order.OrderId, out var state))
        {
            state = new OrderFeedState();
            _feedStates.Add(order.OrderId, state);
        }
        return state;
    }

    /// <summary>Offset cursors over an append-only list: pages stay stable while new items are appended.</summary>
    private static (List<T> Page, string Next) Page<T>(List<T> items, string? cursor, int limit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        var start = string.IsNullOrEmpty(cursor) ? 0 : int.Parse(cursor, NumberStyles.None, CultureInfo.InvariantCulture);
        var page = items.Skip(start).Take(limit).ToList();
        var end = start + page.Count;
        return (page, end < items.Count ? end.ToString(CultureInfo.InvariantCulture) : "");
    }

    /// <summary>The exchange reads requests with the production parser; the host only ever sends valid ones, so a failure is a bug.</summary>
    private static CreateRequest ParseRequest(string json)
    {
        var parsed = CoinbaseParser.ParseCreateOrderRequest(json);
        if (!parsed.TryGetValue(out var request) || request.BaseSize is not { } size)
        {
            throw new InvalidOperationException($"the simulated exchange cannot read a create-order request: {parsed.Error?.ToString() ?? "no base_size"}");
        }
        return new CreateRequest(request.ClientOrderId.Value, request.Product.Value, request.Side, size, request.LimitPrice, request.Bracket);
    }

    private sealed record CreateRequest(string ClientOrderId, string Product, Side Side, decimal Size, decimal? LimitPrice, Bracket? Bracket);

    /// <summary>What the feed has said about one order: for coalescing and for the <c>duplicate</c> step.</summary>
    private sealed class OrderFeedState
    {
        /// <summary>The order's stable name in message identities: the runner's label, else its client order id.</summary>
        public string Key { get; set; } = "";

        public bool Held { get; set; }
        public decimal SentCumulative { get; set; }
        public string? LastFillMessage { get; set; }
        public FeedConnection? LastFillConnection { get; set; }
        public string? ReceivedMessage { get; set; }
    }

    private enum LegacyKind
    {
        Received,
        Match,
        Done,
    }
}
