using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Linkage.Engine;
using Linkage.Host;
using Linkage.Properties.Stores;
using Linkage.Serve;
using Linkage.Stores.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Linkage.Properties.Serve;

/// <summary>
/// The daemon commits WebSocket messages (and intents of callers that place their own orders) that queued up while its
/// loop was busy as one burst (one transaction, one sync to disk) instead of one commit each. Measured with <c>linkage load</c> on SQLite at 1,000 fills per second:
/// one commit per message kept up with about half that rate, and fill-to-link latency grew to seconds (p50 6.1 s);
/// with bursts, p50 1.3 ms (benchmarks/README.md, "Daemon load"); intake went from about 1,700 to over 2,000 intents
/// per second. Here: the loop is held busy while messages (or intents) arrive, then every fill must be linked, chained
/// within the burst, every intent answered as it would be alone, and the burst committed as a group.
/// </summary>
public sealed class LiveDriverBurstTests
{
    private const int Orders = 20;
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    /// <summary>A feed that connects, then hands over whatever the test delivers, all at once, and stays open.</summary>
    private sealed class HeldFeed : IExchangeFeed
    {
        private readonly TaskCompletionSource<IReadOnlyList<string>> _frames = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _delivered = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Deliver(IReadOnlyList<string> frames)
        {
            _frames.TrySetResult(frames);
            return _delivered.Task;
        }

        public async Task<FeedEnding> RunOnceAsync(Func<string, DateTimeOffset, ValueTask> onMessage, CancellationToken cancellation)
        {
            try
            {
                foreach (var frame in await _frames.Task.WaitAsync(cancellation))
                {
                    await onMessage(frame, DateTimeOffset.UtcNow);
                }
                _delivered.TrySetResult();
                await Task.Delay(Timeout.Infinite, cancellation);
            }
            catch (OperationCanceledException)
            {
            }
            return new FeedEnding("cancelled", "test over");
        }
    }

    /// <summary>No exchange answers: the start's reconciliation ends at its first request.</summary>
    private sealed class SilentRest : IExchangeRest
    {
        public Task<RestResponse> CreateOrderAsync(string requestJson, CancellationToken cancellation) => Task.FromResult(new RestResponse(0, ""));

        public Task<RestResponse> SendAsync(RestCall call, CancellationToken cancellation) => Task.FromResult(new RestResponse(0, ""));
    }

    private static string Intent(int i, string size = "0.02", string? clientOrderId = null)
    {
        var intent = new Dictionary<string, object>
        {
            ["snapshot_id"] = $"burst-{i.ToString(CultureInfo.InvariantCulture)}",
            ["score"] = new Dictionary<string, object> { ["Buy Score"] = 0.7 },
            ["trigger"] = "burst",
            ["pair"] = "BTC-USD",
            ["side"] = "buy",
            ["size"] = size,
            ["timestamp"] = "2026-12-01T12:00:00.000Z",
        };
        if (clientOrderId is not null)
        {
            intent["client_order_id"] = clientOrderId;
        }
        return JsonSerializer.Serialize(intent);
    }

    /// <summary>A <c>user</c> update of our market order, as Coinbase writes one.</summary>
    private static string Update(long sequence, string coid, int i, string status, decimal cumulative) => JsonSerializer.Serialize(new Dictionary<string, object>
    {
        ["channel"] = "user",
        ["client_id"] = "",
        ["timestamp"] = "2026-12-01T12:00:01.000000000Z",
        ["sequence_num"] = sequence,
        ["events"] = new[]
        {
            new Dictionary<string, object>
            {
                ["type"] = "update",
                ["orders"] = new[]
                {
                    new Dictionary<string, string>
                    {
                        ["order_id"] = $"00000000-0000-4000-8000-{i.ToString("D12", CultureInfo.InvariantCulture)}",
                        ["client_order_id"] = coid,
                        ["product_id"] = "BTC-USD",
                        ["product_type"] = "SPOT",
                        ["order_side"] = "BUY",
                        ["order_type"] = "Market",
                        ["time_in_force"] = "IMMEDIATE_OR_CANCEL",
                        ["status"] = status,
                        ["limit_price"] = "",
                        ["stop_price"] = "",
                        ["post_only"] = "false",
                        ["cumulative_quantity"] = cumulative.ToString(CultureInfo.InvariantCulture),
                        ["leaves_quantity"] = (0.02m - cumulative).ToString(CultureInfo.InvariantCulture),
                        ["avg_price"] = "64000",
                        ["filled_value"] = (cumulative * 64000m).ToString(CultureInfo.InvariantCulture),
                        ["total_fees"] = (cumulative * 384m).ToString(CultureInfo.InvariantCulture),
                        ["number_of_fills"] = status == "FILLED" ? "2" : "1",
                        ["completion_percentage"] = (cumulative / 0.02m * 100m).ToString(CultureInfo.InvariantCulture),
                        ["total_value_after_fees"] = "0",
                        ["outstanding_hold_amount"] = "0",
                        ["cancel_reason"] = "",
                        ["reject_reason"] = "",
                        ["trigger_status"] = "INVALID_ORDER_TYPE",
                        ["creation_time"] = "2026-12-01T12:00:00.500000Z",
                        ["start_time"] = "0001-01-01T00:00:00Z",
                        ["end_time"] = "0001-01-01T00:00:00Z",
                    },
                },
            },
        },
    });

