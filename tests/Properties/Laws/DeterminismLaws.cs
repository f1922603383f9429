using System.Text.Json;
using Linkage.Cli;
using Linkage.Sim.Generation;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Laws;

/// <summary>D1 (same scenario and seed, byte-identical report and result) and one answer whatever the store.</summary>
[Order(1)]
public sealed class DeterminismLaws
{
    private static readonly JsonSerializerOptions Json = new() { WriteIndented = false };

    [TestCase("memory")]
    [TestCase("sqlite")]
    public void Replay_is_deterministic(string store)
    {
        var settings = new LawSettings { Runs = store == "memory" ? 100 : 40, Share = store == "memory" ? 0.3m : 0.1m, EndSize = 30 };
        LawCheck.Holds($"{nameof(Replay_is_deterministic)}-{store}", settings, scenario =>
        {
            var options = new RunOptions { Store = store, Capture = true };
            var first = Bytes(ScenarioRunner.Run(scenario, options), options);
            var again = Bytes(ScenarioRunner.Run(scenario, options), options);
            var at = Enumerable.Range(0, Math.Min(first.Length, again.Length)).FirstOrDefault(i => first[i] != again[i], Math.Min(first.Length, again.Length));
            return first == again ? null : $"two replays differ from character {at}: ...{Around(first, at)}... vs ...{Around(again, at)}...";
        });
    }

    [Test]
    public void Stores_agree()
    {
        var settings = new LawSettings { Runs = 40, Share = 0.1m, EndSize = 30, Generation = GenerationOptions.Default with { Restarts = false } };
        using var postgres = LawStores.Open("postgres", nameof(Stores_agree));
        LawCheck.Holds(nameof(Stores_agree), settings, scenario =>
        {
            var memory = ScenarioRunner.Run(scenario, LawStores.Memory);
            var sqlite = ScenarioRunner.Run(scenario, LawStores.Sqlite);
            var pg = ScenarioRunner.Run(scenario, postgres.Options);
            return Disagreement("sqlite", memory, sqlite) ?? Disagreement("postgres", memory, pg);
        });
    }

    /// <summary>The JSON report of the run plus every link, allocation and capture line: all a run says, as text.</summary>
    private static string Bytes(ScenarioResult result, RunOptions options) =>
        ReplayReport.Write(options.Design, options.Store, options.Seed, [result])
        + JsonSerializer.Serialize(result.Links, Json)
        + JsonSerializer.Serialize(result.Allocations, Json)
        + JsonSerializer.Serialize(result.Capture, Json);

    private static string Around(string text, int at) => text.Substring(Math.Max(0, at - 40), Math.Min(80, text.Length - Math.Max(0, at - 40)));

    /// <summary>How <paramref name="other"/>'s links or allocations differ from the memory store's, or null when they are the same.</summary>
    private static string? Disagreement(string store, ScenarioResult memory, ScenarioResult other)
    {
        var expected = memory.Links.OrderBy(l => l.ExchangeOrderId.Value, StringComparer.Ordinal).ThenBy(l => l.Sequence).ToList();
        var actual = other.Links.OrderBy(l => l.ExchangeOrderId.Value, StringComparer.Ordinal).ThenBy(l => l.Sequence).ToList();
        if (expected.Count != actual.Count)
        {
            return $"{store} holds {actual.Count} link(s), memory {expected.Count}";
        }
        var index = expected.Zip(actual).Select((pair, i) => (pair, i)).FirstOrDefault(p => !p.pair.First.Equals(p.pair.Second)).i;
        if (expected.Count > 0 && !expected[index].Equals(actual[index]))
        {
            return $"{store} link {index} differs:\nmemory: {expected[index]}\n{store}: {actual[index]}";
        }
        var allocations = memory.Allocations.OrderBy(a => a.ExitClientOrderId.Value, StringComparer.Ordinal).ThenBy(a => a.Sequence).ToList();
        var otherAllocations = other.Allocations.OrderBy(a => a.ExitClientOrderId.Value, StringComparer.Ordinal).ThenBy(a => a.Sequence).ToList();
        return allocations.SequenceEqual(otherAllocations) ? null : $"{store} allocations differ from memory's";
    }
}
