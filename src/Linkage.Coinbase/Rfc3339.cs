using System.Globalization;

namespace Linkage.Coinbase;

/// <summary>
/// RFC 3339 timestamps as Coinbase writes them (<c>2025-03-14T15:09:26.535897932Z</c>, <c>…+00:00</c>) and formatting
/// for captures. Parsing is written out by hand because the framework's parsers stop at seven fractional digits and
/// accept culture-dependent shapes; this one accepts exactly RFC 3339 and truncates fractions beyond 100 ns ticks.
/// </summary>
public static class Rfc3339
{
    /// <summary>Most fractional-second digits read (nanoseconds and a little more); the first seven are kept.</summary>
    private const int FractionDigitsMax = 12;

    /// <summary>Parses an RFC 3339 date-time; on failure <paramref name="reason"/> says why. Never throws.</summary>
    public static bool TryParse(string? text, out DateTimeOffset value, out string reason)
    {
        value = default;
        reason = "";
        if (string.IsNullOrEmpty(text))
        {
            reason = "timestamp is missing";
            return false;
        }
        var s = text.AsSpan();
        if (!(s.Length >= 20
            && Digits(s, 0, 4, out var year) && s[4] == '-' && Digits(s, 5, 2, out var month) && s[7] == '-'
            && Digits(s, 8, 2, out var day) && s[10] is 'T' or 't' or ' '
            && Digits(s, 11, 2, out var hour) && s[13] == ':' && Digits(s, 14, 2, out var minute) && s[16] == ':'
            && Digits(s, 17, 2, out var second)))
        {
            reason = $"'{TextBounds.Excerpt(text)}' is not an RFC 3339 timestamp (yyyy-MM-ddTHH:mm:ss[.fraction](Z|±HH:MM))";
            return false;
        }
        var i = 19;
        long fractionTicks = 0;
        if (s[i] == '.')
        {
            i++;
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i]))
            {
                if (i - start < 7)
                {
                    fractionTicks = (fractionTicks * 10) + (s[i] - '0');
                }
                i++;
            }
            var digits = i - start;
            if (digits is 0 or > FractionDigitsMax)
            {
                reason = $"'{TextBounds.Excerpt(text)}' has {digits} fractional-second digits (1 to {FractionDigitsMax} accepted)";
                return false;
            }
            for (var pad = digits; pad < 7; pad++)
            {
                fractionTicks *= 10;
            }
        }
        if (!TryOffset(s[i..], out var offset))
        {
            reason = $"'{TextBounds.Excerpt(text)}' has no valid zone (Z or ±HH:MM)";
            return false;
        }
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(Math.Max(year, 1), Math.Clamp(month, 1, 12))
            || hour > 23 || minute > 59 || second > 59)
        {
            reason = $"'{TextBounds.Excerpt(text)}' is not a valid date and time";
            return false;
        }
        var localTicks = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + fractionTicks;
        var utcTicks = localTicks - offset.Ticks;
        if (utcTicks < DateTime.MinValue.Ticks || utcTicks > DateTime.MaxValue.Ticks)
        {
            reason = $"'{TextBounds.Excerpt(text)}' is outside the representable range";
            return false;
        }
        value = new DateTimeOffset(localTicks, offset);
        return true;
    }

    /// <summary>
    /// Formats an instant in UTC as <c>yyyy-MM-ddTHH:mm:ss.fffZ</c>, with up to four more digits when the instant has
    /// sub-millisecond ticks, so formatting then parsing gives the same instant and the output is byte-stable.
    /// </summary>
    public static string Format(DateTimeOffset at)
    {
        var utc = at.UtcDateTime;
        var text = utc.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff", CultureInfo.InvariantCulture).AsSpan();
        var end = text.Length;
        var millisecondEnd = text.Length - 4;
        while (end > millisecondEnd && text[end - 1] == '0')
        {
            end--;
        }
        return string.Concat(text[..end], "Z");
    }

    private static bool TryOffset(ReadOnlySpan<char> s, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (s is "Z" or "z")
        {
            return true;
        }
        if (s.Length != 6 || s[0] is not ('+' or '-') || s[3] != ':' || !Digits(s, 1, 2, out var hours) || !Digits(s, 4, 2, out var minutes)
            || minutes > 59 || hours > 14 || (hours == 14 && minutes > 0))
        {
            return false;
        }
        offset = new TimeSpan(hours, minutes, 0);
        if (s[0] == '-')
        {
            offset = -offset;
        }
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length)
        {
            return false;
        }
        for (var i = start; i < start + count; i++)
        {
            if (!char.IsAsciiDigit(s[i]))
            {
                return false;
            }
            value = (value * 10) + (s[i] - '0');
        }
        return true;
    }
}
