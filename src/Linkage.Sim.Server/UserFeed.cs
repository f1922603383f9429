using System.Net.WebSockets;
using System.Text;
using System.Threading.Channels;
using Linkage.Coinbase.Capture;
using Linkage.Engine;
using Linkage.Sim.Exchange;
using Microsoft.AspNetCore.Http;

namespace Linkage.Sim.Server;

/// <summary>
/// The WebSocket user endpoint: <c>subscribe</c>/<c>unsubscribe</c> per channel (<c>user</c>, <c>heartbeats</c>) with a
/// fresh JWT, a <c>subscriptions</c> acknowledgement, a first subscribe within <see cref="SubscribeDeadline"/>,
/// heartbeats every second, a snapshot of open orders in batches of 50 then cumulative <c>update</c> events, and one
/// contiguous <c>sequence_num</c> per connection shared by all channels. Nothing is replayed after a reconnect.
/// Seeded faults act per message (drop, duplicate, reorder, abnormal or clean close, heartbeat silence).
/// </summary>
internal sealed class UserFeed : IScriptedFeed
{
    /// <summary>A connection without a subscribe by then is closed, as Coinbase does.</summary>
    public static readonly TimeSpan SubscribeDeadline = TimeSpan.FromSeconds(5);

    public static readonly TimeSpan HeartbeatInterval = TimeSpan.FromSeconds(1);

    /// <summary>Largest client frame read; a subscribe is a few hundred bytes plus a JWT.</summary>
    public const int ClientMessageBytesMax = 64 * 1024;

    /// <summary>Messages queued for one slow reader before the server gives up on it and closes the connection.</summary>
    public const int OutboundQueueMax = 1_000_000;

    private readonly ExchangeBook _book;
    private readonly JwtVerifier _verifier;
    private readonly WireFaults _faults;
    private readonly Transcript _transcript;
    private readonly TextWriter _log;
    private readonly TimeSpan _feedLatency;
    private readonly bool _trackFills;

    /// <summary>Connections subscribed to <c>user</c>, which get every update (under the book's lock).</summary>
    private readonly List<Connection> _connections = [];

    /// <summary>Every accepted connection (under the book's lock).</summary>
    private readonly List<Connection> _open = [];

    private int _connectionCount;
    private volatile bool _outage;

    /// <param name="book">The truth book.</param>
    /// <param name="verifier">Checks each subscribe's JWT.</param>
    /// <param name="faults">The fault profile, drawn per message.</param>
    /// <param name="transcript">Every message sent is written here.</param>
    /// <param name="log">stderr.</param>
    /// <param name="scenario">
    /// With <c>--scenario</c>: every message is held its <c>latency.feed</c> (virtual time), and each connection keeps
    /// each order's last update that raised <c>cumulative_quantity</c>, for the script's <c>duplicate</c> steps.
    /// </param>
    public UserFeed(ExchangeBook book, JwtVerifier verifier, WireFaults faults, Transcript transcript, TextWriter log, WireScenario? scenario = null)
    {
        _book = book;
        _verifier = verifier;
        _faults = faults;
        _transcript = transcript;
        _log = log;
        _feedLatency = scenario?.Scenario.Latency.Feed ?? TimeSpan.Zero;
        _trackFills = scenario is not null;
        // Under the book's lock: every subscribed connection gets the update in book order.
        book.OrderUpdated += (order, status, at) =>
        {
            foreach (var connection in _connections)
            {
                connection.OnUpdate(order, status, at);
            }
        };
    }

    /// <summary>Drops every open connection without a close frame (1006), as a load balancer restart does; returns how many.</summary>
    public int DropAll() => _book.Run(_ => DropEvery());

    /// <inheritdoc/>
    public int DropAll(bool outage)
    {
        if (outage)
        {
            _outage = true;
        }
        return DropEvery();
    }

    /// <inheritdoc/>
    public void EndOutage() => _outage = false;

    /// <inheritdoc/>
    public IReadOnlyList<string> Redeliver(string orderId, Func<string, string>? rewrite, DateTimeOffset now) =>
        [.. _open.Select(c => c.Redeliver(orderId, rewrite, now)).OfType<string>()];

    /// <summary>Called under the book's lock.</summary>
    private int DropEvery()
    {
        var all = _open.ToList();
        foreach (var connection in all)
        {
            connection.Drop();
        }
        return all.Count;
    }

