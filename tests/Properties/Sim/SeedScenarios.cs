using System.Collections.Immutable;
using Linkage.Engine;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Sim;

/// <summary>
/// The seed document's four failure scenarios (<c>docs/laws.md</c>, "The problem"), built in code, with what the
/// old product-keyed design gets wrong on each (cache overwritten by every entry, cleared after the first link, 30 s
/// time to live, exits never cached).
/// </summary>
internal static class SeedScenarios
{
    public static readonly RunOptions Memory = new() { Store = "memory" };
    public static readonly RunOptions Legacy = new() { Store = "memory", Design = "legacy" };

    /// <summary>Scenario 1: two BUYs on BTC-USD 5 s apart; the first fills first, and again later.</summary>
    public static Scenario SameSymbolOverwrite() => new()
    {
        Name = "same-symbol-overwrite",
        Seed = 7,
        Steps =
        [
            Place(0, "o1", "BTC-USD", 0.002m, 50000m, "aaa", 75.3m),
            Place(5, "o2", "BTC-USD", 0.001m, null, "bbb", 82.1m),
            new FillStep(S(10)) { Order = "o1", Size = 0.001m },
            new FillStep(S(15)) { Order = "o2" },
            new FillStep(S(300)) { Order = "o1" },
        ],
        Expect = new Expectations
        {
            Links = [new ExpectedLink("o1", "aaa", 2, 0.002m), new ExpectedLink("o2", "bbb", 1, 0.001m)],
            Legacy = new ExpectedLegacy(Wrong: 1, Missing: 2),
        },
    };

    /// <summary>Scenario 2: a BUY fills partly at once; the rest arrives 5 min later, after the old cache was cleared.</summary>
    public static Scenario DelayedPartialFill() => new()
    {
        Name = "delayed-partial-fill",
        Seed = 11,
        Steps =
        [
            Place(0, "o1", "BTC-USD", 0.004m, 50000m, "aaa", 75.3m),
            new FillStep(S(1)) { Order = "o1", Size = 0.001m },
            new FillStep(S(300)) { Order = "o1" },
        ],
        Expect = new Expectations
        {
            Links = [new ExpectedLink("o1", "aaa", 2, 0.004m)],
            Legacy = new ExpectedLegacy(Wrong: 0, Missing: 1),
        },
    };

    /// <summary>Scenario 3: a BUY fills; an hour later the position monitor sells it with a stop loss (no snapshot).</summary>
    public static Scenario ExitWithoutMetadata() => new()
    {
        Name = "exit-without-metadata",
        Seed = 13,
        Steps =
        [
            Place(0, "o1", "BTC-USD", 0.002m, 50000m, "aaa", 75.3m),
            new FillStep(S(10)) { Order = "o1" },
            new ExitStep(S(3600)) { Order = "x1", Product = "BTC-USD", Trigger = "stop_loss", Scores = new ScoreSet(null, 64.2m) },
            new FillStep(S(3601)) { Order = "x1" },
        ],
        Expect = new Expectations
        {
            Links = [new ExpectedLink("o1", "aaa", 1, 0.002m), new ExpectedLink("x1", null, 1, 0.002m)],
            Exits = [new ExpectedExit("x1", ["o1"], "stop_loss")],
            Legacy = new ExpectedLegacy(Wrong: 0, Missing: 1),
        },
    };

    /// <summary>Scenario 4: the WebSocket drops 30 s after a BUY, the order fills during the outage, the feed returns 2 min later.</summary>
    public static Scenario DisconnectDuringFill() => new()
    {
        Name = "disconnect-during-fill",
        Seed = 17,
        Steps =
        [
            Place(0, "o1", "BTC-USD", 0.002m, 50000m, "aaa", 75.3m),
            new DisconnectStep(S(30)),
            new FillStep(S(60)) { Order = "o1" },
            new ReconnectStep(S(120)),
        ],
        Expect = new Expectations
        {
            Links = [new ExpectedLink("o1", "aaa", 1, 0.002m)],
            Legacy = new ExpectedLegacy(Wrong: 0, Missing: 1),
        },
    };

    public static ImmutableArray<Scenario> All() => [SameSymbolOverwrite(), DelayedPartialFill(), ExitWithoutMetadata(), DisconnectDuringFill()];

    public static TimeSpan S(double seconds) => TimeSpan.FromSeconds(seconds);

    public static PlaceStep Place(double at, string order, string product, decimal size, decimal? price, string snapshot, decimal? buyScore = null, Ack? ack = null) =>
        new(S(at))
        {
            Order = order,
            Product = product,
            Side = Side.Buy,
            Size = size,
            Price = price,
            Snapshot = snapshot,
            Scores = new ScoreSet(buyScore, null),
            Trigger = "roc_momo",
            Ack = ack ?? Ack.Ok,
        };
}
