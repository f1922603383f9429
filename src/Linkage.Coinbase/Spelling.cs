namespace Linkage.Coinbase;

/// <summary>One normal form for the exchange's enumeration words, whose casing and separators drift between sources.</summary>
internal static class Spelling
{
    /// <summary>Upper case with spaces as underscores, so <c>"Stop Limit"</c>, <c>"STOP_LIMIT"</c> and <c>"stop_limit"</c> agree.</summary>
    public static string Normal(string text) => text.Trim().Replace(' ', '_').ToUpperInvariant();
}
