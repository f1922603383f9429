using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using Linkage.Engine;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Scenarios;

/// <summary>
/// Generates valid scenarios (what the loader accepts) for the writer's round trip: every step kind, every ack, both
/// feeds, faults, expectations, and text chosen to trouble a YAML writer (quotes, colons, "null", numbers, newlines,
/// non-ASCII). It draws a list of raw operations and interprets them against a book of orders, so any list (including
/// one FsCheck shrank) still yields a valid scenario: an operation with no valid target is skipped.
/// </summary>
internal static class ScenarioGenerator
{
    private static readonly string[] TrickyText =
    [
        "o1", "null", "Null", "~", "true", "no", "123", "0x1F", "1e5", "-5", "a b", "x: y", "#hash", "- dash", "[br]", "{br}",
        "quote\"d", "it's", "back\\slash", "é-ü", "日本", "tab\tin", "new\nline", "  lead", "trail  ", "*star", "&amp", "!bang",
        "%pct", "@at", "`tick`", "|pipe", ">gt", "?q", ",comma", "😀",
    ];

    private static readonly string[] SafeNames = ["seed-1", "null", "123", "a b", "é-ü", "x#y", "it's", "~tilde", "[x]"];

    private static readonly string[] Products = ["BTC-USD", "ETH-USD", "AVNT-USD", "null", "1INCH-USD", "x: y"];

    private static readonly char[] Alphanumeric = [.. "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_"];

