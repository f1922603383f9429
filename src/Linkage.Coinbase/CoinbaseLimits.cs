namespace Linkage.Coinbase;

/// <summary>
/// Every bound the Coinbase parsers enforce, named. Input past a bound is refused with a reason (never truncated
/// silently, never allowed to grow memory without limit). Units last in names.
/// </summary>
public static class CoinbaseLimits
{
    /// <summary>Longest message accepted, in UTF-8 bytes (1 MiB). Real messages are a few kilobytes; a snapshot batch of 50 orders is about 60 KiB.</summary>
    public const int MessageLengthMax = 1024 * 1024;

    /// <summary>Deepest JSON nesting accepted. Coinbase messages nest at most five levels; indicator breakdowns a few more.</summary>
    public const int JsonDepthMax = 32;

    /// <summary>Most events in one WebSocket envelope.</summary>
    public const int EventsPerMessageMax = 64;

    /// <summary>Most orders in one WebSocket event (snapshots come in batches of 50).</summary>
    public const int OrdersPerEventMax = 1_000;

    /// <summary>Most rows in one REST List Fills page (the API's default limit is 100).</summary>
    public const int FillsPerPageMax = 1_000;

    /// <summary>Most orders in one REST List Orders page.</summary>
    public const int OrdersPerPageMax = 1_000;

    /// <summary>Longest free-text field kept (reject reasons, error messages); longer text is kept cut to this length.</summary>
    public const int TextLengthMax = 512;

    /// <summary>Longest fill entry id or trade id accepted (Coinbase's are 36-character UUIDs).</summary>
    public const int FillIdLengthMax = 64;

    /// <summary>Longest pagination cursor accepted.</summary>
    public const int CursorLengthMax = 1_024;

    /// <summary>Longest capture line accepted, in characters: a maximal message plus the record's own fields.</summary>
    public const int CaptureLineLengthMax = MessageLengthMax + 1_024;
}
