using System.Diagnostics;
using Linkage.Engine;
using Linkage.Sim.Exchange;
using Linkage.Sim.Scenarios;
using Linkage.Sim.World;

namespace Linkage.Sim.Server;

/// <summary>A create-order request as the wire server understood it (from snake_case or camelCase JSON).</summary>
internal sealed record PlaceRequest(string ClientOrderId, string ProductId, Side Side, string Configuration, decimal? BaseSize, decimal? QuoteSize, decimal? LimitPrice, bool PostOnly, DateTimeOffset? EndTime)
{
    /// <summary>The configuration named in <c>attached_order_configuration</c> (a take-profit / stop-loss bracket), if any.</summary>
    public string? Attached { get; init; }
}

/// <summary>The book's answer to a create-order: the order (new or the one the client order id already named) or a refusal.</summary>
internal sealed record PlaceResult(ExchangeOrder? Order, bool Existing, string? FailureReason, string? Message)
{
    /// <summary>With <c>--scenario</c>: how long the answer is held (virtual time), or that it is lost. Null: answer at once.</summary>
    public ScriptedAnswer? Answer { get; init; }
}

/// <summary>
/// The one truth book behind <c>linkage exchange</c>: a <see cref="SimulatedExchange"/> on a <see cref="SimWorld"/>
/// whose virtual clock is driven by the wall clock at <c>--speed</c>. Every decision (price paths, partial fills) is
/// drawn from seeded streams; only when a decision happens depends on the wall clock. Thread-safe: every call takes
/// one lock, first advancing virtual time to now (running every tick and expiry that fell due).
/// </summary>
internal sealed class ExchangeBook
{
    /// <summary>Virtual time between two steps of every product's price path (and the limit-order crossing checks).</summary>
    public static readonly TimeSpan TickInterval = TimeSpan.FromSeconds(1);

    /// <summary>Largest move of a price path in one tick, in basis points either way.</summary>
    public const long PathStepBasisPointsMax = 15;

    /// <summary>A market order fills at once in between 1 and this many trades.</summary>
    public const long MarketPartialsMax = 3;

    private readonly object _gate = new();
    private readonly SimWorld _world;
    private readonly SimulatedExchange _exchange;
    private readonly Stopwatch _wall = Stopwatch.StartNew();
    private readonly DateTimeOffset _start;
    private readonly double _speed;
    private readonly Dictionary<string, decimal> _prices = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Prng> _paths = new(StringComparer.Ordinal);
    private readonly Prng _fillDraws;
    private readonly List<ExchangeOrder> _open = [];
    private readonly Dictionary<string, decimal> _balances = Products.Balances.ToDictionary(b => b.Currency, b => b.Start, StringComparer.Ordinal);
    private readonly int? _marketPartials;
    private int _tradesApplied;
    private ScenarioPlayer? _player;

    /// <param name="seed">Seeds the price paths, partial fills and ids.</param>
    /// <param name="start">Virtual time's start.</param>
    /// <param name="speed">Virtual time per wall time.</param>
    /// <param name="marketPartials">
    /// For load tests (<c>--market-partials N</c>): every market order fills in exactly this many trades of equal size
    /// (the last takes the remainder), and each trade is reported in a <c>user</c> update of its own (no coalescing), so
    /// a client knows how many fills each order it places brings. Null: 1 to <see cref="MarketPartialsMax"/> seeded
    /// partials, coalesced as the simulator does.
    /// </param>
    public ExchangeBook(ulong seed, DateTimeOffset start, double speed, int? marketPartials = null)
    {
        _start = start;
        _speed = speed;
        _marketPartials = marketPartials;
        _world = new SimWorld(start);
        // No in-process connection ever opens, so the book's own feed faults and latencies stay zero; the wire front end
        // applies its faults per WebSocket connection. Coalescing stays on (several trades may reach a client as one
        // update) unless a fixed number of partials was asked for.
        var options = new ExchangeOptions { Heartbeats = false };
        if (marketPartials is not null)
        {
            options = options with { CoalesceChance = 0m };
        }
        _exchange = new SimulatedExchange(_world, seed, new IdMint(seed), FeedKind.Orders, new Latency(TimeSpan.Zero, TimeSpan.Zero), new Faults(0m, 0m, 0m), new FaultCounter(), options);
        _fillDraws = Prng.Stream(seed, "wire:fills");
        foreach (var product in Products.All)
        {
            _prices.Add(product.Id, product.StartPrice);
            _paths.Add(product.Id, Prng.Stream(seed, "wire:path:" + product.Id));
        }
        _exchange.OrderUpdated += (order, status) => OrderUpdated?.Invoke(order, status, _world.Now);
        _world.After(TickInterval, Tick);
    }

