using System.Collections.Immutable;
using Linkage.Engine;
using Linkage.Sim.Scenarios;

namespace Linkage.Sim.Generation;

/// <summary>
/// What a scenario's steps mean while they run, as far as a generator or a shrinker must know to keep a scenario
/// meaningful: each order's executed quantity and state, each product's lots and exits, whether the WebSocket is up.
/// Its rules are stricter than the loader's (which checks the file, not the world):
/// <list type="bullet">
/// <item>a fill or cancel names an open order (the exchange refuses a finished one);</item>
/// <item>intents have distinct times (an intent is its content and its time, so two at one instant could be one);</item>
/// <item>exits never compete: an exit is sent only once the fills of the product's earlier exits reached the webhook
/// (<see cref="SettleTime"/>), and only the latest exit fills;</item>
/// <item>an exit never sells more than its lots can give whichever way earlier exits were allocated: all of a
/// product's open lots on the other side (a SELL exit closes BUY lots, a BUY exit closes SELL lots: a short), or for
/// an exit naming lots, what those lots executed less everything earlier exits that could close them executed;</item>
/// <item>an exit without a size (the webhook sizes it from its store) is sent only when that view is exact, and its
/// only fill is "the rest";</item>
/// <item>the scenario ends connected, so every fill reaches the webhook.</item>
/// </list>
/// Not thread-safe; one book per scenario.
/// </summary>
public sealed class ScenarioBook
{
    /// <summary>
    /// How long a product and the connection must be quiet before an exit goes out: past feed latency, coalescing,
    /// reordering, the heartbeat that reveals a dropped message, the REST reconciliation that follows and the legacy
    /// feed's one-minute poll, so every earlier fill has reached the webhook.
    /// </summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromMinutes(3);

    private readonly Dictionary<string, BookOrder> _orders = new(StringComparer.Ordinal);
    private readonly List<BookOrder> _inOrder = [];
    private readonly Dictionary<string, BookProduct> _products = new(StringComparer.Ordinal);
    private TimeSpan? _lastIntentAt;
    private TimeSpan _lastConnectionChange;

    /// <summary>Whether the WebSocket is up (a restart's new process connects).</summary>
    public bool Connected { get; private set; } = true;

    /// <summary>Whether any restart ran yet (a volatile store forgets positions across one).</summary>
    public bool Restarted { get; private set; }

    /// <summary>The time of the last step applied.</summary>
    public TimeSpan Now { get; private set; }

    /// <summary>The time of the last place or exit, which the next must follow.</summary>
    public TimeSpan? LastIntentAt => _lastIntentAt;

    /// <summary>Every order in creation order.</summary>
    public IReadOnlyList<BookOrder> Orders => _inOrder;

    public BookOrder? Find(string label) => _orders.GetValueOrDefault(label);

    /// <summary>The product's entries in placement order that the exchange accepted on the other side than <paramref name="exitSide"/>: the lots such an exit closes (default: a SELL exit's, the BUY entries).</summary>
    public IEnumerable<BookOrder> LotsOf(string product, Side exitSide = Side.Sell) =>
        _products.TryGetValue(product, out var p) ? p.Entries.Where(e => e.Side != exitSide && !e.Rejected) : [];

    /// <summary>
    /// The most an exit on <paramref name="exitSide"/> sent now may sell (or buy back), whichever lots earlier exits
    /// closed: for all of the product's lots on the other side, what they executed less what earlier exits on the same
    /// side executed; for named lots, what they executed less what every earlier exit that may close one of them executed.
    /// </summary>
    public decimal Capacity(string product, IReadOnlyCollection<string> closes, Side exitSide = Side.Sell)
    {
        if (!_products.TryGetValue(product, out var p))
        {
            return 0m;
        }
        bool Named(BookOrder lot) => closes.Count == 0 || closes.Contains(lot.Label, StringComparer.Ordinal);
        var executed = LotsOf(product, exitSide).Where(Named).Sum(l => l.Executed);
        var taken = p.Exits.Where(x => x.Side == exitSide)
            .Where(x => x.Closes.IsEmpty || closes.Count == 0 || x.Closes.Any(c => closes.Contains(c, StringComparer.Ordinal)))
            .Sum(x => x.Executed);
        return Math.Max(0m, executed - taken);
    }

