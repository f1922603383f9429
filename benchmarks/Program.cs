using System.Globalization;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Running;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Linkage.Stores.Sqlite;
using Linkage.Testing;
using Microsoft.Data.Sqlite;

using Linkage.Sim.Stores;

namespace Linkage.Benchmarks;

internal static class Program
{
    /// <summary>
    /// Runs the benchmarks BDN's switcher selects. <c>--quick</c> is the CI smoke path: every benchmark once (Dry job, in process) at
    /// a tiny size, allowed from a Debug build; it asserts no time, only that every benchmark ran (exit 1 otherwise).
    /// PostgreSQL comes from <c>LINKAGE_PG</c> or a throwaway cluster started here (and exported as <c>LINKAGE_PG</c>, so
    /// BDN's child processes share it); without either, the PostgreSQL cases are left out, except under <c>CI=true</c>,
    /// where that is an error (exit 2).
    /// </summary>
    private static int Main(string[] args)
    {
        var quick = args.Contains("--quick", StringComparer.Ordinal);
        var rest = args.Where(a => a != "--quick").ToArray();
        if (rest.Any(a => a is "--list" or "--help" or "-h" or "--version" || a.StartsWith("--list=", StringComparison.Ordinal)))
        {
            // Listing or explaining runs nothing: no PostgreSQL cluster is started, and an empty summary is not a failure.
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, DefaultConfig.Instance);
            return 0;
        }

        // A run stopped by SIGTERM (a timeout, CI cancelling) skips finally blocks but raises ProcessExit: stop the cluster there too.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => PostgresProvider.StopIfStarted();
        // A stopwatch run of the simulation on stores chosen without PostgreSQL starts no cluster: nothing in it would use one.
        var needsPostgres = !(rest.Contains("--simspeed", StringComparer.Ordinal)
            && Environment.GetEnvironmentVariable(Workload.StoresVariable) is { Length: > 0 } chosen
            && !chosen.Split(',').Contains(StoreFactory.Postgres, StringComparer.Ordinal));
        var postgres = needsPostgres ? Postgres() : null;
        if (needsPostgres && postgres is null && string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
        {
            Console.Error.WriteLine($"error: under CI=true the benchmarks must run PostgreSQL too. {Unavailable}");
            return 2;
        }
        try
        {
            return Run(quick, rest, postgres is not null);
        }
        catch (Exception e) when (e is InvalidOperationException or IOException or Npgsql.NpgsqlException or SqliteException)
        {
            // Caught, so the throwaway cluster below is still stopped.
            Console.Error.WriteLine($"error: {e}");
            return 1;
        }
        finally
        {
            PostgresProvider.StopIfStarted();
        }
    }

    private static string? Unavailable { get; set; }

    private static int Run(bool quick, string[] rest, bool postgres)
    {
        if (Array.IndexOf(rest, "--profile") is var at and >= 0)
        {
            return at + 1 < rest.Length
                ? ProfileLoop.Run(rest[at + 1], at + 2 < rest.Length ? double.Parse(rest[at + 2], CultureInfo.InvariantCulture) : 20)
                : ProfileLoop.Run("", 0);
        }
        if (rest.Contains("--breakdown", StringComparer.Ordinal))
        {
            Breakdown.Print(Workload.Sizes(1_000).First(), postgres);
            return 0;
        }
        if (rest.Contains("--stage", StringComparer.Ordinal))
        {
            // Fills the caches ahead of a run whose setup would otherwise stage for minutes (a million intents on
            // PostgreSQL): the SQLite files always, the PostgreSQL templates only on a server that outlives the run.
            foreach (var size in Workload.Sizes(1_000, 100_000, 1_000_000))
            {
                var directory = Directory.CreateTempSubdirectory("linkage-stage-").FullName;
                Staging.Sqlite(directory, size).Dispose();
                SqliteConnection.ClearAllPools();
                Directory.Delete(directory, recursive: true);
                if (postgres)
                {
                    PostgresProvider.DropDatabase(Staging.Postgres(size));
                }
            }
            return 0;
        }
        if (rest.Contains("--simspeed", StringComparer.Ordinal))
        {
            var stores = Environment.GetEnvironmentVariable(Workload.StoresVariable) is { Length: > 0 } given
                ? given.Split(',')
                : postgres ? ["memory", "sqlite", "postgres"] : ["memory", "sqlite"];
            SimulationSpeed.Print(Workload.Sizes(10_000), stores);
            return 0;
        }
        if (rest.Contains("--footprint", StringComparer.Ordinal))
        {
            Footprint.Print(Workload.Sizes(1_000, 100_000, 1_000_000), postgres);
            return 0;
        }
        var config = DefaultConfig.Instance.AddFilter(new SimpleFilter(b => (postgres || !NeedsPostgres(b)) && Workload.StoreSelected(b)));
        if (!postgres)
        {
            Console.WriteLine($"// PostgreSQL benchmarks left out: {Unavailable}");
        }
        if (!quick)
        {
            return Failed(BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(rest, config)) ? 1 : 0;
        }
        Environment.SetEnvironmentVariable(Workload.QuickVariable, "1");
        VerifyBulkStaging(postgres);
        config = config
            // In process: BDN's generated project would be rebuilt per benchmark, which alone exceeds its two-minute
            // build timeout on the shared CI machine, and a smoke test needs no process isolation.
            .AddJob(Job.Dry.WithToolchain(InProcessEmitToolchain.Instance))
            .WithOptions(ConfigOptions.DisableOptimizationsValidator);
        var selection = rest.Length == 0 ? ["--filter", "*"] : rest;
        var summaries = BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(selection, config);
        return Failed(summaries) ? 1 : 0;
    }

