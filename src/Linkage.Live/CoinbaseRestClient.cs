using System.Net.Http.Headers;
using System.Text;
using Linkage.Host;
using Microsoft.Extensions.Http.Resilience;
using Microsoft.Extensions.Logging;
using Polly;
using Polly.Timeout;

namespace Linkage.Live;

/// <summary>
/// Coinbase Advanced Trade REST for the host: Create Order and the host's GETs (<see cref="RestCall"/>), each answered
/// as a <see cref="RestResponse"/> (status and body, or status 0 when no answer came). Every attempt is signed with a
/// fresh JWT and bounded by <see cref="CoinbaseRestOptions.RequestTimeout"/>. GETs are retried on 408, 429, 5xx,
/// timeouts and connection failures; a create-order only on 429 and 503, with the same body (so the same client order
/// id), never after a timeout or reset. Retries back off exponentially with jitter and honour <c>Retry-After</c> and
/// <c>x-ratelimit-reset</c> up to <see cref="CoinbaseRestOptions.RetryDelayMax"/>. Retries and failures are logged,
/// never a token or key. Thread-safe.
/// </summary>
public sealed partial class CoinbaseRestClient : IDisposable
{
    /// <summary>Largest answer body read (a List Fills page of 1,000 rows is well under a mebibyte).</summary>
    public const int ResponseBytesMax = 16 * 1024 * 1024;

    private static readonly ResiliencePropertyKey<string> RequestKey = new("linkage.request");

    private readonly HttpClient _http;
    private readonly Uri _restBase;
    private readonly CdpApiKey _key;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly ResiliencePipeline<HttpResponseMessage> _reads;
    private readonly ResiliencePipeline<HttpResponseMessage> _orders;

    private CoinbaseRestClient(HttpClient http, Uri restBase, CdpApiKey key, TimeProvider time, ILogger logger, CoinbaseRestOptions options)
    {
        _http = http;
        _restBase = restBase;
        _key = key;
        _time = time;
        _logger = logger;
        _reads = Pipeline(RetryRules.ReadMayRetry, options, time, logger);
        _orders = Pipeline(RetryRules.OrderMayRetry, options, time, logger);
    }

