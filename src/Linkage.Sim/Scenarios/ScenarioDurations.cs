using System.Globalization;

namespace Linkage.Sim.Scenarios;

/// <summary>
/// Durations as scenario files write them: a non-negative integer followed by <c>ms</c>, <c>s</c>, <c>m</c>, <c>h</c> or
/// <c>d</c>, at most <see cref="ScenarioLimits.DurationMax"/>.
/// </summary>
public static class ScenarioDurations
{
    private static readonly (string Suffix, TimeSpan Unit)[] Units =
    [
        ("ms", TimeSpan.FromMilliseconds(1)),
        ("s", TimeSpan.FromSeconds(1)),
        ("m", TimeSpan.FromMinutes(1)),
        ("h", TimeSpan.FromHours(1)),
        ("d", TimeSpan.FromDays(1)),
    ];

    /// <summary>Parses <paramref name="text"/>; on failure <paramref name="error"/> says why.</summary>
    public static bool TryParse(string text, out TimeSpan duration, out string error)
    {
        duration = TimeSpan.Zero;
        var digits = 0;
        while (digits < text.Length && char.IsAsciiDigit(text[digits]))
        {
            digits++;
        }
        var suffix = text[digits..];
        var unit = Array.Find(Units, u => u.Suffix == suffix).Unit;
        if (digits == 0 || unit == TimeSpan.Zero)
        {
            error = $"'{text}' is not a duration: write an integer followed by ms, s, m, h or d (e.g. 200ms, 30s, 5m)";
            return false;
        }
        var maxCount = ScenarioLimits.DurationMax.Ticks / unit.Ticks;
        if (!long.TryParse(text.AsSpan(0, digits), NumberStyles.None, CultureInfo.InvariantCulture, out var count) || count > maxCount)
        {
            error = $"'{text}' is longer than the longest duration allowed ({Format(ScenarioLimits.DurationMax)})";
            return false;
        }
        duration = TimeSpan.FromTicks(count * unit.Ticks);
        error = "";
        return true;
    }

    /// <summary>Writes <paramref name="duration"/> in the largest unit that divides it exactly (<c>90s</c>, <c>5m</c>, <c>1500ms</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative, or not a whole number of milliseconds (a programmer error).</exception>
    public static string Format(TimeSpan duration)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(duration, TimeSpan.Zero);
        if (duration == TimeSpan.Zero)
        {
            return "0s";
        }
        for (var i = Units.Length - 1; i >= 0; i--)
        {
            var (suffix, unit) = Units[i];
            if (duration.Ticks % unit.Ticks == 0)
            {
                return (duration.Ticks / unit.Ticks).ToString(CultureInfo.InvariantCulture) + suffix;
            }
        }
        throw new ArgumentOutOfRangeException(nameof(duration), duration, "a scenario duration is a whole number of milliseconds");
    }
}
