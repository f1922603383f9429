using System.Buffers;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.Extensions.Logging;

namespace Linkage.Live;

/// <summary>Why one connection of <see cref="CoinbaseFeed"/> ended.</summary>
public enum FeedEndReason
{
    /// <summary>The server sent a close frame (a clean close).</summary>
    ClosedByServer,

    /// <summary>The connection ended without a close frame (1006: reset, dropped, a frame that could not be read).</summary>
    AbnormalClose,

    /// <summary>Nothing arrived for <see cref="CoinbaseFeedOptions.SilenceTimeout"/>; the feed closed the connection.</summary>
    HeartbeatSilence,

    /// <summary>No connection: refused, unreachable, an untrusted certificate, an upgrade refused, or no connection within <see cref="CoinbaseFeedOptions.ConnectTimeout"/>.</summary>
    ConnectFailed,

    /// <summary>The server answered a subscribe with an <c>error</c> message (a bad or expired token, an unknown channel).</summary>
    SubscribeRefused,

    /// <summary>The caller's cancellation token was cancelled.</summary>
    Cancelled,
}

/// <summary>How one connection of <see cref="CoinbaseFeed"/> ended.</summary>
/// <param name="Reason">Why.</param>
/// <param name="Detail">What happened, in words for a log: the server's close status, the error text, the socket error. Never a token.</param>
public sealed record FeedEnd(FeedEndReason Reason, string Detail);

/// <summary>
/// The Advanced Trade user-order WebSocket, one connection life at a time (docs/formats.md section 3): connect,
/// subscribe <c>heartbeats</c> and <c>user</c> (each with a fresh JWT, the <c>user</c> channel for
/// <see cref="CoinbaseFeedOptions.ProductIds"/> when given), then hand every text message to the caller in arrival order
/// until the connection ends, and say why. Reconnecting, sequence numbers and reconciliation are the host's
/// (<c>WebhookHost.FeedClosed</c>, <c>Reconnect</c>). Never logs a token.
/// </summary>
public sealed partial class CoinbaseFeed
{
    /// <summary>Largest message delivered; a larger one is skipped and logged (its <c>sequence_num</c> then shows as a gap to the host).</summary>
    public const int MessageBytesMax = 16 * 1024 * 1024;

    /// <summary>Longest text of a server's error or close reason kept in <see cref="FeedEnd.Detail"/>.</summary>
    public const int DetailLengthMax = 512;

    /// <summary>How long a close handshake the feed starts may take before the connection is simply dropped.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(2);

    private static readonly string[] Channels = ["heartbeats", "user"];

    private readonly CoinbaseEndpoints _endpoints;
    private readonly CdpApiKey _key;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly CoinbaseFeedOptions _options;
    private readonly CertificateTrust? _trust;