    /// <summary>A client of <paramref name="endpoints"/>' REST origin, trusting its CA file in addition to the system's.</summary>
    /// <param name="endpoints">The REST origin and CA file (the WebSocket is not used here).</param>
    /// <param name="key">The key every request is signed with; the caller keeps it and disposes it after the client.</param>
    /// <param name="time">The clock tokens are signed with and retries wait on.</param>
    /// <param name="loggers">Where retries and failures are logged (category <c>Linkage.Live.CoinbaseRestClient</c>).</param>
    /// <param name="options">Timeouts and retries; the defaults when null.</param>
    /// <returns>The client; dispose it to close its connections.</returns>
    public static CoinbaseRestClient Create(CoinbaseEndpoints endpoints, CdpApiKey key, TimeProvider time, ILoggerFactory loggers, CoinbaseRestOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(loggers);
        options ??= new CoinbaseRestOptions();
        Validate(options);
        if (!endpoints.RestBase.IsAbsoluteUri || endpoints.RestBase.Scheme is not ("https" or "http"))
        {
            throw new ArgumentException($"the REST origin must be an absolute http(s) URL, not {endpoints.RestBase}", nameof(endpoints));
        }
        var trust = CertificateTrust.Load(endpoints.CaFile);
        var handler = new SocketsHttpHandler
        {
            ConnectTimeout = options.RequestTimeout,
            PooledConnectionLifetime = TimeSpan.FromMinutes(5),
            AllowAutoRedirect = false,
        };
        if (trust is not null)
        {
            handler.SslOptions.RemoteCertificateValidationCallback = trust.Validate;
        }
        var http = new HttpClient(handler, disposeHandler: true)
        {
            // Each attempt's timeout is the pipeline's; the client's own would cut across retries.
            Timeout = Timeout.InfiniteTimeSpan,
            MaxResponseContentBufferSize = ResponseBytesMax,
        };
        http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("linkage", "1"));
        return new CoinbaseRestClient(http, endpoints.RestBase, key, time, loggers.CreateLogger<CoinbaseRestClient>(), options);
    }

    /// <summary>
    /// <c>POST /api/v3/brokerage/orders</c> with <paramref name="requestJson"/> as the body, byte for byte on every
    /// attempt. Status 0 and an empty body when no answer came (a reset connection, a timeout): the order may exist, and
    /// re-sending the same body later returns it rather than placing another.
    /// </summary>
    /// <param name="requestJson">The create-order body (docs/formats.md section 2), as the host built it.</param>
    /// <param name="ct">Cancels the request and any wait; then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <returns>The last attempt's answer.</returns>
    public Task<RestResponse> CreateOrderAsync(string requestJson, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(requestJson);
        return SendAsync(HttpMethod.Post, RestPaths.Orders(_restBase), requestJson, _orders, ct);
    }

    /// <summary>
    /// One of the host's GETs: Get Order (<c>orders/historical/{id}</c>), a page of open orders
    /// (<c>orders/historical/batch?order_status=OPEN</c>), a page of an order's fills
    /// (<c>orders/historical/fills?order_ids=..</c>, the key repeated per id) or of every fill since a time
    /// (<c>start_sequence_timestamp</c>, RFC 3339). Status 0 and an empty body when no attempt got an answer.
    /// </summary>
    /// <param name="call">What the host asked.</param>
    /// <param name="ct">Cancels the request and any wait; then <see cref="OperationCanceledException"/> is thrown.</param>
    /// <returns>The last attempt's answer.</returns>
    /// <exception cref="ArgumentException">A call that names no order id, or a kind of call this client does not know.</exception>
    public Task<RestResponse> SendAsync(RestCall call, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(call);
        return SendAsync(HttpMethod.Get, RestPaths.For(_restBase, call), null, _reads, ct);
    }

    /// <summary>Closes the client's connections. The key is the caller's.</summary>
    public void Dispose() => _http.Dispose();

    private async Task<RestResponse> SendAsync(HttpMethod method, Uri url, string? body, ResiliencePipeline<HttpResponseMessage> pipeline, CancellationToken ct)
    {
        var request = $"{method.Method} {url.AbsolutePath}";
        var context = ResilienceContextPool.Shared.Get(ct);
        context.Properties.Set(RequestKey, request);
        var started = _time.GetTimestamp();
        try
        {
            var outcome = await pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        return Outcome.FromResult(await state.Client.AttemptAsync(state.Method, state.Url, state.Body, ctx.CancellationToken).ConfigureAwait(false));
                    }
                    catch (Exception e)
                    {
                        return Outcome.FromException<HttpResponseMessage>(e);
                    }
                },
                context,
                (Client: this, Method: method, Url: url, Body: body)).ConfigureAwait(false);
            var elapsed = _time.GetElapsedTime(started);
            if (outcome.Exception is { } exception)
            {
                if (exception is OperationCanceledException && ct.IsCancellationRequested)
                {
                    throw new OperationCanceledException("the request was cancelled", exception, ct);
                }
                Log.NoAnswer(_logger, request, Describe(exception), (long)elapsed.TotalMilliseconds);
                return new RestResponse(0, "");
            }
            using var response = outcome.Result!;
            var text = await response.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
            var status = (int)response.StatusCode;
            if (response.IsSuccessStatusCode || response.StatusCode == System.Net.HttpStatusCode.NotFound)
            {
                // A 404 is an answer the host asks for routinely (Get Order about a fill of an order that is not ours).
                Log.Answered(_logger, request, status, (long)elapsed.TotalMilliseconds);
            }
            else
            {
                Log.Refused(_logger, request, status, (long)elapsed.TotalMilliseconds);
            }
            return new RestResponse(status, text);
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    /// <summary>One attempt: a new request signed now (a retry must not reuse the token of the attempt before), the body read whole.</summary>
    private async Task<HttpResponseMessage> AttemptAsync(HttpMethod method, Uri url, string? body, CancellationToken ct)
    {
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _key.RestJwt(method.Method, url, _time.GetUtcNow()));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        return await _http.SendAsync(request, HttpCompletionOption.ResponseContentRead, ct).ConfigureAwait(false);
    }

    private static ResiliencePipeline<HttpResponseMessage> Pipeline(Func<Outcome<HttpResponseMessage>, bool> mayRetry, CoinbaseRestOptions options, TimeProvider time, ILogger logger)
    {
        var builder = new ResiliencePipelineBuilder<HttpResponseMessage> { TimeProvider = time };
        if (options.RetriesMax > 0)
        {
            builder.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = options.RetriesMax,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = options.RetryDelay,
                MaxDelay = options.RetryDelayMax,
                // The delay generator below reads Retry-After itself, and x-ratelimit-reset besides.
                ShouldRetryAfterHeader = false,
                ShouldHandle = args => ValueTask.FromResult(mayRetry(args.Outcome)),
                DelayGenerator = args => ValueTask.FromResult(RetryRules.ServerDelay(args.Outcome.Result, time.GetUtcNow(), options.RetryDelayMax)),
                OnRetry = args =>
                {
                    Log.Retrying(logger, args.Context.Properties.GetValue(RequestKey, "?"), args.AttemptNumber + 1, Describe(args.Outcome),
                        args.AttemptNumber + 1, options.RetriesMax, (long)args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }
        builder.AddTimeout(new TimeoutStrategyOptions { Timeout = options.RequestTimeout });
        return builder.Build();
    }

    private static void Validate(CoinbaseRestOptions options)
    {
        // Polly's own bounds: a timeout of 10 ms to a day, a delay of at most a day.
        if (options.RequestTimeout < TimeSpan.FromMilliseconds(10) || options.RequestTimeout > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RequestTimeout, "RequestTimeout is between 10 ms and a day");
        }
        if (options.RetriesMax < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RetriesMax, "RetriesMax is not negative");
        }
        if (options.RetryDelay < TimeSpan.Zero || options.RetryDelayMax < options.RetryDelay || options.RetryDelayMax > TimeSpan.FromDays(1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), options.RetryDelayMax, "0 <= RetryDelay <= RetryDelayMax <= a day");
        }
    }

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is { } e ? Describe(e) : $"HTTP {(int)outcome.Result!.StatusCode}";

    /// <summary>An exception in words fit for a log: its kind and, for HTTP failures, which; no header, token or body.</summary>
    private static string Describe(Exception e) => e switch
    {
        TimeoutRejectedException timeout => $"no answer within {timeout.Timeout.TotalMilliseconds:0} ms",
        HttpRequestException http => $"{nameof(HttpRequestException)} ({http.HttpRequestError}): {http.Message}",
        _ => $"{e.GetType().Name}: {e.Message}",
    };

    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Warning, Message = "Coinbase REST {Request}: attempt {Attempt} failed ({Outcome}); retry {Retry} of {RetriesMax} in {DelayMs} ms")]
        public static partial void Retrying(ILogger logger, string request, int attempt, string outcome, int retry, int retriesMax, long delayMs);

        [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "Coinbase REST {Request}: no answer ({Failure}) after {ElapsedMs} ms; answering status 0")]
        public static partial void NoAnswer(ILogger logger, string request, string failure, long elapsedMs);

        [LoggerMessage(EventId = 3, Level = LogLevel.Warning, Message = "Coinbase REST {Request}: HTTP {Status} after {ElapsedMs} ms")]
        public static partial void Refused(ILogger logger, string request, int status, long elapsedMs);

        [LoggerMessage(EventId = 4, Level = LogLevel.Debug, Message = "Coinbase REST {Request}: HTTP {Status} in {ElapsedMs} ms")]
        public static partial void Answered(ILogger logger, string request, int status, long elapsedMs);
    }
}
