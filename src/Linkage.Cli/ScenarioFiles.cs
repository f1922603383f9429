using System.Collections.Immutable;
using Linkage.Sim.Scenarios;

namespace Linkage.Cli;

/// <summary>A scenario file to load, named as the run reports it; or, with a <see cref="Problem"/>, a PATH that gives no file.</summary>
internal sealed record ScenarioFile(string DisplayPath, string? Problem = null);

/// <summary>
/// Turns the command line's PATHs into the files to replay: a file is taken as named (whatever its extension); a folder
/// is searched recursively for <c>.yaml</c>, <c>.yml</c> and <c>.json</c> files, listed in ordinal order of their paths
/// so every machine replays (and reports) them in the same order. Hidden entries and links are skipped (no loops). A file
/// reached twice is loaded once. Display paths keep the argument as given and use <c>/</c>, so reports do not depend on
/// the operating system.
/// </summary>
internal static class ScenarioFiles
{
    private static readonly EnumerationOptions Search = new()
    {
        RecurseSubdirectories = true,
        AttributesToSkip = FileAttributes.Hidden | FileAttributes.System | FileAttributes.ReparsePoint,
        MatchType = MatchType.Simple,
        IgnoreInaccessible = false,
    };

    public static ImmutableArray<ScenarioFile> Expand(IEnumerable<string> paths)
    {
        var files = ImmutableArray.CreateBuilder<ScenarioFile>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var path in paths)
        {
            if (Directory.Exists(path))
            {
                var found = Directory.EnumerateFiles(path, "*", Search)
                    .Where(f => ScenarioLoader.Extensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Select(f => Display(Path.Join(path, Path.GetRelativePath(path, f))))
                    .Order(StringComparer.Ordinal)
                    .ToList();
                if (found.Count == 0)
                {
                    files.Add(new ScenarioFile(Display(path), "the folder holds no .yaml, .yml or .json file"));
                }
                files.AddRange(found.Where(f => seen.Add(Path.GetFullPath(f))).Select(f => new ScenarioFile(f)));
            }
            else if (seen.Add(Path.GetFullPath(path)))
            {
                files.Add(new ScenarioFile(Display(path), File.Exists(path) ? null : "no such file or folder"));
            }
        }
        return files.ToImmutable();
    }

    private static string Display(string path) => path.Replace('\\', '/');
}
