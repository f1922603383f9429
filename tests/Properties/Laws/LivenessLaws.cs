using Linkage.Sim.Oracle;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Laws;

/// <summary>L1, L2, L3 over generated scenarios on durable stores: whatever the faults and restarts, everything links.</summary>
[Order(1)]
public sealed class LivenessLaws
{
    private static LawSettings Durable(string store) => new()
    {
        Runs = store == "sqlite" ? 100 : 40,
        Share = store == "sqlite" ? 0.3m : 0.1m,
        EndSize = 30,
    };

    [TestCase("sqlite")]
    [TestCase("postgres")]
    public void Everything_links_on_durable_stores(string store)
    {
        using var stores = LawStores.Open(store, nameof(Everything_links_on_durable_stores));
        LawCheck.Holds($"{nameof(Everything_links_on_durable_stores)}-{store}", Durable(store), scenario =>
        {
            var outcome = Outcome.Of(scenario, stores.Options);
            var unlinked = outcome.Result.Trades.Where(t => t.Verdict is not (TradeVerdict.Linked or TradeVerdict.External)).ToList();
            return outcome.Failed(LinkOracle.EverythingLinks)
                ?? (unlinked.Count > 0 ? $"{unlinked.Count} bot trade(s) not linked, first of {unlinked[0].Order}: {unlinked[0].Verdict}" : null);
        });
    }

    [Test]
    public void Linked_quantity_equals_executed()
    {
        LawCheck.Holds(nameof(Linked_quantity_equals_executed), Durable("sqlite"), scenario =>
        {
            var outcome = Outcome.Of(scenario, LawStores.Sqlite);
            var executed = outcome.Executed;
            var linked = outcome.Linked;
            // Every intent the exchange executed (places and exits) against what the design linked to it.
            var off = outcome.Labels
                .Select(label => (Label: label, Executed: executed.GetValueOrDefault(label), Linked: linked.GetValueOrDefault(label)))
                .FirstOrDefault(o => o.Executed != o.Linked);
            return linked.ContainsKey("?") ? "a link names no intent of the scenario"
                : off.Label is not null ? $"{off.Label}: executed {off.Executed}, linked {off.Linked}"
                : null;
        });
    }

    [Test]
    public void Exits_allocate_exactly_their_executed_quantity()
    {
        LawCheck.Holds(nameof(Exits_allocate_exactly_their_executed_quantity), Durable("sqlite") with { Runs = 150 }, scenario =>
        {
            var outcome = Outcome.Of(scenario, LawStores.Sqlite);
            var executed = outcome.Executed;
            var allocated = outcome.AllocatedByExit;
            var exits = scenario.Steps.OfType<ExitStep>().ToDictionary(x => x.Order, x => (x.Product, x.Closes), StringComparer.Ordinal);
            foreach (var place in scenario.Steps.OfType<PlaceStep>().Where(p => p.Bracket is not null))
            {
                // The exchange's bracket order for an entry is an exit closing that entry alone.
                if (outcome.Result.AttachedOrders.ContainsKey(place.Order + LinkOracle.BracketLabelSuffix))
                {
                    exits[place.Order + LinkOracle.BracketLabelSuffix] = (place.Product, [place.Order]);
                }
            }
            var off = exits.Keys.Order(StringComparer.Ordinal)
                .Select(label => (Label: label, Executed: executed.GetValueOrDefault(label), Allocated: allocated.GetValueOrDefault(label)))
                .FirstOrDefault(x => x.Executed != x.Allocated);
            // Each allocation closes an entry of the exit's product, one it names when it names any.
            var stray = outcome.Result.Allocations.FirstOrDefault(a =>
                outcome.LabelOf(a.ExitClientOrderId) is not { } exit || !exits.TryGetValue(exit, out var step)
                || outcome.LabelOf(a.EntryClientOrderId) is not { } entry || a.Product.Value != step.Product
                || (!step.Closes.IsEmpty && !step.Closes.Contains(entry, StringComparer.Ordinal)));
            return outcome.Failed(LinkOracle.ExitsCloseEntries)
                ?? (off.Label is not null ? $"exit {off.Label} executed {off.Executed} but allocated {off.Allocated}" : null)
                ?? (stray is not null ? $"an allocation of exit {outcome.LabelOf(stray.ExitClientOrderId)} closes {outcome.LabelOf(stray.EntryClientOrderId)}, which it may not close" : null);
        });
    }
}
