using System.Globalization;
using Linkage.Sim.Scenarios;

namespace Linkage.Sim.Generation;

/// <summary>
/// Shrunk counterexamples as scenario files: named <c>&lt;property&gt;-&lt;key&gt;.yaml</c> (the key is the seed that
/// generated it, so the name is stable: the same failure found again overwrites its own file), with a description that
/// says which property failed, how, and which generator version and seed made it. Written with
/// <see cref="ScenarioWriter"/>, so <c>replay</c> and the regression fixture read them back unchanged.
/// </summary>
public static class Counterexamples
{
    /// <summary>
    /// Where counterexamples go unless told otherwise, relative to the working folder: <c>out/</c>, never the source
    /// tree, so a failed run leaves <c>scenarios/</c> (which the main job replays) as it was. Keeping one as a
    /// regression is a deliberate act: <c>--out scenarios/regressions</c>.
    /// </summary>
    public static readonly string DefaultFolder = Path.Combine("out", "counterexamples");

    /// <summary>The shipped regression scenarios, relative to the repository root: replayed by every test run and by <c>replay scenarios</c>.</summary>
    public static readonly string RegressionsFolder = Path.Combine("scenarios", "regressions");

    /// <summary>The counterexample's scenario name (and file name without extension).</summary>
    public static string Name(string property, string key) => property + "-" + key;

    /// <summary>The shrunk scenario renamed and described for export.</summary>
    /// <param name="shrunk">The scenario as shrunk.</param>
    /// <param name="property">The property or command that found it (<c>No_wrong_link</c>, <c>fuzz</c>).</param>
    /// <param name="key">What makes the name unique and stable: the generating seed (and index, for fuzz).</param>
    /// <param name="found">How it fails and under which design and store, in a sentence.</param>
    public static Scenario Prepare(Scenario shrunk, string property, string key, string found)
    {
        ArgumentNullException.ThrowIfNull(shrunk);
        return shrunk with
        {
            Name = Name(property, key),
            File = null,
            Description = string.Create(CultureInfo.InvariantCulture,
                $"Shrunk counterexample to {property} (generator v{SwarmGenerator.GeneratorVersion}, seed {key}, {shrunk.Steps.Length} steps): {found}"),
        };
    }

    /// <summary>Writes <paramref name="counterexample"/> (see <see cref="Prepare"/>) into <paramref name="folder"/>, creating it; returns the file's path.</summary>
    public static string Write(Scenario counterexample, string folder)
    {
        ArgumentNullException.ThrowIfNull(counterexample);
        Directory.CreateDirectory(folder);
        var path = Path.Combine(folder, counterexample.Name + ".yaml");
        ScenarioWriter.WriteFile(counterexample, path);
        return path;
    }

    /// <summary>A one-line account of a failed run: its checks and first failure, for a description or a log.</summary>
    public static string Summary(ScenarioResult result, RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(options);
        var checks = string.Join(", ", result.Failures.Select(f => f.Check).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal));
        var first = result.Failures.IsEmpty ? "" : ": " + result.Failures[0].Message;
        return $"fails {checks} on design {options.Design}, store {options.Store}{first}.";
    }
}
