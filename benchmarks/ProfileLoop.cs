using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using BenchmarkDotNet.Attributes;

namespace Linkage.Benchmarks;

/// <summary>
/// <c>--profile Class.Method [seconds]</c>: runs one benchmark method in a plain loop for a while (default 20 s), outside
/// BDN, so a profiler (<c>dotnet-trace collect -- dotnet bin/Release/net10.0/Linkage.Benchmarks.dll --profile ...</c>)
/// sees only that code. Setup and cleanup are the benchmark's own (<c>[GlobalSetup]</c> and <c>[GlobalCleanup]</c>
/// for that method), at the first size of <c>LINKAGE_BENCH_SIZES</c>. Prints the time and bytes allocated per call, so
/// a change can be checked before a BDN run; the numbers that count are BDN's.
/// </summary>
internal static class ProfileLoop
{
    public static int Run(string target, double seconds)
    {
        var parts = target.Split('.');
        var type = parts.Length == 2 ? typeof(ProfileLoop).Assembly.GetType($"{typeof(ProfileLoop).Namespace}.{parts[0]}") : null;
        var method = type?.GetMethod(parts[1], BindingFlags.Public | BindingFlags.Instance);
        if (type is null || method?.GetCustomAttribute<BenchmarkAttribute>() is null)
        {
            Console.Error.WriteLine($"error: --profile wants Class.Method of a benchmark, e.g. FillBenchmarks.EngineMemory; got '{target}'");
            return 1;
        }
        var instance = Activator.CreateInstance(type)!;
        if (type.GetProperty("Size") is { } size)
        {
            size.SetValue(instance, Workload.Sizes(1_000).First());
        }
        Invoke<GlobalSetupAttribute>(instance, method.Name, a => a.Targets);
        var perCall = method.GetCustomAttribute<BenchmarkAttribute>()!.OperationsPerInvoke;
        try
        {
            var calls = 0L;
            var allocated = GC.GetAllocatedBytesForCurrentThread();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                method.Invoke(instance, null);
                calls++;
            }
            clock.Stop();
            var operations = calls * perCall;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{target}: {operations:N0} operations in {clock.Elapsed.TotalSeconds:N1} s, {clock.Elapsed.TotalMicroseconds / operations:N2} µs and {(GC.GetAllocatedBytesForCurrentThread() - allocated) / (double)operations:N0} B per operation"));
            return 0;
        }
        finally
        {
            Invoke<GlobalCleanupAttribute>(instance, method.Name, a => a.Targets);
        }
    }

    /// <summary>Calls the instance's methods marked <typeparamref name="T"/> for <paramref name="benchmark"/> (or for every benchmark).</summary>
    private static void Invoke<T>(object instance, string benchmark, Func<T, string[]> targets)
        where T : Attribute
    {
        foreach (var candidate in instance.GetType().GetMethods())
        {
            if (candidate.GetCustomAttribute<T>() is { } attribute
                && (targets(attribute) is not { Length: > 0 } names || names.Contains(benchmark, StringComparer.Ordinal)))
            {
                candidate.Invoke(instance, null);
            }
        }
    }
}