    /// <summary>Holds the driver's loop busy until the returned event is set (waits until the loop is held).</summary>
    private static async Task<(Task Held, ManualResetEventSlim Release)> Hold(LiveDriver driver)
    {
        var entered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new ManualResetEventSlim();
        var held = driver.Ask(() =>
        {
            entered.TrySetResult();
            release.Wait(TimeSpan.FromSeconds(30));
            return (0, ImmutableArray<HostCommand>.Empty);
        });
        await entered.Task;
        return (held, release);
    }

    [Test]
    public async Task Intents_that_queue_while_the_loop_is_busy_are_staged_in_one_group_commit_and_answered_as_alone()
    {
        using var folder = new TempDirectory("linkage-burst");
        using var store = SqliteStore.Open(new SqliteStoreOptions { Path = folder.File("burst.db") });
        var correlator = new GroupCommitCorrelator(store);
        var driver = new LiveDriver(processed => new WebhookHost(correlator, new StoreLedger(store), Linkage.Host.HostOptions.Default, processed),
            new SilentRest(), new HeldFeed(), TimeProvider.System, NullLogger.Instance, new DaemonMetrics(), KillSwitch.None);
        await using (driver)
        {
            driver.Start();
            var (held, release) = await Hold(driver);
            using (release)
            {
                var answers = Enumerable.Range(0, Orders).Select(i => driver.StageCallerIntent(Intent(i))).ToList();
                var again = driver.StageCallerIntent(Intent(3));
                var invalid = driver.StageCallerIntent("{\"snapshot_id\": \"x\"}");
                var conflicting = driver.StageCallerIntent(Intent(4, size: "0.03", clientOrderId: ClientOrderIdOf(4)));
                release.Set();
                await held;
                var staged = await Task.WhenAll(answers);
                Assert.Multiple(() =>
                {
                    Assert.That(correlator.GroupCommits, Is.GreaterThanOrEqualTo(1), "the queued intents were committed as a group");
                    Assert.That(staged.Select(a => a.Status).Distinct(), Is.EqualTo(new[] { IntakeStatus.Staged }));
                    Assert.That(staged.Select(a => a.ClientOrderId!.Value.Value), Is.EqualTo(Enumerable.Range(0, Orders).Select(ClientOrderIdOf)));
                    Assert.That(again.Result.Status, Is.EqualTo(IntakeStatus.AlreadyStaged), "the same intent twice in one burst");
                    Assert.That(invalid.Result.Status, Is.EqualTo(IntakeStatus.Invalid));
                    Assert.That(conflicting.Result.Status, Is.EqualTo(IntakeStatus.Conflict), "another intent under an id staged earlier in the burst");
                    Assert.That(Enumerable.Range(0, Orders).All(i => store.FindByClientOrderId(ClientOrderId.From(ClientOrderIdOf(i))) is { Intent.PlacedByCaller: true }), Is.True,
                        "every staged intent is in the store, to be placed by its caller");
                });
            }
        }
    }

