using System.Diagnostics;
using Linkage.Live;

namespace Linkage.Wire.Tests;

/// <summary>Runs one <see cref="CoinbaseFeed.RunOnceAsync"/> in the background and keeps every message it delivers, with its receive time.</summary>
internal sealed class FeedRecorder : IDisposable
{
    private readonly List<(string Text, DateTimeOffset At)> _messages = [];
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _cancel;

    public FeedRecorder(CoinbaseFeed feed, TimeSpan limit)
    {
        _cancel = new CancellationTokenSource(limit);
        Run = feed.RunOnceAsync(OnMessage, _cancel.Token);
    }

    public Task<FeedEnd> Run { get; }

    public IReadOnlyList<(string Text, DateTimeOffset At)> Messages
    {
        get
        {
            lock (_messages)
            {
                return [.. _messages];
            }
        }
    }

    public IReadOnlyList<string> Texts => [.. Messages.Select(m => m.Text)];

    /// <summary>Waits until <paramref name="condition"/> holds over the messages so far; fails if the connection ends first or the time runs out.</summary>
    public async Task Until(Func<IReadOnlyList<string>, bool> condition, TimeSpan timeout, string what)
    {
        var clock = Stopwatch.StartNew();
        while (!condition(Texts))
        {
            if (Run.IsCompleted)
            {
                Assert.Fail($"the feed ended ({await Run}) before {what}; got {Messages.Count} messages");
            }
            var left = timeout - clock.Elapsed;
            if (left <= TimeSpan.Zero)
            {
                Assert.Fail($"no {what} within {timeout.TotalSeconds} s; got {Messages.Count} messages");
            }
            await _arrived.WaitAsync(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
        }
    }

    /// <summary>Cancels the connection and returns how it ended.</summary>
    public async Task<FeedEnd> Stop()
    {
        await _cancel.CancelAsync();
        return await Run;
    }

    public void Dispose()
    {
        _cancel.Cancel();
        try
        {
            Run.Wait(TimeSpan.FromSeconds(10));
        }
        catch (AggregateException)
        {
        }
        _cancel.Dispose();
        _arrived.Dispose();
    }

    private ValueTask OnMessage(string text, DateTimeOffset at)
    {
        lock (_messages)
        {
            _messages.Add((text, at));
        }
        _arrived.Release();
        return ValueTask.CompletedTask;
    }
}
