using System.Text.RegularExpressions;
using Linkage.Coinbase;
using Linkage.Properties.Scenarios;
using Linkage.Sim.Runner;
using Linkage.Sim.Stores;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Sim.Oracle;

/// <summary>
/// Reports speak the user's words (issue 14, item 8): a failure names a snapshot as the scenario file wrote it
/// (<c>snapshot: aaa</c>), not the UUID the simulator derived from it; a refused message says where and what without the
/// .NET JSON reader's bookkeeping. Before: <c>snapshot 5f0c...</c> in the legacy design's failures, and
/// <c>LineNumber: 0 | BytePositionInLine: 120</c> in audit reasons.
/// </summary>
public sealed partial class ReportWordsTests
{
    [GeneratedRegex("[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")]
    private static partial Regex Uuid();

    [Test]
    public void Failures_name_snapshots_by_the_files_labels()
    {
        var load = ScenarioLoader.LoadFile(Path.Combine(RepoPaths.ScenariosFolder, "seed", "same-symbol-overwrite.yaml"));
        var result = ScenarioRunner.Run(load.Scenario!, new RunOptions { Store = StoreFactory.Memory, Design = "legacy" });
        var text = string.Join("\n", result.Failures.Select(f => $"{f.Message} | {f.Expected} | {f.Actual}"));
        Assert.Multiple(() =>
        {
            Assert.That(result.Passed, Is.False, "the old design fails this scenario");
            Assert.That(text, Does.Contain("snapshot aaa").Or.Contain("snapshot bbb"));
            Assert.That(Uuid().Matches(text).Select(m => m.Value).Where(u => text.Contains($"snapshot {u}", StringComparison.Ordinal)), Is.Empty, text);
        });
    }

    [Test]
    public void A_message_that_is_not_json_says_where_without_the_readers_bookkeeping()
    {
        var result = CoinbaseParser.ParseWebSocket("""{"channel":"user","events":[{"type":"update",}""");
        var reason = result.Reason ?? "";
        Assert.Multiple(() =>
        {
            Assert.That(reason, Does.StartWith("not valid JSON at byte "));
            Assert.That(reason, Does.Not.Contain("LineNumber").And.Not.Contain("BytePositionInLine").And.Not.Contain("Path: $"));
        });
    }
}
