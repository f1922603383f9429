using System.Collections.Immutable;

namespace Linkage.Sim.Oracle;

/// <summary>Who created an order: the strategy (entry), the position monitor (exit), or someone outside the bot (manual).</summary>
public enum OrderOrigin
{
    Entry,
    Exit,
    Manual,
}

/// <summary>
/// What the oracle knows about one order of the scenario: its label, who created it and, for bot orders, the intent's
/// identity (client order id, snapshot UUID) that every link of its trades must name.
/// </summary>
public sealed record TruthOrder
{
    public required string Label { get; init; }
    public required OrderOrigin Origin { get; init; }
    public required string Product { get; init; }

    /// <summary>The order's side: an exit's is the opposite of the entry lots it closes (a BUY exit closes a short).</summary>
    public Engine.Side Side { get; init; }

    /// <summary>When the intent reached the webhook (or the manual order the exchange).</summary>
    public required DateTimeOffset PlacedAt { get; init; }

    /// <summary>
    /// The intent's client order id (bot orders): the id of the first create-order the exchange received while the
    /// runner handed this intent to the webhook, never one computed with the engine's code. Null until that request
    /// arrives, and for good when the webhook never sent one. Manual orders have the exchange order id instead.
    /// </summary>
    public string? ClientOrderId { get; init; }

    /// <summary>Bot orders: the step that delivered the intent, named by a failure about the intent itself.</summary>
    public StepRef? DeliveredAt { get; init; }

    /// <summary>Manual orders: the exchange order id.</summary>
    public string? ExchangeOrderId { get; init; }

    /// <summary>Entries: the snapshot UUID the links must carry.</summary>
    public string? Snapshot { get; init; }

    /// <summary>Entries: the snapshot as the scenario file wrote it (a label such as <c>aaa</c>, or the UUID itself), so reports speak the file's words.</summary>
    public string? SnapshotLabel { get; init; }

    /// <summary>Exits: the trigger.</summary>
    public string? Trigger { get; init; }

    /// <summary>Exits: the intent's sell score, which every allocation records.</summary>
    public decimal? SellScore { get; init; }

    /// <summary>Exits: the client order ids of the entries named in <c>closes</c> (empty: oldest open lots first).</summary>
    public ImmutableArray<string> Closes { get; init; } = [];

    /// <summary>
    /// An attached bracket order: the label of the entry it belongs to. Its links must name the entry's snapshot as an
    /// exit, its fills close only that entry's lot, with the leg that executed as trigger.
    /// </summary>
    public string? BracketOf { get; init; }

    public bool IsBot => Origin != OrderOrigin.Manual;
}
