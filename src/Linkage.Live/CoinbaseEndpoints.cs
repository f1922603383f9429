namespace Linkage.Live;

/// <summary>Where the exchange is: Coinbase itself (<see cref="Production"/>) or the simulated exchange (<c>linkage exchange</c>'s ready file).</summary>
/// <param name="RestBase">The REST origin, e.g. <c>https://api.coinbase.com</c>; the paths <c>/api/v3/brokerage/...</c> are appended to it (after any path it has).</param>
/// <param name="WebSocket">The user-order WebSocket, e.g. <c>wss://advanced-trade-ws-user.coinbase.com</c>.</param>
/// <param name="CaFile">A PEM file of CA certificates trusted in addition to the system's (the simulated exchange's self-signed CA), or null.</param>
public sealed record CoinbaseEndpoints(Uri RestBase, Uri WebSocket, string? CaFile)
{
    /// <summary>Coinbase Advanced Trade: <c>https://api.coinbase.com</c> and the user-order WebSocket (docs/formats.md section 3), with the system's trust only.</summary>
    public static CoinbaseEndpoints Production { get; } = new(new Uri("https://api.coinbase.com"), new Uri("wss://advanced-trade-ws-user.coinbase.com"), null);
}

/// <summary>How <see cref="CoinbaseRestClient"/> times out and retries.</summary>
public sealed record CoinbaseRestOptions
{
    /// <summary>How long one attempt may take, the answer's body included.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Most retries after the first attempt (0: never retry).</summary>
    public int RetriesMax { get; init; } = 4;

    /// <summary>The first retry's delay; later ones grow exponentially, with jitter.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Longest delay before a retry, whatever the backoff or the server's <c>Retry-After</c>/<c>x-ratelimit-reset</c> says.</summary>
    public TimeSpan RetryDelayMax { get; init; } = TimeSpan.FromSeconds(5);
}

/// <summary>How <see cref="CoinbaseFeed"/> connects and when it gives up on a quiet connection.</summary>
public sealed record CoinbaseFeedOptions
{
    /// <summary>How long the connection and the subscribe messages may take.</summary>
    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>A connection on which nothing arrives for this long is closed (<c>heartbeats</c> come every second).</summary>
    public TimeSpan SilenceTimeout { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The products the <c>user</c> channel is subscribed for; empty means every product.</summary>
    public IReadOnlyList<string> ProductIds { get; init; } = [];
}
