using System.Collections.Immutable;
using Linkage.Coinbase;
using Linkage.Engine;
using Linkage.Host;
using Linkage.Properties.Coinbase;
using Linkage.Sim.Exchange;
using Linkage.Stores.Sqlite;

namespace Linkage.Properties.Host;

/// <summary>
/// The production host driven by hand, with no simulator: every event is a method call with its time, every command
/// is read off what the host returns, and every answer is a real Coinbase message (<see cref="Examples"/>). This is
/// what the live driver will do over HTTP and a WebSocket.
/// </summary>
public sealed class WebhookHostFakeDriverTests
{
    private static readonly DateTimeOffset T0 = new(2025, 3, 14, 15, 9, 20, TimeSpan.Zero);

    /// <summary>The strategy's intent: a BUY of 0.05 BTC-USD at 64250.00, the order of <see cref="Examples"/>.</summary>
    private const string Intent = """
        {"snapshot_id":"b042c0bb-6184-4d40-aa65-2f7c8d83a243","score":{"Buy Score":0.82,"Sell Score":null},
         "trigger":"roc_momo","pair":"BTC-USD","side":"buy","size":"0.05","price":"64250.00",
         "timestamp":"2025-03-14T15:09:20.000Z"}
        """;

    private static readonly ClientOrderId Minted = ClientOrderIds.For(IntentPayloadParser.Parse(Intent, T0).Value);

    private string _directory = null!;

    [SetUp]
    public void CreateDirectory() => _directory = Directory.CreateTempSubdirectory("linkage-host-").FullName;

    [TearDown]
    public void RemoveDirectory() => Directory.Delete(_directory, recursive: true);

    [Test]
    public void A_lost_create_order_answer_is_retried_with_the_same_client_order_id_then_its_fills_are_fetched()
    {
        using var store = new MemoryStore();
        var driver = new FakeDriver(store);
        driver.Take(driver.Host.Start(T0, T0.AddHours(1), reconcile: false));
        driver.Take(driver.Host.DeliverIntent(T0.AddSeconds(1), Intent));
        var staged = store.FindByClientOrderId(Minted);
        var first = driver.Single<SendCreateOrder>();
        var ackTimer = driver.Timers.Single(t => t.At == T0.AddSeconds(11));

        // No answer comes: the ack timer fires and the same request goes out again.
        driver.Take(driver.Host.TimerFired(ackTimer.At, ackTimer.TimerId));
        var unknown = store.FindByClientOrderId(Minted);
        var second = driver.Single<SendCreateOrder>();

        // The retry is answered with the order the first request created: the host fetches its state and fills.
        driver.Take(driver.Host.CreateOrderAnswered(T0.AddSeconds(12), Minted, Ours(Examples.CreateOrderSuccess)));
        var asked = driver.AnswerRest(T0.AddSeconds(12), Answer);
        var order = store.FindByClientOrderId(Minted)!;
        Assert.Multiple(() =>
        {
            Assert.That(staged?.Placement, Is.EqualTo(PlacementState.Staged), "the intent is staged before the request leaves");
            Assert.That(first.ClientOrderId, Is.EqualTo(Minted));
            Assert.That(second.RequestJson, Is.EqualTo(first.RequestJson), "the retry is the same request, same client order id");
            Assert.That(unknown?.Placement, Is.EqualTo(PlacementState.Unknown));
            Assert.That(asked, Is.EqualTo(new[] { "GetOrderCall", "ListFillsCall" }));
            Assert.That(order.Placement, Is.EqualTo(PlacementState.Accepted));
            Assert.That(order.ExchangeOrderId?.Value, Is.EqualTo(Examples.OrderId));
            Assert.That(store.Links().Sum(l => l.Quantity), Is.EqualTo(0.05m));
            Assert.That(driver.Host.IsWaitingForRest, Is.False);
        });
    }

