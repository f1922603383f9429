using FsCheck;
using FsCheck.Fluent;
using Linkage.Properties.Laws;
using Linkage.Sim.Generation;

namespace Linkage.Properties.Generation;

/// <summary>The generator alone meets every class's minimum at the laws' sizes (so a law's coverage shortfall means a changed generator, not bad luck).</summary>
public sealed class CoverageTests
{
    [TestCase(200, 100)]
    [TestCase(400, 100)]
    public void Generated_runs_meet_every_class_minimum(int runs, int endSize)
    {
        var coverage = new Coverage();
        var rnd = new Rnd(20_250_314, 0x9E3779B97F4A7C15UL);
        // FsCheck's own schedule: sizes grow evenly from 0 to the end size over the run.
        for (var i = 0; i < runs; i++)
        {
            coverage.Add(SwarmGenerator.Scenarios(GenerationOptions.Default).Sample(1, new Rnd(rnd.Seed + (ulong)i, rnd.Gamma), endSize * i / runs)[0]);
        }
        TestContext.Out.WriteLine(coverage.ToString());
        coverage.Require(runs);
    }

    [Test]
    public void A_class_below_its_minimum_fails_the_run()
    {
        var coverage = new Coverage();
        coverage.Add(SwarmGenerator.Generate(GenerationOptions.Default, 1, 0));
        Assert.That(() => coverage.Require(100), Throws.InstanceOf<AssertionException>().With.Message.Contains("falls short"));
    }
}
