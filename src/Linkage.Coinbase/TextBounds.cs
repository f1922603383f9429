namespace Linkage.Coinbase;

/// <summary>Cuts untrusted text for errors and records without splitting a surrogate pair.</summary>
internal static class TextBounds
{
    /// <summary>How much of a bad value an error message quotes.</summary>
    public const int ExcerptLengthMax = 40;

    /// <summary>The first <paramref name="lengthMax"/> characters of <paramref name="text"/>, never ending in half a surrogate pair.</summary>
    public static string Cut(string text, int lengthMax)
    {
        if (text.Length <= lengthMax)
        {
            return text;
        }
        var end = char.IsHighSurrogate(text[lengthMax - 1]) ? lengthMax - 1 : lengthMax;
        return text[..end];
    }

    /// <summary>
    /// A short quote of a bad value for an error message, marked when cut, with control characters written as
    /// <c>\uXXXX</c>: the message is read by people and stored in the quarantine, and PostgreSQL text cannot hold NUL.
    /// </summary>
    public static string Excerpt(string text) => Visible(text.Length <= ExcerptLengthMax ? text : Cut(text, ExcerptLengthMax) + "…");

    /// <summary>Whether <paramref name="text"/> holds U+0000, which no text column of PostgreSQL can store.</summary>
    public static bool HasNul(string text) => text.Contains('\0', StringComparison.Ordinal);

    /// <summary><paramref name="text"/> with NUL replaced by U+FFFD, for free text that is kept rather than refused.</summary>
    public static string WithoutNul(string text) => HasNul(text) ? text.Replace('\0', '\uFFFD') : text;

    private static string Visible(string text)
    {
        if (!text.Any(char.IsControl))
        {
            return text;
        }
        var visible = new System.Text.StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            if (char.IsControl(c))
            {
                visible.Append(System.Globalization.CultureInfo.InvariantCulture, $"\\u{(int)c:X4}");
            }
            else
            {
                visible.Append(c);
            }
        }
        return visible.ToString();
    }
}