    /// <summary>Raised under the book's lock with each <c>user</c> update the book sends (see <see cref="SimulatedExchange.OrderUpdated"/>) and its virtual time.</summary>
    public event Action<ExchangeOrder, OrderStatus, DateTimeOffset>? OrderUpdated;

    /// <summary>Virtual now: the start plus wall time elapsed times the speed.</summary>
    private DateTimeOffset VirtualNow => _start + TimeSpan.FromTicks((long)(_wall.Elapsed.Ticks * _speed));

    /// <summary>How long <paramref name="span"/> of virtual time takes on the wall clock.</summary>
    public TimeSpan WallTime(TimeSpan span) => span <= TimeSpan.Zero ? TimeSpan.Zero : TimeSpan.FromTicks((long)(span.Ticks / _speed));

    /// <summary>How long from now on the wall clock until virtual time reaches <paramref name="at"/> (zero when it has).</summary>
    public TimeSpan WallUntil(DateTimeOffset at) => WallTime(at - VirtualNow);

    /// <summary>
    /// Plays <paramref name="scenario"/>'s script on this book (<c>--scenario</c>): from now on orders fill only as the
    /// script says (no market order fills at once, no limit order fills as the price path crosses it), and a
    /// create-order must carry one of the script's client order ids. Called once, before the server accepts connections.
    /// </summary>
    public ScenarioPlayer Play(WireScenario scenario, WireFaults faults, TextWriter log)
    {
        lock (_gate)
        {
            _player = new ScenarioPlayer(scenario, _world, _exchange, product => _prices[product], order => _open.Add(order), faults, log);
            return _player;
        }
    }

    /// <summary>Runs <paramref name="action"/> under the book's lock after bringing virtual time up to now.</summary>
    public T Run<T>(Func<BookView, T> action)
    {
        lock (_gate)
        {
            _world.RunUntil(VirtualNow);
            return action(new BookView(this));
        }
    }

    /// <summary>Brings virtual time up to now (fills and expiries that fell due), outside any request.</summary>
    public void Advance() => Run(_ => 0);

    /// <summary>What a request handler may do while it holds the lock.</summary>
    internal readonly struct BookView(ExchangeBook book)
    {
        public DateTimeOffset Now => book._world.Now;
        public IReadOnlyList<ExchangeOrder> Orders => book._exchange.Orders;
        public IReadOnlyList<(ExchangeOrder Order, ExchangeTrade Trade)> Trades => book._exchange.Trades;
        public ExchangeOrder? Find(string orderId) => book._exchange.Find(orderId);
        public decimal Price(string product) => book._prices[product];
        public PlaceResult Place(PlaceRequest request) => book.Place(request);
        public string? Cancel(string orderId) => book._exchange.Cancel(orderId);
        public IReadOnlyList<(string Currency, string Name, decimal Balance, decimal Hold)> Accounts() => book.Accounts();

        /// <summary>The scenario being played, or null.</summary>
        public ScenarioPlayer? Player => book._player;

        /// <summary>A client was authenticated: the scenario's script (if any) starts its clock.</summary>
        public void ClientArrived() => book._player?.Start();
    }

    private PlaceResult Place(PlaceRequest request)
    {
        if (_player is { } player)
        {
            return PlaceScripted(player, request);
        }
        if (_exchange.FindByClientOrderId(request.ClientOrderId) is { } existing)
        {
            return new PlaceResult(existing, true, null, null);
        }
        return PlaceChecked(request);
    }