    [Test]
    public void A_feed_gap_makes_the_host_reconcile_and_the_missed_fills_link_once()
    {
        using var store = new MemoryStore();
        var driver = Placed(store);
        driver.Take(driver.Host.FeedMessage(T0.AddSeconds(3), Examples.Subscriptions));
        driver.Take(driver.Host.FeedMessage(T0.AddSeconds(3), Examples.UserSnapshot));
        var beforeGap = driver.Commands.OfType<SendRest>().Count();

        // sequence_num jumps from 1 to 14: whatever was between is lost, and the host asks REST.
        driver.Take(driver.Host.FeedMessage(T0.AddSeconds(6), Ours(Examples.UserUpdate)));
        var asked = driver.AnswerRest(T0.AddSeconds(6), Answer);
        Assert.Multiple(() =>
        {
            Assert.That(beforeGap, Is.Zero, "contiguous sequence numbers need no reconciliation");
            Assert.That(asked, Is.EqualTo(new[] { "ListOpenOrdersCall", "GetOrderCall", "ListFillsCall", "ListFillsSinceCall" }));
            Assert.That(store.Links().Sum(l => l.Quantity), Is.EqualTo(0.05m), "the 0.02 the feed reported and the two fills REST listed link 0.05, not 0.07");
            Assert.That(store.FindByClientOrderId(Minted)!.Status, Is.EqualTo(OrderStatus.Filled));
        });
    }

    [Test]
    public void After_a_restart_on_the_same_file_the_new_life_reconciles_what_the_old_one_left_in_flight()
    {
        var path = Path.Combine(_directory, "linkage.db");
        using (var first = SqliteStore.Open(new SqliteStoreOptions { Path = path }))
        {
            var driver = Placed(first);
            driver.Take(driver.Host.FeedMessage(T0.AddSeconds(3), Examples.Subscriptions));
            driver.Take(driver.Host.FeedMessage(T0.AddSeconds(4), Ours(Examples.UserUpdate.Replace("\"sequence_num\":14", "\"sequence_num\":1", StringComparison.Ordinal))));
            driver.Take(driver.Host.Stop(T0.AddSeconds(5), abrupt: true));
            Assert.That(first.Links().Sum(l => l.Quantity), Is.EqualTo(0.02m));
        }
        using var second = SqliteStore.Open(new SqliteStoreOptions { Path = path });
        var restarted = new FakeDriver(second);
        restarted.Take(restarted.Host.Start(T0.AddMinutes(1), T0.AddHours(1), reconcile: true));
        var asked = restarted.AnswerRest(T0.AddMinutes(1), Answer);
        Assert.Multiple(() =>
        {
            Assert.That(restarted.Commands.OfType<OpenFeed>().Count(), Is.EqualTo(1));
            Assert.That(asked, Is.EqualTo(new[] { "ListOpenOrdersCall", "GetOrderCall", "ListFillsCall", "ListFillsSinceCall" }));
            Assert.That(second.Links().Sum(l => l.Quantity), Is.EqualTo(0.05m));
            Assert.That(second.InFlightOrders(), Is.Empty, "filled and fully linked: nothing is left in flight");
        });
    }

    /// <summary>A host whose intent was placed and acknowledged.</summary>
    [Test]
    public void An_intent_staged_for_the_caller_to_place_is_never_sent_and_links_when_the_feed_reports_its_order()
    {
        using var store = new MemoryStore();
        var driver = new FakeDriver(store);
        driver.Take(driver.Host.Start(T0, T0.AddHours(1), reconcile: false));
        var staged = driver.Host.StageIntent(T0.AddSeconds(1), Intent, place: false);
        driver.Take(staged.Commands);
        var again = driver.Host.StageIntent(T0.AddSeconds(2), Intent, place: false);
        driver.Take(again.Commands);
        var coid = staged.Answer.ClientOrderId!.Value;

        // A reconnect reconciles: the order is not known to the exchange yet, and the host must not place it itself.
        driver.Take(driver.Host.Reconnect(T0.AddSeconds(3)));
        driver.AnswerRest(T0.AddSeconds(3), _ => new RestResponse(200, """{"orders":[],"sequence":"0","has_next":false,"cursor":""}"""));

        // The caller placed it with that id: the feed reports it, and its fills link to the intent.
        driver.Take(driver.Host.FeedMessage(T0.AddSeconds(4), Examples.Subscriptions));
        driver.Take(driver.Host.FeedMessage(T0.AddSeconds(5), Examples.UserUpdate.Replace(Examples.ClientOrderId, coid.Value, StringComparison.Ordinal).Replace("\"sequence_num\":14", "\"sequence_num\":1", StringComparison.Ordinal)));
        Assert.Multiple(() =>
        {
            Assert.That(staged.Answer.Status, Is.EqualTo(IntakeStatus.Staged));
            Assert.That(again.Answer, Is.EqualTo(new IntakeAnswer(IntakeStatus.AlreadyStaged, coid)), "the same intent again answers the same id");
            Assert.That(driver.Commands.OfType<SendCreateOrder>(), Is.Empty, "the host never sends an order the caller places");
            Assert.That(store.FindByClientOrderId(coid)?.Intent.PlacedByCaller, Is.True);
            Assert.That(store.Links().Where(l => l.ClientOrderId == coid).Sum(l => l.Quantity), Is.GreaterThan(0m));
        });
    }

