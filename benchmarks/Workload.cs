using System.Globalization;
using Bogus;
using Linkage.Engine;
using Linkage.Stores.Sql;
using Linkage.Stores.Sqlite;

namespace Linkage.Benchmarks;

/// <summary>
/// The staged intents every benchmark runs against: entry intents drawn from a fixed Bogus seed, each staged and
/// acknowledged with its own exchange order id, so both lookups of the store port find a bound order.
/// </summary>
public static class Workload
{
    /// <summary>The seed of every generated input, so two runs measure the same data.</summary>
    public const int Seed = 20251229;

    /// <summary>How many batches go into one group commit while staging a SQL store.</summary>
    private const int StagingChunk = 2_000;

    private static readonly DateTimeOffset T0 = new(2025, 12, 29, 21, 0, 0, TimeSpan.Zero);

    private static readonly string[] Products = ["BTC-USD", "ETH-USD", "SOL-USD", "ADA-USD"];

    /// <summary>Whether this process runs the CI smoke path (set by <c>--quick</c>, inherited by BDN's child processes).</summary>
    public static bool Quick => Environment.GetEnvironmentVariable(QuickVariable) == "1";

    public const string QuickVariable = "LINKAGE_BENCH_QUICK";

    /// <summary>Overrides the sizes of every benchmark (comma-separated), to measure a subset when time is short.</summary>
    public const string SizesVariable = "LINKAGE_BENCH_SIZES";

    /// <summary>Limits the simulation-speed cases to these stores (comma-separated), to split a long run.</summary>
    public const string StoresVariable = "LINKAGE_BENCH_STORES";

    /// <summary>Whether a case's <c>Store</c> parameter, if it has one, is among <see cref="StoresVariable"/>'s (all without it).</summary>
    public static bool StoreSelected(BenchmarkDotNet.Running.BenchmarkCase benchmark) =>
        Environment.GetEnvironmentVariable(StoresVariable) is not { Length: > 0 } stores
        || !benchmark.Parameters.Items.Any(p => p.Name == "Store")
        || stores.Split(',').Contains((string)benchmark.Parameters["Store"], StringComparer.Ordinal);

    /// <summary>The staged-intent counts of the growth table; tiny under <c>--quick</c>.</summary>
    public static IEnumerable<int> Sizes(params int[] full) =>
        Quick ? [100]
        : Environment.GetEnvironmentVariable(SizesVariable) is { Length: > 0 } given
            ? given.Split(',').Select(s => int.Parse(s, CultureInfo.InvariantCulture))
            : full;

    /// <summary>A staged and acknowledged order: its intent and both ids.</summary>
    public sealed record Staged(Intent Intent, ClientOrderId ClientOrderId, ExchangeOrderId ExchangeOrderId);

    /// <summary><paramref name="count"/> distinct entry intents with their exchange ids, the same for every run.</summary>
    public static Staged[] Orders(int count)
    {
        var faker = new Faker { Random = new Randomizer(Seed) };
        var orders = new Staged[count];
        for (var i = 0; i < count; i++)
        {
            var intent = new Intent
            {
                Kind = IntentKind.Entry,
                Product = ProductId.From(Products[i % Products.Length]),
                Side = Side.Buy,
                Size = 1000m,
                Price = Math.Round(faker.Random.Decimal(100m, 60_000m), 2),
                Snapshot = SnapshotId.From(faker.Random.Hexadecimal(16, prefix: string.Empty)),
                BuyScore = Math.Round(faker.Random.Decimal(0m, 100m), 1),
                Trigger = "roc_momo",
                IndicatorsJson = """{"roc":1.5}""",
                IndicatorsFired = 1,
                DecidedAt = T0.AddMilliseconds(i),
            };
            var exchangeId = ExchangeOrderId.From(string.Create(CultureInfo.InvariantCulture, $"ex-{i:D9}"));
            orders[i] = new Staged(intent, ClientOrderIds.For(intent), exchangeId);
        }
        return orders;
    }

    /// <summary>
    /// Stages and acknowledges every order through the engine, group-committing where the store can: all intents first,
    /// then all acceptances, so no group decides an acceptance before its intent is committed.
    /// </summary>
    public static void Stage(ILinkageStore store, IReadOnlyList<Staged> orders)
    {
        Apply(store, Intents(orders));
        Apply(store, Acceptances(orders));
    }

    /// <summary>What staging feeds the engine: every intent, then every order's acceptance with its exchange id.</summary>
    public static IEnumerable<EngineInput> StagingInputs(IReadOnlyList<Staged> orders) => Intents(orders).Concat(Acceptances(orders));

    private static IEnumerable<EngineInput> Intents(IReadOnlyList<Staged> orders) =>
        orders.Select(o => (EngineInput)new IntentReceived(o.Intent.DecidedAt, o.Intent));

    private static IEnumerable<EngineInput> Acceptances(IReadOnlyList<Staged> orders) =>
        orders.Select(o => (EngineInput)new PlacementOutcome(
            o.Intent.DecidedAt.AddMilliseconds(200), o.ClientOrderId, PlacementResult.Accepted, o.ExchangeOrderId));

    /// <summary>Throws unless <paramref name="result"/> applied: a benchmark that conflicted measured the wrong thing.</summary>
    public static void Require(ApplyResult result, string what)
    {
        if (result.Status != ApplyStatus.Applied)
        {
            throw new InvalidOperationException($"{what} did not apply ({result.Status}): {result.Detail}");
        }
    }

    /// <summary>A trade-level fill of a tiny size, unique by <paramref name="sequence"/>, so it never overfills the order.</summary>
    public static TradeFillReceived Fill(Staged order, long sequence)
    {
        var tradeId = sequence.ToString(CultureInfo.InvariantCulture);
        return new TradeFillReceived(order.Intent.DecidedAt.AddSeconds(1), new TradeFill
        {
            Key = new FillKey(order.ExchangeOrderId, FillSource.RestFills, tradeId),
            TradeType = TradeType.Fill,
            Size = 0.00000001m,
            Price = order.Intent.Price ?? 1m,
            Commission = 0m,
            Product = order.Intent.Product,
            TradeId = tradeId,
        });
    }

    /// <summary>Opens a SQLite store in a fresh temp file with the durability a benchmark wants.</summary>
    public static SqliteStore OpenSqlite(string directory, SqliteDurability durability) =>
        SqliteStore.Open(new SqliteStoreOptions { Path = Path.Combine(directory, "linkage.db"), Durability = durability });

    /// <summary>
    /// Decides inputs against the store and applies them, in chunks for a SQL store. The inputs of one chunk must be
    /// independent (distinct orders), which holds for staging and acknowledging distinct intents.
    /// </summary>
    private static void Apply(ILinkageStore store, IEnumerable<EngineInput> inputs)
    {
        foreach (var chunk in inputs.Chunk(StagingChunk))
        {
            var batches = chunk.Select(input => LinkageEngine.ReadAndDecide(store, input)).ToArray();
            var results = store is SqlLinkageStore sql ? [.. sql.ApplyMany(batches)] : batches.Select(store.Apply).ToArray();
            foreach (var result in results)
            {
                Require(result, "staging");
            }
        }
    }
}
