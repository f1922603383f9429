using System.Diagnostics;
using System.Globalization;
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
internal static class SimulationSpeed
{
    public static void Print(IEnumerable<int> sizes, IEnumerable<string> stores)
    {
        Console.WriteLine("| Orders | Store | Steps | Trades | Generate s | Run s | Simulated h | Sim h / wall s | x real time |");
        Console.WriteLine("|-------:|-------|------:|-------:|-----------:|------:|------------:|---------------:|------------:|");
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
                    clock.Restart();
                    var result = ScenarioRunner.Run(scenario, new RunOptions { Store = store, PostgresConnectionString = database });
                    var run = clock.Elapsed.TotalSeconds;
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"| {orders:N0} | {store} | {scenario.Steps.Length:N0} | {result.Fills:N0} | {generate:N1} | {run:N1} | {result.SimulatedDuration.TotalHours:N2} | {result.SimulatedDuration.TotalHours / run:N2} | {result.SimulatedDuration.TotalSeconds / run:N0}x |"));
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
}
