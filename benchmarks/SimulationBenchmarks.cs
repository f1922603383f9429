using System.Globalization;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using Linkage.Sim.Stores;
using Linkage.Sim.Generation;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;
using Linkage.Testing;

namespace Linkage.Benchmarks;

/// <summary>
/// Simulation speed: one run of a generated faulted scenario (10,000 orders) through <see cref="ScenarioRunner.Run"/>
/// per store. One invocation is one whole run (BDN's monitoring strategy: no pilot, no warm-up, no loop; a 10,000-order
/// run on PostgreSQL takes minutes, so one run per store unless <c>LINKAGE_BENCH_SIM_RUNS</c> asks for more), and the
/// <see cref="SimulationSpeedColumn"/> turns the mean time into simulated hours per wall-clock second with the run's own
/// simulated duration (written by each iteration's cleanup, since BDN may measure in a child process).
/// </summary>
[MemoryDiagnoser]
[Config(typeof(SimulationSpeedColumn.Config))]
public class SimulationBenchmarks
{
    /// <summary>The generator's seed: the same scenario for every run and store.</summary>
    public const ulong ScenarioSeed = 7_2026;

    private Scenario _scenario = null!;
    private RunOptions _options = null!;
    private string? _postgres;
    private ScenarioResult? _last;

    [ParamsSource(nameof(OrderCounts))]
    public int Orders { get; set; }

    [Params(StoreFactory.Memory, StoreFactory.Sqlite, StoreFactory.Postgres)]
    public string Store { get; set; } = StoreFactory.Memory;

    public static IEnumerable<int> OrderCounts() => Workload.Sizes(10_000);

    /// <summary>
    /// The scenario: every feature of a busy, faulty day (partial fills, exits, manual orders, cancels, delayed, lost and
    /// refused acks, feed disconnects, duplicated steps and resends, feed messages duplicated, reordered and dropped),
    /// without restarts (a memory store would come back empty and do other work than the durable ones) and without the
    /// hours-long gaps that would flatter the rate.
    /// </summary>
    public static Scenario Generate(int orders)
    {
        SwarmFeature[] on =
        [
            SwarmFeature.PartialFills, SwarmFeature.AckDelay, SwarmFeature.AckLost, SwarmFeature.AckReject, SwarmFeature.Exits,
            SwarmFeature.ExitCloses, SwarmFeature.SellEntries, SwarmFeature.MarketOrders, SwarmFeature.PriceImprovement,
            SwarmFeature.Manual, SwarmFeature.Cancel, SwarmFeature.Disconnect, SwarmFeature.DuplicateStep,
            SwarmFeature.DuplicateAs, SwarmFeature.Resend, SwarmFeature.QuickFills,
        ];
        var profile = on.Aggregate(
            new SwarmProfile { Feed = FeedKind.Orders, Products = 4, Faults = new Faults(0.01m, 0.01m, 0.01m) },
            (p, feature) => p.With(feature));

        // Room for every order's steps: creation, up to eight fills or a cancel, and the faults between them.
        return SwarmGenerator.Build(profile, ScenarioSeed, orders, stepsMax: orders * 20);
    }

    [GlobalSetup]
    public void Setup()
    {
        _scenario = Generate(Orders);
        if (Store == StoreFactory.Postgres)
        {
            _postgres = PostgresProvider.CreateDatabase("simspeed");
        }
        _options = new RunOptions { Store = Store, PostgresConnectionString = _postgres };
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        if (_postgres is not null)
        {
            PostgresProvider.DropDatabase(_postgres);
        }
    }

    [Benchmark]
    public int Run()
    {
        _last = ScenarioRunner.Run(_scenario, _options);
        return _last.Fills;
    }

    /// <summary>Records the run's simulated duration for the column, and says when the run broke a law (still a speed).</summary>
    [IterationCleanup]
    public void Record()
    {
        if (_last is null)
        {
            return;
        }
        SimulationSpeedColumn.Record(Store, Orders, _last.SimulatedDuration);
        if (!_last.Passed)
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"warning: the {Orders}-order scenario on {Store} failed {_last.Failures.Length} check(s), first: {_last.Failures[0].Check}: {_last.Failures[0].Message}"));
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"// {Store}: {_scenario.Steps.Length} steps, {_last.Fills} trades ({_last.Linked} linked), {_last.SimulatedDuration.TotalHours:0.00} simulated hours"));
    }
}

/// <summary>
/// Simulated hours per wall-clock second (and the same as a multiple of real time) of a
/// <see cref="SimulationBenchmarks"/> case: the run's simulated duration in hours divided by the mean run time in
/// seconds. Real time is 1/3600 simulated hours per second, so the multiple is the rate times 3,600.
/// </summary>
public sealed class SimulationSpeedColumn(bool multiple) : IColumn
{
    public string Id => multiple ? "SimSpeedX" : "SimHoursPerSecond";

    public string ColumnName => multiple ? "x real time" : "Sim h / wall s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => multiple ? 1 : 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => multiple
        ? "Simulated time per wall-clock time (simulated seconds / run seconds)"
        : "Simulated hours per wall-clock second (the run's simulated duration in hours / mean run time in seconds)";

    /// <summary>Where an iteration leaves the simulated duration of a store and size for the host's summary.</summary>
    private static string FileOf(string store, int orders) =>
        Path.Combine(Path.GetTempPath(), string.Create(CultureInfo.InvariantCulture, $"linkage-bench-simspeed-{store}-{orders}.txt"));

    public static void Record(string store, int orders, TimeSpan simulated) =>
        File.WriteAllText(FileOf(store, orders), simulated.Ticks.ToString(CultureInfo.InvariantCulture));

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
    {
        var store = (string)benchmarkCase.Parameters["Store"];
        var orders = (int)benchmarkCase.Parameters["Orders"];
        var file = FileOf(store, orders);
        if (summary[benchmarkCase]?.ResultStatistics is not { Mean: > 0 } statistics || !File.Exists(file))
        {
            return "-";
        }
        var simulated = TimeSpan.FromTicks(long.Parse(File.ReadAllText(file), CultureInfo.InvariantCulture));
        var seconds = statistics.Mean / 1e9;
        return multiple
            ? string.Create(CultureInfo.InvariantCulture, $"{simulated.TotalSeconds / seconds:N0}x")
            : string.Create(CultureInfo.InvariantCulture, $"{simulated.TotalHours / seconds:N2}");
    }

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;

    public override string ToString() => ColumnName;

    /// <summary>
    /// Adds both columns to <see cref="SimulationBenchmarks"/>, and outside <c>--quick</c> (whose Dry job is enough) its
    /// job: whole runs, cold, <c>LINKAGE_BENCH_SIM_RUNS</c> of them (default 1).
    /// </summary>
    public sealed class Config : BenchmarkDotNet.Configs.ManualConfig
    {
        public Config()
        {
            AddColumn(new SimulationSpeedColumn(false), new SimulationSpeedColumn(true));
            if (!Workload.Quick)
            {
                var runs = Environment.GetEnvironmentVariable("LINKAGE_BENCH_SIM_RUNS") is { Length: > 0 } given
                    ? int.Parse(given, CultureInfo.InvariantCulture)
                    : 1;
                AddJob(Job.Default
                    .WithStrategy(RunStrategy.Monitoring)
                    .WithLaunchCount(1)
                    .WithWarmupCount(0)
                    .WithIterationCount(runs)
                    .WithId("whole-runs"));
            }
        }
    }
}
