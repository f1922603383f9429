using Linkage.Coinbase.Capture;
using Linkage.Properties.Scenarios;
using Linkage.Cli;

namespace Linkage.Properties.Cli;

/// <summary><c>replay</c> with the real simulator (exchange, webhook host, engine, oracle) on the memory store.</summary>
public sealed class ReplayEndToEndTests
{
    private static ReplayRun Replay(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var code = ReplayCommand.Run(args, output, error);
        return new ReplayRun(code, output.ToString(), error.ToString());
    }

    private static string Shipped(string relative) => Path.Combine(RepoPaths.ScenariosFolder, relative);

    [Test]
    public void Every_shipped_scenario_passes_on_the_engine_with_the_memory_store()
    {
        var run = Replay(RepoPaths.ScenariosFolder, "--store", "memory");
        Assert.That(run.ExitCode, Is.EqualTo(0), run.Output + run.Error);
        Assert.That(run.Output, Does.Not.Contain("FAIL"));
    }

    [Test]
    public void The_old_design_fails_the_seed_scenarios_exactly_as_their_expect_legacy_says()
    {
        var run = Replay(Shipped("seed"), "--store", "memory", "--design", "legacy");
        Assert.Multiple(() =>
        {
            Assert.That(run.ExitCode, Is.EqualTo(1), "the old design breaks the laws");
            Assert.That(run.Output, Does.Contain("total (4)").And.Contain("0 pass, 4 fail"));
            Assert.That(run.Output, Does.Not.Contain("[legacy]"), "a [legacy] failure means the old design did not fail as documented");
        });
    }

    [Test]
    public void Json_report_is_byte_identical_for_the_same_files_and_seed()
    {
        var folder = Path.Combine(Path.GetTempPath(), "linkage-e2e-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        try
        {
            string[] files = [Shipped("seed"), Shipped("faults/every-fault-at-once.yaml"), Shipped("faults/duplicate-storm.yaml"), Shipped("steps/manual-orders-same-product.yaml")];
            var first = Replay([.. files, "--store", "memory", "--seed", "99", "--json", Path.Combine(folder, "1.json")]);
            var second = Replay([.. files, "--store", "memory", "--seed", "99", "--json", Path.Combine(folder, "2.json")]);
            var otherSeed = Replay([.. files, "--store", "memory", "--seed", "100", "--json", Path.Combine(folder, "3.json")]);
            Assert.That((first.ExitCode, second.ExitCode, otherSeed.ExitCode), Is.EqualTo((0, 0, 0)), first.Output + first.Error);
            var bytes = File.ReadAllBytes(Path.Combine(folder, "1.json"));
            Assert.Multiple(() =>
            {
                Assert.That(File.ReadAllBytes(Path.Combine(folder, "2.json")), Is.EqualTo(bytes));
                Assert.That(System.Text.Encoding.UTF8.GetString(bytes), Does.Contain("\"seed\": 99,"));
                Assert.That(File.ReadAllText(Path.Combine(folder, "3.json")), Does.Contain("\"seed\": 100,"));
            });
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Test]
    public void Capture_files_are_what_the_capture_reader_reads_without_a_problem()
    {
        var folder = Path.Combine(Path.GetTempPath(), "linkage-capture-" + Guid.NewGuid().ToString("N"));
        try
        {
            var run = Replay(Shipped("seed/same-symbol-overwrite.yaml"), Shipped("steps/lost-response-trades-feed.yaml"), "--store", "memory", "--capture", folder);
            Assert.That(run.ExitCode, Is.EqualTo(0), run.Output + run.Error);
            foreach (var name in new[] { "same-symbol-overwrite", "lost-response-trades-feed" })
            {
                using var reader = new StreamReader(Path.Combine(folder, name + ".jsonl"));
                var lines = CaptureReader.Read(reader).ToList();
                Assert.That(lines.OfType<CaptureProblem>(), Is.Empty, name);
                Assert.That(lines.OfType<CaptureRecord>().Select(r => r.Kind), Does.Contain(CaptureKind.Intent).And.Contain(CaptureKind.Ws).And.Contain(CaptureKind.OrderRequest), name);
            }
        }
        finally
        {
            if (Directory.Exists(folder))
            {
                Directory.Delete(folder, recursive: true);
            }
        }
    }
}
