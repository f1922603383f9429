using Linkage.Sim.World;

namespace Linkage.Sim.Server;

/// <summary>Rates of each fault the wire server can inject (probabilities per message or per request); a named profile sets them.</summary>
internal sealed record FaultProfile(
    string Name,
    decimal WsDrop = 0m,
    decimal WsDuplicate = 0m,
    decimal WsReorder = 0m,
    decimal WsAbnormalClose = 0m,
    decimal WsCleanClose = 0m,
    decimal HeartbeatSilence = 0m,
    decimal AckLost = 0m,
    decimal RateLimited = 0m,
    decimal SpuriousUnauthorized = 0m,
    decimal Unavailable = 0m,
    decimal Latency = 0m)
{
    /// <summary>Every profile by name: <c>none</c>, one per fault kind, and <c>swarm</c> (all of them at once, at rates a client must survive).</summary>
    public static readonly IReadOnlyList<FaultProfile> All =
    [
        new("none"),
        new("ws-drop", WsDrop: 0.05m),
        new("ws-duplicate", WsDuplicate: 0.05m),
        new("ws-reorder", WsReorder: 0.05m),
        new("ws-close", WsAbnormalClose: 0.01m, WsCleanClose: 0.01m),
        new("heartbeat-silence", HeartbeatSilence: 0.05m),
        new("ack-lost", AckLost: 0.2m),
        new("rate-limit", RateLimited: 0.1m),
        new("unauthorized", SpuriousUnauthorized: 0.05m),
        new("unavailable", Unavailable: 0.1m),
        new("latency", Latency: 0.2m),
        new("swarm", WsDrop: 0.02m, WsDuplicate: 0.02m, WsReorder: 0.02m, WsAbnormalClose: 0.005m, WsCleanClose: 0.005m, HeartbeatSilence: 0.02m,
            AckLost: 0.05m, RateLimited: 0.03m, SpuriousUnauthorized: 0.01m, Unavailable: 0.02m, Latency: 0.05m),
    ];

    public static FaultProfile? Find(string name) => All.FirstOrDefault(p => string.Equals(p.Name, name, StringComparison.Ordinal));
}

/// <summary>One injected fault: when (virtual time), what kind, and what it hit (a path, a connection and sequence number).</summary>
internal sealed record FaultEvent(DateTimeOffset At, string Kind, string Target);

/// <summary>
/// Draws faults from the seed (one stream per kind, so one kind's rate does not move another's draws) and logs each
/// one, to stderr as it happens and to the truth file at exit. Thread-safe.
/// </summary>
internal sealed class WireFaults
{
    /// <summary>How long an injected latency holds a REST answer.</summary>
    public static readonly TimeSpan LatencyDelay = TimeSpan.FromMilliseconds(250);

    /// <summary>How long a heartbeat silence lasts (the heartbeats channel skips this many beats).</summary>
    public const int SilenceBeats = 4;

    /// <summary>Most fault events kept for the truth file; later ones are still counted and logged.</summary>
    public const int EventsKeptMax = 100_000;

    private readonly object _gate = new();
    private readonly Dictionary<string, Prng> _streams = new(StringComparer.Ordinal);
    private readonly List<FaultEvent> _events = [];
    private readonly SortedDictionary<string, int> _counts = new(StringComparer.Ordinal);
    private readonly ulong _seed;
    private readonly TextWriter _log;

    public WireFaults(FaultProfile profile, ulong seed, TextWriter log)
    {
        Profile = profile;
        _seed = seed;
        _log = log;
    }

    public FaultProfile Profile { get; }

    /// <summary>Draws once from the kind's stream (always, whatever the rate) and logs the fault when it fires.</summary>
    public bool Draw(string kind, decimal rate, DateTimeOffset at, string target)
    {
        lock (_gate)
        {
            if (!_streams.TryGetValue(kind, out var stream))
            {
                stream = Prng.Stream(_seed, "wire:fault:" + kind);
                _streams.Add(kind, stream);
            }
            if (!stream.Chance(rate))
            {
                return false;
            }
            Add(kind, at, target);
            return true;
        }
    }

    private void Add(string kind, DateTimeOffset at, string target)
    {
        _counts[kind] = _counts.GetValueOrDefault(kind) + 1;
        if (_events.Count < EventsKeptMax)
        {
            _events.Add(new FaultEvent(at, kind, target));
        }
        _log.WriteLine($"fault {kind}: {target}");
    }

    /// <summary>Logs a fault that was not drawn but scripted (a scenario's disconnect, lost ack, duplicate, ...).</summary>
    public void Record(string kind, DateTimeOffset at, string target)
    {
        lock (_gate)
        {
            Add(kind, at, target);
        }
    }

    public (IReadOnlyList<FaultEvent> Events, IReadOnlyDictionary<string, int> Counts) Snapshot()
    {
        lock (_gate)
        {
            return ([.. _events], new SortedDictionary<string, int>(_counts, StringComparer.Ordinal));
        }
    }
}