    [Test]
    public void The_intake_refuses_what_it_cannot_stage_and_stores_nothing_of_it()
    {
        using var store = new MemoryStore();
        var driver = new FakeDriver(store);
        driver.Take(driver.Host.Start(T0, T0.AddHours(1), reconcile: false));
        var placed = driver.Host.StageIntent(T0.AddSeconds(1), Intent, place: true);
        driver.Take(placed.Commands);
        var sameButCallerPlaces = driver.Host.StageIntent(T0.AddSeconds(2), Intent, place: false);
        var differentUnderSameId = driver.Host.StageIntent(T0.AddSeconds(2), Intent.Replace("\"size\":\"0.05\"", $"\"size\":\"0.06\",\"client_order_id\":\"{placed.Answer.ClientOrderId}\"", StringComparison.Ordinal), place: true);
        var malformed = driver.Host.StageIntent(T0.AddSeconds(3), Intent.Replace("\"0.05\"", "\"-1\"", StringComparison.Ordinal), place: true);
        var notJson = driver.Host.StageIntent(T0.AddSeconds(3), "{\"pair\":", place: true);
        Assert.Multiple(() =>
        {
            Assert.That(placed.Answer.Status, Is.EqualTo(IntakeStatus.Staged));
            Assert.That(placed.Commands.OfType<SendCreateOrder>().Single().ClientOrderId, Is.EqualTo(placed.Answer.ClientOrderId), "placed after staging");
            Assert.That(sameButCallerPlaces.Answer.Status, Is.EqualTo(IntakeStatus.Conflict));
            Assert.That(differentUnderSameId.Answer.Status, Is.EqualTo(IntakeStatus.Conflict));
            Assert.That(differentUnderSameId.Answer.Field, Is.EqualTo("client_order_id"));
            Assert.That(malformed.Answer.Status, Is.EqualTo(IntakeStatus.Invalid));
            Assert.That(malformed.Answer.Field, Is.EqualTo("size"));
            Assert.That(notJson.Answer.Status, Is.EqualTo(IntakeStatus.Invalid));
            Assert.That(store.Quarantine(), Is.Empty, "nothing the intake refuses reaches the store");
            Assert.That(store.Orders(), Has.Length.EqualTo(1));
        });
    }

    [Test]
    public void A_reconciliation_asked_for_while_one_runs_starts_after_it_with_one_request_in_flight_at_a_time()
    {
        using var store = new MemoryStore();
        var driver = Placed(store);
        driver.Take(driver.Host.FeedMessage(T0.AddSeconds(3), Examples.Subscriptions));
        // A reconnect starts a reconciliation; while its first request is out, a sequence gap asks for another.
        var reconnect = driver.Host.Reconnect(T0.AddSeconds(4));
        var first = reconnect.OfType<SendRest>().Single();
        driver.Take(driver.Host.FeedMessage(T0.AddSeconds(4), Examples.Subscriptions));
        driver.Take(driver.Host.FeedMessage(T0.AddSeconds(5), Ours(Examples.UserUpdate)));

        // Answer one request at a time, as a live driver does, and count how many each answer asks next.
        var perAnswer = new List<int>();
        var pending = new Queue<SendRest>([first]);
        var listings = 0;
        for (var guard = 0; guard < 100 && pending.TryDequeue(out var request); guard++)
        {
            listings += request.Call is ListOpenOrdersCall ? 1 : 0;
            var next = driver.Host.RestAnswered(T0.AddSeconds(6), request.RequestId, Answer(request.Call)).OfType<SendRest>().ToList();
            perAnswer.Add(next.Count);
            next.ForEach(pending.Enqueue);
        }
        Assert.Multiple(() =>
        {
            Assert.That(perAnswer, Is.All.LessThanOrEqualTo(1), "one REST request in flight at a time: each answer asks at most the next");
            Assert.That(listings, Is.EqualTo(2), "the reconciliation asked for while the first ran runs once after it");
            Assert.That(driver.Host.IsWaitingForRest, Is.False, "both conversations ended");
        });
    }

