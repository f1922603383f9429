using System.Collections.Immutable;
using System.Globalization;
using Linkage.Coinbase;
using Linkage.Engine;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;
using Linkage.Sim.World;

namespace Linkage.Properties.Laws;

/// <summary>
/// A replay's result read by order label: which client order id each place and exit got (minted exactly as the
/// webhook mints it, from the intent payload the runner delivers), how much the exchange executed and the design
/// linked per order, and what each exit allocated. Labels, unlike ids, are the same whatever seed a run used, so two
/// runs of one scenario can be compared through them.
/// </summary>
internal sealed class Outcome
{
    private readonly Dictionary<string, string> _labelOf;

    private Outcome(Scenario scenario, ScenarioResult result, ulong seed)
    {
        Scenario = scenario;
        Result = result;
        ClientOrderIds = ClientOrderIdsOf(scenario, seed);
        _labelOf = ClientOrderIds.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
    }

    public Scenario Scenario { get; }
    public ScenarioResult Result { get; }

    /// <summary>Client order id of each place and exit, by label.</summary>
    public ImmutableSortedDictionary<string, string> ClientOrderIds { get; }

    /// <summary>Runs <paramref name="scenario"/> and reads the result.</summary>
    public static Outcome Of(Scenario scenario, RunOptions options) =>
        new(scenario, ScenarioRunner.Run(scenario, options), options.Seed ?? scenario.Seed);

    /// <summary>The failures of the named checks, one per line, or null when there are none.</summary>
    public string? Failed(params string[] checks)
    {
        var failures = Result.Failures.Where(f => checks.Contains(f.Check, StringComparer.Ordinal)).ToList();
        return failures.Count == 0 ? null : string.Join("; ", failures.Take(3).Select(f => $"[{f.Check}] {f.Message}"));
    }

    /// <summary>The label of a client order id (null: not one of the scenario's intents).</summary>
    public string? LabelOf(ClientOrderId clientOrderId) => _labelOf.GetValueOrDefault(clientOrderId.Value);

    /// <summary>What the exchange executed per order label.</summary>
    public ImmutableSortedDictionary<string, decimal> Executed =>
        Result.Trades.GroupBy(t => t.Order, StringComparer.Ordinal).ToImmutableSortedDictionary(g => g.Key, g => g.Sum(t => t.Size), StringComparer.Ordinal);

    /// <summary>What the design linked per intent label (links naming no intent of the scenario count under "?").</summary>
    public ImmutableSortedDictionary<string, decimal> Linked =>
        Result.Links.GroupBy(l => LabelOf(l.ClientOrderId) ?? "?", StringComparer.Ordinal).ToImmutableSortedDictionary(g => g.Key, g => g.Sum(l => l.Quantity), StringComparer.Ordinal);

    /// <summary>What each exit (by label) allocated to entry lots in total.</summary>
    public ImmutableSortedDictionary<string, decimal> AllocatedByExit =>
        Result.Allocations.GroupBy(a => LabelOf(a.ExitClientOrderId) ?? "?", StringComparer.Ordinal).ToImmutableSortedDictionary(g => g.Key, g => g.Sum(a => a.Quantity), StringComparer.Ordinal);

    /// <summary>
    /// Everything a run's links say, by label and free of ids, times and delivery paths: per intent, its snapshot label
    /// and linked quantity; per exit, the quantity allocated; per trade, its verdict. Two runs that tie the same fills
    /// to the same decisions have the same projection.
    /// </summary>
    public string Projection()
    {
        var lines = new List<string>();
        foreach (var (label, quantity) in Linked)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"linked {label} {quantity.Normalize()}"));
        }
        foreach (var (label, quantity) in AllocatedByExit)
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"allocated {label} {quantity.Normalize()}"));
        }
        foreach (var trade in Result.Trades.OrderBy(t => t.Order, StringComparer.Ordinal).ThenBy(t => t.Verdict).ThenBy(t => t.Size))
        {
            lines.Add(string.Create(CultureInfo.InvariantCulture, $"trade {trade.Order} {trade.Size.Normalize()} {trade.Verdict} {trade.LinkedTo}"));
        }
        return string.Join("\n", lines);
    }

    /// <summary>The client order ids the webhook mints for the scenario's places and exits under <paramref name="seed"/>.</summary>
    public static ImmutableSortedDictionary<string, string> ClientOrderIdsOf(Scenario scenario, ulong seed)
    {
        var ids = new IdMint(seed);
        var result = ImmutableSortedDictionary.CreateBuilder<string, string>(StringComparer.Ordinal);
        foreach (var step in scenario.Steps)
        {
            var at = SimWorld.Epoch + step.At;
            var payload = step switch
            {
                PlaceStep p => IntentPayloads.Entry(p, ids.Snapshot(p.Snapshot), at),
                ExitStep x => IntentPayloads.Exit(x, [.. x.Closes.Select(c => result.GetValueOrDefault(c)).OfType<string>()], at),
                _ => null,
            };
            if (payload is not null && IntentPayloadParser.Parse(payload, at).TryGetValue(out var intent))
            {
                result.TryAdd(step is PlaceStep place ? place.Order : ((ExitStep)step).Order, global::Linkage.Engine.ClientOrderIds.For(intent).Value);
            }
        }
        return result.ToImmutable();
    }
}

/// <summary>Decimal helpers for comparisons that must not depend on a value's scale.</summary>
internal static class DecimalScale
{
    /// <summary>The value without trailing zeros (0.0020 becomes 0.002).</summary>
    public static decimal Normalize(this decimal value) => value / 1.000000000000000000000000000000000m;
}
