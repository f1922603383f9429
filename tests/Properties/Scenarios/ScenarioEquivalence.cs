using System.Collections;
using System.Globalization;
using System.Reflection;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Scenarios;

/// <summary>
/// Compares two scenarios member by member, by reflection, so a member added to the model later is compared too (and a
/// writer that forgets it fails the round trip). Source positions (<c>Line</c>) and the file name are not part of a
/// scenario's meaning and are skipped. Decimals must match in scale as well as value: the writer keeps "0.0020" as written.
/// </summary>
internal static class ScenarioEquivalence
{
    private static readonly HashSet<string> Ignored = new(StringComparer.Ordinal) { "Line", nameof(Scenario.File), "EqualityContract" };

    /// <summary>The first difference as "path: a vs b", or null when the two are equivalent.</summary>
    public static string? Difference(Scenario expected, Scenario actual) => Difference(expected, actual, "scenario");

    private static string? Difference(object? a, object? b, string path)
    {
        if (a is null || b is null)
        {
            return a is null && b is null ? null : $"{path}: {Show(a)} vs {Show(b)}";
        }
        if (a.GetType() != b.GetType())
        {
            return $"{path}: {a.GetType().Name} vs {b.GetType().Name}";
        }
        switch (a)
        {
            case decimal x:
                return x.ToString(CultureInfo.InvariantCulture) == ((decimal)b).ToString(CultureInfo.InvariantCulture) ? null : $"{path}: {Show(a)} vs {Show(b)}";
            case string or bool or int or ulong or TimeSpan or Enum:
                return a.Equals(b) ? null : $"{path}: {Show(a)} vs {Show(b)}";
            case IEnumerable xs:
                var left = xs.Cast<object?>().ToList();
                var right = ((IEnumerable)b).Cast<object?>().ToList();
                if (left.Count != right.Count)
                {
                    return $"{path}: {left.Count} items vs {right.Count}";
                }
                return left.Zip(right).Select((pair, i) => Difference(pair.First, pair.Second, $"{path}[{i}]")).FirstOrDefault(d => d is not null);
            default:
                var properties = a.GetType().GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .Where(p => p.GetIndexParameters().Length == 0 && !Ignored.Contains(p.Name));
                return properties.Select(p => Difference(p.GetValue(a), p.GetValue(b), $"{path}.{p.Name}")).FirstOrDefault(d => d is not null);
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"\"{s}\"",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
