using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Linkage.Properties.Scenarios;
using Linkage.Sim.Generation;
using Linkage.Sim.Scenarios;
using Microsoft.FSharp.Core;

namespace Linkage.Properties.Laws;

/// <summary>A law's shrunk counterexample as exported: the scenario (renamed and described), why it fails, and its file.</summary>
internal sealed record Counterexample(Scenario Scenario, string Why, string Path);

/// <summary>How one law is checked: how many scenarios, how large, which kinds, and whether coverage is required.</summary>
internal sealed record LawSettings
{
    /// <summary>Scenarios generated when <c>LINKAGE_PROPERTY_RUNS</c> is not set.</summary>
    public int Runs { get; init; } = 200;

    /// <summary>
    /// This law's share of <c>LINKAGE_PROPERTY_RUNS</c> when it is set: laws that replay each scenario several times or
    /// on a database take a smaller share, so a CI budget stays within its time.
    /// </summary>
    public decimal Share { get; init; } = 1m;

    /// <summary>FsCheck's largest size: scenarios create up to <c>1 + 3 * EndSize</c> orders.</summary>
    public int EndSize { get; init; } = 40;

    public GenerationOptions Generation { get; init; } = GenerationOptions.Default;

    /// <summary>Whether the run must meet <see cref="Coverage"/>'s minimums (laws over the full swarm).</summary>
    public bool RequireCoverage { get; init; }
}

/// <summary>
/// Checks a law over generated scenarios with FsCheck and the domain shrinker. A failing law writes its shrunk
/// counterexample to <c>out/counterexamples/</c> (<c>LINKAGE_REGRESSIONS</c> overrides the folder; never the source tree
/// unless asked, so a failing run does not change what the main job replays) as
/// <c>&lt;law&gt;-&lt;seed&gt;.yaml</c> and fails with the file named and the scenario printed. Runs are reproducible:
/// FsCheck's seed is derived from the law's name unless <c>LINKAGE_PROPERTY_SEED</c> sets one.
/// </summary>
internal static class LawCheck
{
    public const string RunsVariable = "LINKAGE_PROPERTY_RUNS";
    public const string SeedVariable = "LINKAGE_PROPERTY_SEED";
    public const string RegressionsVariable = "LINKAGE_REGRESSIONS";

    /// <param name="law">The law's name (the test's), used for the file name and the seed.</param>
    /// <param name="settings">How many scenarios and of what kind.</param>
    /// <param name="violation">Replays the scenario and says how the law is broken, or null when it holds.</param>
    public static void Holds(string law, LawSettings settings, Func<Scenario, string?> violation)
    {
        var (found, coverage, runs) = Search(law, settings, violation, Folder());
        if (found is { } counterexample)
        {
            Assert.Fail($"{law} fails on a scenario shrunk to {counterexample.Scenario.Steps.Length} step(s): {counterexample.Why}\n"
                + $"written to {counterexample.Path} (replay: dotnet run --project src/Linkage.Cli -- replay {counterexample.Path})\n\n"
                + ScenarioWriter.Write(counterexample.Scenario));
        }
        if (settings.RequireCoverage)
        {
            coverage.Require(runs);
        }
        TestContext.Out.WriteLine($"{law}: {runs} scenario(s) passed; coverage: {coverage}");
    }

    /// <summary>
    /// Looks for a counterexample: generates scenarios, shrinks the first that breaks the law, and writes the shrunk one
    /// to <paramref name="folder"/>. Returns it (null when the law held), the coverage of the generated scenarios, and
    /// the run count.
    /// </summary>
    public static (Counterexample? Found, Coverage Coverage, int Runs) Search(string law, LawSettings settings, Func<Scenario, string?> violation, string folder)
    {
        var runs = Runs(settings);
        var coverage = new Coverage();
        (Scenario Scenario, string Why)? smallest = null;
        var property = Prop.ForAll(SwarmGenerator.Arbitrary(settings.Generation), scenario =>
        {
            if (smallest is null)
            {
                // Only generated cases count for coverage: shrink candidates are not new scenarios.
                coverage.Add(scenario);
            }
            string? why;
            try
            {
                why = violation(scenario);
            }
            catch (Exception e) when (e is not AssertionException)
            {
                // A replay that throws broke the harness's contract (ScenarioRunner returns failures as data).
                why = $"the replay threw {e.GetType().Name}: {e.Message}";
            }
            if (why is not null)
            {
                // FsCheck moves to each failing candidate in turn, so the last failure seen is the shrunk one.
                smallest = (scenario, why);
            }
            return why is null;
        });
        var config = Config.QuickThrowOnFailure
            .WithMaxTest(runs)
            .WithEndSize(settings.EndSize)
            .WithQuietOnSuccess(true)
            .WithReplay(FSharpOption<Replay>.Some(new Replay(Seed(law), FSharpOption<int>.None)));
        try
        {
            Check.One(config, property);
        }
        catch (Exception e) when (smallest is not null && e is not AssertionException)
        {
            // FsCheck reports the failure by throwing; the shrunk scenario it found is the one recorded above.
        }
        if (smallest is not { } failure)
        {
            return (null, coverage, runs);
        }
        var (shrunk, why) = failure;
        var prepared = Counterexamples.Prepare(shrunk, law, shrunk.Seed.ToString(CultureInfo.InvariantCulture), why);
        return (new Counterexample(prepared, why, Counterexamples.Write(prepared, folder)), coverage, runs);
    }

    /// <summary>The run count: the law's own, or its share of <c>LINKAGE_PROPERTY_RUNS</c> (at least 10).</summary>
    public static int Runs(LawSettings settings)
    {
        var text = Environment.GetEnvironmentVariable(RunsVariable);
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var runs) && runs > 0
            ? Math.Max(10, (int)(runs * settings.Share))
            : settings.Runs;
    }

    /// <summary>Where counterexamples go: <c>LINKAGE_REGRESSIONS</c>, else the repository's <c>out/counterexamples</c>.</summary>
    public static string Folder() =>
        Environment.GetEnvironmentVariable(RegressionsVariable) is { Length: > 0 } folder
            ? folder
            : Path.Combine(RepoPaths.Root, Counterexamples.DefaultFolder);

    private static Rnd Seed(string law)
    {
        var text = Environment.GetEnvironmentVariable(SeedVariable);
        var seed = ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var given) ? given : Fnv(law);
        return new Rnd(seed, 0x9E3779B97F4A7C15UL);
    }

    private static ulong Fnv(string text)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        return hash;
    }
}
