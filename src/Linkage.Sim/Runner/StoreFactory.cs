using Linkage.Engine;

namespace Linkage.Sim.Runner;

/// <summary>A store asked for by name that this build cannot open; the message says what to use instead.</summary>
public sealed class StoreUnavailableException(string message) : Exception(message);

/// <summary>
/// One run's store: opened at the start and again after every restart. A volatile store (memory) comes back empty, as
/// a real process's memory does; a durable one comes back with everything it committed.
/// </summary>
public interface IStoreSession : IDisposable
{
    /// <summary><c>memory</c>, <c>sqlite</c>, <c>postgres</c>.</summary>
    string Name { get; }

    bool IsDurable { get; }

    /// <summary>Opens the store for a new process life (closing the previous one's handle).</summary>
    ILinkageStore Open();
}

/// <summary>
/// Creates store sessions by name. <c>memory</c> is always available. <c>sqlite</c> and <c>postgres</c> arrive with the
/// stores' own assemblies (branch <c>stores</c>); until they are wired in, asking for them fails with a message naming
/// what to use instead, never by silently running another store.
/// </summary>
public static class StoreFactory
{
    public const string Memory = "memory";
    public const string Sqlite = "sqlite";
    public const string Postgres = "postgres";

    /// <summary>Whether <paramref name="name"/> can be opened in this build; if not, <paramref name="reason"/> says why.</summary>
    public static bool IsAvailable(string name, out string? reason)
    {
        switch (name)
        {
            case Memory:
                reason = null;
                return true;
            case Sqlite or Postgres:
                reason = $"store '{name}' is not available in this build yet (it arrives with the stores' assemblies); run with --store memory";
                return false;
            default:
                reason = $"unknown store '{name}': expected memory, sqlite or postgres";
                return false;
        }
    }

    /// <summary>A session for <paramref name="options"/>' store; throws <see cref="StoreUnavailableException"/> for one this build cannot open.</summary>
    public static IStoreSession Open(Scenarios.RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (!IsAvailable(options.Store, out var reason))
        {
            throw new StoreUnavailableException(reason!);
        }
        return new MemorySession();
    }

    /// <summary>Memory: each process life gets a new, empty store.</summary>
    private sealed class MemorySession : IStoreSession
    {
        private MemoryStore? _current;

        public string Name => Memory;

        public bool IsDurable => false;

        public ILinkageStore Open()
        {
            _current?.Dispose();
            _current = new MemoryStore();
            return _current;
        }

        public void Dispose() => _current?.Dispose();
    }
}
