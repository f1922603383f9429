using Linkage.Coinbase.Capture;

namespace Linkage.Sim.Server;

/// <summary>
/// The exchange's side of a run in our capture format (<c>Linkage.Coinbase.Capture</c>): every create-order request and
/// answer, Get Order, List Orders and List Fills page, and WebSocket message, as the server wrote it. Thread-safe; a
/// no-op when no <c>--transcript</c> was asked for.
/// </summary>
internal sealed class Transcript : IDisposable
{
    private readonly object _gate = new();
    private readonly StreamWriter? _file;
    private readonly CaptureWriter? _writer;

    public Transcript(string? path)
    {
        if (path is null)
        {
            return;
        }
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        _file = new StreamWriter(path, append: false) { AutoFlush = false };
        _writer = new CaptureWriter(_file);
    }

    public void Write(DateTimeOffset at, CaptureKind kind, string json)
    {
        if (_writer is null)
        {
            return;
        }
        lock (_gate)
        {
            _writer.Write(at, kind, json);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _file?.Flush();
            _file?.Dispose();
        }
    }
}
