using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Linkage.EndToEnd.Tests;

/// <summary>
/// <c>linkage serve</c> as a real child process on a free loopback port. Disposing ends it by process id (SIGKILL)
/// whatever happened; <see cref="Stop"/> is the clean way (SIGTERM, as systemd stops it).
/// </summary>
internal sealed class DaemonProcess : IDisposable
{
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    private readonly Process _process;
    private readonly StringBuilder _stderr;

    private DaemonProcess(Process process, StringBuilder stderr, string intake, string name)
    {
        _process = process;
        _stderr = stderr;
        Intake = intake;
        Name = name;
    }

    public string Intake { get; }
    public string Name { get; }
    public int ProcessId => _process.Id;
    public bool HasExited => _process.HasExited;

    public string Stderr
    {
        get
        {
            lock (_stderr)
            {
                return _stderr.ToString();
            }
        }
    }

    /// <summary>Whether the daemon died at its planned kill point (it says so on stderr first).</summary>
    public bool DiedAtKillPoint => HasExited && Stderr.Contains("kill-at ", StringComparison.Ordinal);

    public static DaemonProcess Start(string name, string directory, IEnumerable<string> args, IDictionary<string, string>? environment = null)
    {
        Directory.CreateDirectory(directory);
        var ready = Path.Combine(directory, $"{name}-ready-{Guid.NewGuid():N}.json");
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = directory };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "Linkage.Cli.dll"), "serve", "--listen", "http://127.0.0.1:0", "--ready-file", ready, .. args])
        {
            info.ArgumentList.Add(arg);
        }
        info.Environment["LINKAGE__Logging__LogLevel__Linkage.Serve"] = "Debug";
        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start linkage serve");
        var stderr = new StringBuilder();
        // Every line is also kept on disk beside the store, for a post-mortem of a failed run.
        var logFile = new StreamWriter(Path.Combine(directory, $"{name}-{DateTime.UtcNow:HHmmss.fff}.log")) { AutoFlush = true };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                if (e.Data is null)
                {
                    logFile.Dispose();
                    return;
                }
                stderr.AppendLine(e.Data);
                logFile.WriteLine(e.Data);
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        var clock = Stopwatch.StartNew();
        while (!File.Exists(ready))
        {
            if (process.HasExited || clock.Elapsed > StartTimeout)
            {
                KillNow(process);
                lock (stderr)
                {
                    throw new InvalidOperationException($"linkage serve ({name}) did not become ready (exit {(process.HasExited ? process.ExitCode : -1)}): {stderr}");
                }
            }
            Thread.Sleep(50);
        }
        using var document = JsonDocument.Parse(File.ReadAllText(ready));
        return new DaemonProcess(process, stderr, document.RootElement.GetProperty("intake").GetString()!, name);
    }

    /// <summary>SIGTERM, as systemd stops it; returns the exit code (it must drain and exit 0).</summary>
    public int Stop(TimeSpan? timeout = null)
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            if (!_process.WaitForExit(timeout ?? TimeSpan.FromSeconds(30)))
            {
                KillNow(_process);
                return -1;
            }
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    /// <summary>SIGKILL: no drain, no cleanup, as a crash or the OOM killer ends it.</summary>
    public void Kill() => KillNow(_process);

    public void Dispose()
    {
        KillNow(_process);
        _process.Dispose();
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