    /// <summary>
    /// Whether an exit may go out on <paramref name="product"/> at <paramref name="at"/> (default: now, the last step's
    /// time; a generator asks about the step it is about to make): the product's earlier exit fills reached the webhook.
    /// </summary>
    public bool ExitMayGoOut(string product, TimeSpan? at = null) => Settled(_products.GetValueOrDefault(product)?.LastExitFillAt, at ?? Now);

    /// <summary>Whether an exit on <paramref name="exitSide"/> without a size sent at <paramref name="at"/> (default: now) is sized by the webhook to exactly <see cref="Capacity"/> of all lots.</summary>
    public bool WholePositionIsSettled(string product, TimeSpan? at = null, Side exitSide = Side.Sell) =>
        WholePositionCanSettle(product, exitSide)
        && _products[product] is var p
        && Settled(p.LastExitFillAt, at ?? Now)
        && Settled(p.LastLotFillAt, at ?? Now);

    /// <summary>Whether waiting long enough (with nothing else happening) would settle the product's whole position for an exit on <paramref name="exitSide"/>.</summary>
    public bool WholePositionCanSettle(string product, Side exitSide = Side.Sell) =>
        Connected
        // A volatile store forgets the lots across a restart and would size the exit at nothing.
        && !Restarted
        && _products.GetValueOrDefault(product) is { } p
        // The webhook sizes such an exit from every open entry of the product, either side, while an exit closes only
        // the other side's: every entry must be a lot it closes (all BUY for a SELL exit, all SELL for a short's BUY).
        && p.Entries.All(e => e.Side != exitSide)
        && Capacity(product, [], exitSide) > 0m;

    /// <summary>
    /// Whether a fill at <paramref name="fillAt"/> has surely reached the webhook by <paramref name="at"/>: it is
    /// <see cref="SettleTime"/> old, and the WebSocket was up since before it or came back at least
    /// <see cref="SettleTime"/> ago (and reconciled).
    /// </summary>
    private bool Settled(TimeSpan? fillAt, TimeSpan at) =>
        fillAt is not { } fill
        || (Connected && at - fill >= SettleTime && (_lastConnectionChange <= fill || at - _lastConnectionChange >= SettleTime));

    /// <summary>Checks a whole scenario: null when every step is meaningful in order and it ends connected, else why not.</summary>
    public static string? Check(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var book = new ScenarioBook();
        for (var i = 0; i < scenario.Steps.Length; i++)
        {
            if (book.Apply(scenario.Steps[i]) is { } reason)
            {
                return $"step {i} at {ScenarioDurations.Format(scenario.Steps[i].At)}: {reason}";
            }
        }
        return book.Connected ? null : "the scenario ends disconnected, so fills after the drop never reach the webhook";
    }

    /// <summary>Applies <paramref name="step"/> when it is meaningful now and returns null; otherwise changes nothing and returns why not.</summary>
    public string? Apply(Step step)
    {
        ArgumentNullException.ThrowIfNull(step);
        if (step.At < Now)
        {
            return "steps run in time order";
        }
        // Rules read the clock, so it moves first; it moves back if the step is refused.
        var before = Now;
        Now = step.At;
        var reason = step switch
        {
            PlaceStep place => Place(place),
            ExitStep exit => Exit(exit),
            ManualStep manual => Manual(manual),
            FillStep fill => Fill(fill),
            CancelStep cancel => Cancel(cancel),
            DuplicateStep duplicate => Duplicate(duplicate),
            ResendStep resend => Resend(resend),
            DisconnectStep => Connection(connected: false),
            ReconnectStep => Connection(connected: true),
            RestartStep => Restart(),
            _ => $"unknown step {step.GetType().Name}",
        };
        if (reason is not null)
        {
            Now = before;
        }
        return reason;
    }

