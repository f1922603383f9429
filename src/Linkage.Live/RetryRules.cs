using System.Globalization;
using System.Net;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace Linkage.Live;

/// <summary>
/// When a REST attempt is tried again, and how long to wait first. Kept apart from the client so each rule reads on its own.
/// </summary>
internal static class RetryRules
{
    /// <summary>The header Coinbase (and the simulated exchange) send with a 429: when the rate-limit window resets.</summary>
    public const string RateLimitResetHeader = "x-ratelimit-reset";

    /// <summary>
    /// A value of <see cref="RateLimitResetHeader"/> at or above this is an instant in epoch seconds (as the simulated
    /// exchange sends it); below, a number of seconds to wait (as some gateways send it). 10^9 seconds is 2001-09-09.
    /// </summary>
    public const long EpochSecondsMin = 1_000_000_000;

    /// <summary>Epoch seconds of 10000-01-01: a larger value is no time at all, and is ignored.</summary>
    private const long EpochSecondsEnd = 253_402_300_800;

    /// <summary>
    /// A GET is read-only, so any transient failure is retried: 408, 429, 5xx, a timeout of the attempt, a connection
    /// that failed or was reset.
    /// </summary>
    public static bool ReadMayRetry(Outcome<HttpResponseMessage> outcome) => HttpClientResiliencePredicates.IsTransient(outcome);

    /// <summary>
    /// A create-order is retried only when the exchange certainly did not process it: a 429 (refused by the rate limiter
    /// before it reaches the order book) or a 503 (refused before processing). Never after a timeout, a reset or any
    /// other answer: the order may exist, and the host re-sends the same client order id on its own schedule.
    /// </summary>
    public static bool OrderMayRetry(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result?.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable;

    /// <summary>
    /// The wait the server asked for on a 429 or 503: <c>Retry-After</c> (seconds or a date), else
    /// <see cref="RateLimitResetHeader"/> (epoch seconds, or seconds to wait), capped at <paramref name="max"/>. Null
    /// when the answer names no wait still ahead, so the exponential backoff applies.
    /// </summary>
    public static TimeSpan? ServerDelay(HttpResponseMessage? response, DateTimeOffset now, TimeSpan max)
    {
        if (response?.StatusCode is not (HttpStatusCode.TooManyRequests or HttpStatusCode.ServiceUnavailable))
        {
            return null;
        }
        TimeSpan? wait = response.Headers.RetryAfter switch
        {
            { Delta: { } delta } => delta,
            { Date: { } date } => date - now,
            _ => ResetWait(response, now),
        };
        return wait is { } w && w > TimeSpan.Zero ? (w < max ? w : max) : null;
    }

    private static TimeSpan? ResetWait(HttpResponseMessage response, DateTimeOffset now)
    {
        if (!response.Headers.TryGetValues(RateLimitResetHeader, out var values))
        {
            return null;
        }
        var text = values.FirstOrDefault()?.Trim();
        if (!decimal.TryParse(text, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value) || value >= EpochSecondsEnd)
        {
            return null;
        }
        if (value >= EpochSecondsMin)
        {
            var reset = DateTimeOffset.UnixEpoch.AddTicks((long)(value * TimeSpan.TicksPerSecond));
            return reset - now;
        }
        return TimeSpan.FromTicks((long)(value * TimeSpan.TicksPerSecond));
    }
}
