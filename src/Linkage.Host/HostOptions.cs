namespace Linkage.Host;

/// <summary>The webhook's timings and bounds; every one named.</summary>
public sealed record HostOptions
{
    /// <summary>How long the webhook waits for a create-order response before it reports the outcome unknown and retries with the same client order id.</summary>
    public TimeSpan AckTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most create-order requests per intent in one process life (the first and its retries); reconciliation resolves the rest.</summary>
    public int PlacementAttemptsMax { get; init; } = 3;

    /// <summary>How often the webhook ticks while busy: retention, heartbeat silence, parked fills, store retries.</summary>
    public TimeSpan TickInterval { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// After this long without activity the webhook ticks at the idle pace; never on the legacy feed while orders are in
    /// flight, since its REST poll (<see cref="LegacyReconcileInterval"/>) is the only backstop for a lost message there.
    /// </summary>
    public TimeSpan IdleAfter { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How often the webhook ticks while idle (retention needs no more: it works in hours).</summary>
    public TimeSpan IdleTickInterval { get; init; } = TimeSpan.FromHours(1);

    /// <summary>
    /// How often a tick asks the design for retention (one store read): retention works on intents terminal for a day,
    /// so a busy webhook need not ask every <see cref="TickInterval"/>. A tick whose retention purged a full batch asks
    /// again at the next tick, until the backlog is gone.
    /// </summary>
    public TimeSpan RetentionInterval { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How often the webhook reconciles in-flight orders on the legacy feed, whose per-product sequences skip by design
    /// on the user channel and so cannot reveal a lost message (REST polling is the only backstop there, as Hummingbot's
    /// fills poll is). The <c>user</c> channel reconciles on sequence gaps and silent heartbeats instead.
    /// </summary>
    public TimeSpan LegacyReconcileInterval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// How long after an order turns terminal the webhook confirms its fills against REST (Get Order and List Fills):
    /// the feed's last update may have been lost or coalesced, and the legacy <c>done</c> carries no quantities.
    /// </summary>
    public TimeSpan ConfirmDelay { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How far back a reconciliation re-checks orders that turned terminal without this process confirming them (after a
    /// restart, those that ended while it was down or just before). Older ones were settled by the process before.
    /// </summary>
    public TimeSpan RecheckTerminalWithin { get; init; } = TimeSpan.FromHours(1);

    /// <summary>Rows asked per List Fills page.</summary>
    public int ListFillsPageSize { get; init; } = 100;

    /// <summary>Orders asked per List Orders page.</summary>
    public int ListOrdersPageSize { get; init; } = 100;

    /// <summary>Most order ids in one List Fills request.</summary>
    public int OrderIdsPerFillsRequestMax { get; init; } = 100;

    /// <summary>Most pages one paginated call follows; past it the listing is cut off and the next reconciliation goes on.</summary>
    public int PagesMax { get; init; } = 10_000;

    /// <summary>Most inputs kept for a later attempt after the store failed; past it the oldest is quarantined as lost.</summary>
    public int StoreRetryQueueMax { get; init; } = 10_000;

    /// <summary>Whether to record every message the webhook saw (docs/capture.md) as <see cref="WriteCapture"/> commands.</summary>
    public bool Capture { get; init; }

    /// <summary>
    /// Whether the feed is the legacy Exchange feed (<c>received</c>, per-trade <c>match</c>, <c>done</c>) instead of the
    /// Advanced Trade <c>user</c> channel: its per-product sequences skip by design, so it is polled over REST instead.
    /// </summary>
    public bool LegacyFeed { get; init; }

    /// <summary>How long the host waits before reopening a feed its driver reported closed; doubled after each try in a row.</summary>
    public TimeSpan ReconnectDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest wait before reopening a closed feed.</summary>
    public TimeSpan ReconnectDelayMax { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The defaults.</summary>
    public static readonly HostOptions Default = new();
}