    private string? Place(PlaceStep place)
    {
        if (IntentProblem(place.Order) is { } reason)
        {
            return reason;
        }
        _lastIntentAt = Now;
        var order = Add(new BookOrder(place.Order, BookOrderKind.Entry, place.Product, place.Side, place.Size, Now)
        {
            Rejected = place.Ack is AckReject,
            HasBracket = place.Bracket is not null,
        });
        Product(place.Product).Entries.Add(order);
        return null;
    }

    private string? Exit(ExitStep exit)
    {
        if ((IntentProblem(exit.Order) ?? ExitProblem(exit)) is { } reason)
        {
            return reason;
        }
        _lastIntentAt = Now;
        var order = Add(new BookOrder(exit.Order, BookOrderKind.Exit, exit.Product, exit.Side, exit.Size ?? Capacity(exit.Product, [], exit.Side), Now)
        {
            Rejected = exit.Ack is AckReject,
            WholePosition = exit.Size is null,
            Closes = exit.Closes,
        });
        if (!order.Rejected)
        {
            var product = Product(exit.Product);
            product.Exits.Add(order);
            product.LatestExit = order;
        }
        return null;
    }

    private string? ExitProblem(ExitStep exit)
    {
        foreach (var label in exit.Closes)
        {
            if (_orders.GetValueOrDefault(label) is not { Kind: BookOrderKind.Entry, Rejected: false } entry || entry.Side == exit.Side || entry.Product != exit.Product)
            {
                return $"exit {exit.Order} closes {label}, which is no accepted entry on the other side on {exit.Product}";
            }
        }
        if (exit.Closes.Distinct(StringComparer.Ordinal).Count() != exit.Closes.Length)
        {
            return $"exit {exit.Order} names an entry twice";
        }
        if (exit.Ack is AckReject)
        {
            // The exchange refuses it: it never sells, so it needs no room.
            return null;
        }
        if (!ExitMayGoOut(exit.Product))
        {
            return $"exit {exit.Order} goes out before the product's earlier fills settled";
        }
        if (exit.Size is not { } size)
        {
            return !exit.Closes.IsEmpty
                ? "an exit without a size names no entries: the old design sizes it from the whole account"
                : WholePositionIsSettled(exit.Product, exitSide: exit.Side) ? null : $"exit {exit.Order} sells the whole position while the webhook's view of it may still change";
        }
        var capacity = Capacity(exit.Product, exit.Closes, exit.Side);
        return size > capacity ? $"exit {exit.Order} sells {size} but its lots are sure to have only {capacity}" : null;
    }

    private string? Manual(ManualStep manual)
    {
        if (_orders.ContainsKey(manual.Order))
        {
            return $"order label {manual.Order} is used twice";
        }
        Add(new BookOrder(manual.Order, BookOrderKind.Manual, manual.Product, manual.Side, manual.Size, Now));
        return null;
    }

    /// <summary>A fill of an entry's attached bracket: the entry filled in full, the bracket's fills within its size.</summary>
    private string? LegFill(FillStep fill)
    {
        if (_orders.GetValueOrDefault(fill.Order) is not { Kind: BookOrderKind.Entry, HasBracket: true, Rejected: false } entry)
        {
            return $"leg fill of {fill.Order}, which is no entry with a bracket";
        }
        if (entry.Executed != entry.Size)
        {
            return $"leg fill of {fill.Order} before the entry filled in full";
        }
        var quantity = fill.Size ?? entry.Size - entry.BracketExecuted;
        if (quantity <= 0m || entry.BracketExecuted + quantity > entry.Size)
        {
            return $"leg fill of {quantity} on {fill.Order}, whose bracket has {entry.Size - entry.BracketExecuted} left";
        }
        entry.BracketExecuted += quantity;
        return null;
    }

