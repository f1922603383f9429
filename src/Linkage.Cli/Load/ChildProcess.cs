using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace Linkage.Cli.Load;

/// <summary>Why a child (the exchange or a daemon) could not be started; the message is for the user.</summary>
internal sealed class ChildFailedException(string message) : Exception(message);

/// <summary>
/// <c>linkage exchange</c> or <c>linkage serve</c> started by <c>linkage load</c> as a child process (the same
/// <c>linkage</c> this process runs), its output appended to a log file in the work folder. It is ready when it has
/// written its ready file. Ended by its process id: <see cref="Stop"/> sends SIGTERM and waits (both drain and exit 0),
/// then SIGKILL if it does not; <see cref="Dispose"/> makes sure it is gone whatever happened.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    /// <summary>How long a child may take to become ready (a cold .NET start on a busy 2-core machine).</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>How long a child may take to stop after SIGTERM before it is killed.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(30);

    private readonly Process _process;
    private readonly Task _pumps;

    private ChildProcess(string name, Process process, Task pumps, string logFile, JsonElement ready)
    {
        Name = name;
        _process = process;
        _pumps = pumps;
        LogFile = logFile;
        Ready = ready;
    }

    public string Name { get; }
    public int ProcessId => _process.Id;
    public string LogFile { get; }

    /// <summary>The ready file's content.</summary>
    public JsonElement Ready { get; }

    /// <summary>How this process's own <c>linkage</c> is started again: the apphost, or <c>dotnet Linkage.Cli.dll</c>.</summary>
    public static (string FileName, string[] Prefix) Linkage()
    {
        var host = Environment.ProcessPath ?? "dotnet";
        var dll = typeof(ChildProcess).Assembly.Location;
        return Path.GetFileNameWithoutExtension(host) == "dotnet" ? (host, [dll]) : (host, []);
    }

    /// <summary>Starts <c>linkage ARGS</c> in <paramref name="directory"/> and waits for <paramref name="readyFile"/>.</summary>
    /// <exception cref="ChildFailedException">It exited or did not become ready in time (it is ended first); the message quotes its log's last lines.</exception>
    public static async Task<ChildProcess> Start(string name, string directory, IEnumerable<string> args, string readyFile,
        IDictionary<string, string> environment, CancellationToken cancel)
    {
        var (fileName, prefix) = Linkage();
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // Its own folder: a daemon reads ./appsettings.json, and the user's must not change what is measured.
            WorkingDirectory = directory,
        };
        foreach (var arg in prefix.Concat(args))
        {
            info.ArgumentList.Add(arg);
        }
        foreach (var (key, value) in environment)
        {
            info.Environment[key] = value;
        }
        File.Delete(readyFile);
        var logFile = Path.Combine(directory, name + ".log");
        var process = Process.Start(info) ?? throw new ChildFailedException($"could not start {name}");
        var log = new StreamWriter(logFile, append: true) { AutoFlush = true };
        var pumps = Task.WhenAll(Pump(process.StandardOutput, log), Pump(process.StandardError, log)).ContinueWith(_ => log.Dispose(), TaskScheduler.Default);
        var clock = Stopwatch.StartNew();
        try
        {
            while (!File.Exists(readyFile))
            {
                if (process.HasExited)
                {
                    await pumps;
                    throw new ChildFailedException($"{name} exited with status {process.ExitCode} before it was ready:\n{Tail(logFile)}");
                }
                if (clock.Elapsed > StartTimeout)
                {
                    throw new ChildFailedException($"{name} was not ready after {StartTimeout.TotalSeconds} s (log {logFile}):\n{Tail(logFile)}");
                }
                await Task.Delay(50, cancel);
            }
            using var document = JsonDocument.Parse(await File.ReadAllTextAsync(readyFile, cancel));
            return new ChildProcess(name, process, pumps, logFile, document.RootElement.Clone());
        }
        catch
        {
            KillNow(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>SIGTERM by process id, as systemd stops a service; SIGKILL if it is still there after <see cref="StopTimeout"/>. Returns its exit status (-1 when killed).</summary>
    public int Stop()
    {
        if (_process.HasExited)
        {
            return _process.ExitCode;
        }
        try
        {
            using var kill = Process.Start(new ProcessStartInfo("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]) { UseShellExecute = false });
            kill?.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No kill(1) here: the hard kill below still ends it.
        }
        if (!_process.WaitForExit(StopTimeout))
        {
            KillNow(_process);
            return -1;
        }
        _process.WaitForExit();
        _pumps.Wait(TimeSpan.FromSeconds(5));
        return _process.ExitCode;
    }

    public void Dispose()
    {
        KillNow(_process);
        _process.Dispose();
    }

    /// <summary>The last lines of a log file, for an error message.</summary>
    public static string Tail(string logFile, int lines = 15)
    {
        try
        {
            return string.Join('\n', File.ReadLines(logFile).TakeLast(lines).Select(l => "  | " + l));
        }
        catch (IOException)
        {
            return "  (no log)";
        }
    }

    private static async Task Pump(StreamReader from, StreamWriter to)
    {
        try
        {
            while (await from.ReadLineAsync() is { } line)
            {
                lock (to)
                {
                    to.WriteLine(line);
                }
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException)
        {
        }
    }

    private static void KillNow(Process process)
    {
        try
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
                process.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }
    }
}
