using System.Collections.Immutable;
using System.Threading.Channels;
using Linkage.Coinbase.Capture;
using Linkage.Engine;
using Linkage.Host;
using Microsoft.Extensions.Logging;

namespace Linkage.Serve;

/// <summary>
/// Runs <see cref="WebhookHost"/> (which does no I/O) in real time: events go through one loop, one at a time (the host
/// is single-threaded), and the commands each returns are carried out over HTTP, the WebSocket, timers and the
/// capture file, whose outcomes come back as events on the same loop. The simulator's driver does the same on a
/// virtual clock (<c>Linkage.Sim.Driver.SimulatedDriver</c>); the host cannot tell them apart.
/// </summary>
/// <remarks>
/// WebSocket messages that queued up while the loop was busy are handed to the host together
/// (<see cref="WebhookHost.FeedMessages"/>, at most <see cref="BurstMax"/>), and so are intents of callers that place
/// their own orders (<see cref="WebhookHost.StageCallerIntents"/>), so a burst is committed in one transaction
/// (<see cref="GroupCommitCorrelator"/>) instead of one per message or intent; nothing of a burst is answered before
/// its commit.
/// Nothing throws out of the loop: an event that fails is logged and the loop goes on. A REST or create-order request
/// runs concurrently with later events (unlike the simulator, which answers at once); the host waits for the answer
/// before its next request, so its order of work is the same. Messages of a feed connection that the host has
/// replaced are dropped: the host's sequence tracking counts per connection.
/// </remarks>
internal sealed class LiveDriver : IAsyncDisposable
{
    /// <summary>Most WebSocket messages, or intents, handed to the host (and committed) together.</summary>
    public const int BurstMax = 256;

    private readonly Channel<LoopEvent> _events = Channel.CreateUnbounded<LoopEvent>(new UnboundedChannelOptions { SingleReader = true });
    private readonly IExchangeRest _rest;
    private readonly IExchangeFeed _feed;
    private readonly TimeProvider _time;
    private readonly ILogger _log;
    private readonly DaemonMetrics _metrics;
    private readonly KillSwitch _kill;
    private readonly TextWriter? _capture;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Dictionary<string, TaskCompletionSource<RestResponse>> _placing = new(StringComparer.Ordinal);
    private readonly TimeSpan _reconnectJitterMax;
    private CancellationTokenSource? _feedCancel;
    private long _feedGeneration;
    private int _outstandingCreates;
    private DateTimeOffset? _restBusySince;
    private Task _loop = Task.CompletedTask;
    private bool _stopped;

    /// <param name="hostFactory">Makes the host, given the callback it must report every applied input to.</param>
    /// <param name="rest">Create-order and the REST calls.</param>
    /// <param name="feed">The WebSocket, one connection life per call.</param>
    /// <param name="time">The clock (the system's in production).</param>
    /// <param name="log">Where failures and feed ends are logged (never a secret).</param>
    /// <param name="metrics">What <c>/metrics</c> reports.</param>
    /// <param name="kill">The test-only kill points.</param>
    /// <param name="capture">Where capture lines go (docs/capture.md), or null.</param>
    /// <param name="reconnectJitterMax">The most random delay added before a reconnect.</param>
    public LiveDriver(Func<Action<EngineInput, ProcessResult>, WebhookHost> hostFactory, IExchangeRest rest, IExchangeFeed feed, TimeProvider time,
        ILogger log, DaemonMetrics metrics, KillSwitch kill, TextWriter? capture = null, TimeSpan? reconnectJitterMax = null)
    {
        _rest = rest;
        _feed = feed;
        _time = time;
        _log = log;
        _metrics = metrics;
        _kill = kill;
        _capture = capture;
        _reconnectJitterMax = reconnectJitterMax ?? TimeSpan.FromMilliseconds(500);
        Host = hostFactory(Processed);
    }

    /// <summary>The host this driver runs. Touch it only on the loop (<see cref="Ask{T}"/>).</summary>
    public WebhookHost Host { get; }