    /// <summary>A feed of <paramref name="endpoints"/>' WebSocket, trusting its CA file in addition to the system's.</summary>
    /// <param name="endpoints">The WebSocket URL (<c>wss://</c> or <c>ws://</c>) and CA file.</param>
    /// <param name="key">The key each subscribe is signed with; the caller keeps it.</param>
    /// <param name="time">The clock tokens are signed with, receive times read from and the silence measured on.</param>
    /// <param name="logger">Where connections and their ends are logged.</param>
    /// <param name="options">Timeouts and products; the defaults when null.</param>
    public CoinbaseFeed(CoinbaseEndpoints endpoints, CdpApiKey key, TimeProvider time, ILogger logger, CoinbaseFeedOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(endpoints);
        ArgumentNullException.ThrowIfNull(key);
        ArgumentNullException.ThrowIfNull(time);
        ArgumentNullException.ThrowIfNull(logger);
        options ??= new CoinbaseFeedOptions();
        if (!endpoints.WebSocket.IsAbsoluteUri || endpoints.WebSocket.Scheme is not ("wss" or "ws"))
        {
            throw new ArgumentException($"the WebSocket must be an absolute ws(s) URL, not {endpoints.WebSocket}", nameof(endpoints));
        }
        if (options.ConnectTimeout <= TimeSpan.Zero || options.SilenceTimeout <= TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(options), "ConnectTimeout and SilenceTimeout are positive");
        }
        ArgumentNullException.ThrowIfNull(options.ProductIds);
        _endpoints = endpoints;
        _key = key;
        _time = time;
        _logger = logger;
        _options = options;
        _trust = CertificateTrust.Load(endpoints.CaFile);
    }

    /// <summary>
    /// One connection life: connect, subscribe, then call <paramref name="onMessage"/> with every text message and the
    /// time it was received (<c>time.GetUtcNow()</c>), in arrival order, awaiting each call before reading the next (the
    /// time spent in a call is not silence). Returns when the connection ends, with why; the feed's own failures never
    /// throw, and a cancelled <paramref name="ct"/> returns <see cref="FeedEndReason.Cancelled"/> rather than throwing.
    /// An exception thrown by <paramref name="onMessage"/> itself (other than a cancellation of <paramref name="ct"/>) is
    /// the caller's: the connection is dropped and the exception propagates. An <c>error</c> message is delivered too,
    /// then ends the connection as <see cref="FeedEndReason.SubscribeRefused"/>.
    /// </summary>
    /// <param name="onMessage">Receives each message's text and receive time.</param>
    /// <param name="ct">Ends the connection.</param>
    /// <returns>Why the connection ended.</returns>
    public async Task<FeedEnd> RunOnceAsync(Func<string, DateTimeOffset, ValueTask> onMessage, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(onMessage);
        using var socket = new ClientWebSocket();
        if (_trust is not null)
        {
            socket.Options.RemoteCertificateValidationCallback = _trust.Validate;
        }
        var end = await ConnectAndSubscribeAsync(socket, ct).ConfigureAwait(false)
            ?? await ReadAsync(socket, onMessage, ct).ConfigureAwait(false);
        if (end.Reason == FeedEndReason.Cancelled)
        {
            Log.Ended(_logger, _endpoints.WebSocket, end.Reason, end.Detail);
        }
        else
        {
            Log.EndedBadly(_logger, _endpoints.WebSocket, end.Reason, end.Detail);
        }
        return end;
    }

    private async Task<FeedEnd?> ConnectAndSubscribeAsync(ClientWebSocket socket, CancellationToken ct)
    {
        using var deadline = new CancellationTokenSource(_options.ConnectTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            await socket.ConnectAsync(_endpoints.WebSocket, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new FeedEnd(FeedEndReason.Cancelled, "cancelled while connecting");
        }
        catch (OperationCanceledException)
        {
            return new FeedEnd(FeedEndReason.ConnectFailed, $"no connection within {_options.ConnectTimeout.TotalSeconds:0.###} s");
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException or System.Security.Authentication.AuthenticationException)
        {
            return new FeedEnd(FeedEndReason.ConnectFailed, Innermost(e));
        }
        Log.Connected(_logger, _endpoints.WebSocket, _options.ProductIds.Count == 0 ? "every product" : string.Join(",", _options.ProductIds));
        try
        {
            foreach (var channel in Channels)
            {
                // A token lives two minutes: each subscribe signs its own, at the moment it is sent.
                var subscribe = Subscribe(channel, _key.WebSocketJwt(_time.GetUtcNow()));
                await socket.SendAsync(subscribe, WebSocketMessageType.Text, true, linked.Token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            return new FeedEnd(FeedEndReason.Cancelled, "cancelled while subscribing");
        }
        catch (OperationCanceledException)
        {
            return new FeedEnd(FeedEndReason.AbnormalClose, $"the subscribes could not be sent within {_options.ConnectTimeout.TotalSeconds:0.###} s");
        }
        catch (Exception e) when (e is WebSocketException or IOException or ObjectDisposedException)
        {
            return new FeedEnd(FeedEndReason.AbnormalClose, "while subscribing: " + Innermost(e));
        }
        return null;
    }

    private async Task<FeedEnd> ReadAsync(ClientWebSocket socket, Func<string, DateTimeOffset, ValueTask> onMessage, CancellationToken ct)
    {
        var chunk = new byte[64 * 1024];
        var message = new ArrayBufferWriter<byte>(chunk.Length);
        while (true)
        {
            message.ResetWrittenCount();
            var tooBig = false;
            ValueWebSocketReceiveResult result;
            // A new timer for every message: the time the caller spends on one is not silence.
            using (var silence = new CancellationTokenSource(_options.SilenceTimeout, _time))
            using (var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, silence.Token))
            {
                try
                {
                    do
                    {
                        result = await socket.ReceiveAsync(chunk.AsMemory(), linked.Token).ConfigureAwait(false);
                        if (result.MessageType == WebSocketMessageType.Close)
                        {
                            var detail = $"close frame {(int?)socket.CloseStatus} {socket.CloseStatus} {Cut(socket.CloseStatusDescription ?? "")}".TrimEnd();
                            await CloseAsync(socket, ct).ConfigureAwait(false);
                            return new FeedEnd(FeedEndReason.ClosedByServer, detail);
                        }
                        if (!tooBig && message.WrittenCount + result.Count <= MessageBytesMax)
                        {
                            message.Write(chunk.AsSpan(0, result.Count));
                        }
                        else
                        {
                            tooBig = true;
                        }
                    }
                    while (!result.EndOfMessage);
                }
                catch (OperationCanceledException) when (ct.IsCancellationRequested)
                {
                    return new FeedEnd(FeedEndReason.Cancelled, "cancelled");
                }
                catch (OperationCanceledException) when (silence.IsCancellationRequested)
                {
                    // The cancelled receive has aborted the connection.
                    return new FeedEnd(FeedEndReason.HeartbeatSilence, $"no message for {_options.SilenceTimeout.TotalSeconds:0.###} s");
                }
                catch (WebSocketException e)
                {
                    return new FeedEnd(FeedEndReason.AbnormalClose, $"{e.WebSocketErrorCode}: {Innermost(e)}");
                }
                catch (Exception e) when (e is IOException or ObjectDisposedException)
                {
                    return new FeedEnd(FeedEndReason.AbnormalClose, Innermost(e));
                }
            }
            var at = _time.GetUtcNow();
            if (result.MessageType != WebSocketMessageType.Text)
            {
                Log.Skipped(_logger, "a binary message", message.WrittenCount);
                continue;
            }
            if (tooBig)
            {
                Log.Skipped(_logger, $"a message over {MessageBytesMax} bytes", MessageBytesMax);
                continue;
            }
            var text = Encoding.UTF8.GetString(message.WrittenSpan);
            try
            {
                await onMessage(text, at).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return new FeedEnd(FeedEndReason.Cancelled, "cancelled");
            }
            if (ErrorMessage(text) is { } refusal)
            {
                await CloseAsync(socket, ct).ConfigureAwait(false);
                return new FeedEnd(FeedEndReason.SubscribeRefused, refusal);
            }
        }
    }

    /// <summary>The text of an Advanced Trade <c>error</c> message (<c>{"type":"error","message":...}</c>, no <c>channel</c>), else null.</summary>
    internal static string? ErrorMessage(string text)
    {
        if (!text.Contains("\"error\"", StringComparison.Ordinal))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(text);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || root.TryGetProperty("channel", out _)
                || !root.TryGetProperty("type", out var type) || type.ValueKind != JsonValueKind.String
                || !string.Equals(type.GetString(), "error", StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }
            var words = new[] { "message", "reason" }
                .Select(k => root.TryGetProperty(k, out var v) && v.ValueKind == JsonValueKind.String ? v.GetString() : null)
                .Where(s => !string.IsNullOrWhiteSpace(s))
                .ToList();
            return Cut(words.Count == 0 ? "error" : string.Join(": ", words));
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private byte[] Subscribe(string channel, string jwt)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", "subscribe");
            writer.WriteString("channel", channel);
            if (channel == "user" && _options.ProductIds.Count > 0)
            {
                writer.WriteStartArray("product_ids");
                foreach (var product in _options.ProductIds)
                {
                    writer.WriteStringValue(product);
                }
                writer.WriteEndArray();
            }
            writer.WriteString("jwt", jwt);
            writer.WriteEndObject();
        }
        return buffer.ToArray();
    }

    /// <summary>Answers or starts a close handshake, bounded by <see cref="CloseTimeout"/>; a connection that will not close is dropped.</summary>
    private async Task CloseAsync(ClientWebSocket socket, CancellationToken ct)
    {
        if (socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }
        using var deadline = new CancellationTokenSource(CloseTimeout, _time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, deadline.Token);
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", linked.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
        {
            socket.Abort();
        }
    }

    private static string Innermost(Exception e)
    {
        var parts = new List<string>();
        for (var inner = e; inner is not null; inner = inner.InnerException)
        {
            parts.Add(inner.Message);
        }
        return Cut(string.Join(" <- ", parts.Distinct(StringComparer.Ordinal)));
    }

    private static string Cut(string text) => text.Length <= DetailLengthMax ? text : text[..DetailLengthMax];

    private static partial class Log
    {
        [LoggerMessage(EventId = 11, Level = LogLevel.Information, Message = "Coinbase feed {Url}: connected; subscribing heartbeats and user for {Products}")]
        public static partial void Connected(ILogger logger, Uri url, string products);

        [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Coinbase feed {Url}: ended {Reason}: {Detail}")]
        public static partial void Ended(ILogger logger, Uri url, FeedEndReason reason, string detail);

        [LoggerMessage(EventId = 13, Level = LogLevel.Warning, Message = "Coinbase feed {Url}: ended {Reason}: {Detail}")]
        public static partial void EndedBadly(ILogger logger, Uri url, FeedEndReason reason, string detail);

        [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Coinbase feed: skipped {What} ({Bytes} bytes); the host sees its sequence_num missing")]
        public static partial void Skipped(ILogger logger, string what, int bytes);
    }
}
