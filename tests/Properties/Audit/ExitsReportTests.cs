using Linkage.Coinbase.Capture;
using Linkage.Engine;
using Linkage.Properties.Scenarios;
using Linkage.Sim.Audit;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;
using Linkage.Sim.Stores;

namespace Linkage.Properties.Audit;

/// <summary>
/// The audit's exits: which entry lot each exit closed, read from a capture. Attached take-profit / stop-loss children
/// carry no client order id of ours on the wire, yet the audit reports them as exits of their parent's lot, with the leg
/// that executed as the trigger; a position monitor's exit closes the lot it names.
/// </summary>
public sealed class ExitsReportTests
{
    [Test]
    public void The_audit_of_a_capture_with_brackets_reports_each_exit_against_the_entry_it_closed()
    {
        var file = Path.Combine(RepoPaths.ScenariosFolder, "brackets", "bracket-child-is-never-external.yaml");
        var replay = ScenarioRunner.Run(ScenarioLoader.LoadFile(file).Scenario!, new RunOptions { Store = StoreFactory.Memory, Capture = true });
        using var store = new MemoryStore();
        var report = CaptureAudit.Run(CaptureReader.Read(new StringReader(RoundTrip.CaptureText(replay))), store);
        var tables = new StringWriter();
        AuditTables.Write(report, tables);

        string Coid(string order) => replay.ClientOrderIds[order];
        List<AuditedExit> Closing(string entry) => [.. report.Exits.Where(x => x.EntryClientOrderId == Coid(entry))];
        var takeProfit = Closing("e1");
        var stopLoss = Closing("e2").Single();
        var monitor = Closing("older").Single();
        var child = store.Orders().Single(o => o.Intent.BracketOf?.Value == Coid("e1")).ClientOrderId.Value;
        Assert.Multiple(() =>
        {
            Assert.That(report.Exits, Has.Length.EqualTo(4), tables.ToString);
            Assert.That(takeProfit.Select(x => x.ExitClientOrderId).Distinct(), Is.EqualTo(new[] { child }),
                "the BUY's take profit is its attached child, an order no create-order of ours named");
            Assert.That(replay.ClientOrderIds.Values, Does.Not.Contain(child));
            Assert.That(takeProfit.Select(x => x.Quantity), Is.EqualTo(new[] { 0.1m, 0.3m }), "filled in two parts: two allocations, in order");
            Assert.That(takeProfit.Select(x => x.ExitTrigger), Is.All.EqualTo("take_profit"));
            Assert.That(takeProfit.Select(x => x.RealizedPnl), Is.All.Positive, "a take profit of a long lot gains");
            Assert.That(stopLoss.ExitTrigger, Is.EqualTo("stop_loss"));
            Assert.That(stopLoss.Quantity, Is.EqualTo(0.01m));
            Assert.That(stopLoss.ExitPrice, Is.EqualTo(62010m));
            Assert.That(stopLoss.RealizedPnl, Is.EqualTo(-(62010m - stopLoss.EntryPrice) * 0.01m).And.Negative, "a short lot's stop loss bought back higher: a loss");
            Assert.That(monitor.ExitClientOrderId, Is.EqualTo(Coid("x1")));
            Assert.That((monitor.Quantity, monitor.ExitTrigger), Is.EqualTo((0.5m, "stop_loss")));
            Assert.That(report.Exits.Select(x => x.EntrySnapshotId), Is.All.Not.Null, "every exit names the decision it closes");
            Assert.That(tables.ToString(), Does.Contain("exits by entry (4)"));
        });
    }
}
