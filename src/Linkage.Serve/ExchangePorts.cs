using Linkage.Host;

namespace Linkage.Serve;

/// <summary>
/// The exchange's REST side as the live driver uses it. In production an adapter over <c>Linkage.Live</c>'s Coinbase
/// client; a test may put faults here (this is the boundary where Moq is allowed).
/// </summary>
internal interface IExchangeRest
{
    /// <summary>Sends a create-order; status 0 when no answer came (the order may exist).</summary>
    Task<RestResponse> CreateOrderAsync(string requestJson, CancellationToken cancellation);

    /// <summary>Makes one of the host's REST calls.</summary>
    Task<RestResponse> SendAsync(RestCall call, CancellationToken cancellation);
}

/// <summary>The exchange's WebSocket as the live driver uses it: one connection life per call.</summary>
internal interface IExchangeFeed
{
    /// <summary>
    /// Connects, subscribes, and hands every message to <paramref name="onMessage"/> with the time it was received,
    /// until the connection ends; returns why it ended (never throws).
    /// </summary>
    Task<FeedEnding> RunOnceAsync(Func<string, DateTimeOffset, ValueTask> onMessage, CancellationToken cancellation);
}

/// <summary>Why a feed connection ended, in a word for metrics (<paramref name="Kind"/>) and in words for the log.</summary>
internal sealed record FeedEnding(string Kind, string Detail);
