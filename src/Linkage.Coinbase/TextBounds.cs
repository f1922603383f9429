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

    /// <summary>A short quote of a bad value for an error message, marked when cut.</summary>
    public static string Excerpt(string text) => text.Length <= ExcerptLengthMax ? text : Cut(text, ExcerptLengthMax) + "…";
}