    private static readonly TimeSpan[] Gaps =
    [
        TimeSpan.Zero, TimeSpan.Zero, TimeSpan.FromMilliseconds(1), TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(1),
        TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5), TimeSpan.FromHours(1), TimeSpan.FromDays(2),
    ];

    public static Arbitrary<Scenario> Arbitrary => Scenarios.ToArbitrary();

    public static Gen<Scenario> Scenarios =>
        from header in Header
        from ops in Gen.ListOf(Op)
        from expectChoices in Gen.ArrayOf(Gen.Choose(0, 7))
        from hasExpect in Gen.Elements(true, false)
        select Build(header, ops, hasExpect ? expectChoices : null);

    private static Gen<string> Alnum =>
        from length in Gen.Choose(1, 12)
        from chars in Gen.ArrayOf(Gen.Elements(Alphanumeric), length)
        select new string(chars);

    private static Gen<string> Text => Gen.OneOf(Gen.Elements(TrickyText), Alnum);

    private static Gen<decimal> Positive =>
        from mantissa in Gen.Choose(1, 1_000_000_000)
        from scale in Gen.Choose(0, 12)
        select new decimal(mantissa, 0, 0, false, (byte)scale);

    private static Gen<decimal> Probability =>
        from numerator in Gen.Choose(0, 1000)
        from scale in Gen.Choose(3, 6)
        select new decimal(numerator, 0, 0, false, (byte)scale);

    private static Gen<decimal?> Score =>
        Gen.OneOf(Gen.Constant<decimal?>(null), from d in Positive from negative in Gen.Elements(true, false) select (decimal?)(negative ? -d : d));

    private static Gen<TimeSpan> Gap => Gen.OneOf(Gen.Elements(Gaps), Gen.Choose(0, 100_000).Select(ms => TimeSpan.FromMilliseconds(ms)));

    private sealed record HeaderDraw(string Name, string? Description, ulong Seed, FeedKind Feed, Latency Latency, Faults Faults, ResendAnswer ResendAnswer);

    private static Gen<HeaderDraw> Header =>
        from name in Gen.OneOf(Gen.Elements(SafeNames), Alnum)
        from description in Gen.OneOf(Gen.Constant<string?>(null), Text.Select(t => (string?)t), Gen.Elements<string?>("", "Two BUYs: one fills.\nThen \"more\" \u0001 happens."))
        from seed in Gen.OneOf(Gen.Elements(0UL, 1UL, ulong.MaxValue), Gen.Choose(0, int.MaxValue).Select(n => (ulong)n * 7919UL))
        from feed in Gen.Elements(FeedKind.Orders, FeedKind.Trades)
        from latency in Gen.OneOf(Gen.Constant(Latency.Default), from ack in Gap from f in Gap select new Latency(ack, f))
        from faults in Gen.OneOf(Gen.Constant(Faults.None), from d in Probability from r in Probability from p in Probability select new Faults(d, r, p))
        from resendAnswer in Gen.Elements(ResendAnswer.Original, ResendAnswer.Error)
        select new HeaderDraw(name, description, seed, feed, latency, faults, resendAnswer);

    /// <summary>One raw operation; <see cref="Kind"/> picks the step, the other draws fill in whatever that step needs.</summary>
    private sealed record OpDraw(int Kind, int Pick, int Flavor, TimeSpan Gap, string Text, string Text2, decimal Amount, decimal? Price, ScoreSet Scores, ImmutableSortedDictionary<string, string> Indicators);

    private static Gen<OpDraw> Op =>
        from kind in Gen.Choose(0, 15)
        from pick in Gen.Choose(0, 1000)
        from flavor in Gen.Choose(0, 1000)
        from gap in Gap
        from text in Text
        from text2 in Text
        from amount in Positive
        from price in Gen.OneOf(Gen.Constant<decimal?>(null), Positive.Select(p => (decimal?)p))
        from buy in Score
        from sell in Score
        from indicators in Gen.ListOf(from k in Text from v in Text select (k, v), 3)
        select new OpDraw(kind, pick, flavor, gap, text, text2, amount, price, new ScoreSet(buy, sell),
            indicators.Aggregate(ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal), (d, kv) => d.SetItem(kv.k, kv.v)));

    private sealed class Order(string label, OrderKind kind, string product, decimal? size, bool rejected)
    {
        public string Label => label;
        public OrderKind Kind => kind;
        public string Product => product;
        public decimal? Size => size;
        public bool Rejected => rejected;
        public decimal Filled { get; set; }
        public bool Closed { get; set; }
        public bool Cancelled { get; set; }
        public bool HasFill { get; set; }
        public string Snapshot { get; init; } = "";
    }

    private static Scenario Build(HeaderDraw header, List<OpDraw> ops, int[]? expectChoices)
    {
        var orders = new List<Order>();
        var steps = ImmutableArray.CreateBuilder<Step>();
        var at = TimeSpan.Zero;
        foreach (var op in ops)
        {
            at += op.Gap;
            if (Interpret(op, at, orders) is { } step)
            {
                steps.Add(step);
            }
        }
        if (steps.Count == 0)
        {
            steps.Add(new DisconnectStep(at));
        }
        return new Scenario
        {
            Name = header.Name,
            Description = header.Description,
            Seed = header.Seed,
            Feed = header.Feed,
            Latency = header.Latency,
            Faults = header.Faults,
            ResendAnswer = header.ResendAnswer,
            Steps = steps.ToImmutable(),
            Expect = expectChoices is null ? null : Expect(orders, expectChoices),
        };
    }

    private static Step? Interpret(OpDraw op, TimeSpan at, List<Order> orders)
    {
        T? Pick<T>(IEnumerable<T> candidates)
            where T : class
        {
            var list = candidates.ToList();
            return list.Count == 0 ? null : list[op.Pick % list.Count];
        }

        switch (op.Kind)
        {
            case <= 2:
                var place = new PlaceStep(at)
                {
                    Order = Fresh(op.Text, orders),
                    Product = Products[op.Pick % Products.Length],
                    Side = op.Flavor % 2 == 0 ? Side.Buy : Side.Sell,
                    Size = op.Amount,
                    Price = op.Price,
                    Snapshot = op.Text2,
                    Scores = op.Scores,
                    Trigger = op.Flavor % 3 == 0 ? null : op.Text2,
                    Indicators = op.Indicators,
                    Ack = AckFor(op),
                };
                orders.Add(new Order(place.Order, OrderKind.Entry, place.Product, place.Size, place.Ack is AckReject) { Snapshot = place.Snapshot });
                return place;
            case 3:
                var product = Products[op.Pick % Products.Length];
                var lots = orders.Where(o => o.Kind == OrderKind.Entry && o.Product == product && !o.Rejected)
                    .Where((_, i) => ((op.Flavor >> i) & 1) == 1).Select(o => o.Label).Take(Limits.ExitClosesMax);
                var exit = new ExitStep(at)
                {
                    Order = Fresh(op.Text, orders),
                    Product = product,
                    Size = op.Flavor % 2 == 0 ? null : op.Amount,
                    Price = op.Price,
                    Trigger = op.Text2,
                    Scores = op.Scores,
                    Closes = [.. lots],
                    Ack = AckFor(op),
                };
                orders.Add(new Order(exit.Order, OrderKind.Exit, exit.Product, exit.Size, exit.Ack is AckReject));
                return exit;
            case 4:
                var manual = new ManualStep(at)
                {
                    Order = Fresh(op.Text, orders),
                    Product = Products[op.Pick % Products.Length],
                    Side = op.Flavor % 2 == 0 ? Side.Buy : Side.Sell,
                    Size = op.Amount,
                    Price = op.Price,
                };
                orders.Add(new Order(manual.Order, OrderKind.Manual, manual.Product, manual.Size, false));
                return manual;
            case <= 8:
                return Pick(orders.Where(o => !o.Rejected && !o.Closed)) is { } open ? Fill(op, at, open) : null;
            case 9:
                if (Pick(orders.Where(o => !o.Rejected && !o.Cancelled)) is not { } toCancel)
                {
                    return null;
                }
                toCancel.Cancelled = toCancel.Closed = true;
                return new CancelStep(at) { Order = toCancel.Label };
            case 10:
                return new DisconnectStep(at);
            case 11:
                return new ReconnectStep(at);
            case 12:
                return new RestartStep(at) { Abrupt = op.Flavor % 2 == 0 };
            case 13:
                if (Pick(orders.Where(o => o.HasFill)) is not { } filled)
                {
                    return null;
                }
                var other = op.Flavor % 3 == 0 ? orders.FirstOrDefault(o => o != filled)?.Label : null;
                return new DuplicateStep(at) { Order = filled.Label, As = other };
            default:
                return Pick(orders.Where(o => o.Kind != OrderKind.Manual)) is { } sent ? new ResendStep(at) { Order = sent.Label } : null;
        }
    }

    private static FillStep Fill(OpDraw op, TimeSpan at, Order order)
    {
        order.HasFill = true;
        decimal? size = op.Flavor % 3 == 0 ? null : op.Amount;
        if (size is { } s && order.Size is { } total)
        {
            size = Math.Min(s, total - order.Filled);
        }
        order.Filled += size ?? 0m;
        order.Closed = size is null || order.Filled == order.Size;
        return new FillStep(at) { Order = order.Label, Size = size, Price = op.Price };
    }

    private static Ack AckFor(OpDraw op) => (op.Flavor / 7 % 6) switch
    {
        0 or 1 => Ack.Ok,
        2 => new AckDelay(op.Gap),
        3 => Ack.Lost,
        4 => Ack.Reject,
        _ => new AckDelay(TimeSpan.FromSeconds(30)),
    };

    private static string Fresh(string text, List<Order> orders)
    {
        var label = text;
        for (var n = 2; orders.Any(o => o.Label == label); n++)
        {
            label = $"{text}#{n}";
        }
        return label;
    }

    private static Expectations Expect(List<Order> orders, int[] choices)
    {
        int Choice(int i) => choices.Length == 0 ? 0 : choices[i % choices.Length];
        var linkable = orders.Where(o => o.Kind != OrderKind.Manual).ToList();
        var entries = orders.Where(o => o.Kind == OrderKind.Entry).Select(o => o.Label).ToList();
        return new Expectations
        {
            Links = [.. linkable.Where((_, i) => Choice(i) % 2 == 0).Select((o, i) => new ExpectedLink(
                o.Label,
                Choice(i + 1) % 3 == 0 ? null : o.Snapshot.Length == 0 ? null : o.Snapshot,
                Choice(i + 2) % 2 == 0 ? null : Choice(i + 3),
                Choice(i + 4) % 2 == 0 ? null : o.Filled))],
            External = Choice(0) % 3 == 0 ? null : Choice(1),
            Exits = [.. orders.Where(o => o.Kind == OrderKind.Exit).Where((_, i) => Choice(i) % 2 == 1).Select((o, i) => new ExpectedExit(
                o.Label,
                [.. entries.Where((_, j) => Choice(i + j) % 2 == 0)],
                Choice(i) % 3 == 0 ? null : "stop_loss"))],
            Legacy = Choice(2) % 2 == 0 ? null : new ExpectedLegacy(Choice(3) % 3 == 0 ? null : Choice(4), Choice(5)),
        };
    }
}
