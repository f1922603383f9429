using System.Collections.Immutable;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Linkage.Sim.World;

namespace Linkage.Sim.Crash;

/// <summary>How the crash test runs one scenario.</summary>
public sealed record CrashOptions
{
    /// <summary>How many times the webhook process is killed (a run that ends sooner reports how many it got).</summary>
    public int Kills { get; init; } = 50;

    /// <summary>Chooses the kill points; the same seed gives the same kill points for the same scenario.</summary>
    public ulong Seed { get; init; } = 1;

    /// <summary>Where the database, its copies and the scratch files live; removed afterwards unless <see cref="Keep"/>.</summary>
    public required string WorkDirectory { get; init; }

    /// <summary>Whether to leave <see cref="WorkDirectory"/> in place (to inspect the files).</summary>
    public bool Keep { get; init; }

    /// <summary>Longest wait for one child process to reach its kill point or its end.</summary>
    public TimeSpan ChildTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>Receives a line per child process (progress on long runs).</summary>
    public Action<string>? Progress { get; init; }

    /// <summary>
    /// The assembly each child process runs (<c>dotnet exec ASSEMBLY crash-child ...</c>): the <c>linkage</c> command's,
    /// which answers <see cref="CrashHarness.ChildCommand"/>.
    /// </summary>
    public required string ChildAssembly { get; init; }
}

/// <summary>What the crash test found for one scenario.</summary>
public sealed record CrashReport
{
    public required string Scenario { get; init; }

    /// <summary>Times the webhook process was killed with SIGKILL.</summary>
    public required int KillPoints { get; init; }

    /// <summary>Kill points by kind (<see cref="KillPoint.Kind"/>), ordinal order.</summary>
    public required ImmutableSortedDictionary<string, int> Kinds { get; init; }

    /// <summary>Kill-point crossings of the run without kills (the space the kill points were drawn from).</summary>
    public required long Crossings { get; init; }

    /// <summary>Re-executed deaths whose fingerprint was compared with the real death's.</summary>
    public required int FingerprintsChecked { get; init; }

    public required int Trades { get; init; }
    public required int Linked { get; init; }
    public required int External { get; init; }
    public required int Wrong { get; init; }

    /// <summary>Bot trades not linked at the end (missing or lost).</summary>
    public required int Lost { get; init; }

    /// <summary>Orders linked above what they executed, or a trade linked twice.</summary>
    public required int Duplicated { get; init; }

    /// <summary>Intents the strategy delivered that the store did not hold at the end.</summary>
    public required int IntentsLost { get; init; }

    /// <summary>Everything that went wrong: the oracle's failures, diverged re-executions, children that misbehaved.</summary>
    public required ImmutableArray<string> Failures { get; init; }

    public bool Passed => Failures.IsEmpty;
}

/// <summary>
/// The crash test: runs the webhook host in child processes on one SQLite file and kills them with SIGKILL at seeded
/// kill points, restarting on the same file each time, then lets the oracle judge what the file holds at the end.
/// </summary>
/// <remarks>
/// The exchange outlives the webhook, so it cannot live in the killed process. Each child therefore rebuilds it by
/// re-executing the run from the start (the simulation is deterministic): up to the last real death it runs on
/// copies of the file as each death left it, and checks that every re-executed death shows the real one's fingerprint
/// (time, events, exchange digest); from there it runs on the real file, until the parent kills it at the next kill
/// point. The first run, without kills, counts the kill-point crossings; each kill is then aimed at a seeded gap after
/// the previous one and, by a seeded draw, at a kind (any, a create-order about to be sent, a row written inside a
/// transaction, an arriving answer or feed message), so deaths fall everywhere in the run, rare kinds included, and
/// again while the restarted process recovers.
/// </remarks>
public static class CrashHarness
{
    /// <summary>The command a crash-test child runs: re-execute the scenario on the database up to its next kill point.</summary>
    public const string ChildCommand = "crash-child";

