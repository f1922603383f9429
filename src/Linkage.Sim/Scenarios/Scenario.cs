using System.Collections.Immutable;

namespace Linkage.Sim.Scenarios;

/// <summary>
/// One scenario file, validated (see <c>docs/scenarios.md</c>, the format's contract). Immutable. Labels are the
/// file's short names; the simulator mints the real ids from the seed. Steps are in run order: by <c>At</c>, then file order.
/// </summary>
public sealed record Scenario
{
    public required string Name { get; init; }
    public string? Description { get; init; }

    /// <summary>The file it was loaded from (as given on the command line), or null for a generated scenario.</summary>
    public string? File { get; init; }

    public ulong Seed { get; init; } = 1;
    public FeedKind Feed { get; init; } = FeedKind.Orders;
    public Latency Latency { get; init; } = Latency.Default;
    public Faults Faults { get; init; } = Faults.None;

    /// <summary>How the exchange answers a create-order whose client order id it already holds (the <c>resend_answer</c> extension).</summary>
    public ResendAnswer ResendAnswer { get; init; } = ResendAnswer.Original;

    public required ImmutableArray<Step> Steps { get; init; }
    public Expectations? Expect { get; init; }
}

/// <summary>Which WebSocket feed the engine listens to.</summary>
public enum FeedKind
{
    /// <summary>Advanced Trade <c>user</c> channel: cumulative order updates.</summary>
    Orders,

    /// <summary>Legacy Exchange feed: <c>received</c>, per-trade <c>match</c>, <c>done</c>.</summary>
    Trades,
}

/// <summary>
/// How the exchange answers a create-order that carries a client order id it already holds: a webhook retry after a
/// timeout, a re-sent create-order during reconciliation, a strategy's webhook delivered again.
/// </summary>
public enum ResendAnswer
{
    /// <summary>With the original order, placing nothing (what Coinbase documents; the default).</summary>
    Original,

    /// <summary>
    /// With a failure, <c>DUPLICATE_CLIENT_ORDER_ID</c>, placing nothing: the order exists, but the answer does not say
    /// which, so the webhook must learn its exchange id from the feed or reconciliation, and must not take the order
    /// for refused.
    /// </summary>
    Error,
}

/// <summary>REST create-order response time and exchange-to-engine feed delay.</summary>
public sealed record Latency(TimeSpan Ack, TimeSpan Feed)
{
    public static readonly Latency Default = new(TimeSpan.FromMilliseconds(200), TimeSpan.FromMilliseconds(50));

    /// <summary>
    /// How long a REST answer (List Orders, Get Order, List Fills) takes to reach the webhook (an extension, see
    /// docs/scenarios.md); zero, the default, answers at once, as before the extension.
    /// </summary>
    public TimeSpan Rest { get; init; } = TimeSpan.Zero;
}

/// <summary>Per feed message fault probabilities, each in [0, 1], held as decimals so draws compare exactly against the seeded PRNG.</summary>
public sealed record Faults(decimal Duplicate, decimal Reorder, decimal Drop)
{
    public static readonly Faults None = new(0m, 0m, 0m);

    public bool Any => Duplicate > 0 || Reorder > 0 || Drop > 0;
}

/// <summary>One step: when (offset from the start) and what. <see cref="Line"/> is its 1-based line in the file (0 if generated).</summary>
public abstract record Step(TimeSpan At)
{
    public int Line { get; init; }
}

/// <summary>How the create-order response behaves.</summary>
public abstract record Ack
{
    public static readonly Ack Ok = new AckOk();
    public static readonly Ack Lost = new AckLost();
    public static readonly Ack Reject = new AckReject();
}

public sealed record AckOk : Ack;

/// <summary>The response arrives after <see cref="Delay"/> (possibly after fills).</summary>
public sealed record AckDelay(TimeSpan Delay) : Ack;

/// <summary>The exchange accepts the order but the response never arrives.</summary>
public sealed record AckLost : Ack;

/// <summary>The exchange refuses the order: no order, no fills.</summary>
public sealed record AckReject : Ack;

/// <summary>Scores as given: each may be absent or null.</summary>
public sealed record ScoreSet(decimal? Buy, decimal? Sell);

/// <summary>The strategy emits an entry intent; the webhook places it.</summary>
public sealed record PlaceStep(TimeSpan At) : Step(At)
{
    public required string Order { get; init; }
    public required string Product { get; init; }
    public required Engine.Side Side { get; init; }
    public required decimal Size { get; init; }
    public decimal? Price { get; init; }

    /// <summary>A label, or a UUID used as is.</summary>
    public required string Snapshot { get; init; }

    public ScoreSet Scores { get; init; } = new(null, null);
    public string? Trigger { get; init; }

