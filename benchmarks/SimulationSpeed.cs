using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Linkage.Sim.Stores;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;
using Linkage.Testing;

namespace Linkage.Benchmarks;

/// <summary>
/// <c>--simspeed</c>: one stopwatch-timed run of <see cref="SimulationBenchmarks"/>' scenario per size and store, with
/// the generation time, the scenario's steps and trades, and the rate, outside BenchmarkDotNet: to see how the rate
/// grows with the scenario before committing to a long BDN run.
/// </summary>
/// <remarks>
/// The machine is shared, so wall time says as much about the load as about the code. Each row therefore also gives
/// the process's CPU time over the run (every thread: the run's own, the GC's, the JIT's) and the rate per CPU second,
/// the garbage collections, the 1-minute load average before and after, and a digest of what the run produced (trades
/// and their verdicts, links, allocations, external orders, failures, faults, inputs decided): two rows with the same
/// digest did the same work, so a change that makes a row faster but changes its digest changed behaviour.
/// </remarks>
internal static class SimulationSpeed
{
    public static void Print(IEnumerable<int> sizes, IEnumerable<string> stores)
    {
        Console.WriteLine("| Orders | Store | Steps | Trades | Generate s | Run s | CPU s | Simulated h | x real time | x per CPU s | GCs 0/1/2 | Load before / after | Digest |");
        Console.WriteLine("|-------:|-------|------:|-------:|-----------:|------:|------:|------------:|------------:|------------:|----------:|--------------------:|--------|");
        foreach (var orders in sizes)
        {
            var clock = Stopwatch.StartNew();
            var scenario = SimulationBenchmarks.Generate(orders);
            var generate = clock.Elapsed.TotalSeconds;
            foreach (var store in stores)
            {
                var database = store == StoreFactory.Postgres ? PostgresProvider.CreateDatabase("simspeed") : null;
                try
                {
                    var loadBefore = LoadAverage();
                    var gcs = Collections();
                    var cpu = Process.GetCurrentProcess().TotalProcessorTime;
                    clock.Restart();
                    var result = ScenarioRunner.Run(scenario, new RunOptions { Store = store, PostgresConnectionString = database });
                    var run = clock.Elapsed.TotalSeconds;
                    var cpuRun = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
                    var gcsRun = Collections().Zip(gcs, (after, before) => after - before).ToArray();
                    var simulated = result.SimulatedDuration;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {orders:N0} | {store} | {scenario.Steps.Length:N0} | {result.Fills:N0} | {generate:N1} | {run:N1} | {cpuRun:N1} | {simulated.TotalHours:N2} | {simulated.TotalSeconds / run:N0}x | {simulated.TotalSeconds / cpuRun:N0}x | {gcsRun[0]:N0}/{gcsRun[1]:N0}/{gcsRun[2]:N0} | {loadBefore} / {LoadAverage()} | {Digest(result)} |"));
                }
                finally
                {
                    if (database is not null)
                    {
                        PostgresProvider.DropDatabase(database);
                    }
                }
            }
        }
    }

    private static int[] Collections() => [GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2)];

    /// <summary>The 1-minute load average (Linux), or "?" where the system does not say.</summary>
    private static string LoadAverage()
    {
        try
        {
            return File.ReadAllText("/proc/loadavg").Split(' ')[0];
        }
        catch (IOException)
        {
            return "?";
        }
        catch (UnauthorizedAccessException)
        {
            return "?";
        }
    }

    /// <summary>The first 12 hex digits of a SHA-256 over everything the run produced except its timings.</summary>
    private static string Digest(ScenarioResult result)
    {
        var text = new StringBuilder();
        foreach (var line in result.Trades.Select(t => t.ToString())
            .Concat(result.Links.Select(l => l.ToString()))
            .Concat(result.Allocations.Select(a => a.ToString()))
            .Concat(result.ExternalOrders.Select(e => e.ToString()))
            .Concat(result.Failures.Select(f => f.ToString()))
            .Concat(result.FaultsInjected.Select(f => $"{f.Key}={f.Value}")))
        {
            text.Append(line).Append('\n');
        }
        text.Append(CultureInfo.InvariantCulture, $"{result.DuplicatesIgnored} {result.SimulatedDuration.Ticks} {result.ReadSets.Inputs}\n");
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text.ToString())))[..12];
    }
}
