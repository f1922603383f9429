using System.Runtime.ExceptionServices;
using Linkage.Sim.World;

namespace Linkage.Sim.Crash;

/// <summary>
/// Runs the world's event loop so that a process life can end in the middle of a call, as a killed process does: each
/// life runs the loop on a thread of its own, and a death parks that thread for good (nothing after the kill point
/// runs: no answer is sent, no commit happens) and starts the next life on a new thread, which restarts the webhook and
/// goes on with the loop. Exactly one thread runs simulation code at any moment, handing over through a start, so the
/// run stays single-threaded in effect and deterministic.
/// </summary>
internal sealed class ProcessLives(SimWorld world)
{
    /// <summary>Large enough for the deepest call chain a life makes (the host's reconciliation through the store).</summary>
    private const int StackBytes = 16 * 1024 * 1024;

    private readonly SemaphoreSlim _ended = new(0, 1);
    private bool _finished;
    private ExceptionDispatchInfo? _error;

    /// <summary>Runs the world to the end across every life; returns what <see cref="SimWorld.Run"/> returns.</summary>
    public bool Run()
    {
        Start(() => { });
        _ended.Wait();
        _error?.Throw();
        return _finished;
    }

    /// <summary>
    /// Ends the calling life here: starts the next one (<paramref name="restart"/>, then the rest of the loop) and parks
    /// this thread forever. Never returns.
    /// </summary>
    public void Die(Action restart)
    {
        Start(restart);
        Thread.Sleep(Timeout.Infinite);
    }

    private void Start(Action restart)
    {
        var life = new Thread(() => Live(restart), StackBytes) { IsBackground = true, Name = "process life" };
        life.Start();
    }

    private void Live(Action restart)
    {
        try
        {
            restart();
            _finished = world.Run();
        }
        catch (Exception error)
        {
            _error = ExceptionDispatchInfo.Capture(error);
        }
        _ended.Release();
    }
}