    /// <summary>Starts the loop and the host: the feed opens and the host reconciles what a previous life left in flight.</summary>
    public void Start()
    {
        _loop = Task.Run(Loop);
        Post(() => Host.Start(_time.GetUtcNow(), DateTimeOffset.MaxValue, reconcile: true));
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the loop (where the host and the store may be touched) and returns its value; its
    /// commands are carried out like any event's. Fails with <see cref="ObjectDisposedException"/> once stopped.
    /// </summary>
    public Task<T> Ask<T>(Func<(T Value, ImmutableArray<HostCommand> Commands)> work)
    {
        var answer = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        var posted = _events.Writer.TryWrite(new LoopEvent(() =>
        {
            try
            {
                var (value, commands) = work();
                answer.TrySetResult(value);
                return commands;
            }
            catch (Exception e)
            {
                answer.TrySetException(e);
                throw;
            }
        }, null, null));
        if (!posted)
        {
            answer.TrySetException(new ObjectDisposedException(nameof(LiveDriver), "the daemon is stopping"));
        }
        return answer.Task;
    }

    /// <summary>
    /// Stages an intent whose order the caller places itself (<c>POST /v1/intents</c>) and answers once it is committed;
    /// intents that queue up while the loop is busy are staged as one burst. Fails with
    /// <see cref="ObjectDisposedException"/> once stopped.
    /// </summary>
    public Task<IntakeAnswer> StageCallerIntent(string payloadJson)
    {
        var answer = new TaskCompletionSource<IntakeAnswer>(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_events.Writer.TryWrite(new LoopEvent(null, null, new CallerIntent(payloadJson, answer))))
        {
            answer.TrySetException(new ObjectDisposedException(nameof(LiveDriver), "the daemon is stopping"));
        }
        return answer.Task;
    }

    /// <summary>
    /// Completes when the create-order for <paramref name="clientOrderId"/> is answered with the body Coinbase sent (a
    /// caller bounds its wait: with no answer the host retries and reconciles on its own). Call it on the loop, right
    /// after the event that sent the order.
    /// </summary>
    public Task<RestResponse> PlacementAnswer(ClientOrderId clientOrderId)
    {
        if (!_placing.TryGetValue(clientOrderId.Value, out var waiter))
        {
            waiter = new TaskCompletionSource<RestResponse>(TaskCreationOptions.RunContinuationsAsynchronously);
            _placing[clientOrderId.Value] = waiter;
        }
        return waiter.Task;
    }

    /// <summary>
    /// The caller stopped waiting for <paramref name="waited"/> (its bounded wait ended with no answer): the waiter is
    /// dropped, so create-orders that never get a usable answer (every retry timed out) do not leave one behind each.
    /// </summary>
    public void ForgetPlacement(ClientOrderId clientOrderId, Task<RestResponse> waited) =>
        Post(() =>
        {
            if (_placing.TryGetValue(clientOrderId.Value, out var waiter) && waiter.Task == waited)
            {
                _placing.Remove(clientOrderId.Value);
            }
            return [];
        });

    /// <summary>Create-orders someone still waits on. Read it on the loop (<see cref="Ask{T}"/>); for tests.</summary>
    internal int PlacementWaiters => _placing.Count;

    /// <summary>
    /// A clean stop: waits (up to <paramref name="drain"/>) for create-orders already sent to be answered and recorded,
    /// then stops the host (inputs waiting for the store get a last attempt), closes the feed and ends the loop.
    /// </summary>
    public async Task StopAsync(TimeSpan drain)
    {
        var deadline = _time.GetUtcNow() + drain;
        while (Volatile.Read(ref _outstandingCreates) > 0 && _time.GetUtcNow() < deadline)
        {
            await Task.Delay(TimeSpan.FromMilliseconds(20), _time);
        }
        var stopped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (_events.Writer.TryWrite(new LoopEvent(() =>
        {
            _stopped = true;
            stopped.TrySetResult();
            return Host.Stop(_time.GetUtcNow(), abrupt: false);
        }, null, null)))
        {
            await stopped.Task;
        }
        _events.Writer.TryComplete();
        await _stopping.CancelAsync();
        _feedCancel?.Cancel();
        await _loop;
    }

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        _events.Writer.TryComplete();
        await _stopping.CancelAsync();
        _feedCancel?.Cancel();
        await _loop;
        _stopping.Dispose();
    }

    private void Post(Func<ImmutableArray<HostCommand>> work)
    {
        if (!_events.Writer.TryWrite(new LoopEvent(work, null, null)))
        {
            _log.LogDebug("an event arrived after the daemon stopped; ignored");
        }
    }