    [Test]
    public void A_quiet_legacy_feed_ticks_at_its_rest_polls_pace_and_asks_for_retention_every_ten_minutes()
    {
        using var store = new MemoryStore();
        var retentionAsks = new List<DateTimeOffset>();
        var options = HostOptions.Default with { LegacyFeed = true };
        var driver = new FakeDriver(new WebhookHost(new EngineCorrelator(store), new StoreLedger(store), options,
            (input, _) => { if (input is Tick tick) { retentionAsks.Add(tick.At); } }));
        driver.Take(driver.Host.Start(T0, T0.AddHours(2), reconcile: false));
        driver.Take(driver.Host.DeliverIntent(T0.AddSeconds(1), Intent));
        driver.Take(driver.Host.CreateOrderAnswered(T0.AddSeconds(2), Minted, Ours(Examples.CreateOrderSuccess)));

        // An order resting on the book for an hour, nothing filling: every timer fires in time order, every REST
        // question is answered at once with the order still open.
        var fired = 0;
        var listings = new List<DateTimeOffset>();
        while (driver.Timers.Where(t => t.At <= T0.AddHours(1)).MinBy(t => t.At) is { } next && fired++ < 10_000)
        {
            driver.Timers.Remove(next);
            driver.Take(driver.Host.TimerFired(next.At, next.TimerId));
            var asked = driver.AnswerRest(next.At, Resting);
            listings.AddRange(asked.Where(a => a == nameof(ListOpenOrdersCall)).Select(_ => next.At));
        }
        var quietFrom = T0.AddMinutes(5);
        var quietTimers = driver.Commands.OfType<SetTimer>().Where(t => t.At > quietFrom && t.At <= T0.AddHours(1)).Select(t => t.At).Order().ToList();
        var quietListings = listings.Where(at => at > quietFrom).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(store.FindByClientOrderId(Minted)?.Status.IsTerminal(), Is.False, "the order is still in flight");
            Assert.That(quietTimers.Zip(quietTimers.Skip(1), (a, b) => b - a), Is.All.GreaterThanOrEqualTo(options.LegacyReconcileInterval),
                "quiet, the host ticks at the REST poll's pace, not every 10 s");
            Assert.That(quietListings, Has.Count.InRange(50, 56), "the REST poll still runs every minute");
            Assert.That(retentionAsks.Zip(retentionAsks.Skip(1), (a, b) => b - a), Is.All.GreaterThanOrEqualTo(options.RetentionInterval),
                "retention is asked for at most every RetentionInterval");
            Assert.That(retentionAsks, Has.Count.InRange(5, 7), "and at least that often");
        });
    }

    [Test]
    public void A_resting_order_listed_unchanged_is_decided_again_only_after_the_design_writes()
    {
        using var store = new MemoryStore();
        var listedDecided = new List<DateTimeOffset>();
        var ledger = new CountingLedger(new StoreLedger(store));
        var options = HostOptions.Default with { LegacyFeed = true };
        var driver = new FakeDriver(new WebhookHost(new EngineCorrelator(store), ledger, options, (input, _) =>
        {
            if (input is OrderUpdate { FromReconciliation: true, Order.ExchangeOrderId.Value: Examples.OrderId })
            {
                listedDecided.Add(input.At);
            }
        }));
        driver.Take(driver.Host.Start(T0, T0.AddHours(2), reconcile: false));
        driver.Take(driver.Host.DeliverIntent(T0.AddSeconds(1), Intent));
        driver.Take(driver.Host.CreateOrderAnswered(T0.AddSeconds(2), Minted, Ours(Examples.CreateOrderSuccess)));

        // The order rests for an hour, nothing filling; the legacy feed polls REST every minute and every listing
        // reports the same state. Half-way, the design writes (another intent is staged): the state may mean something
        // new now (an intent staged again after a lost store binds the order its listing names), so it is decided again.
        var write = T0.AddMinutes(30);
        var written = false;
        var listings = 0;
        var fired = 0;
        while (driver.Timers.Where(t => t.At <= T0.AddHours(1)).MinBy(t => t.At) is { } next && fired++ < 10_000)
        {
            if (!written && next.At > write)
            {
                written = true;
                driver.Take(driver.Host.StageIntent(write, Intent.Replace("b042c0bb", "c042c0bb", StringComparison.Ordinal), place: false).Commands);
            }
            driver.Timers.Remove(next);
            driver.Take(driver.Host.TimerFired(next.At, next.TimerId));
            listings += driver.AnswerRest(next.At, Resting).Count(a => a == nameof(ListOpenOrdersCall));
        }
        Assert.Multiple(() =>
        {
            Assert.That(listings, Is.GreaterThan(50), "the REST poll runs every minute");
            Assert.That(listedDecided.Count(at => at < write), Is.EqualTo(1), "before the write, the unchanged state is decided once, not once per listing");
            Assert.That(listedDecided.Count(at => at > write), Is.EqualTo(1), "after the write, it is decided once again");
            Assert.That(ledger.InFlightAsked, Is.LessThan(listings / 4), $"the ledger's in-flight list is asked again only after a write ({ledger.InFlightAsked} asks, {listings} listings)");
            Assert.That(store.FindByClientOrderId(Minted)?.Status, Is.EqualTo(OrderStatus.Open));
        });
    }

    /// <summary>A ledger that counts how often the host asks it which orders are in flight.</summary>
    private sealed class CountingLedger(IHostLedger inner) : IHostLedger
    {
        public int InFlightAsked { get; private set; }

        public IReadOnlyList<InFlightOrder> InFlight()
        {
            InFlightAsked++;
            return inner.InFlight();
        }

        public IReadOnlyList<InFlightOrder> Terminal(DateTimeOffset since) => inner.Terminal(since);

        public decimal OpenQuantity(ProductId product, IReadOnlyList<ClientOrderId> closes) => inner.OpenQuantity(product, closes);

        public IReadOnlyList<ExchangeOrderId> ParkedOrders() => inner.ParkedOrders();

        public bool IsKnown(ClientOrderId clientOrderId) => inner.IsKnown(clientOrderId);

        public decimal? LinkedQuantity(ClientOrderId clientOrderId) => inner.LinkedQuantity(clientOrderId);

        public bool AwaitsPlacement(ClientOrderId clientOrderId) => inner.AwaitsPlacement(clientOrderId);

        public Intent? IntentOf(ClientOrderId clientOrderId) => inner.IntentOf(clientOrderId);

        public void Sent(ClientOrderId clientOrderId, Intent intent) => inner.Sent(clientOrderId, intent);

        public void Bound(ClientOrderId clientOrderId, ExchangeOrderId exchangeOrderId) => inner.Bound(clientOrderId, exchangeOrderId);
    }

    [Test]
    public void A_create_order_refused_as_a_duplicate_asks_for_one_reconciliation_not_one_per_refusal()
    {
        using var store = new MemoryStore();
        var driver = new FakeDriver(store);
        driver.Take(driver.Host.Start(T0, T0.AddHours(1), reconcile: false));
        driver.Take(driver.Host.DeliverIntent(T0.AddSeconds(1), Intent));

        // An exchange that holds the client order id but no longer lists the order (it filled and finished while the
        // feed was down), and answers every create-order with DUPLICATE_CLIENT_ORDER_ID: the host learns the id once,
        // by reconciling, and a reconciliation's re-send refused the same way must not start another.
        var duplicate = CoinbaseWire.CreateOrderFailure(0.05m, 64250.00m, SimulatedExchange.DuplicateClientOrderId, "the client order id is already in use");
        var creates = 0;
        var listings = 0;
        for (var round = 0; round < 50 && driver.Commands.Count(c => c is SendCreateOrder) > creates; round++)
        {
            creates++;
            driver.Take(driver.Host.CreateOrderAnswered(T0.AddSeconds(2 + round), Minted, duplicate));
            listings += driver.AnswerRest(T0.AddSeconds(2 + round), Answer).Count(a => a == nameof(ListOpenOrdersCall));
        }
        Assert.Multiple(() =>
        {
            Assert.That(listings, Is.EqualTo(1), "one reconciliation for the order whose answer left its outcome unknown");
            Assert.That(creates, Is.EqualTo(2), "the first create-order and the reconciliation's one re-send");
            Assert.That(store.FindByClientOrderId(Minted)?.Placement, Is.EqualTo(PlacementState.Unknown));
            Assert.That(driver.Host.IsWaitingForRest, Is.False);
        });
    }

    private static FakeDriver Placed(ILinkageStore store)
    {
        var driver = new FakeDriver(store);
        driver.Take(driver.Host.Start(T0, T0.AddHours(1), reconcile: false));
        driver.Take(driver.Host.DeliverIntent(T0.AddSeconds(1), Intent));
        driver.Take(driver.Host.CreateOrderAnswered(T0.AddSeconds(2), Minted, Ours(Examples.CreateOrderSuccess)));
        Assert.That(store.FindByClientOrderId(Minted)?.Placement, Is.EqualTo(PlacementState.Accepted));
        return driver;
    }

    /// <summary>What the fake exchange answers: the order filled in two trades.</summary>
    private static RestResponse Answer(RestCall call) => call switch
    {
        GetOrderCall get when get.OrderId == Examples.OrderId => new(200, Ours(Examples.GetOrder)),
        GetOrderCall => new(404, """{"error":"NOT_FOUND","code":5,"message":"order not found","details":[]}"""),
        ListOpenOrdersCall => new(200, """{"orders":[],"sequence":"0","has_next":false,"cursor":""}"""),
        ListFillsCall fills when fills.OrderIds.Contains(Examples.OrderId) => new(200, Examples.ListFills),
        _ => new(200, """{"fills":[],"cursor":""}"""),
    };

    /// <summary>What the fake exchange answers about an order resting on the book: open, nothing filled.</summary>
    private static RestResponse Resting(RestCall call)
    {
        var open = Ours(Examples.GetOrder).Replace("\"FILLED\"", "\"OPEN\"", StringComparison.Ordinal)
            .Replace("\"filled_size\":\"0.05\"", "\"filled_size\":\"0\"", StringComparison.Ordinal)
            .Replace("\"number_of_fills\":\"2\"", "\"number_of_fills\":\"0\"", StringComparison.Ordinal);
        return call switch
        {
            GetOrderCall => new(200, open),
            ListOpenOrdersCall => new(200, $$"""{"orders":[{{open[9..^1]}}],"sequence":"0","has_next":false,"cursor":""}"""),
            _ => new(200, """{"fills":[],"cursor":""}"""),
        };
    }

    /// <summary>The example message with our minted client order id in place of the example's.</summary>
    private static string Ours(string json) => json.Replace(Examples.ClientOrderId, Minted.Value, StringComparison.Ordinal);

    /// <summary>Carries out nothing by itself: it keeps the commands and timers, and answers REST when told.</summary>
    private sealed class FakeDriver(WebhookHost host)
    {
        public FakeDriver(ILinkageStore store)
            : this(new WebhookHost(new EngineCorrelator(store), new StoreLedger(store), HostOptions.Default with { Capture = true }))
        {
        }

        public WebhookHost Host { get; } = host;

        public List<HostCommand> Commands { get; } = [];

        public List<SetTimer> Timers { get; } = [];

        private readonly Queue<HostCommand> _unread = new();

        public void Take(ImmutableArray<HostCommand> commands)
        {
            foreach (var command in commands)
            {
                Commands.Add(command);
                _unread.Enqueue(command);
                if (command is SetTimer timer)
                {
                    Timers.Add(timer);
                }
            }
        }

        /// <summary>The one command of this type among those not yet looked at.</summary>
        public T Single<T>()
            where T : HostCommand
        {
            var found = _unread.OfType<T>().ToList();
            Assert.That(found, Has.Count.EqualTo(1), $"one {typeof(T).Name} expected among {string.Join(", ", _unread.Select(c => c.GetType().Name))}");
            _unread.Clear();
            return found[0];
        }

        /// <summary>Answers every REST request the host asks, one at a time, until it asks none; returns what was asked.</summary>
        public List<string> AnswerRest(DateTimeOffset at, Func<RestCall, RestResponse> answer)
        {
            var asked = new List<string>();
            for (var guard = 0; guard < 100 && _unread.Count > 0; guard++)
            {
                if (_unread.Dequeue() is SendRest rest)
                {
                    asked.Add(rest.Call.GetType().Name);
                    Take(Host.RestAnswered(at, rest.RequestId, answer(rest.Call)));
                }
            }
            return asked;
        }
    }
}
