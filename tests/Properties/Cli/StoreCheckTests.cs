using Linkage.Cli;
using Linkage.Properties.Stores;
using Linkage.Sim.Stores;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Cli;

/// <summary>
/// An unreachable store is the infrastructure, not the engine (issue 14, item 5): <c>replay</c> and <c>fuzz</c> open the
/// store once before anything runs and exit 2 with the reason; a store lost mid-run stops the command with exit 2, and
/// <c>fuzz</c> never shrinks or writes it as a counterexample. Before the fix every scenario failed with
/// <c>StoreUnavailableException</c> (exit 1) and fuzz wrote <c>fuzz-1-0.yaml</c>.
/// </summary>
public sealed class StoreCheckTests
{
    /// <summary>Nothing listens on port 1 of the loopback address, so connecting is refused at once.</summary>
    private const string Unreachable = "Host=127.0.0.1;Port=1;Timeout=3";

    [Test]
    public void Replay_on_an_unreachable_postgres_exits_2_before_any_scenario_runs()
    {
        using var files = new ReplayFixture();
        var file = files.Write("a.yaml", ReplayFixture.Valid("a"));
        var runs = 0;
        var output = new StringWriter();
        var error = new StringWriter();
        var code = ReplayCommand.Run([file, "--store", "postgres", "--pg", Unreachable], output, error,
            ReplayHost.Real((s, o) => { runs++; return ReplayFixture.FakeRun(s, o); }));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(runs, Is.Zero, "no scenario may run on a store that cannot be opened");
            Assert.That(error.ToString(), Does.Contain("store 'postgres' could not be reached").And.Contain("port 1"));
            Assert.That(output.ToString(), Does.Not.Contain("FAIL"));
        });
    }

    [Test]
    public void Fuzz_on_an_unreachable_postgres_exits_2_and_writes_no_counterexample()
    {
        using var folder = new TempDirectory("linkage-store-check");
        var output = new StringWriter();
        var error = new StringWriter();
        var code = FuzzCommand.Run(["--runs", "2", "--store", "postgres", "--pg", Unreachable, "--out", folder.Path], output, error,
            ReplayHost.Real((s, o) => throw new StoreUnavailableException("unreachable")));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error.ToString(), Does.Contain("store 'postgres' could not be reached"));
            Assert.That(Directory.EnumerateFileSystemEntries(folder.Path), Is.Empty);
        });
    }

    [Test]
    public void A_store_lost_mid_fuzz_is_exit_2_and_never_a_counterexample()
    {
        using var folder = new TempDirectory("linkage-store-check");
        var output = new StringWriter();
        var error = new StringWriter();
        var calls = 0;
        var host = new ReplayHost(
            (s, o) => ++calls < 3 ? ReplayFixture.FakeRun(s, o) : throw new StoreUnavailableException("store 'postgres' could not be reached"),
            _ => null, _ => null, () => TimeSpan.Zero);
        var code = FuzzCommand.Run(["--runs", "5", "--store", "memory", "--out", folder.Path], output, error, host);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error.ToString(), Does.Contain("failed after 2 of 5"));
            Assert.That(output.ToString(), Does.Not.Contain("shrinking"));
            Assert.That(Directory.EnumerateFileSystemEntries(folder.Path), Is.Empty);
        });
    }

    [Test]
    public void The_check_opens_memory_and_sqlite() => Assert.Multiple(() =>
    {
        Assert.That(StoreFactory.Problem(new RunOptions { Store = StoreFactory.Memory }), Is.Null);
        Assert.That(StoreFactory.Problem(new RunOptions { Store = StoreFactory.Sqlite }), Is.Null);
    });
}