    /// <summary>Runs the crash test on the scenario file at <paramref name="scenarioPath"/>.</summary>
    public static CrashReport Run(string scenarioPath, CrashOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.WorkDirectory);
        try
        {
            return new Session(scenarioPath, options).Run();
        }
        finally
        {
            if (!options.Keep)
            {
                Directory.Delete(options.WorkDirectory, recursive: true);
            }
        }
    }

    /// <summary>
    /// What kills aim at, drawn with equal chances: any crossing, a create-order about to be sent (the intent is
    /// staged), a row written inside a transaction, an arriving answer or feed message.
    /// </summary>
    private static readonly ImmutableArray<string>[] AimedKinds =
    [
        [], [], [KillPointExchange.Send], ["write:"], [KillPointExchange.Ack, KillPointExchange.Feed],
    ];

    private sealed class Session(string scenarioPath, CrashOptions options)
    {
        private readonly string _database = Path.Combine(options.WorkDirectory, "webhook.db");
        private readonly List<long> _killPoints = [];
        private readonly List<string> _snapshots = [];
        private readonly List<string> _fingerprints = [];
        private readonly List<string> _failures = [];
        private readonly SortedDictionary<string, int> _kinds = new(StringComparer.Ordinal);
        private int _checked;

        public CrashReport Run()
        {
            var dry = RunChild(0, null);
            if (dry is null)
            {
                return Report(0, null);
            }
            if (!dry.RootElement.GetProperty("passed").GetBoolean())
            {
                _failures.Add("the scenario fails even without kills: " + FailuresOf(dry));
                return Report(0, dry);
            }
            var crossings = dry.RootElement.GetProperty("crossings").GetInt64();
            // Gaps average half an even spread, so the kills fit even though every restart adds crossings (the
            // recovering process reconciles), aimed kills skip ahead to their kind, and kills go on into the recovery
            // of earlier ones.
            var meanGap = Math.Max(1L, crossings / (2L * Math.Max(1, options.Kills)));
            var prng = Prng.Stream(options.Seed, "crash kill points");
            KillTarget? Aim() => _killPoints.Count >= options.Kills ? null : new KillTarget(
                (_killPoints.Count == 0 ? 0 : _killPoints[^1]) + prng.NextInRange(1, Math.Max(1, (2 * meanGap) - 1)),
                AimedKinds[(int)prng.NextBelow((ulong)AimedKinds.Length)]);
            var target = Aim();
            JsonDocument? end = null;
            for (var child = 1; end is null && _failures.Count == 0; child++)
            {
                var outcome = RunChild(child, target);
                if (outcome is null)
                {
                    target = Aim();
                }
                else if (target is { Kinds.IsEmpty: false })
                {
                    // The run ended before a crossing of the aimed kind came: aim at any kind from the same place.
                    target = target with { Kinds = [] };
                }
                else
                {
                    end = outcome;
                }
            }
            if (end is not null && !end.RootElement.GetProperty("passed").GetBoolean())
            {
                _failures.Add("after the kills the oracle found: " + FailuresOf(end));
            }
            return Report(crossings, end);
        }

        /// <summary>
        /// Runs one child process to its death or its end. Returns the end line's document when the run ended, or null
        /// when the child was killed (its copy of the file is taken) or misbehaved (a failure is recorded).
        /// </summary>
        private JsonDocument? RunChild(int child, KillTarget? target)
        {
            // The live file is where the last death left it, even when a child before this one ran on to the end.
            if (_snapshots.Count == 0)
            {
                SqliteFiles.Delete(_database);
            }
            else
            {
                SqliteFiles.Copy(_snapshots[^1], _database);
            }
            using var process = Start(target);
            var errors = process.StandardError.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(options.ChildTimeout);
            try
            {
                while (process.StandardOutput.ReadLineAsync(timeout.Token).AsTask().GetAwaiter().GetResult() is { } line)
                {
                    var message = JsonDocument.Parse(line);
                    switch (message.RootElement.GetProperty("event").GetString())
                    {
                        case "replayed":
                            Compare(child, message.RootElement);
                            break;
                        case "dying":
                            process.Kill(entireProcessTree: false);
                            process.WaitForExit();
                            Died(child, message.RootElement);
                            return null;
                        case "end":
                            process.WaitForExit();
                            options.Progress?.Invoke(string.Create(CultureInfo.InvariantCulture, $"child {child}: ran to the end after {_killPoints.Count} kill(s)"));
                            return message;
                        default:
                            break;
                    }
                }
                process.WaitForExit();
                _failures.Add(string.Create(CultureInfo.InvariantCulture, $"child {child} exited with status {process.ExitCode} before its kill point or its end: {errors.GetAwaiter().GetResult().Trim()}"));
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                _failures.Add(string.Create(CultureInfo.InvariantCulture, $"child {child} reached neither its kill point nor its end within {options.ChildTimeout.TotalSeconds:0} s"));
            }
            return null;
        }

        private Process Start(KillTarget? target)
        {
            var info = new ProcessStartInfo(DotnetHost())
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            info.ArgumentList.Add("exec");
            info.ArgumentList.Add(options.ChildAssembly);
            info.ArgumentList.Add(CrashHarness.ChildCommand);
            info.ArgumentList.Add(scenarioPath);
            foreach (var (name, value) in new[] { ("--db", _database), ("--scratch", Path.Combine(options.WorkDirectory, "scratch")) }
                .Concat(_killPoints.Select(k => ("--kill", k.ToString(CultureInfo.InvariantCulture))))
                .Concat(_snapshots.Select(s => ("--snapshot", s)))
                .Concat(target is null ? [] : new[] { ("--next", target.ToString()) }))
            {
                info.ArgumentList.Add(name);
                info.ArgumentList.Add(value);
            }
            return Process.Start(info) ?? throw new InvalidOperationException("could not start the crash-test child process");
        }

        /// <summary>The <c>dotnet</c> executable this process runs on (or the one the SDK names), to start children on the same runtime.</summary>
        private static string DotnetHost()
        {
            var sdkHost = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
            if (!string.IsNullOrEmpty(sdkHost) && File.Exists(sdkHost))
            {
                return sdkHost;
            }
            var current = Environment.ProcessPath;
            return current is not null && Path.GetFileNameWithoutExtension(current) == "dotnet" ? current : "dotnet";
        }

        private void Compare(int child, JsonElement point)
        {
            var number = point.GetProperty("number").GetInt32();
            var fingerprint = point.GetProperty("fingerprint").GetString()!;
            _checked++;
            if (number > _fingerprints.Count || _fingerprints[number - 1] != fingerprint)
            {
                var expected = number > _fingerprints.Count ? "no such death" : _fingerprints[number - 1];
                _failures.Add(string.Create(CultureInfo.InvariantCulture, $"child {child} re-executed death {number} differently: expected {expected}, got {fingerprint}"));
            }
        }

        private void Died(int child, JsonElement point)
        {
            var number = point.GetProperty("number").GetInt32();
            var kind = point.GetProperty("kind").GetString()!;
            _killPoints.Add(point.GetProperty("index").GetInt64());
            _fingerprints.Add(point.GetProperty("fingerprint").GetString()!);
            _kinds[kind] = _kinds.GetValueOrDefault(kind) + 1;
            var snapshot = Path.Combine(options.WorkDirectory, string.Create(CultureInfo.InvariantCulture, $"death-{number}.db"));
            SqliteFiles.Copy(_database, snapshot);
            _snapshots.Add(snapshot);
            options.Progress?.Invoke(string.Create(CultureInfo.InvariantCulture,
                $"child {child}: killed at kill point {number}/{options.Kills} (crossing {point.GetProperty("index").GetInt64()}, {kind}, {point.GetProperty("at").GetString()})"));
        }

        private CrashReport Report(long crossings, JsonDocument? end)
        {
            int Count(string name) => end?.RootElement.GetProperty(name).GetInt32() ?? 0;
            return new CrashReport
            {
                Scenario = Path.GetFileNameWithoutExtension(scenarioPath),
                KillPoints = _snapshots.Count,
                Kinds = _kinds.ToImmutableSortedDictionary(StringComparer.Ordinal),
                Crossings = crossings,
                FingerprintsChecked = _checked,
                Trades = Count("trades"),
                Linked = Count("linked"),
                External = Count("external"),
                Wrong = Count("wrong"),
                Lost = Count("missing") + Count("lost"),
                Duplicated = Count("duplicated"),
                IntentsLost = Count("intents_lost"),
                Failures = [.. _failures],
            };
        }

        private static string FailuresOf(JsonDocument end) =>
            string.Join("; ", end.RootElement.GetProperty("failures").EnumerateArray().Select(f => $"[{f.GetProperty("check").GetString()}] {f.GetProperty("message").GetString()}"));
    }
}
