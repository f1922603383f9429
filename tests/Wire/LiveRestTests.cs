using System.Collections.Immutable;
using Linkage.Coinbase;
using Linkage.Engine;
using Linkage.Host;
using Linkage.Live;

namespace Linkage.Wire.Tests;

/// <summary>
/// <see cref="CoinbaseRestClient"/> against the exchange as a real process: a create-order and every GET the host asks
/// answer in shapes our own parsers read with nothing refused, and pages follow the cursor to the end.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class LiveRestTests : LiveServerFixture
{
    private CoinbaseRestClient _rest = null!;

    [OneTimeSetUp]
    public void CreateClient() => _rest = CoinbaseRestClient.Create(Live.Endpoints(Server), Key, TimeProvider.System, Logs);

    [OneTimeTearDown]
    public void DisposeClient() => _rest?.Dispose();

    private async Task<string> Place(string body)
    {
        var answer = await _rest.CreateOrderAsync(body, CancellationToken.None);
        Assert.That(answer.Status, Is.EqualTo(200), answer.Body);
        var parsed = CoinbaseParser.ParseCreateOrderResponse(answer.Body);
        Assert.That(parsed.TryGetValue(out var response), Is.True, parsed.Error?.ToString());
        Assert.That(response!.Kind, Is.EqualTo(CreateOrderResponseKind.Success), answer.Body);
        return response.ExchangeOrderId!.Value.Value;
    }

    private async Task<T> Get<T>(RestCall call, Func<string, ParseResult<T>> parse)
    {
        var answer = await _rest.SendAsync(call, CancellationToken.None);
        Assert.That(answer.Status, Is.EqualTo(200), $"{call}: {answer.Body}");
        var parsed = parse(answer.Body);
        Assert.That(parsed.IsSuccess, Is.True, $"{call}: our parser refused the answer: {parsed.Error}\n{answer.Body}");
        return parsed.Value;
    }

    [Test]
    public async Task A_create_order_and_every_get_of_the_host_round_trip_through_our_parsers()
    {
        var since = DateTimeOffset.UtcNow.AddMinutes(-1);
        var coid = Live.NewCoid();
        var answer = await _rest.CreateOrderAsync(Live.Market(coid, size: "0.02"), CancellationToken.None);
        Assert.That(answer.Status, Is.EqualTo(200), answer.Body);
        var response = CoinbaseParser.ParseCreateOrderResponse(answer.Body).Value;
        var outcome = CoinbaseParser.ToPlacementOutcome(response, DateTimeOffset.UtcNow, ClientOrderId.From(coid));
        Assert.That(outcome.TryGetValue(out var placement), Is.True, outcome.Error?.ToString());
        Assert.That(placement!.Result, Is.EqualTo(PlacementResult.Accepted));
        var filled = placement.ExchangeOrderId!.Value.Value;
        var open = await Place(Live.Limit(Live.NewCoid(), "1000.00"));

        var report = await Get(new GetOrderCall(filled), CoinbaseParser.ParseGetOrder);
        Assert.That(report.State.ExchangeOrderId.Value, Is.EqualTo(filled));
        Assert.That(report.State.ClientOrderId?.Value, Is.EqualTo(coid));
        Assert.That(report.State.Status, Is.EqualTo(OrderStatus.Filled));
        Assert.That(report.State.CumulativeQuantity, Is.EqualTo(0.02m));

        var orders = await Get(new ListOpenOrdersCall(null, 100), CoinbaseParser.ParseListOrders);
        var listed = orders.Orders.Select(o => o.State.ExchangeOrderId.Value).ToList();
        Assert.That(listed, Does.Contain(open));
        Assert.That(listed, Does.Not.Contain(filled), "only OPEN orders are asked for");

        var fills = await Get(new ListFillsCall([filled], null, 100), CoinbaseParser.ParseListFills);
        Assert.That(fills.Fills, Is.Not.Empty);
        Assert.That(fills.Fills.Select(f => f.Fill.Key.Order.Value), Is.All.EqualTo(filled));
        Assert.That(fills.Fills.Sum(f => f.Fill.Size), Is.EqualTo(0.02m), "the fills add up to the order's filled size");

        var recent = await Get(new ListFillsSinceCall(since, null, 1000), CoinbaseParser.ParseListFills);
        Assert.That(fills.Fills.Select(f => f.Fill.Key.Key), Is.SubsetOf(recent.Fills.Select(f => f.Fill.Key.Key)));
        var future = await Get(new ListFillsSinceCall(DateTimeOffset.UtcNow.AddHours(1), null, 1000), CoinbaseParser.ParseListFills);
        Assert.That(future.Fills, Is.Empty, "start_sequence_timestamp filters: nothing happened in the future");

        // A refusal is an answer too, and the engine reads it as a rejection.
        var refused = await _rest.CreateOrderAsync(Live.Limit(Live.NewCoid(), "1.00", product: "NOPE-USD"), CancellationToken.None);
        Assert.That(refused.Status, Is.EqualTo(200));
        Assert.That(CoinbaseParser.ParseCreateOrderResponse(refused.Body).Value.Kind, Is.EqualTo(CreateOrderResponseKind.Failure));

        var missing = await _rest.SendAsync(new GetOrderCall("00000000-0000-0000-0000-000000000000"), CancellationToken.None);
        Assert.That(missing.Status, Is.EqualTo(404), "an unknown order is answered, not retried into a failure");
        Assert.That(Logs.WithId(1), Is.Empty, "nothing here was retried");
        Assert.That(Logs.Entries.Where(e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Warning), Is.Empty, "answers, refusals and 404s are no warnings");
    }

    // Planted once: a cancellation was answered as status 0 like a timeout: no exception, and the test failed.
    [Test]
    public void A_cancelled_request_throws_rather_than_answering_status_0()
    {
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAsync(Is.InstanceOf<OperationCanceledException>(), () => _rest.SendAsync(new ListOpenOrdersCall(null, 5), cancelled.Token));
        Assert.ThrowsAsync(Is.InstanceOf<OperationCanceledException>(), () => _rest.CreateOrderAsync(Live.Limit(Live.NewCoid(), "1000.00"), cancelled.Token));
    }

    // Planted once: the cursor was not sent (RestPaths dropped it): every page was the first, and the test failed at
    // its bound on the number of pages.
    // Planted once: order_ids joined with commas into one value. The simulated exchange reads both spellings, so this
    // test passed; A_list_fills_call_repeats_the_order_ids_key_and_escapes_times failed.
    [Test]
    public async Task Pages_follow_the_cursor_to_the_end()
    {
        var mine = new HashSet<string>();
        for (var i = 0; i < 7; i++)
        {
            mine.Add(await Place(Live.Limit(Live.NewCoid(), "1.00", size: "1", product: "SOL-USD")));
        }
        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var page = await Get(new ListOpenOrdersCall(cursor, 3), CoinbaseParser.ParseListOrders);
            Assert.That(page.Orders.Length, Is.LessThanOrEqualTo(3), "limit is sent");
            seen.AddRange(page.Orders.Select(o => o.State.ExchangeOrderId.Value));
            cursor = page.HasNext ? page.Cursor : null;
            Assert.That(++pages, Is.LessThan(50), "the pages end");
        }
        while (cursor is not null);
        Assert.That(seen, Is.Unique, "no order on two pages");
        Assert.That(mine, Is.SubsetOf(seen));
        Assert.That(pages, Is.GreaterThanOrEqualTo(3));

        var markets = new List<string>();
        for (var i = 0; i < 4; i++)
        {
            markets.Add(await Place(Live.Market(Live.NewCoid(), size: "0.1", product: "ETH-USD")));
        }
        var all = await Get(new ListFillsCall([.. markets], null, 1000), CoinbaseParser.ParseListFills);
        Assert.That(all.IsLastPage, Is.True);
        var entries = new List<string>();
        pages = 0;
        cursor = null;
        do
        {
            var page = await Get(new ListFillsCall([.. markets], cursor, 2), CoinbaseParser.ParseListFills);
            Assert.That(page.Fills.Length, Is.LessThanOrEqualTo(2));
            entries.AddRange(page.Fills.Select(f => f.Fill.Key.Key));
            cursor = page.IsLastPage ? null : page.Cursor;
            Assert.That(++pages, Is.LessThan(50), "the pages end");
        }
        while (cursor is not null);
        Assert.That(entries, Is.Unique);
        Assert.That(entries, Is.EquivalentTo(all.Fills.Select(f => f.Fill.Key.Key)), "paging gives exactly the rows of one big page");
        Assert.That(pages, Is.GreaterThanOrEqualTo(2), "4 market orders fill in at least 4 trades: at least 2 pages of 2");
    }

    // Coinbase's array parameters repeat the key (docs/formats.md section 5); the exchange also reads comma lists, so
    // the URL itself is checked.
    [Test]
    public void A_list_fills_call_repeats_the_order_ids_key_and_escapes_times()
    {
        var at = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.FromHours(2));
        var fills = RestPaths.For(new Uri("https://api.coinbase.com"), new ListFillsCall(["a", "b"], "c1", 50));
        Assert.That(fills.PathAndQuery, Is.EqualTo("/api/v3/brokerage/orders/historical/fills?order_ids=a&order_ids=b&limit=50&cursor=c1"));
        var since = RestPaths.For(new Uri("https://api.coinbase.com/"), new ListFillsSinceCall(at, null, 100));
        Assert.That(since.PathAndQuery, Is.EqualTo("/api/v3/brokerage/orders/historical/fills?start_sequence_timestamp=2026-01-02T01%3A04%3A05.000Z&limit=100"));
        var open = RestPaths.For(new Uri("http://127.0.0.1:9/prefix/"), new ListOpenOrdersCall(null, 5));
        Assert.That(open.AbsoluteUri, Is.EqualTo("http://127.0.0.1:9/prefix/api/v3/brokerage/orders/historical/batch?order_status=OPEN&limit=5"));
        Assert.Throws<ArgumentException>(() => RestPaths.For(new Uri("https://api.coinbase.com"), new ListFillsCall(ImmutableArray<string>.Empty, null, 5)),
            "a List Fills with no order id would list the whole account");
    }
}
