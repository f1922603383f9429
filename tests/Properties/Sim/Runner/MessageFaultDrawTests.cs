using System.Text.Json;
using Linkage.Sim.Generation;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Sim.Runner;

/// <summary>
/// Feed faults are drawn per message, from what the message is (the order, its status, its cumulative quantity), not
/// from its place in the stream: removing a step from a scenario keeps every other message's faults where they were,
/// which is what lets a failing scenario shrink without losing the faults that made it fail (issue 17, item 3).
/// </summary>
public sealed class MessageFaultDrawTests
{
    private const int Scenarios = 12;
    private const int RemovalsPerScenario = 3;

    [Test]
    public void Removing_a_step_keeps_the_faults_of_the_messages_that_remain() =>
        SurvivorsAgree(Scenarios, Verdicts, compareMin: 100);

    /// <summary>
    /// Ids name things and should decide nothing, but the engine sorts by some of them; minted from what they name (the
    /// order's label, the trade's index in it) rather than by position in one stream, removing a step keeps every other
    /// trade's id, so a cut cannot reorder what the failure depended on.
    /// </summary>
    [Test]
    public void Removing_a_step_keeps_the_ids_of_the_trades_that_remain() =>
        SurvivorsAgree(Scenarios / 2, TradeIds, compareMin: 20);

    /// <summary>
    /// For scenarios and the same scenarios with one step removed: what <paramref name="read"/> reports about each thing
    /// both runs have is the same, and enough things survive to make the comparison mean something.
    /// </summary>
    private static void SurvivorsAgree<T>(int scenarios, Func<Scenario, Dictionary<string, T>> read, int compareMin)
    {
        var compared = 0;
        var problems = new List<string>();
        foreach (var scenario in FaultyScenarios().Take(scenarios))
        {
            var before = read(scenario);
            foreach (var smaller in OneStepRemoved(scenario).Take(RemovalsPerScenario))
            {
                foreach (var (thing, now) in read(smaller))
                {
                    if (!before.TryGetValue(thing, out var was))
                    {
                        continue;
                    }
                    compared++;
                    if (!EqualityComparer<T>.Default.Equals(was, now))
                    {
                        problems.Add($"{scenario.Name} without one step: {thing} was {was}, is {now}");
                    }
                }
            }
        }
        Assert.Multiple(() =>
        {
            Assert.That(problems, Is.Empty);
            Assert.That(compared, Is.GreaterThan(compareMin), "enough survive a removal to compare");
        });
    }

    /// <summary>Each trade's id (the <c>user</c> channel names trades by their UUID), by its order's label and its index there.</summary>
    private static Dictionary<string, string> TradeIds(Scenario scenario) =>
        ScenarioRunner.Run(scenario, SeedScenarios.Memory).Trades
            .GroupBy(t => t.Order, StringComparer.Ordinal)
            .SelectMany(g => g.Select((t, i) => (Key: $"{g.Key}#{i}", t.TradeId)))
            .ToDictionary(p => p.Key, p => p.TradeId, StringComparer.Ordinal);

    /// <summary>Generated scenarios on the <c>user</c> channel with every feed fault on at a quarter.</summary>
    private static IEnumerable<Scenario> FaultyScenarios() =>
        Enumerable.Range(0, 400)
            .Select(i => SwarmGenerator.Generate(GenerationOptions.Default, 17, i))
            .Where(s => s.Feed == FeedKind.Orders && s.Steps.Length is >= 8 and <= 120)
            .Select(s => s with { Faults = new Faults(0.25m, 0.25m, 0.25m) });

    /// <summary>
    /// Valid scenarios with exactly one step fewer (the shrinker's own cuts, so each is meaningful), earliest cut first:
    /// a cut near the start moves the most that comes after it.
    /// </summary>
    private static IEnumerable<Scenario> OneStepRemoved(Scenario scenario) =>
        ScenarioShrinker.Shrink(scenario)
            .Where(c => c.Steps.Length == scenario.Steps.Length - 1 && c.Faults == scenario.Faults)
            .OrderBy(c => Enumerable.Range(0, c.Steps.Length).FirstOrDefault(i => !ReferenceEquals(c.Steps[i], scenario.Steps[i]), c.Steps.Length));

    /// <summary>
    /// The faults drawn for each <c>user</c> update, keyed by what the message says (client order id, status, cumulative
    /// quantity) read from its JSON, so the key is independent of how the exchange names messages. Keys seen more than
    /// once in a run are left out: which copy is which is a matter of position.
    /// </summary>
    private static Dictionary<string, (bool Drop, bool Reorder, bool Duplicate)> Verdicts(Scenario scenario)
    {
        var seen = new Dictionary<string, (bool, bool, bool)>(StringComparer.Ordinal);
        var repeated = new HashSet<string>(StringComparer.Ordinal);
        ScenarioRunner.Run(scenario, SeedScenarios.Memory with
        {
            FeedMessages = draw =>
            {
                if (UpdateKey(draw.Json) is { } key && !seen.TryAdd(key, (draw.Drop, draw.Reorder, draw.Duplicate)))
                {
                    repeated.Add(key);
                }
            },
        });
        foreach (var key in repeated)
        {
            seen.Remove(key);
        }
        return seen;
    }

    private static string? UpdateKey(string json)
    {
        using var document = JsonDocument.Parse(json);
        var root = document.RootElement;
        if (!root.TryGetProperty("channel", out var channel) || channel.GetString() != "user")
        {
            return null;
        }
        var events = root.GetProperty("events");
        if (events.GetArrayLength() != 1 || events[0].GetProperty("type").GetString() != "update" || events[0].GetProperty("orders").GetArrayLength() != 1)
        {
            return null;
        }
        var order = events[0].GetProperty("orders")[0];
        return $"{order.GetProperty("client_order_id").GetString()} {order.GetProperty("status").GetString()} {order.GetProperty("cumulative_quantity").GetString()}";
    }
}
