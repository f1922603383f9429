using System.Collections.Immutable;
using FsCheck;
using FsCheck.Fluent;
using Linkage.Engine;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Audit;

/// <summary>
/// Generates scenarios the simulator can play to the end: entries with every ack (ok, late, lost, refused), partial
/// and full fills, manual orders on the same products, cancels, duplicated fill messages, re-sent intents, exits,
/// disconnects and reconnects, optionally restarts, on both feeds, with or without feed faults. It draws raw operations
/// and interprets them against a book of orders, so every drawn list yields a playable scenario (an operation with no
/// valid target is skipped): fills only of orders the exchange has, never beyond their size.
/// </summary>
internal static class TradingDayGenerator
{
    private static readonly string[] Products = ["BTC-USD", "ETH-USD"];

    private static readonly TimeSpan[] Gaps =
    [
        TimeSpan.Zero, TimeSpan.FromMilliseconds(100), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(30), TimeSpan.FromMinutes(5),
    ];

    private static readonly Ack[] Acks = [Ack.Ok, Ack.Ok, Ack.Ok, Ack.Ok, new AckDelay(TimeSpan.FromSeconds(30)), Ack.Lost, Ack.Reject];

    private static readonly Faults[] FaultChoices = [Faults.None, Faults.None, new(0.1m, 0m, 0m), new(0.1m, 0.1m, 0m), new(0.05m, 0.05m, 0.05m)];

    /// <summary>Scenarios without restarts (the audit must agree with the replay exactly) or with them.</summary>
    public static Arbitrary<Scenario> Days(bool restarts) =>
        (from seed in Gen.Choose(1, 1_000_000)
         from feed in Gen.Elements(FeedKind.Orders, FeedKind.Trades)
         from faults in Gen.Elements(FaultChoices)
         from ops in Gen.ListOf(from kind in Gen.Choose(0, restarts ? 13 : 12) from pick in Gen.Choose(0, 1000) from gap in Gen.Elements(Gaps) select (kind, pick, gap))
         select Build((ulong)seed, feed, faults, ops)).ToArbitrary();

    private sealed class Book
    {
        public List<Entry> Orders { get; } = [];
        public bool Connected { get; set; } = true;
        public HashSet<string> Exited { get; } = new(StringComparer.Ordinal);
        public int Next { get; set; }
    }

    private sealed record Entry(string Label, string Product, decimal Size, bool Exists, bool Bot)
    {
        public decimal Filled { get; set; }
        public bool Done { get; set; }
    }

    private static Scenario Build(ulong seed, FeedKind feed, Faults faults, IEnumerable<(int Kind, int Pick, TimeSpan Gap)> ops)
    {
        var book = new Book();
        var steps = ImmutableArray.CreateBuilder<Step>();
        var at = TimeSpan.Zero;
        foreach (var (kind, pick, gap) in ops)
        {
            at += gap;
            if (Interpret(kind, pick, at, book) is { } step)
            {
                steps.Add(step);
            }
        }
        if (!book.Connected)
        {
            steps.Add(new ReconnectStep(at + TimeSpan.FromSeconds(1)));
        }
        return new Scenario { Name = $"day-{seed}", Seed = seed, Feed = feed, Faults = faults, Steps = steps.ToImmutable() };
    }

    private static Step? Interpret(int kind, int pick, TimeSpan at, Book book)
    {
        var open = book.Orders.Where(o => o.Exists && !o.Done).ToList();
        var target = open.Count == 0 ? null : open[pick % open.Count];
        switch (kind)
        {
            case 0 or 1:
                return Place(pick, at, book);
            case 2 or 3 or 4 when target is not null:
                return Fill(target, pick, at);
            case 5 or 6:
                var label = $"m{book.Next++}";
                book.Orders.Add(new Entry(label, Products[pick % 2], 0.004m, Exists: true, Bot: false));
                return new ManualStep(at) { Order = label, Product = Products[pick % 2], Side = Side.Buy, Size = 0.004m, Price = 49_000m };
            case 7 when target is not null:
                target.Done = true;
                return new CancelStep(at) { Order = target.Label };
            case 8 when book.Orders.Where(o => o.Filled > 0m).ToList() is { Count: > 0 } filled:
                return new DuplicateStep(at) { Order = filled[pick % filled.Count].Label };
            case 9 when book.Orders.Where(o => o.Bot).ToList() is { Count: > 0 } bots:
                return new ResendStep(at) { Order = bots[pick % bots.Count].Label };
            case 10 or 11:
                book.Connected = !book.Connected;
                return book.Connected ? new ReconnectStep(at) : new DisconnectStep(at);
            case 12 when book.Orders.Where(o => o.Bot && o.Filled > 0m && !book.Exited.Contains(o.Product)).Select(o => o.Product).FirstOrDefault() is { } product:
                // One exit per product: it sells the whole position, so a second would find nothing open to sell.
                var exit = $"x{book.Next++}";
                book.Exited.Add(product);
                book.Orders.Add(new Entry(exit, product, 0m, Exists: true, Bot: true));
                return new ExitStep(at) { Order = exit, Product = product, Trigger = "stop_loss", Scores = new ScoreSet(null, 12.5m) };
            case 13:
                book.Connected = true;
                return new RestartStep(at) { Abrupt = pick % 2 == 0 };
            default:
                return null;
        }
    }

    private static PlaceStep Place(int pick, TimeSpan at, Book book)
    {
        var label = $"o{book.Next++}";
        var ack = Acks[pick % Acks.Length];
        var size = 0.001m * (1 + (pick % 8));
        book.Orders.Add(new Entry(label, Products[pick % 2], size, Exists: ack is not AckReject, Bot: true));
        return new PlaceStep(at)
        {
            Order = label,
            Product = Products[pick % 2],
            Side = Side.Buy,
            Size = size,
            Price = pick % 3 == 0 ? null : 50_000m,
            Snapshot = $"s{label}",
            Scores = new ScoreSet(70m + (pick % 30), null),
            Trigger = "roc_momo",
            Ack = ack,
        };
    }

    private static FillStep Fill(Entry order, int pick, TimeSpan at)
    {
        var rest = order.Size - order.Filled;
        decimal? size = pick % 3 == 0 || rest <= 0.001m ? null : 0.001m;
        order.Filled += size ?? rest;
        order.Done = size is null;
        return new FillStep(at) { Order = order.Label, Size = size };
    }
}
