using System.Collections.Immutable;
using Linkage.Cli;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Cli;

/// <summary>A throwaway folder of scenario files, and a way to run <c>replay</c> in-process and keep what it printed.</summary>
internal sealed class ReplayFixture : IDisposable
{
    public ReplayFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "linkage-replay-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    /// <summary>A valid scenario with one order filled in <paramref name="fills"/> parts.</summary>
    public static string Valid(string name, int fills = 1, string product = "BTC-USD") =>
        $"name: {name}\ndescription: A BUY that fills in {fills} part(s).\nsteps:\n  - at: 0s\n    place: {{ order: o1, product: {product}, side: BUY, size: \"{fills}\", price: \"100\", snapshot: s1 }}\n"
        + string.Concat(Enumerable.Range(1, fills).Select(i => $"  - at: {i}s\n    fill: {{ order: o1, size: \"1\" }}\n"));

    public string Write(string relativePath, string text)
    {
        var path = Path.Combine(Root, relativePath);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    public static ReplayRun Run(IEnumerable<string> args, Func<Scenario, RunOptions, ScenarioResult>? runner = null, Func<RunOptions, string?>? storeProblem = null,
        Func<string, string?>? environment = null, Func<TimeSpan>? elapsed = null)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var host = new ReplayHost(runner ?? FakeRun, storeProblem ?? (_ => null), environment ?? (_ => null), elapsed ?? (() => TimeSpan.Zero));
        var code = ReplayCommand.Run([.. args], output, error, host);
        return new ReplayRun(code, output.ToString(), error.ToString());
    }

    /// <summary>
    /// A hand-written stand-in for the simulator: every fill step is one trade, linked; a scenario whose name starts with
    /// "failing" gets one wrong trade and a failure, so exit codes can be driven without a real engine bug.
    /// </summary>
    public static ScenarioResult FakeRun(Scenario scenario, RunOptions options)
    {
        var failing = scenario.Name.StartsWith("failing", StringComparison.Ordinal);
        var fills = scenario.Steps.OfType<FillStep>().ToList();
        var trades = fills.Select((f, i) => new TradeOutcome(f.Order, $"t{i}", f.Size ?? 1m, 100m,
            failing && i == 0 ? TradeVerdict.Wrong : TradeVerdict.Linked, f.Order)).ToImmutableArray();
        return new ScenarioResult
        {
            Name = scenario.Name,
            File = scenario.File,
            Passed = !failing,
            Trades = trades,
            DuplicatesIgnored = 0,
            Failures = failing
                ? [new Failure("no-wrong-link", "o1: trade 0 is linked to another intent") { StepIndex = 1, StepLine = 6, At = TimeSpan.FromSeconds(1), Trade = "t0", Expected = "o1 (snapshot s1)", Actual = "o2 (snapshot s2)" }]
                : [],
            SimulatedDuration = scenario.Steps[^1].At,
            Capture = options.Capture
                ? [new CaptureLine(new DateTimeOffset(2025, 12, 29, 21, 4, 11, 532, TimeSpan.Zero), "intent", "{\"product_id\":\"BTC-USD\",\n\"side\":\"BUY\"}")]
                : [],
        };
    }

    public void Dispose() => Directory.Delete(Root, recursive: true);
}

internal sealed record ReplayRun(int ExitCode, string Output, string Error);