    /// <summary>
    /// With <c>--scenario</c>: only the script's client order ids are accepted, each as its step describes it; the
    /// step's ack decides the answer (held, lost or a refusal), and the order waits for the script's fills.
    /// </summary>
    private PlaceResult PlaceScripted(ScenarioPlayer player, PlaceRequest request)
    {
        var latency = new ScriptedAnswer(player.Scenario.Scenario.Latency.Ack, false);
        if (_exchange.FindByClientOrderId(request.ClientOrderId) is { } existing)
        {
            // The script's resend_answer: the original order (the default), or a refusal that places nothing either.
            return player.Scenario.Scenario.ResendAnswer == ResendAnswer.Error
                ? new PlaceResult(null, false, SimulatedExchange.DuplicateClientOrderId, "the client order id is already in use") { Answer = latency }
                : new PlaceResult(existing, true, null, null) { Answer = latency };
        }
        if (player.Scenario.ForClientOrderId(request.ClientOrderId) is not { } planned)
        {
            return Refuse("INVALID_REQUEST", $"client_order_id {request.ClientOrderId} is not one of scenario {player.Scenario.Scenario.Name}'s orders (GET /sim/scenario lists them)");
        }
        if (ScenarioPlayer.Mismatch(planned, request) is { } problem)
        {
            return Refuse("INVALID_REQUEST", problem);
        }
        var ack = player.Attempt(planned);
        if (ack is AckReject)
        {
            return Refuse("INSUFFICIENT_FUND", "Insufficient balance in source account") with { Answer = player.Answer(planned, ack, null) };
        }
        var result = PlaceChecked(request);
        if (result.Order is not { } order)
        {
            return result with { Answer = latency };
        }
        player.Placed(planned, order);
        return result with { Answer = player.Answer(planned, ack, order.OrderId) };
    }

    /// <summary>A new order as Coinbase checks it: product, configuration, price and size rules, funds.</summary>
    private PlaceResult PlaceChecked(PlaceRequest request)
    {
        if (Products.Find(request.ProductId) is not { } product)
        {
            return Refuse("INVALID_PRODUCT_ID", $"product {request.ProductId} is not traded here");
        }
        if (request.Attached is { } attached)
        {
            // Placing the entry alone would leave a bot waiting for a take-profit / stop-loss order that never exists.
            return Refuse("UNSUPPORTED_ORDER_CONFIGURATION", $"attached_order_configuration {attached} is not supported by the simulated exchange: it places no bracket orders");
        }
        var price = _prices[product.Id];
        var isLimit = request.Configuration is "limit_limit_gtc" or "limit_limit_gtd";
        if (!isLimit && request.Configuration != "market_market_ioc")
        {
            return Refuse("UNSUPPORTED_ORDER_CONFIGURATION", $"order configuration {request.Configuration} is not supported by the simulated exchange");
        }
        decimal? limit = null;
        if (isLimit)
        {
            if (request.LimitPrice is not { } limitPrice)
            {
                return Refuse("INVALID_LIMIT_PRICE", "limit_price is required");
            }
            if (product.PriceProblem(limitPrice) is { } priceProblem)
            {
                return Refuse(priceProblem.Reason, priceProblem.Message);
            }
            if (request.PostOnly && (request.Side == Side.Buy ? limitPrice >= price : limitPrice <= price))
            {
                return Refuse("INVALID_LIMIT_PRICE_POST_ONLY", "a post-only order would cross the book");
            }
            if (request.Configuration == "limit_limit_gtd" && (request.EndTime is not { } end || end <= _world.Now))
            {
                return Refuse("INVALID_REQUEST", "end_time must be in the future for a good-till-date order");
            }
            limit = limitPrice;
        }
        decimal size;
        if (request.BaseSize is { } baseSize)
        {
            size = baseSize;
        }
        else if (request.QuoteSize is { } quoteSize && !isLimit)
        {
            // The book keeps base sizes only: a quote-sized market order is converted at the current price, rounded down.
            size = Math.Floor(quoteSize / price / product.BaseIncrement) * product.BaseIncrement;
        }
        else
        {
            return Refuse("INVALID_REQUEST", "base_size is required");
        }
        if (product.SizeProblem(size) is { } sizeProblem)
        {
            return Refuse(sizeProblem.Reason, sizeProblem.Message);
        }
        var accounts = Accounts();
        if (request.Side == Side.Buy)
        {
            var quote = accounts.First(a => a.Currency == product.Quote);
            var cost = size * (limit ?? price * 1.01m) * (1m + ExchangeRules.TakerFeeRate);
            if (cost > quote.Balance - quote.Hold)
            {
                return Refuse("INSUFFICIENT_FUND", "Insufficient balance in source account");
            }
        }
        else
        {
            var baseAccount = accounts.First(a => a.Currency == product.Base);
            if (size > baseAccount.Balance - baseAccount.Hold)
            {
                return Refuse("INSUFFICIENT_FUND", "Insufficient balance in source account");
            }
        }
        var order = _exchange.PlaceManual(product.Id, request.Side, size, limit, request.ClientOrderId);
        _open.Add(order);
        if (limit is null && _player is null)
        {
            FillMarket(order, product);
        }
        else if (request.Configuration == "limit_limit_gtd" && request.EndTime is { } endTime)
        {
            _world.At(endTime, () => _exchange.Expire(order.OrderId));
        }
        return new PlaceResult(order, false, null, null);
    }