    private string? Fill(FillStep fill)
    {
        if (fill.Leg is not null)
        {
            return LegFill(fill);
        }
        if (Open(fill.Order) is not { } order)
        {
            return $"fill of {fill.Order}, which is not an open order";
        }
        if (order.WholePosition && fill.Size is not null)
        {
            return $"exit {order.Label} sells the whole position: only a fill of the rest is sure to fit it";
        }
        var quantity = fill.Size ?? order.Left;
        if (quantity <= 0m || quantity > order.Left)
        {
            return $"fill of {quantity} on {order.Label}, which has {order.Left} left";
        }
        var product = Product(order.Product);
        if (order.Kind == BookOrderKind.Exit && !ReferenceEquals(product.LatestExit, order))
        {
            return $"exit {order.Label} fills after a later exit on {order.Product} was sent: two exits would compete for one lot";
        }
        order.Executed += quantity;
        order.HasFill = true;
        order.LastFillAt = Now;
        if (order.Kind == BookOrderKind.Exit)
        {
            product.LastExitFillAt = Now;
        }
        else if (order.Kind == BookOrderKind.Entry)
        {
            product.LastLotFillAt = Now;
        }
        return null;
    }

    private string? Cancel(CancelStep cancel)
    {
        if (Open(cancel.Order) is not { } order)
        {
            return $"cancel of {cancel.Order}, which is not an open order";
        }
        order.Cancelled = true;
        return null;
    }

    private string? Duplicate(DuplicateStep duplicate)
    {
        if (_orders.GetValueOrDefault(duplicate.Order) is not { HasFill: true })
        {
            return $"duplicate of {duplicate.Order}, which has no fill yet";
        }
        return duplicate.As is { } other && (other == duplicate.Order || !_orders.ContainsKey(other))
            ? $"duplicate as {other}, which is no other order"
            : null;
    }

    private string? Resend(ResendStep resend) =>
        _orders.GetValueOrDefault(resend.Order) is { Kind: BookOrderKind.Entry or BookOrderKind.Exit } ? null : $"resend of {resend.Order}, which no place or exit created";

    private string? Connection(bool connected)
    {
        Connected = connected;
        _lastConnectionChange = Now;
        return null;
    }

    private string? Restart()
    {
        Restarted = true;
        return Connection(connected: true);
    }

    private string? IntentProblem(string label) =>
        _orders.ContainsKey(label) ? $"order label {label} is used twice"
        : _lastIntentAt is { } last && Now <= last ? "intents are sent at distinct times"
        : null;

    private BookOrder? Open(string label) => _orders.GetValueOrDefault(label) is { Rejected: false, Finished: false } order ? order : null;

    private BookOrder Add(BookOrder order)
    {
        _orders.Add(order.Label, order);
        _inOrder.Add(order);
        Product(order.Product);
        return order;
    }

    private BookProduct Product(string product)
    {
        if (!_products.TryGetValue(product, out var p))
        {
            p = new BookProduct();
            _products.Add(product, p);
        }
        return p;
    }

    private sealed class BookProduct
    {
        public List<BookOrder> Entries { get; } = [];
        public List<BookOrder> Exits { get; } = [];
        public BookOrder? LatestExit { get; set; }
        public TimeSpan? LastLotFillAt { get; set; }
        public TimeSpan? LastExitFillAt { get; set; }
    }
}

/// <summary>Which step created an order.</summary>
public enum BookOrderKind
{
    Entry,
    Exit,
    Manual,
}

/// <summary>One order as the book sees it. <see cref="Size"/> of a whole-position exit is the open quantity it was sent for.</summary>
public sealed class BookOrder(string label, BookOrderKind kind, string product, Side side, decimal size, TimeSpan placedAt)
{
    public string Label => label;
    public BookOrderKind Kind => kind;
    public string Product => product;
    public Side Side => side;
    public decimal Size => size;
    public TimeSpan PlacedAt => placedAt;
    public bool Rejected { get; init; }
    public bool WholePosition { get; init; }
    public ImmutableArray<string> Closes { get; init; } = [];
    public decimal Executed { get; set; }

    /// <summary>Entries: sent with an attached bracket.</summary>
    public bool HasBracket { get; init; }

    /// <summary>Entries with a bracket: what its legs executed.</summary>
    public decimal BracketExecuted { get; set; }
    public bool Cancelled { get; set; }
    public bool HasFill { get; set; }
    public TimeSpan? LastFillAt { get; set; }

    public decimal Left => Size - Executed;

    /// <summary>Nothing more can fill: executed in full, or cancelled.</summary>
    public bool Finished => Cancelled || Executed == Size;
}
