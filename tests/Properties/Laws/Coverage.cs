using System.Globalization;
using Linkage.Sim.Generation;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Laws;

/// <summary>
/// Coverage, not luck: counts the classes (<see cref="ScenarioClassifier"/>) of the scenarios a law was checked on, and
/// fails the run when a class that should occur occurred fewer times than its minimum. Minimums are fractions of the
/// run, set well below what the generator yields at the laws' sizes (see the generation tests), so they catch a
/// generator that stopped producing a situation, not a run that was merely unlucky.
/// </summary>
internal sealed class Coverage
{
    /// <summary>Each class's minimum share of a run, in percent; rounded down, but at least one occurrence.</summary>
    public static readonly IReadOnlyDictionary<ScenarioClass, decimal> MinimumPercent = new Dictionary<ScenarioClass, decimal>
    {
        [ScenarioClass.SameProductCrowd] = 20m,
        [ScenarioClass.FillBeforeResponse] = 20m,
        [ScenarioClass.LostResponse] = 5m,
        [ScenarioClass.DelayedResponse] = 10m,
        [ScenarioClass.Rejected] = 10m,
        [ScenarioClass.PartialFills] = 15m,
        [ScenarioClass.ManyPartials] = 5m,
        [ScenarioClass.CancelAfterPartial] = 3m,
        [ScenarioClass.SequenceGap] = 5m,
        [ScenarioClass.FeedDuplicates] = 5m,
        [ScenarioClass.FeedReorder] = 5m,
        [ScenarioClass.FillDuringDisconnect] = 5m,
        [ScenarioClass.ReconnectSnapshot] = 5m,
        [ScenarioClass.RestartMidPartials] = 2m,
        [ScenarioClass.AbruptRestart] = 3m,
        [ScenarioClass.ExitAcrossLots] = 2m,
        [ScenarioClass.ExitNamesLots] = 1m,
        [ScenarioClass.WholePositionExit] = 2m,
        [ScenarioClass.ShortExit] = 1m,
        [ScenarioClass.ManualOnSameProduct] = 5m,
        [ScenarioClass.Resend] = 5m,
        [ScenarioClass.ResendDaysLater] = 0.75m,
        [ScenarioClass.Duplicate] = 5m,
        [ScenarioClass.DuplicateDaysLater] = 0.75m,
        [ScenarioClass.DuplicateAsOther] = 2m,
        [ScenarioClass.DaysOfSilence] = 1m,
        [ScenarioClass.TradesFeed] = 20m,
        [ScenarioClass.MultiProduct] = 20m,
        [ScenarioClass.MarketOrder] = 5m,
        [ScenarioClass.SellEntry] = 5m,
        [ScenarioClass.Large] = 5m,
        [ScenarioClass.DuplicateDaysLaterWithRoom] = 1m,
        [ScenarioClass.FillRacesCancel] = 3m,
        [ScenarioClass.PartialExit] = 5m,
        [ScenarioClass.ResendAnsweredWithError] = 5m,
        [ScenarioClass.ExitRacesItsLot] = 1m,
        [ScenarioClass.BracketTakeProfit] = 10m,
        [ScenarioClass.BracketStopLoss] = 10m,
    };

    private readonly SortedDictionary<ScenarioClass, int> _counts = [];
    private int _scenarios;

    public void Add(Scenario scenario)
    {
        _scenarios++;
        foreach (var c in ScenarioClassifier.Classify(scenario))
        {
            _counts[c] = _counts.GetValueOrDefault(c) + 1;
        }
    }

    public int this[ScenarioClass c] => _counts.GetValueOrDefault(c);

    /// <summary>Fails the test when any class met fewer than its minimum over <paramref name="runs"/> scenarios.</summary>
    public void Require(int runs)
    {
        var shortfalls = Enum.GetValues<ScenarioClass>()
            .Select(c => (Class: c, Seen: this[c], Minimum: Minimum(c, runs)))
            .Where(c => c.Seen < c.Minimum)
            .Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Class} {c.Seen} < {c.Minimum}"))
            .ToList();
        Assert.That(shortfalls, Is.Empty, () => $"coverage over {_scenarios} scenario(s) falls short: {string.Join(", ", shortfalls)}\nseen: {this}");
    }

    public static int Minimum(ScenarioClass c, int runs) => Math.Max(1, (int)(runs * MinimumPercent[c] / 100m));

    public override string ToString() =>
        string.Join(", ", _counts.Select(p => string.Create(CultureInfo.InvariantCulture, $"{p.Key} {p.Value}")));
}