    private static PlaceResult Refuse(string reason, string message) => new(null, false, reason, message);

    /// <summary>A market order fills at once, in seeded partials around the current price (or exactly <c>--market-partials</c>).</summary>
    private void FillMarket(ExchangeOrder order, Product product)
    {
        var parts = _marketPartials ?? _fillDraws.NextInRange(1, MarketPartialsMax);
        for (var i = 1; i <= parts && !order.Status.IsTerminal(); i++)
        {
            var quantity = i == parts ? order.Unfilled
                : _marketPartials is not null ? EvenPart(order.Unfilled, parts - i + 1, product)
                : Part(order.Unfilled, product);
            var slip = _fillDraws.NextInRange(-5, 5) / 10_000m;
            var price = Round(_prices[product.Id] * (1m + slip), product.QuoteIncrement);
            _exchange.Fill(order.OrderId, quantity, price);
        }
    }

    /// <summary>A seeded share (30 to 100 percent) of what is left, on the base increment; all of it when the rest would be dust.</summary>
    private decimal Part(decimal unfilled, Product product)
    {
        var percent = _fillDraws.NextInRange(30, 100);
        var part = Math.Floor(unfilled * percent / 100m / product.BaseIncrement) * product.BaseIncrement;
        return part <= 0m || unfilled - part < product.BaseIncrement ? unfilled : part;
    }

    /// <summary>One of <paramref name="partsLeft"/> equal shares of what is left, on the base increment (at least one increment).</summary>
    private static decimal EvenPart(decimal unfilled, long partsLeft, Product product) =>
        Math.Min(unfilled, Math.Max(product.BaseIncrement, Math.Floor(unfilled / partsLeft / product.BaseIncrement) * product.BaseIncrement));

    private static decimal Round(decimal value, decimal increment) => Math.Round(value / increment, MidpointRounding.ToEven) * increment;

    /// <summary>One step of every price path, then every open limit order the new price crosses fills (in part) at its limit.</summary>
    private void Tick()
    {
        foreach (var product in Products.All)
        {
            var step = _paths[product.Id].NextInRange(-PathStepBasisPointsMax, PathStepBasisPointsMax) / 10_000m;
            _prices[product.Id] = Math.Max(product.QuoteIncrement, Round(_prices[product.Id] * (1m + step), product.QuoteIncrement));
        }
        _open.RemoveAll(o => o.Status.IsTerminal());
        // A scenario's orders fill only as its script says.
        foreach (var order in _open.Where(o => o.IsLimit && _player is null).ToList())
        {
            var product = Products.Find(order.Product)!;
            var price = _prices[product.Id];
            var crossed = order.Side == Side.Buy ? price <= order.LimitPrice : price >= order.LimitPrice;
            if (crossed)
            {
                _exchange.Fill(order.OrderId, Part(order.Unfilled, product), order.LimitPrice);
            }
        }
        _world.After(TickInterval, Tick);
    }

    /// <summary>
    /// Each currency's balance (start, plus and minus every trade and fee) and hold (what open orders reserve). Trades are
    /// applied once each as they appear, and only open orders are walked, so a create-order costs no more as the book grows.
    /// </summary>
    private List<(string Currency, string Name, decimal Balance, decimal Hold)> Accounts()
    {
        var trades = _exchange.Trades;
        for (; _tradesApplied < trades.Count; _tradesApplied++)
        {
            var (order, trade) = trades[_tradesApplied];
            var product = Products.Find(order.Product)!;
            var sign = order.Side == Side.Buy ? 1m : -1m;
            _balances[product.Base] += sign * trade.Size;
            _balances[product.Quote] -= (sign * trade.Size * trade.Price) + trade.Commission;
        }
        var balances = _balances;
        var holds = Products.Balances.ToDictionary(b => b.Currency, _ => 0m, StringComparer.Ordinal);
        _open.RemoveAll(o => o.Status.IsTerminal());
        foreach (var order in _open)
        {
            var product = Products.Find(order.Product)!;
            if (order.Side == Side.Buy)
            {
                holds[product.Quote] += order.Unfilled * (order.LimitPrice ?? 0m) * (1m + ExchangeRules.MakerFeeRate);
            }
            else
            {
                holds[product.Base] += order.Unfilled;
            }
        }
        return Products.Balances.Select(b => (b.Currency, b.Name, balances[b.Currency], holds[b.Currency])).ToList();
    }
}
