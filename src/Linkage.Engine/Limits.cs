namespace Linkage.Engine;

/// <summary>Every bound in the engine, named and documented. Units last in names.</summary>
public static class Limits
{
    /// <summary>Longest client order id we send or accept (Coinbase publishes none; 36 is a UUID's length).</summary>
    public const int ClientOrderIdLengthMax = 36;

    /// <summary>Longest exchange order id accepted (Coinbase's are 36-character UUIDs).</summary>
    public const int ExchangeIdLengthMax = 64;

    /// <summary>Longest product id accepted.</summary>
    public const int ProductIdLengthMax = 32;

    /// <summary>Longest snapshot id accepted.</summary>
    public const int SnapshotIdLengthMax = 64;

    /// <summary>Longest trigger name accepted.</summary>
    public const int TriggerLengthMax = 64;

    /// <summary>Longest serialized indicator breakdown accepted, in characters.</summary>
    public const int IndicatorsJsonLengthMax = 16 * 1024;

    /// <summary>Most entry lots an exit may name in <c>closes</c>.</summary>
    public const int ExitClosesMax = 64;

    /// <summary>
    /// Most fills parked for orders whose identity is not known yet. Past it, a new fill is rejected into quarantine
    /// (with its raw payload, so nothing is lost) and an alert is raised, rather than growing without bound.
    /// </summary>
    public const int ParkedFillsMax = 10_000;

    /// <summary>How long a staged intent's metadata is kept after its order reached a terminal status (the seed document's 24 h).</summary>
    public static readonly TimeSpan RetentionAfterTerminal = TimeSpan.FromHours(24);

    /// <summary>Most intents purged by one retention tick, so one tick is one bounded batch.</summary>
    public const int RetentionBatchMax = 1_000;

    /// <summary>Largest price, size or fee accepted (anything above is corrupt input, not a trade).</summary>
    public const decimal QuantityMax = 1_000_000_000_000m;

    /// <summary>Longest raw payload kept in quarantine, in characters; longer ones are kept truncated with a note.</summary>
    public const int QuarantinedPayloadLengthMax = 64 * 1024;
}