    /// <summary>The server's admin connection string (exported as <c>LINKAGE_PG</c> for child processes), or null.</summary>
    private static string? Postgres()
    {
        try
        {
            var admin = PostgresProvider.AdminConnectionString();
            Environment.SetEnvironmentVariable(PostgresProvider.Variable, admin);
            return admin;
        }
        catch (PostgresUnavailableException e)
        {
            Unavailable = e.Message;
            return null;
        }
    }

    /// <summary>Whether a benchmark case talks to PostgreSQL.</summary>
    private static bool NeedsPostgres(BenchmarkCase benchmark) =>
        benchmark.Descriptor.Type == typeof(PostgresLookupBenchmarks)
        || benchmark.Descriptor.WorkloadMethod.Name.Contains("Postgres", StringComparison.Ordinal)
        || benchmark.Descriptor.Type.Name.StartsWith("Postgres", StringComparison.Ordinal)
        || benchmark.Parameters.Items.Any(p => p.Value is StoreFactory.Postgres);

    /// <summary>
    /// The smoke test also checks the claim that makes big stores cheap to stage: bulk staging writes the same rows as
    /// staging through the engine, on SQLite and (when available) PostgreSQL.
    /// </summary>
    private static void VerifyBulkStaging(bool postgres)
    {
        var directories = new[] { Directory.CreateTempSubdirectory("linkage-verify-").FullName, Directory.CreateTempSubdirectory("linkage-verify-").FullName };
        try
        {
            using var through = Workload.OpenSqlite(directories[0], SqliteDurability.Normal);
            using var bulk = Workload.OpenSqlite(directories[1], SqliteDurability.Normal);
            Staging.VerifyBulkStaging(through, bulk, 100);
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            Array.ForEach(directories, d => Directory.Delete(d, recursive: true));
        }
        if (postgres)
        {
            var databases = new[] { PostgresProvider.CreateDatabase("verify"), PostgresProvider.CreateDatabase("verify") };
            try
            {
                using var through = Staging.OpenPostgres(databases[0]);
                using var bulk = Staging.OpenPostgres(databases[1]);
                Staging.VerifyBulkStaging(through, bulk, 100);
            }
            finally
            {
                Array.ForEach(databases, PostgresProvider.DropDatabase);
            }
        }
        Console.WriteLine("// bulk staging writes the same rows as staging through the engine (SQLite" + (postgres ? ", PostgreSQL)" : ")"));
    }

    /// <summary>Whether any benchmark failed to run, produced no measurement, or the selection was empty.</summary>
    private static bool Failed(IEnumerable<BenchmarkDotNet.Reports.Summary> summaries)
    {
        var all = summaries.ToList();
        return all.Count == 0
            || all.Any(s => s.HasCriticalValidationErrors || s.Reports.IsEmpty || s.Reports.Any(r => !r.Success));
    }
}
