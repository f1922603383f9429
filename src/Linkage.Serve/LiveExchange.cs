using Linkage.Host;
using Linkage.Live;
using Microsoft.Extensions.Logging;

namespace Linkage.Serve;

/// <summary>The key, the endpoints or the CA file cannot be used; the message says which and why (never the key).</summary>
internal sealed class LiveExchangeException(string message) : Exception(message);

/// <summary>The live exchange ports over <c>Linkage.Live</c>'s Coinbase client: REST with a fresh JWT per request, the user WebSocket.</summary>
internal sealed class LiveExchange : IDisposable
{
    private readonly CdpApiKey _key;
    private readonly CoinbaseRestClient _client;

    private LiveExchange(CdpApiKey key, CoinbaseRestClient client, CoinbaseFeed feed)
    {
        _key = key;
        _client = client;
        Rest = new RestPort(client);
        Feed = new FeedPort(feed);
    }

    public IExchangeRest Rest { get; }

    public IExchangeFeed Feed { get; }

    /// <summary>The key's name (its id; never the private key).</summary>
    public string KeyName => _key.Name;

    public static LiveExchange Create(ServeSettings settings, ILoggerFactory loggers)
    {
        CdpApiKey key;
        try
        {
            key = CdpApiKey.Load(settings.KeyFile);
        }
        catch (CdpKeyException e)
        {
            throw new LiveExchangeException(e.Message);
        }
        var endpoints = new CoinbaseEndpoints(settings.RestUrl, settings.WebSocketUrl, settings.CaFile);
        var client = CoinbaseRestClient.Create(endpoints, key, TimeProvider.System, loggers);
        var feed = new CoinbaseFeed(endpoints, key, TimeProvider.System, loggers.CreateLogger("Linkage.Live.Feed"),
            new CoinbaseFeedOptions { ProductIds = settings.Products });
        return new LiveExchange(key, client, feed);
    }

    public void Dispose()
    {
        _client.Dispose();
        _key.Dispose();
    }

    private sealed class RestPort(CoinbaseRestClient client) : IExchangeRest
    {
        public Task<RestResponse> CreateOrderAsync(string requestJson, CancellationToken cancellation) => client.CreateOrderAsync(requestJson, cancellation);

        public Task<RestResponse> SendAsync(RestCall call, CancellationToken cancellation) => client.SendAsync(call, cancellation);
    }

    private sealed class FeedPort(CoinbaseFeed feed) : IExchangeFeed
    {
        public async Task<FeedEnding> RunOnceAsync(Func<string, DateTimeOffset, ValueTask> onMessage, CancellationToken cancellation)
        {
            var end = await feed.RunOnceAsync(onMessage, cancellation);
            return new FeedEnding(end.Reason.ToString(), end.Detail);
        }
    }
}
