using System.Globalization;

namespace Linkage.Stores.Sql;

/// <summary>
/// The one place decimals and times become text and back. Decimals keep their scale (<c>0.05000000</c> stays eight
/// places) and all 28-29 significant digits; times keep all their ticks and their offset. Culture-invariant.
/// </summary>
internal static class Invariant
{
    private const NumberStyles DecimalStyle = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;

    public static string Format(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public static decimal ParseDecimal(string text) => decimal.Parse(text, DecimalStyle, CultureInfo.InvariantCulture);

    /// <summary>ISO 8601 round-trip format: seven fractional digits and the offset, so the value comes back exactly.</summary>
    public static string Format(DateTimeOffset value) => value.ToString("o", CultureInfo.InvariantCulture);

    public static DateTimeOffset ParseTime(string text) =>
        DateTimeOffset.ParseExact(text, "o", CultureInfo.InvariantCulture, DateTimeStyles.None);

    public static T ParseEnum<T>(string text)
        where T : struct, Enum =>
        Enum.TryParse<T>(text, ignoreCase: false, out var value) && Enum.IsDefined(value)
            ? value
            : throw new FormatException($"'{text}' is not a {typeof(T).Name}");
}
