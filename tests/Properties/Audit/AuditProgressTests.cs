using Linkage.Coinbase.Capture;
using Linkage.Engine;
using Linkage.Sim.Audit;

namespace Linkage.Properties.Audit;

/// <summary>
/// A large capture's audit shows progress (issue 14, item 9): the audit calls back every
/// <see cref="CaptureAudit.ProgressEveryLines"/> lines, and the command prints at most one line every 2 s. Before, an
/// audit of a large capture printed nothing until its report.
/// </summary>
public sealed class AuditProgressTests
{
    [Test]
    public void The_audit_reports_lines_read_as_it_goes()
    {
        var script = new CaptureScript();
        for (var i = 0; i < 2_500; i++)
        {
            script.Heartbeat(i, i);
        }
        var calls = new List<int>();
        using var store = new MemoryStore();
        var report = CaptureAudit.Run(CaptureReader.Read(new StringReader(script.Text)), store, progress: calls.Add);
        Assert.Multiple(() =>
        {
            Assert.That(calls, Is.EqualTo(new[] { 1_000, 2_000 }));
            Assert.That(report.Lines, Is.EqualTo(2_500));
        });
    }
}
