using System.Collections.Immutable;
using System.Globalization;
using Linkage.Engine;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Laws;

/// <summary>
/// A replay's result read by order label: which client order id each place and exit got (as the exchange received it
/// in the intent's create-order, never computed with the engine's id code, so a minting bug breaks a law instead of
/// this reading), how much the exchange executed and the design
/// linked per order, and what each exit allocated. Labels, unlike ids, are the same whatever seed a run used, so two
/// runs of one scenario can be compared through them.
/// </summary>
internal sealed class Outcome
{
    private readonly Dictionary<string, string> _labelOf;

    private Outcome(Scenario scenario, ScenarioResult result)
    {
        Scenario = scenario;
        Result = result;
        ClientOrderIds = result.ClientOrderIds;
        _labelOf = ClientOrderIds.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        // An attached bracket order reached the exchange with no client order id of ours: the links that name its
        // exchange order id say which client order id the design filed it under.
        var attached = result.AttachedOrders.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);
        foreach (var link in result.Links)
        {
            if (attached.TryGetValue(link.ExchangeOrderId.Value, out var label))
            {
                _labelOf.TryAdd(link.ClientOrderId.Value, label);
            }
        }
    }

    public Scenario Scenario { get; }
    public ScenarioResult Result { get; }

    /// <summary>Client order id of each place and exit, by label, as the exchange received it.</summary>
    public ImmutableSortedDictionary<string, string> ClientOrderIds { get; }

    /// <summary>Runs <paramref name="scenario"/> and reads the result.</summary>
    public static Outcome Of(Scenario scenario, RunOptions options) =>
        new(scenario, ScenarioRunner.Run(scenario, options));

    /// <summary>Every order label the run knows: the intents the exchange received and the bracket orders it created.</summary>
    public IEnumerable<string> Labels => ClientOrderIds.Keys.Concat(Result.AttachedOrders.Keys).Order(StringComparer.Ordinal);

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
}

/// <summary>Decimal helpers for comparisons that must not depend on a value's scale.</summary>
internal static class DecimalScale
{
    /// <summary>The value without trailing zeros (0.0020 becomes 0.002).</summary>
    public static decimal Normalize(this decimal value) => value / 1.000000000000000000000000000000000m;
}