    /// <summary>Indicator name to value (scalar text), sorted by name.</summary>
    public ImmutableSortedDictionary<string, string> Indicators { get; init; } = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);

    public Ack Ack { get; init; } = Ack.Ok;

    /// <summary>
    /// Extension (<c>bracket</c>, see docs/scenarios.md): the entry is sent with an attached take-profit / stop-loss
    /// order, which the exchange creates with it. Null: no bracket.
    /// </summary>
    public Engine.Bracket? Bracket { get; init; }
}

/// <summary>Which leg of an entry's attached bracket a <c>fill</c> executes.</summary>
public enum BracketLeg
{
    /// <summary>The take-profit limit order: fills at its limit price or better.</summary>
    TakeProfit,

    /// <summary>The stop-loss: the stop triggered and its stop-limit order fills.</summary>
    StopLoss,
}

/// <summary>The position monitor closes a position (no snapshot): a SELL closes BUY entries, a BUY closes SELL entries (a short).</summary>
public sealed record ExitStep(TimeSpan At) : Step(At)
{
    public required string Order { get; init; }
    public required string Product { get; init; }

    /// <summary>The exit's side (an extension, see docs/scenarios.md): SELL, the default, closes long lots; BUY closes short lots.</summary>
    public Engine.Side Side { get; init; } = Engine.Side.Sell;

    /// <summary>Null: the whole open position.</summary>
    public decimal? Size { get; init; }

    public decimal? Price { get; init; }
    public required string Trigger { get; init; }
    public ScoreSet Scores { get; init; } = new(null, null);

    /// <summary>Entry labels this exit closes; empty: the product's open lots, oldest first.</summary>
    public ImmutableArray<string> Closes { get; init; } = [];

    public Ack Ack { get; init; } = Ack.Ok;
}

/// <summary>An order placed outside the bot: its fills must be external.</summary>
public sealed record ManualStep(TimeSpan At) : Step(At)
{
    public required string Order { get; init; }
    public required string Product { get; init; }
    public required Engine.Side Side { get; init; }
    public required decimal Size { get; init; }
    public decimal? Price { get; init; }

    /// <summary>
    /// The client order id the other tool sent (an extension, see docs/scenarios.md); null: a UUID, as the Coinbase app
    /// sends. Any text the exchange accepts, including ids no intent of ours can carry (ccxt's 41-character ones).
    /// </summary>
    public string? ClientOrderId { get; init; }
}

/// <summary>The exchange executes part (<see cref="Size"/>) or all the rest (null) of an order.</summary>
public sealed record FillStep(TimeSpan At) : Step(At)
{
    public required string Order { get; init; }
    public decimal? Size { get; init; }
    public decimal? Price { get; init; }

    /// <summary>
    /// Extension (<c>leg</c>, see docs/scenarios.md): the fill executes the attached bracket order of entry
    /// <see cref="Order"/> on this leg, at <see cref="Price"/> (null: the leg's own price). Null: the order itself fills.
    /// </summary>
    public BracketLeg? Leg { get; init; }
}

public sealed record CancelStep(TimeSpan At) : Step(At)
{
    public required string Order { get; init; }
}

public sealed record DisconnectStep(TimeSpan At) : Step(At);

public sealed record ReconnectStep(TimeSpan At) : Step(At);

public sealed record RestartStep(TimeSpan At) : Step(At)
{
    public bool Abrupt { get; init; }
}

/// <summary>The last fill message about the order is delivered again.</summary>
public sealed record DuplicateStep(TimeSpan At) : Step(At)
{
    public required string Order { get; init; }

    /// <summary>
    /// Extension (<c>as</c>, see docs/scenarios.md): when set, the re-delivered message names this other order's client
    /// order id instead of its own, so the exchange order id is seen again with a different client id. Null: a plain copy.
    /// </summary>
    public string? As { get; init; }
}

/// <summary>The strategy's webhook for that place or exit is delivered again (HTTP retry).</summary>
public sealed record ResendStep(TimeSpan At) : Step(At)
{
    public required string Order { get; init; }
}

/// <summary>Checks added to the oracle's.</summary>
public sealed record Expectations
{
    public ImmutableArray<ExpectedLink> Links { get; init; } = [];
    public int? External { get; init; }
    public ImmutableArray<ExpectedExit> Exits { get; init; } = [];
    public ExpectedLegacy? Legacy { get; init; }
}

/// <summary>The order's quantity links to that snapshot; <see cref="Fills"/> distinct trades, <see cref="Filled"/> in total.</summary>
public sealed record ExpectedLink(string Order, string? Snapshot, int? Fills, decimal? Filled)
{
    public int Line { get; init; }
}

public sealed record ExpectedExit(string Order, ImmutableArray<string> Closes, string? Trigger)
{
    public int Line { get; init; }
}

/// <summary>What the old product-keyed design gets wrong on this scenario.</summary>
public sealed record ExpectedLegacy(int? Wrong, int? Missing);
