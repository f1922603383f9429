using System.Collections.Immutable;
using System.Globalization;
using System.Reflection;

namespace Linkage.Stores.Sql;

/// <summary>One schema step: <c>Migrations/NNNN_name.sql</c> embedded in a store assembly.</summary>
internal sealed record Migration(int Version, string Name, string Sql);

/// <summary>
/// Finds a store's migrations and decides which to run. Migrations are applied in version order, each once, recorded in
/// the <c>schema_version</c> table; a database that records a version this build does not know was migrated by a newer
/// build, and is refused rather than written with an older idea of the schema.
/// </summary>
internal static class Migrations
{
    /// <summary>The embedded <c>.sql</c> resources of <paramref name="assembly"/> named <c>{prefix}NNNN_name.sql</c>, by version.</summary>
    public static ImmutableArray<Migration> Embedded(Assembly assembly, string prefix)
    {
        var found = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.StartsWith(prefix, StringComparison.Ordinal)))
        {
            var name = resource[prefix.Length..];
            var digits = new string([.. name.TakeWhile(char.IsAsciiDigit)]);
            if (digits.Length == 0 || !name.EndsWith(".sql", StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"migration resource {resource} is not named NNNN_name.sql");
            }
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            found.Add(new Migration(int.Parse(digits, CultureInfo.InvariantCulture), name, reader.ReadToEnd()));
        }
        var sorted = found.OrderBy(m => m.Version).ToImmutableArray();
        for (var i = 1; i < sorted.Length; i++)
        {
            if (sorted[i].Version == sorted[i - 1].Version)
            {
                throw new InvalidOperationException($"two migrations have version {sorted[i].Version}: {sorted[i - 1].Name}, {sorted[i].Name}");
            }
        }
        return sorted.IsEmpty ? throw new InvalidOperationException($"{assembly.GetName().Name} embeds no migrations") : sorted;
    }

    /// <summary>The migrations of <paramref name="known"/> not yet in <paramref name="applied"/>, in version order.</summary>
    public static ImmutableArray<Migration> Pending(ImmutableArray<Migration> known, IReadOnlyCollection<long> applied)
    {
        var newest = known[^1].Version;
        if (applied.FirstOrDefault(v => v > newest) is var unknown and > 0)
        {
            throw new InvalidOperationException(
                $"the database is at schema version {unknown}, newer than this build's {newest}: run a newer build, or a fresh database");
        }
        return [.. known.Where(m => !applied.Contains(m.Version))];
    }
}