    private async Task Loop()
    {
        LoopEvent? stashed = null;
        while (stashed is not null || await _events.Reader.WaitToReadAsync())
        {
            LoopEvent? item = stashed;
            stashed = null;
            if (item is null && !_events.Reader.TryRead(out item))
            {
                continue;
            }
            Func<ImmutableArray<HostCommand>> work;
            if (item.Frame is { } first)
            {
                // Every message already waiting goes with it, up to the next event of another kind (kept for the next turn).
                var frames = Burst(first, e => e.Frame, ref stashed);
                work = () => Frames(frames);
            }
            else if (item.Intent is { } intent)
            {
                var intents = Burst(intent, e => e.Intent, ref stashed);
                work = () => Intents(intents);
            }
            else
            {
                work = item.Work!;
            }
            try
            {
                Execute(work());
            }
            catch (Exception e)
            {
                // Nothing throws out of the loop: the host's own state is intact (each event is processed to completion
                // or not at all by the store), and the next event goes on.
                _log.LogError(e, "an event failed and was skipped: {Error}", e.Message);
            }
            _restBusySince = Host.IsWaitingForRest ? _restBusySince ?? _time.GetUtcNow() : null;
            _metrics.RestBusy(_restBusySince);
        }
    }

    private void Execute(ImmutableArray<HostCommand> commands)
    {
        foreach (var command in commands)
        {
            switch (command)
            {
                case SendCreateOrder send:
                    _kill.Pass("before-create-order");
                    Interlocked.Increment(ref _outstandingCreates);
                    _ = CreateOrder(send);
                    break;
                case SendRest rest:
                    _kill.Pass("mid-reconciliation");
                    _ = Rest(rest);
                    break;
                case Linkage.Host.OpenFeed:
                    OpenNewFeed();
                    break;
                case SetTimer timer:
                    _ = Timer(timer);
                    break;
                case WriteCapture line:
                    Capture(line);
                    break;
                default:
                    _log.LogError("the live driver does not know the command {Command}", command.GetType().Name);
                    break;
            }
        }
    }

