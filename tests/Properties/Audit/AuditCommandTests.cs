using Linkage.Properties.Scenarios;
using Linkage.Properties.Stores;
using Linkage.Cli;

namespace Linkage.Properties.Audit;

/// <summary>The <c>audit</c> command line: outputs, files and exit status (0 ran, 1 problems with --strict, 2 cannot run).</summary>
public sealed class AuditCommandTests
{
    private static readonly string Sample = Path.Combine(RepoPaths.Root, "samples", "avnt-day.jsonl");

    private static (int Status, string Output, string Error) Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var status = AuditCommand.Run(args, output, error);
        return (status, output.ToString(), error.ToString());
    }

    [Test]
    public void An_audit_that_ran_exits_0_prints_tables_and_says_where_the_files_went()
    {
        using var directory = new TempDirectory("linkage-audit-cli");
        var json = directory.File("report.json");
        var metrics = directory.File("metrics.prom");
        var (status, output, error) = Run(Sample, "--store", "memory", "--json", json, "--metrics", metrics);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(AuditCommand.Ran), error);
            Assert.That(output, Does.Contain("orders (4)"));
            Assert.That(output, Does.Contain("linkage rate 100%"));
            Assert.That(output, Does.Contain($"JSON report written to {json}"));
            Assert.That(output, Does.Contain($"metrics written to {metrics}"));
            Assert.That(File.ReadAllText(json), Does.StartWith("{\n  \"intents\": 4,"));
            Assert.That(File.ReadAllText(metrics), Does.Contain("linkage_audit_linkage_rate 1\n"));
        });
    }

    [Test]
    public void Strict_exits_1_when_lines_were_quarantined_and_0_on_a_clean_capture()
    {
        using var directory = new TempDirectory("linkage-audit-cli");
        var clean = directory.File("clean.jsonl");
        File.WriteAllText(clean, new CaptureScript()
            .Placed(AnomalyTests.A, AnomalyTests.E1, AnomalyTests.Snap, 120m)
            .Update(0, new CaptureScript.Order(AnomalyTests.E1, AnomalyTests.A, 120m, Status: "FILLED"))
            .Text);
        Assert.Multiple(() =>
        {
            Assert.That(Run(Sample, "--store", "memory", "--strict").Status, Is.EqualTo(AuditCommand.ProblemsFound));
            Assert.That(Run(Sample, "--store", "memory").Status, Is.EqualTo(AuditCommand.Ran));
            Assert.That(Run(clean, "--store", "memory", "--strict").Status, Is.EqualTo(AuditCommand.Ran));
        });
    }

    [TestCase("--store", "memory")]
    [TestCase("no-such-capture.jsonl", "--store", "memory")]
    [TestCase("SAMPLE", "--store", "mongo")]
    [TestCase("SAMPLE", "--json")]
    [TestCase("SAMPLE", "--store", "memory", "--store", "memory")]
    [TestCase("SAMPLE", "SAMPLE", "--store", "memory")]
    [TestCase("SAMPLE", "--verbose")]
    public void Wrong_arguments_or_an_unreadable_file_exit_2_with_a_reason(params string[] args)
    {
        var (status, output, error) = Run([.. args.Select(a => a == "SAMPLE" ? Sample : a)]);
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(AuditCommand.CannotRun));
            Assert.That(error, Does.StartWith("audit: "));
            Assert.That(output, Is.Empty);
        });
    }

    [Test]
    public void An_output_that_cannot_be_written_exits_2()
    {
        using var directory = new TempDirectory("linkage-audit-cli");
        var file = directory.File("a-file");
        File.WriteAllText(file, "");
        var (status, output, error) = Run(Sample, "--store", "memory", "--json", Path.Combine(file, "report.json"));
        Assert.Multiple(() =>
        {
            Assert.That(status, Is.EqualTo(AuditCommand.CannotRun));
            Assert.That(error, Does.Contain($"--json {Path.Combine(file, "report.json")}: cannot be written: {file} is a file, not a folder"));
            Assert.That(output, Is.Empty, "the path is checked before the audit runs");
        });
    }
}
