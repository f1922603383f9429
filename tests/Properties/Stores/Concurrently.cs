namespace Linkage.Properties.Stores;

/// <summary>Runs work on several threads released together, so the calls really overlap; rethrows the first failure.</summary>
internal static class Concurrently
{
    /// <summary>Runs <paramref name="work"/>(0 .. <paramref name="threads"/> - 1), each on its own thread, and waits for all.</summary>
    public static void Run(int threads, Action<int> work)
    {
        var failures = new List<Exception>();
        using var start = new Barrier(threads);
        var running = Enumerable.Range(0, threads).Select(i => new Thread(() =>
        {
            start.SignalAndWait();
            try
            {
                work(i);
            }
            catch (Exception e)
            {
                lock (failures)
                {
                    failures.Add(e);
                }
            }
        })).ToList();
        running.ForEach(t => t.Start());
        running.ForEach(t => t.Join());
        if (failures.Count > 0)
        {
            throw new AggregateException(failures);
        }
    }
}