    private async Task CreateOrder(SendCreateOrder send)
    {
        try
        {
            var response = await _rest.CreateOrderAsync(send.RequestJson, _stopping.Token);
            _kill.Pass("after-create-order");
            if (response.Status == 200)
            {
                Post(() =>
                {
                    var commands = Host.CreateOrderAnswered(_time.GetUtcNow(), send.ClientOrderId, response.Body);
                    if (_placing.Remove(send.ClientOrderId.Value, out var waiter))
                    {
                        waiter.TrySetResult(response);
                    }
                    return commands;
                });
            }
            else
            {
                // No usable answer (a reset, a timeout, an error page): the order may exist. The host's own timer sends
                // it again with the same client order id, and reconciliation settles it.
                _log.LogWarning("create-order {ClientOrderId} got no usable answer (HTTP {Status}); the host retries with the same id",
                    send.ClientOrderId.Value, response.Status);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            _log.LogError(e, "create-order {ClientOrderId} failed: {Error}", send.ClientOrderId.Value, e.Message);
        }
        finally
        {
            Interlocked.Decrement(ref _outstandingCreates);
        }
    }

    private async Task Rest(SendRest rest)
    {
        RestResponse response;
        try
        {
            response = await _rest.SendAsync(rest.Call, _stopping.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        catch (Exception e)
        {
            _log.LogError(e, "REST {Call} failed: {Error}", rest.Call.GetType().Name, e.Message);
            response = new RestResponse(0, "");
        }
        _log.LogDebug("REST #{Request} {Call} answered {Status}", rest.RequestId, rest.Call, response.Status);
        Post(() => Host.RestAnswered(_time.GetUtcNow(), rest.RequestId, response));
    }

    private void OpenNewFeed()
    {
        _feedCancel?.Cancel();
        var cancel = CancellationTokenSource.CreateLinkedTokenSource(_stopping.Token);
        _feedCancel = cancel;
        var generation = ++_feedGeneration;
        _ = RunFeed(generation, cancel.Token);
    }

    private async Task RunFeed(long generation, CancellationToken cancellation)
    {
        try
        {
            if (generation > 1 && _reconnectJitterMax > TimeSpan.Zero)
            {
                // Jitter on top of the host's backoff, so a fleet of daemons cut off together does not reconnect in step.
                await Task.Delay(TimeSpan.FromTicks(Random.Shared.NextInt64(_reconnectJitterMax.Ticks)), _time, cancellation);
            }
            var ending = await _feed.RunOnceAsync((json, at) =>
            {
                if (!_events.Writer.TryWrite(new LoopEvent(null, new FeedFrame(generation, json, at), null)))
                {
                    _log.LogDebug("a feed message arrived after the daemon stopped; ignored");
                }
                return ValueTask.CompletedTask;
            }, cancellation);
            if (cancellation.IsCancellationRequested)
            {
                return;
            }
            _log.LogWarning("feed closed ({Kind}): {Detail}; the host reopens it and reconciles", ending.Kind, ending.Detail);
            Post(() =>
            {
                if (generation != _feedGeneration || _stopped)
                {
                    return [];
                }
                _metrics.Feed(connected: false);
                return Host.FeedClosed(_time.GetUtcNow());
            });
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e)
        {
            _log.LogError(e, "the feed failed: {Error}", e.Message);
            Post(() => generation != _feedGeneration || _stopped ? [] : Host.FeedClosed(_time.GetUtcNow()));
        }
    }

    /// <summary>
    /// <paramref name="first"/> and the events of its kind already waiting behind it (at most <see cref="BurstMax"/>); the
    /// first event of another kind is kept in <paramref name="stashed"/> for the loop's next turn.
    /// </summary>
    private List<T> Burst<T>(T first, Func<LoopEvent, T?> kind, ref LoopEvent? stashed)
        where T : class
    {
        var burst = new List<T> { first };
        while (burst.Count < BurstMax && _events.Reader.TryRead(out var next))
        {
            if (kind(next) is { } same)
            {
                burst.Add(same);
            }
            else
            {
                stashed = next;
                break;
            }
        }
        return burst;
    }

    /// <summary>Caller-placed intents, staged as one burst and answered after its commit.</summary>
    private ImmutableArray<HostCommand> Intents(List<CallerIntent> intents)
    {
        IntakeBurst burst;
        try
        {
            burst = Host.StageCallerIntents(_time.GetUtcNow(), [.. intents.Select(i => i.Payload)]);
        }
        catch (Exception e)
        {
            foreach (var intent in intents)
            {
                intent.Answer.TrySetException(e);
            }
            throw;
        }
        for (var i = 0; i < intents.Count; i++)
        {
            if (burst.Answers[i].Status == IntakeStatus.Staged)
            {
                _kill.Pass("after-staging");
            }
            intents[i].Answer.TrySetResult(burst.Answers[i]);
        }
        return burst.Commands;
    }

    /// <summary>Messages of the current feed connection, to the host as one burst; those of a replaced connection are dropped.</summary>
    private ImmutableArray<HostCommand> Frames(List<FeedFrame> frames)
    {
        var current = frames.Where(f => f.Generation == _feedGeneration).ToList();
        if (_stopped || current.Count == 0)
        {
            return [];
        }
        if (!_metrics.FeedConnected)
        {
            _metrics.Feed(connected: true);
        }
        _metrics.Message(current[^1].ReceivedAt);
        return Host.FeedMessages(_time.GetUtcNow(), [.. current.Select(f => (f.Json, f.ReceivedAt))]);
    }

    private async Task Timer(SetTimer timer)
    {
        try
        {
            var wait = timer.At - _time.GetUtcNow();
            if (wait > TimeSpan.Zero)
            {
                await Task.Delay(wait, _time, _stopping.Token);
            }
            Post(() => Host.TimerFired(_time.GetUtcNow(), timer.TimerId));
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Capture(WriteCapture line)
    {
        if (_capture is null)
        {
            return;
        }
        try
        {
            if (CaptureKinds.TryParse(line.Kind) is { } kind)
            {
                _capture.Write(CaptureWriter.Format(_time.GetUtcNow(), kind, line.Json));
                _capture.Flush();
            }
        }
        catch (ArgumentException e)
        {
            // A message that is not a JSON object cannot be a capture line; the store's quarantine has it with its reason.
            _log.LogWarning("a {Kind} message was not captured: {Error}", line.Kind, e.Message);
        }
        catch (IOException e)
        {
            _log.LogError("cannot write the capture: {Error}", e.Message);
        }
    }

    /// <summary>Told about every input the store applied: metrics, the fill-to-link latency, the mid-fills kill point.</summary>
    private void Processed(EngineInput input, ProcessResult result)
    {
        if (result.Batch is not { } batch)
        {
            return;
        }
        _metrics.Record(batch);
        if (batch.Decisions.Any(d => d is Linked))
        {
            // A feed input carries the time its message was received (WebhookHost.FeedMessages); it is reported after its commit.
            if (input.Origin == "ws")
            {
                _metrics.FillToLink(_time.GetUtcNow() - input.At);
            }
            _kill.Pass("mid-fills");
        }
    }

    /// <summary>An event for the loop: work to run, a WebSocket message of feed connection <see cref="FeedFrame.Generation"/>, or a caller's intent.</summary>
    private sealed record LoopEvent(Func<ImmutableArray<HostCommand>>? Work, FeedFrame? Frame, CallerIntent? Intent);

    private sealed record CallerIntent(string Payload, TaskCompletionSource<IntakeAnswer> Answer);

    private sealed record FeedFrame(long Generation, string Json, DateTimeOffset ReceivedAt);
}