    public async Task Handle(HttpContext ctx)
    {
        if (!ctx.WebSockets.IsWebSocketRequest)
        {
            ctx.Response.StatusCode = 400;
            await ctx.Response.WriteAsync(WireJson.Error("INVALID_ARGUMENT", 3, "this is the WebSocket user endpoint"));
            return;
        }
        if (_outage)
        {
            // A scenario's disconnect: the WebSocket is down until its reconnect.
            ctx.Response.StatusCode = 503;
            await ctx.Response.WriteAsync(WireJson.Error("UNAVAILABLE", 14, "the WebSocket is down (the scenario's disconnect); try again later"));
            return;
        }
        using var socket = await ctx.WebSockets.AcceptWebSocketAsync();
        var connection = new Connection(this, socket, Interlocked.Increment(ref _connectionCount));
        _book.Run(_ =>
        {
            _open.Add(connection);
            if (_outage)
            {
                connection.Drop();
            }
            return 0;
        });
        try
        {
            await connection.Run(ctx.RequestAborted);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            // The peer went away; nothing to answer.
        }
        catch (Exception e)
        {
            _log.WriteLine($"error: ws connection {connection.Id}: {e.GetType().Name}: {e.Message}");
        }
        finally
        {
            _book.Run(_ => _connections.Remove(connection) | _open.Remove(connection));
            connection.Complete();
        }
    }

    private sealed class Connection(UserFeed feed, WebSocket socket, int id)
    {
        private readonly object _gate = new();
        private readonly Channel<(string? Text, WebSocketCloseStatus? Close, DateTimeOffset At)> _outbound = Channel.CreateBounded<(string?, WebSocketCloseStatus?, DateTimeOffset)>(OutboundQueueMax);
        private readonly HashSet<string> _channels = new(StringComparer.Ordinal);

        /// <summary>With a scenario: each order's last update that raised <c>cumulative_quantity</c> on this connection.</summary>
        private readonly Dictionary<string, (decimal Cumulative, long Sequence, string Json)> _fills = new(StringComparer.Ordinal);
        private HashSet<string> _products = new(StringComparer.Ordinal);
        private string? _held;
        private long _sequence;
        private long _heartbeatCounter;
        private int _silentBeats;
        private bool _closing;

        public int Id => id;

        public async Task Run(CancellationToken aborted)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
            var sender = Send(stop.Token);
            var heartbeats = Heartbeats(stop.Token);
            try
            {
                await Receive(stop.Token);
            }
            finally
            {
                await stop.CancelAsync();
                _outbound.Writer.TryComplete();
                await Task.WhenAll(Swallow(sender), Swallow(heartbeats));
            }
        }

        public void Complete() => _outbound.Writer.TryComplete();

        /// <summary>Ends the connection abruptly after what is already queued (called under the book's lock).</summary>
        public void Drop()
        {
            lock (_gate)
            {
                _closing = true;
                _outbound.Writer.TryWrite((null, null, DateTimeOffset.MinValue));
            }
        }

        private static async Task Swallow(Task task)
        {
            try
            {
                await task;
            }
            catch (Exception e) when (e is OperationCanceledException or WebSocketException or IOException or ObjectDisposedException)
            {
            }
        }

