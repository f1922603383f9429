using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using Linkage.Engine;
using Linkage.Sim.Server;
using Linkage.Wire.Tests;

namespace Linkage.EndToEnd.Tests;

/// <summary>One daemon of a run: how to start it, and what happened to it.</summary>
internal sealed class DaemonSlot(string name, string[] args, IDictionary<string, string>? environment, string? killAt, bool restart)
{
    public string Name { get; } = name;
    public DaemonProcess? Current { get; set; }
    public int Starts { get; set; }
    public List<string> Deaths { get; } = [];
    public bool Restart { get; } = restart;

    public DaemonProcess StartOne(string directory)
    {
        var extra = Starts == 0 && killAt is not null ? (string[])["--kill-at", killAt] : [];
        Starts++;
        Current = DaemonProcess.Start(Name, directory, [.. args, .. extra], environment);
        return Current;
    }
}

/// <summary>
/// A run of the whole system: <c>linkage exchange</c> with faults, one or more <c>linkage serve</c> on one store, and a
/// bot that hands intents over the way a webhook would (through <c>POST /v1/orders</c>, or <c>POST /v1/intents</c> then
/// its own create-order with the returned id), plus manual orders placed behind the daemon's back. A daemon that dies
/// is restarted on the same store and the bot retries what failed, as a webhook retries a failed call.
/// </summary>
internal sealed class EndToEndRun : IDisposable
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 1, 12, 0, 0, TimeSpan.Zero);

    private readonly Random _random;
    private readonly int _seed;
    private readonly HttpClient _intake = new() { Timeout = TimeSpan.FromSeconds(60) };
    private readonly HttpClient _exchangeHttp;
    private readonly List<DaemonSlot> _slots;
    private int _nextSlot;

    private EndToEndRun(int seed, string directory, ExchangeProcess exchange, List<DaemonSlot> slots)
    {
        _seed = seed;
        _random = new Random(seed);
        Directory = directory;
        Exchange = exchange;
        _slots = slots;
        _exchangeHttp = exchange.Http();
    }

    public string Directory { get; }
    public ExchangeProcess Exchange { get; }
    public IReadOnlyList<DaemonSlot> Slots => _slots;

    /// <summary>Client order ids of the bot's intents (both ways of placing).</summary>
    public List<string> Ours { get; } = [];

    /// <summary>Client order ids of the manual orders placed on the exchange directly (external).</summary>
    public List<string> Manual { get; } = [];

    public List<string> Log { get; } = [];

    public static EndToEndRun Start(int seed, string faults, Func<ExchangeProcess, string, List<DaemonSlot>> daemons)
    {
        var exchange = ExchangeProcess.Start(["--seed", seed.ToString(CultureInfo.InvariantCulture), "--faults", faults, "--speed", "1"]);
        var directory = Path.Combine(exchange.Directory, "daemons");
        var run = new EndToEndRun(seed, directory, exchange, daemons(exchange, directory));
        try
        {
            foreach (var slot in run._slots)
            {
                slot.StartOne(directory);
            }
        }
        catch
        {
            run.Dispose();
            throw;
        }
        return run;
    }

    /// <summary>The arguments every daemon of a run gets to reach this exchange.</summary>
    public static string[] ExchangeArgs(ExchangeProcess exchange) =>
        ["--key", exchange.KeyFile, "--rest", exchange.Rest, "--ws", exchange.Ws, .. exchange.CaFile is { } ca ? (string[])["--ca", ca] : [],
         "--ack-timeout", "2", "--order-wait", "10"];

    // ---- the bot ----

    /// <summary>The bot's workload: entries placed both ways, manual orders, then exits of filled entries.</summary>
    public async Task Workload(int entries)
    {
        var exitable = new List<(string Coid, string Product)>();
        for (var i = 0; i < entries; i++)
        {
            var product = i % 3 == 2 ? "ETH-USD" : "BTC-USD";
            var size = 0.01m * (1 + _random.Next(4));
            var payload = Entry(i, product, size, limit: i % 4 == 2 ? (product == "BTC-USD" ? 70000m : 3800m) : null);
            switch (i % 4)
            {
                case 1:
                    var coid = await Intake("/v1/intents", payload);
                    await CreateOnExchange(coid, product, "BUY", size);
                    break;
                case 3:
                    await Intake("/v1/orders", payload);
                    var manual = $"manual-{_seed}-{i}";
                    Manual.Add(manual);
                    await CreateOnExchange(manual, product, "BUY", 0.01m);
                    break;
                default:
                    var placed = await Intake("/v1/orders", payload);
                    if (i % 4 == 0)
                    {
                        exitable.Add((placed, product));
                    }
                    break;
            }
            await Task.Delay(_random.Next(20, 150));
        }
        var exitNumber = 0;
        foreach (var (entry, product) in exitable)
        {
            if (await LinkedSize(entry, TimeSpan.FromSeconds(30)) is > 0m)
            {
                await Intake("/v1/orders", Exit(entries + exitNumber++, product, entry));
            }
        }
    }

    private string Entry(int i, string product, decimal size, decimal? limit) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["snapshot_id"] = $"snap-{_seed}-{i}",
        ["score"] = new Dictionary<string, object?> { ["Buy Score"] = 0.6 + (_random.Next(30) / 100.0), ["Sell Score"] = null },
        ["trigger"] = "roc_momo",
        ["pair"] = product,
        ["side"] = "buy",
        ["size"] = size.ToString(CultureInfo.InvariantCulture),
        ["price"] = limit?.ToString(CultureInfo.InvariantCulture),
        ["timestamp"] = (T0 + TimeSpan.FromSeconds(i)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
    });

    private static string Exit(int i, string product, string entry) => JsonSerializer.Serialize(new Dictionary<string, object?>
    {
        ["trigger"] = "take_profit",
        ["pair"] = product,
        ["side"] = "sell",
        ["closes"] = new[] { entry },
        ["timestamp"] = (T0 + TimeSpan.FromSeconds(i)).ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture),
    });

    /// <summary>
    /// Posts to the next daemon (round robin), retrying through deaths and restarts as a webhook retries a failed call;
    /// returns the client order id. Anything but 200, 201, 202 and 503 fails the run.
    /// </summary>
    public async Task<string> Intake(string path, string payload)
    {
        for (var attempt = 0; attempt < 60; attempt++)
        {
            var slot = NextLiving();
            try
            {
                using var response = await _intake.PostAsync(slot.Current!.Intake + path, new StringContent(payload, Encoding.UTF8, "application/json"));
                var body = await response.Content.ReadAsStringAsync();
                if (response.StatusCode is HttpStatusCode.OK or HttpStatusCode.Created or HttpStatusCode.Accepted)
                {
                    using var document = JsonDocument.Parse(body);
                    var coid = document.RootElement.GetProperty("client_order_id").GetString()!;
                    if (!Ours.Contains(coid))
                    {
                        Ours.Add(coid);
                    }
                    return coid;
                }
                if (response.StatusCode != HttpStatusCode.ServiceUnavailable)
                {
                    throw new AssertionException($"{path} answered {(int)response.StatusCode}: {body}");
                }
            }
            catch (HttpRequestException)
            {
                // The daemon died (or is restarting): the webhook retries the same intent.
            }
            catch (TaskCanceledException)
            {
            }
            Revive();
            await Task.Delay(200);
        }
        throw new AssertionException($"{path} never succeeded: {Stderrs()}");
    }

    private DaemonSlot NextLiving()
    {
        Revive();
        for (var i = 0; i < _slots.Count; i++)
        {
            var slot = _slots[_nextSlot++ % _slots.Count];
            if (slot.Current is { HasExited: false })
            {
                return slot;
            }
        }
        throw new AssertionException($"no daemon is alive: {Stderrs()}");
    }

    /// <summary>Restarts every dead daemon whose slot restarts (on the same store), noting how it died.</summary>
    public void Revive()
    {
        foreach (var slot in _slots.Where(s => s.Current is { HasExited: true }))
        {
            var dead = slot.Current!;
            var death = dead.DiedAtKillPoint ? dead.Stderr.Split('\n').First(l => l.Contains("kill-at ", StringComparison.Ordinal)).Trim() : $"died unplanned: {dead.Stderr}";
            slot.Deaths.Add(death);
            Log.Add($"{slot.Name}: {death}");
            dead.Dispose();
            slot.Current = null;
            if (slot.Restart)
            {
                slot.StartOne(Directory);
                Log.Add($"{slot.Name}: restarted on the same store");
            }
        }
    }

    /// <summary>The bot's own create-order on the exchange (a CDP JWT of the same key), retried with the same id until answered.</summary>
    public async Task CreateOnExchange(string clientOrderId, string product, string side, decimal size)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, object>
        {
            ["client_order_id"] = clientOrderId,
            ["product_id"] = product,
            ["side"] = side,
            ["order_configuration"] = new Dictionary<string, object> { ["market_market_ioc"] = new Dictionary<string, string> { ["base_size"] = size.ToString(CultureInfo.InvariantCulture) } },
        });
        for (var attempt = 0; attempt < 30; attempt++)
        {
            try
            {
                using var response = await _exchangeHttp.SendAsync(Exchange.Request(HttpMethod.Post, "/api/v3/brokerage/orders", body));
                var text = await response.Content.ReadAsStringAsync();
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    using var document = JsonDocument.Parse(text);
                    Assert.That(document.RootElement.GetProperty("success").GetBoolean(), Is.True, $"the exchange refused the bot's order {clientOrderId}: {text}");
                    return;
                }
            }
            catch (HttpRequestException)
            {
                // The answer was lost (ack-lost): the same client order id again returns the same order.
            }
            await Task.Delay(100);
        }
        throw new AssertionException($"the exchange never answered the bot's create-order {clientOrderId}");
    }

    // ---- reading back ----

    /// <summary>The daemon's view of one order (any living daemon), or null.</summary>
    public async Task<JsonElement?> Order(string coid)
    {
        try
        {
            var slot = NextLiving();
            using var response = await _intake.GetAsync($"{slot.Current!.Intake}/v1/orders/{coid}");
            if (response.StatusCode != HttpStatusCode.OK)
            {
                return null;
            }
            using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
            return document.RootElement.GetProperty("order").Clone();
        }
        catch (HttpRequestException)
        {
            return null;
        }
    }

    private async Task<decimal?> LinkedSize(string coid, TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        while (DateTime.UtcNow < deadline)
        {
            if (await Order(coid) is { } order && Dec(order.GetProperty("linked_size")) is > 0m and var linked
                && order.GetProperty("status").GetString() is "FILLED" or "CANCELLED" or "EXPIRED" or "FAILED")
            {
                return linked;
            }
            await Task.Delay(200);
        }
        return null;
    }

    /// <summary>What the exchange says of an order (its own REST, retried through its faults): filled size and status; null when unknown.</summary>
    private async Task<(decimal Filled, string Status)?> ExchangeOrder(string orderId)
    {
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                using var response = await _exchangeHttp.SendAsync(Exchange.Request(HttpMethod.Get, $"/api/v3/brokerage/orders/historical/{orderId}"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
                    var order = document.RootElement.GetProperty("order");
                    return (Dec(order.GetProperty("filled_size")), order.GetProperty("status").GetString()!);
                }
                if (response.StatusCode == HttpStatusCode.NotFound)
                {
                    return null;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
        return null;
    }

    /// <summary>The bot cancels a resting order at the end of its run (batch_cancel), retried through the exchange's faults.</summary>
    private async Task Cancel(string orderId)
    {
        var body = JsonSerializer.Serialize(new Dictionary<string, string[]> { ["order_ids"] = [orderId] });
        for (var attempt = 0; attempt < 20; attempt++)
        {
            try
            {
                using var response = await _exchangeHttp.SendAsync(Exchange.Request(HttpMethod.Post, "/api/v3/brokerage/orders/batch_cancel", body));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    Log.Add($"bot: cancelled resting order {orderId}");
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            await Task.Delay(100);
        }
    }

    /// <summary>
    /// Waits until the exchange has injected a fault whose kind contains <paramref name="kind"/> (it logs
    /// <c>fault KIND: TARGET</c> on stderr as each fires), or <paramref name="within"/> passes; whether it did. Faults
    /// are drawn per message or per beat from a seeded stream, so a run that ends sooner than the stream's first hit
    /// would see none: a faster daemon made short runs end before the first heartbeat silence.
    /// </summary>
    public async Task<bool> WaitForFault(string kind, TimeSpan within)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!Exchange.Stderr.Split('\n').Any(line => line.StartsWith("fault ", StringComparison.Ordinal) && line.Split(':')[0].Contains(kind, StringComparison.Ordinal)))
        {
            if (clock.Elapsed > within)
            {
                return false;
            }
            await Task.Delay(200);
        }
        return true;
    }

    /// <summary>
    /// Cancels the bot's resting orders (so the book stops moving), then waits until every order of the bot is terminal
    /// on the exchange and linked to exactly what the exchange filled (asked of the exchange itself), or
    /// <paramref name="within"/> passes; returns the orders still unsettled.
    /// </summary>
    public async Task<List<string>> Settle(TimeSpan within)
    {
        var deadline = DateTime.UtcNow + within;
        var cancelled = new HashSet<string>(StringComparer.Ordinal);
        List<string> unsettled = [];
        while (DateTime.UtcNow < deadline)
        {
            Revive();
            unsettled = [];
            foreach (var coid in Ours)
            {
                if (await Order(coid) is not { } order || order.GetProperty("order_id").ValueKind != JsonValueKind.String)
                {
                    unsettled.Add($"{coid}: not bound yet");
                    continue;
                }
                var orderId = order.GetProperty("order_id").GetString()!;
                var truth = await ExchangeOrder(orderId);
                if (truth is { Status: "OPEN" or "PENDING" or "QUEUED" } && cancelled.Add(orderId))
                {
                    await Cancel(orderId);
                    truth = await ExchangeOrder(orderId);
                }
                var linked = Dec(order.GetProperty("linked_size"));
                if (truth is not { } t || t.Filled != linked || t.Status is "OPEN" or "PENDING" or "QUEUED")
                {
                    unsettled.Add($"{coid}: linked {linked}, exchange {truth}");
                }
            }
            if (unsettled.Count == 0)
            {
                return unsettled;
            }
            await Task.Delay(500);
        }
        return unsettled;
    }

    /// <summary>Stops every living daemon with SIGTERM (each must exit 0), then the exchange (which writes its truth file).</summary>
    public (List<int> DaemonExits, string Truth) Stop()
    {
        var exits = _slots.Where(s => s.Current is { HasExited: false }).Select(s => s.Current!.Stop()).ToList();
        Exchange.Stop();
        return (exits, File.ReadAllText(Exchange.TruthFile));
    }

    public string Stderrs() => string.Join("\n", _slots.Select(s => $"--- {s.Name}:\n{s.Current?.Stderr}"));

    /// <summary>The fault counts the exchange logged in its truth file.</summary>
    public static string Faults(string truth)
    {
        using var document = JsonDocument.Parse(truth);
        return string.Join(", ", document.RootElement.GetProperty("fault_counts").EnumerateObject().Where(p => p.Value.GetInt32() > 0).Select(p => $"{p.Name} {p.Value.GetInt32()}"));
    }

    public static JudgeReport Judge(string truth, ILinkageStore store) => TruthJudge.Judge(truth, store);

    private static decimal Dec(JsonElement e) => decimal.Parse(e.GetString()!, NumberStyles.Number, CultureInfo.InvariantCulture);

    public void Dispose()
    {
        foreach (var slot in _slots)
        {
            slot.Current?.Dispose();
        }
        _intake.Dispose();
        _exchangeHttp.Dispose();
        Exchange.Dispose();
    }
}
