using System.Text;
using System.Text.RegularExpressions;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Scenarios;

/// <summary>
/// The loader never throws, whatever bytes a file holds: random bytes, and the shipped scenario files cut, spliced and
/// sprinkled with YAML's punctuation. Every error names a position as <c>FILE:LINE:COLUMN: reason</c> (issue 14, item 4:
/// an unclosed flow mapping once escaped as YamlDotNet's <c>InvalidOperationException</c>, exit 134).
/// </summary>
public sealed partial class ScenarioLoaderFuzzTests
{
    private const string File = "fuzz.yaml";

    /// <summary>Inputs per fuzz test; the seed is fixed so a failure reproduces.</summary>
    private const int Cases = 3_000;

    /// <summary>What breaks YAML's structure most often: brackets, indicators, quotes, line breaks, tabs.</summary>
    private const string Punctuation = "{}[],:-?\"'#&*!|>%@`\n\t ";

    [GeneratedRegex(@"^fuzz\.yaml:\d+:\d+: \S")]
    private static partial Regex Positioned();

    [Test]
    public void An_unclosed_flow_mapping_is_an_error_with_line_and_column()
    {
        // The shape the fuzz test found: a flow mapping left open, continued on a line indented less than its key.
        // YamlDotNet's scanner threw InvalidOperationException on it, which escaped the loader (exit 134).
        const string Yaml = "name: x\nsteps:\n  - at: 0s\n    place: { order: o1, product: P,\ntext at column one  ack: { delay: 20s } }\n";
        var load = Loaded(() => ScenarioLoader.Load(Yaml, File), Encoding.UTF8.GetBytes(Yaml));
        Assert.Multiple(() =>
        {
            Assert.That(load.Scenario, Is.Null);
            Assert.That(load.Errors.Select(e => e.ToString()), Has.All.Match(Positioned()), string.Join("\n", load.Errors));
        });
        Assert.That(ScenarioLoader.Load("name: x\nsteps:\n  - at: 0s\n    place: {", File).Errors.Select(e => e.ToString()), Has.All.Match(Positioned()));
    }

    [Test]
    public void Deep_nesting_is_an_error_not_a_crash()
    {
        var load = Loaded(() => ScenarioLoader.Load("name: x\nsteps: " + new string('[', 200_000), File), []);
        Assert.That(load.Errors.Select(e => e.ToString()), Has.All.Match(Positioned()));
    }

    [Test]
    public void Random_bytes_never_throw_and_every_error_has_a_position()
    {
        var random = new Random(14);
        var folder = Directory.CreateTempSubdirectory("linkage-loader-fuzz-");
        try
        {
            for (var i = 0; i < Cases / 10; i++)
            {
                var bytes = new byte[random.Next(0, 400)];
                random.NextBytes(bytes);
                var path = Path.Combine(folder.FullName, "fuzz.yaml");
                System.IO.File.WriteAllBytes(path, bytes);
                var load = Loaded(() => ScenarioLoader.LoadFile(path), bytes);
                Assert.That(load.Errors.Select(e => e.ToString().Replace(path, File, StringComparison.Ordinal)), Has.All.Match(Positioned()));
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Test]
    public void Mutated_scenario_files_never_throw_and_every_error_has_a_position()
    {
        var random = new Random(7);
        var shipped = Directory.EnumerateFiles(RepoPaths.ScenariosFolder, "*.yaml", SearchOption.AllDirectories).Order(StringComparer.Ordinal)
            .Select(System.IO.File.ReadAllText).ToArray();
        Assume.That(shipped, Is.Not.Empty);
        for (var i = 0; i < Cases; i++)
        {
            var text = shipped[random.Next(shipped.Length)];
            for (var edits = random.Next(1, 4); edits > 0; edits--)
            {
                text = Mutate(text, random);
            }
            var load = Loaded(() => ScenarioLoader.Load(text, File), Encoding.UTF8.GetBytes(text));
            Assert.That(load.Errors.Select(e => e.ToString()), Has.All.Match(Positioned()), () => "input:\n" + text);
        }
    }

    private static ScenarioLoad Loaded(Func<ScenarioLoad> load, byte[] input)
    {
        try
        {
            return load();
        }
        catch (Exception e)
        {
            Assert.Fail($"the loader threw {e.GetType().Name}: {e.Message}\ninput: {Convert.ToBase64String(input)}");
            throw;
        }
    }

    private static string Mutate(string text, Random random)
    {
        if (text.Length == 0)
        {
            return Punctuation[random.Next(Punctuation.Length)].ToString();
        }
        var at = random.Next(text.Length);
        return random.Next(5) switch
        {
            0 => text[..at],
            1 => text.Remove(at, Math.Min(random.Next(1, 8), text.Length - at)),
            2 => text.Insert(at, Punctuation[random.Next(Punctuation.Length)].ToString()),
            3 => text.Insert(at, text.Substring(random.Next(text.Length) / 2, Math.Min(20, text.Length / 2))),
            _ => text.Remove(at, 1).Insert(at, ((char)random.Next(1, 0x3000)).ToString()),
        };
    }
}