    [Test]
    public async Task A_create_order_that_never_gets_a_usable_answer_leaves_no_waiter_once_its_caller_stops_waiting()
    {
        using var store = new MemoryStore();
        var driver = new LiveDriver(processed => new WebhookHost(new EngineCorrelator(store), new StoreLedger(store), Linkage.Host.HostOptions.Default, processed),
            new SilentRest(), new HeldFeed(), TimeProvider.System, NullLogger.Instance, new DaemonMetrics(), KillSwitch.None);
        await using (driver)
        {
            driver.Start();
            var waits = new List<(ClientOrderId Coid, Task<RestResponse> Answer)>();
            for (var i = 0; i < 5; i++)
            {
                var payload = Intent(i);
                waits.Add(await driver.Ask(() =>
                {
                    var staged = driver.Host.StageIntent(T0, payload, place: true);
                    var coid = staged.Answer.ClientOrderId!.Value;
                    return ((coid, driver.PlacementAnswer(coid)), staged.Commands);
                }));
            }
            // Every create-order gets no usable answer (status 0): nothing completes the waiters but their callers giving up.
            var waiting = await driver.Ask(() => (driver.PlacementWaiters, ImmutableArray<HostCommand>.Empty));
            foreach (var (coid, answer) in waits)
            {
                driver.ForgetPlacement(coid, answer);
            }
            var left = await driver.Ask(() => (driver.PlacementWaiters, ImmutableArray<HostCommand>.Empty));
            Assert.Multiple(() =>
            {
                Assert.That(waiting, Is.EqualTo(5), "one waiter per create-order sent");
                Assert.That(waits.Select(w => w.Answer.IsCompleted), Is.All.False, "no answer came");
                Assert.That(left, Is.Zero, "a caller that stopped waiting leaves no waiter behind");
            });
        }
    }

    /// <summary>The client order id the daemon mints for <see cref="Intent"/> number <paramref name="i"/> (placed by its caller).</summary>
    private static string ClientOrderIdOf(int i)
    {
        Assert.That(Linkage.Coinbase.IntentPayloadParser.Parse(Intent(i), T0).TryGetValue(out var intent), Is.True);
        return ClientOrderIds.For(intent! with { PlacedByCaller = true }).Value;
    }

    [Test]
    public async Task Messages_that_queue_while_the_loop_is_busy_are_linked_in_one_group_commit()
    {
        using var folder = new TempDirectory("linkage-burst");
        using var store = SqliteStore.Open(new SqliteStoreOptions { Path = folder.File("burst.db") });
        var correlator = new GroupCommitCorrelator(store);
        var feed = new HeldFeed();
        var metrics = new DaemonMetrics();
        var driver = new LiveDriver(processed => new WebhookHost(correlator, new StoreLedger(store), Linkage.Host.HostOptions.Default, processed),
            new SilentRest(), feed, TimeProvider.System, NullLogger.Instance, metrics, KillSwitch.None);
        await using (driver)
        {
            driver.Start();
            var coids = new List<string>();
            for (var i = 0; i < Orders; i++)
            {
                var payload = Intent(i);
                var coid = await driver.Ask(() =>
                {
                    var staged = driver.Host.StageIntent(T0, payload, place: false);
                    return (staged.Answer.ClientOrderId!.Value.Value, staged.Commands);
                });
                coids.Add(coid);
            }

            // Hold the loop while every message arrives, as a commit in progress does under load.
            var (held, release) = await Hold(driver);
            using var releasing = release;
            var frames = new List<string>();
            long sequence = 0;
            for (var i = 0; i < Orders; i++)
            {
                // Two fills per order: the second chains on the first within the burst.
                frames.Add(Update(sequence++, coids[i], i, "OPEN", 0.01m));
                frames.Add(Update(sequence++, coids[i], i, "FILLED", 0.02m));
            }
            await feed.Deliver(frames).WaitAsync(TimeSpan.FromSeconds(30));
            release.Set();
            await held;

            var links = await driver.Ask(() => (store.Links(), ImmutableArray<HostCommand>.Empty));
            var latency = metrics.Latency();
            Assert.Multiple(() =>
            {
                Assert.That(correlator.GroupCommits, Is.GreaterThanOrEqualTo(1), "the queued messages were committed as a group");
                Assert.That(links, Has.Length.EqualTo(2 * Orders), "every fill linked");
                Assert.That(links.GroupBy(l => l.ClientOrderId).Select(g => g.Sum(l => l.To - l.From)).Distinct(), Is.EqualTo(new[] { 0.02m }), "each order linked in full, once");
                Assert.That(latency.Count, Is.EqualTo(2 * Orders), "a fill-to-link sample per link, timed from its own message");
            });
        }
    }
}
