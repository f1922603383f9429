using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;

namespace Linkage.Benchmarks;

internal static class Program
{
    /// <summary>
    /// Runs the benchmarks BDN's switcher selects. <c>--quick</c> is the CI smoke path: every benchmark once (Dry job, in process) at
    /// a tiny size, allowed from a Debug build; it asserts no time, only that every benchmark ran (exit 1 otherwise).
    /// </summary>
    private static int Main(string[] args)
    {
        var quick = args.Contains("--quick", StringComparer.Ordinal);
        var rest = args.Where(a => a != "--quick").ToArray();
        if (args.Contains("--breakdown", StringComparer.Ordinal))
        {
            Breakdown.Print(Workload.Sizes(1_000).First());
            return 0;
        }
        if (args.Contains("--footprint", StringComparer.Ordinal))
        {
            Footprint.Print(Workload.Sizes(1_000, 100_000, 1_000_000));
            return 0;
        }
        if (!quick)
        {
            return Failed(BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest)) ? 1 : 0;
        }
        Environment.SetEnvironmentVariable(Workload.QuickVariable, "1");
        var config = DefaultConfig.Instance
            // In process: BDN's generated project would be rebuilt per benchmark, which alone exceeds its two-minute
            // build timeout on the shared CI machine, and a smoke test needs no process isolation.
            .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance))
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        var selection = rest.Length == 0 ? ["--filter", "*"] : rest;
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(selection, config);
        return Failed(summaries) ? 1 : 0;
    }

    /// <summary>Whether any benchmark failed to run, produced no measurement, or the selection was empty.</summary>
    private static bool Failed(IEnumerable<BenchmarkDotNet.Reports.Summary> summaries)
    {
        var all = summaries.ToList();
        return all.Count == 0
            || all.Any(s => s.HasCriticalValidationErrors || s.Reports.IsEmpty || s.Reports.Any(r => !r.Success));
    }
}