        private async Task Receive(CancellationToken stop)
        {
            var buffer = new byte[ClientMessageBytesMax];
            using var deadline = new CancellationTokenSource(SubscribeDeadline);
            while (socket.State == WebSocketState.Open && !stop.IsCancellationRequested)
            {
                var subscribed = _channels.Count > 0 || _sequence > 0;
                using var linked = subscribed ? CancellationTokenSource.CreateLinkedTokenSource(stop) : CancellationTokenSource.CreateLinkedTokenSource(stop, deadline.Token);
                int length = 0;
                WebSocketReceiveResult result;
                try
                {
                    do
                    {
                        result = await socket.ReceiveAsync(new ArraySegment<byte>(buffer, length, buffer.Length - length), linked.Token);
                        length += result.Count;
                        if (result.MessageType == WebSocketMessageType.Close)
                        {
                            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "", CancellationToken.None);
                            return;
                        }
                        if (!result.EndOfMessage && length == buffer.Length)
                        {
                            await socket.CloseOutputAsync(WebSocketCloseStatus.MessageTooBig, "message too big", CancellationToken.None);
                            return;
                        }
                    }
                    while (!result.EndOfMessage);
                }
                catch (OperationCanceledException) when (deadline.IsCancellationRequested && !stop.IsCancellationRequested)
                {
                    feed._log.WriteLine($"ws {id}: no subscribe within {SubscribeDeadline.TotalSeconds} s, closing");
                    await socket.CloseOutputAsync(WebSocketCloseStatus.PolicyViolation, "subscribe timeout", CancellationToken.None);
                    return;
                }
                if (result.MessageType != WebSocketMessageType.Text)
                {
                    Error("binary frames are not accepted");
                    continue;
                }
                string text;
                try
                {
                    text = new UTF8Encoding(false, true).GetString(buffer, 0, length);
                }
                catch (DecoderFallbackException)
                {
                    Error("message is not UTF-8");
                    continue;
                }
                OnClientMessage(text);
            }
        }

        private void OnClientMessage(string text)
        {
            var message = WireJson.ParseBody(text, out var problem);
            if (message is null)
            {
                Error(problem!);
                return;
            }
            var type = WireJson.Text(message, "type");
            var channel = WireJson.Text(message, "channel");
            if (type is not ("subscribe" or "unsubscribe"))
            {
                Error("type must be subscribe or unsubscribe");
                return;
            }
            if (channel is not ("user" or "heartbeats"))
            {
                Error($"channel {channel ?? "(none)"} is not served here; the user endpoint serves user and heartbeats");
                return;
            }
            var refusal = feed._verifier.Check(WireJson.Text(message, "jwt"), null, null);
            if (refusal != TokenRefusal.None)
            {
                feed._log.WriteLine($"ws {id}: {type} {channel} refused: {refusal}");
                Error("authentication failure");
                return;
            }
            var products = message["product_ids"] is System.Text.Json.Nodes.JsonArray array
                ? array.Select(p => p?.ToString()).OfType<string>().ToHashSet(StringComparer.Ordinal)
                : new HashSet<string>(StringComparer.Ordinal);
            if (type == "unsubscribe" || channel == "heartbeats")
            {
                var now = feed._book.Run(view =>
                {
                    view.ClientArrived();
                    return view.Now;
                });
                lock (_gate)
                {
                    if (type == "unsubscribe")
                    {
                        _channels.Remove(channel);
                    }
                    else
                    {
                        _channels.Add(channel);
                    }
                    Publish(seq => Subscriptions(seq, now), now);
                }
                return;
            }
            // user: the snapshot and the registration for updates happen under the book's lock, so no update falls between.
            feed._book.Run(view =>
            {
                view.ClientArrived();
                lock (_gate)
                {
                    _products = products;
                    var open = view.Orders.Where(o => !o.Status.IsTerminal() && Wanted(o)).Select(o => (o, o.Status)).ToList();
                    for (var start = 0; start == 0 || start <= open.Count; start += ExchangeRules.SnapshotBatchSize)
                    {
                        var batch = open.Skip(start).Take(ExchangeRules.SnapshotBatchSize).ToList();
                        Publish(seq => CoinbaseWire.UserEvent(seq, view.Now, "snapshot", batch), view.Now);
                        if (batch.Count < ExchangeRules.SnapshotBatchSize)
                        {
                            break;
                        }
                    }
                    _channels.Add("user");
                    Publish(seq => Subscriptions(seq, view.Now), view.Now);
                    if (!feed._connections.Contains(this))
                    {
                        feed._connections.Add(this);
                    }
                }
                return 0;
            });
        }

        private bool Wanted(ExchangeOrder order) => _products.Count == 0 || _products.Contains(order.Product);

        private DateTimeOffset Now() => feed._book.Run(v => v.Now);

        private string Subscriptions(long seq, DateTimeOffset at) => CoinbaseWire.Subscriptions(seq, at, [.. _channels.Order(StringComparer.Ordinal)]);

        /// <summary>Called under the book's lock for every update the book sends.</summary>
        public void OnUpdate(ExchangeOrder order, OrderStatus status, DateTimeOffset at)
        {
            lock (_gate)
            {
                if (_channels.Contains("user") && Wanted(order))
                {
                    var sequence = -1L;
                    var json = Publish(seq => CoinbaseWire.UserEvent(sequence = seq, at, "update", [(order, status)]), at);
                    if (feed._trackFills && json is not null && order.CumulativeQuantity > (_fills.TryGetValue(order.OrderId, out var last) ? last.Cumulative : 0m))
                    {
                        _fills[order.OrderId] = (order.CumulativeQuantity, sequence, json);
                    }
                }
            }
        }

        /// <summary>The order's last update that raised <c>cumulative_quantity</c>, sent again; a description of the copy, or null.</summary>
        public string? Redeliver(string orderId, Func<string, string>? rewrite, DateTimeOffset now)
        {
            lock (_gate)
            {
                if (_closing || !_fills.TryGetValue(orderId, out var fill))
                {
                    return null;
                }
                Queue(rewrite is null ? fill.Json : rewrite(fill.Json), now);
                return $"ws {id} sequence_num {fill.Sequence}";
            }
        }

        private async Task Heartbeats(CancellationToken stop)
        {
            using var timer = new PeriodicTimer(HeartbeatInterval);
            while (await timer.WaitForNextTickAsync(stop))
            {
                var now = Now();
                lock (_gate)
                {
                    if (!_channels.Contains("heartbeats"))
                    {
                        continue;
                    }
                    var counter = ++_heartbeatCounter;
                    if (_silentBeats > 0)
                    {
                        _silentBeats--;
                        continue;
                    }
                    if (feed._faults.Draw("heartbeat_silence", feed._faults.Profile.HeartbeatSilence, now, $"ws {id} heartbeat {counter}"))
                    {
                        _silentBeats = WireFaults.SilenceBeats - 1;
                        continue;
                    }
                    Publish(seq => CoinbaseWire.Heartbeat(seq, now, counter, TimeSpan.FromSeconds(counter)), now);
                }
            }
        }

        private void Error(string message)
        {
            var json = WireJson.Write(w =>
            {
                w.WriteString("type", "error");
                w.WriteString("message", message);
            });
            _outbound.Writer.TryWrite((json, null, DateTimeOffset.MinValue));
        }

        /// <summary>
        /// Numbers one message and queues it through the faults; called with <see cref="_gate"/> held. Returns the
        /// message (whatever the faults did to it), or null when the connection is closing.
        /// </summary>
        private string? Publish(Func<long, string> build, DateTimeOffset now)
        {
            if (_closing)
            {
                return null;
            }
            var seq = _sequence++;
            var json = build(seq);
            var profile = feed._faults.Profile;
            var target = $"ws {id} sequence_num {seq}";
            var faults = feed._faults;
            if (faults.Draw("ws_abnormal_close", profile.WsAbnormalClose, now, target))
            {
                _closing = true;
                _outbound.Writer.TryWrite((null, null, now));
                return json;
            }
            if (faults.Draw("ws_clean_close", profile.WsCleanClose, now, target))
            {
                _closing = true;
                _outbound.Writer.TryWrite((null, WebSocketCloseStatus.NormalClosure, now));
                return json;
            }
            if (faults.Draw("ws_drop", profile.WsDrop, now, target))
            {
                return json;
            }
            if (_held is null && faults.Draw("ws_reorder", profile.WsReorder, now, target))
            {
                _held = json;
                return json;
            }
            Queue(json, now);
            if (faults.Draw("ws_duplicate", profile.WsDuplicate, now, target))
            {
                Queue(json, now);
            }
            if (_held is { } held)
            {
                _held = null;
                Queue(held, now);
            }
            return json;
        }

        private void Queue(string json, DateTimeOffset at)
        {
            if (!_outbound.Writer.TryWrite((json, null, at)))
            {
                feed._log.WriteLine($"ws {id}: reader too slow ({OutboundQueueMax} messages queued), closing");
                _closing = true;
                _outbound.Writer.TryComplete();
            }
        }

        private async Task Send(CancellationToken stop)
        {
            await foreach (var (text, close, at) in _outbound.Reader.ReadAllAsync(stop))
            {
                if (text is null)
                {
                    if (close is { } status)
                    {
                        await socket.CloseOutputAsync(status, "closed by fault injection", stop);
                    }
                    else
                    {
                        // 1006: no close frame at all, the connection just ends.
                        socket.Abort();
                    }
                    return;
                }
                if (at != DateTimeOffset.MinValue)
                {
                    if (feed._feedLatency > TimeSpan.Zero && feed._book.WallUntil(at + feed._feedLatency) is var wait && wait > TimeSpan.Zero)
                    {
                        await Task.Delay(wait, stop);
                    }
                    feed._transcript.Write(at, CaptureKind.Ws, text);
                }
                await socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, stop);
            }
        }
    }
}
