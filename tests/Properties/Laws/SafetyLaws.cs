using Linkage.Sim.Generation;
using Linkage.Sim.Oracle;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Laws;

/// <summary>
/// S1, S2, S3 over generated scenarios, on every store and under every fault, restarts included (a volatile store may
/// lose links across a restart, never make a wrong or a double one).
/// </summary>
[Order(1)]
public sealed class SafetyLaws
{
    [TestCase("memory")]
    [TestCase("sqlite")]
    [TestCase("postgres")]
    public void No_wrong_link(string store)
    {
        var settings = new LawSettings { Runs = store == "memory" ? 300 : 60, Share = store == "memory" ? 1m : 0.2m, EndSize = store == "memory" ? 100 : 40, RequireCoverage = store == "memory", Generation = GenerationOptions.ForStore(store) };
        using var stores = LawStores.Open(store, nameof(No_wrong_link));
        LawCheck.Holds($"{nameof(No_wrong_link)}-{store}", settings, scenario =>
        {
            var outcome = Outcome.Of(scenario, stores.Options);
            var wrong = outcome.Result.Trades.Where(t => t.Verdict == TradeVerdict.Wrong).ToList();
            var strangers = outcome.Result.Links.Where(l => outcome.LabelOf(l.ClientOrderId) is null).ToList();
            return outcome.Failed(LinkOracle.NoWrongLink)
                ?? (wrong.Count > 0 ? $"{wrong.Count} trade(s) linked to another intent, first {wrong[0].Order} to {wrong[0].LinkedTo}" : null)
                ?? (strangers.Count > 0 ? $"a link names client order id {strangers[0].ClientOrderId}, no intent of the scenario" : null);
        });
    }

    [TestCase("memory")]
    [TestCase("sqlite")]
    public void Exactly_once(string store)
    {
        var settings = new LawSettings { Runs = store == "memory" ? 200 : 60, Share = store == "memory" ? 0.7m : 0.2m, EndSize = 40, Generation = GenerationOptions.ForStore(store) };
        using var stores = LawStores.Open(store, nameof(Exactly_once));
        LawCheck.Holds($"{nameof(Exactly_once)}-{store}", settings, scenario =>
        {
            // The oracle checks linked <= executed after every applied batch (at all times); the end state is checked here too.
            var outcome = Outcome.Of(scenario, stores.Options);
            var executed = outcome.Executed;
            var over = outcome.Linked.Where(p => p.Value > executed.GetValueOrDefault(p.Key)).ToList();
            return outcome.Failed(LinkOracle.ExactlyOnce)
                ?? (over.Count > 0 ? $"{over[0].Key} is linked {over[0].Value} but executed {executed.GetValueOrDefault(over[0].Key)}" : null);
        });
    }

    /// <summary>
    /// S2 past the engine's retention: every scenario goes silent for days once orders finished, then delivers an old
    /// fill message and an old webhook again. A store that forgot its fill keys with the purged intent counts it twice.
    /// </summary>
    [TestCase("memory")]
    [TestCase("sqlite")]
    public void Exactly_once_past_retention(string store)
    {
        var settings = new LawSettings
        {
            Runs = store == "memory" ? 80 : 40,
            Share = store == "memory" ? 0.2m : 0.1m,
            EndSize = 40,
            Generation = GenerationOptions.ForStore(store) with { Required = [SwarmFeature.DaysOfSilence] },
        };
        using var stores = LawStores.Open(store, nameof(Exactly_once_past_retention));
        LawCheck.Holds($"{nameof(Exactly_once_past_retention)}-{store}", settings, scenario =>
            Outcome.Of(scenario, stores.Options).Failed(LinkOracle.ExactlyOnce, LinkOracle.NoWrongLink));
    }

    [Test]
    public void External_stays_external()
    {
        var settings = new LawSettings { Runs = 200, Share = 0.5m, EndSize = 40, Generation = GenerationOptions.ForStore("memory") };
        LawCheck.Holds(nameof(External_stays_external), settings, scenario =>
        {
            var outcome = Outcome.Of(scenario, LawStores.Memory);
            var manual = scenario.Steps.OfType<ManualStep>().Select(m => m.Order).ToHashSet(StringComparer.Ordinal);
            var linked = outcome.Result.Trades.Where(t => manual.Contains(t.Order) && t.Verdict != TradeVerdict.External).ToList();
            return outcome.Failed(LinkOracle.ExternalStaysExternal)
                ?? (linked.Count > 0 ? $"manual order {linked[0].Order}'s trade is {linked[0].Verdict}, linked to {linked[0].LinkedTo}" : null);
        });
    }
}
