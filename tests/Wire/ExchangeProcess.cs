using System.Diagnostics;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Linkage.Sim.Server;

namespace Linkage.Wire.Tests;

/// <summary>
/// <c>linkage exchange</c> as a real child process on a free loopback port, with its own key and directory. Disposing
/// stops it by process id (SIGTERM through <c>kill</c>, then a hard kill if it does not exit in time), whatever happened.
/// </summary>
internal sealed class ExchangeProcess : IDisposable
{
    /// <summary>How long the server may take to start accepting (a cold .NET start on a busy 2-core machine).</summary>
    public static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(90);

    /// <summary>How long a stop may take before the process is killed.</summary>
    public static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(20);

    private readonly Process _process;
    private readonly StringBuilder _stderr = new();

    private ExchangeProcess(Process process, string directory, string rest, string ws, string? caFile, string keyFile)
    {
        _process = process;
        Directory = directory;
        Rest = rest;
        Ws = ws;
        CaFile = caFile;
        KeyFile = keyFile;
    }

    public string Directory { get; }
    public string Rest { get; }
    public string Ws { get; }
    public string? CaFile { get; }
    public string KeyFile { get; }
    public int ProcessId => _process.Id;
    public string TruthFile => Path.Combine(Directory, "truth.json");
    public string TranscriptFile => Path.Combine(Directory, "transcript.jsonl");

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

    /// <summary>The server as users start it: <c>linkage exchange</c> (the CLI's assembly, run with <c>dotnet</c>).</summary>
    public static (string FileName, string[] Prefix) Command() => ("dotnet", [Path.Combine(AppContext.BaseDirectory, "Linkage.Cli.dll"), "exchange"]);

    public static ExchangeProcess Start(string[]? extra = null, string algorithm = "es256")
    {
        var directory = Path.Combine(Path.GetTempPath(), "linkage-wire-" + Guid.NewGuid().ToString("N")[..12]);
        System.IO.Directory.CreateDirectory(directory);
        var (fileName, prefix) = Command();
        RunToEnd(fileName, [.. prefix, "keys", Path.Combine(directory, "keys"), "--algorithm", algorithm]);
        var keyFile = Path.Combine(directory, "keys", "cdp_api_key.json");
        var ready = Path.Combine(directory, "ready.json");
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in prefix.Concat(["--key", keyFile, "--dir", directory, "--port", "0", "--ready-file", ready,
                     "--transcript", Path.Combine(directory, "transcript.jsonl"), "--truth", Path.Combine(directory, "truth.json")]).Concat(extra ?? []))
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info) ?? throw new InvalidOperationException("could not start the exchange");
        var stderr = new StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        // Whatever goes wrong from here on (a ready file that cannot be read, a field missing), the child is ended by id.
        try
        {
            var clock = Stopwatch.StartNew();
            while (!File.Exists(ready))
            {
                if (process.HasExited || clock.Elapsed > StartTimeout)
                {
                    Kill(process);
                    throw new InvalidOperationException($"the exchange did not become ready (exit {(process.HasExited ? process.ExitCode : -1)}): {stderr}");
                }
                Thread.Sleep(50);
            }
            using var document = JsonDocument.Parse(File.ReadAllText(ready));
            var root = document.RootElement;
            var caFile = root.TryGetProperty("caFile", out var ca) && ca.ValueKind == JsonValueKind.String ? ca.GetString() : null;
            var server = new ExchangeProcess(process, directory, root.GetProperty("rest").GetString()!, root.GetProperty("ws").GetString()!, caFile, keyFile);
            lock (stderr)
            {
                server._stderr.Append(stderr);
            }
            process.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is not null)
                {
                    lock (server._stderr)
                    {
                        server._stderr.AppendLine(e.Data);
                    }
                }
            };
            return server;
        }
        catch
        {
            Kill(process);
            process.Dispose();
            throw;
        }
    }

    /// <summary>Runs <c>linkage exchange</c> with <paramref name="args"/> to completion (bounded, killed by pid on timeout); its exit code and output.</summary>
    public static (int Exit, string Stdout, string Stderr) RunExchange(IEnumerable<string> args, TimeSpan? timeout = null)
    {
        var (fileName, prefix) = Command();
        return Run(fileName, prefix.Concat(args), timeout, null, null);
    }

    /// <summary>Runs the command to completion (bounded); throws with its output when it fails.</summary>
    public static string RunToEnd(string fileName, IEnumerable<string> args, TimeSpan? timeout = null, IDictionary<string, string>? environment = null, string? workingDirectory = null)
    {
        var (exit, output, error) = Run(fileName, args, timeout, environment, workingDirectory);
        if (exit != 0)
        {
            throw new InvalidOperationException($"{fileName} exited {exit}:\n{output}\n{error}");
        }
        return output + error;
    }

    /// <summary>Runs the command to completion, killed by process id when it outlives <paramref name="timeout"/> (then this throws).</summary>
    private static (int Exit, string Stdout, string Stderr) Run(string fileName, IEnumerable<string> args, TimeSpan? timeout, IDictionary<string, string>? environment, string? workingDirectory)
    {
        var info = new ProcessStartInfo(fileName) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }
        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }
        foreach (var (k, v) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[k] = v;
        }
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            Kill(process);
            throw new TimeoutException($"{fileName} {string.Join(' ', info.ArgumentList)} did not finish: {output.Result}{error.Result}");
        }
        process.WaitForExit();
        return (process.ExitCode, output.Result, error.Result);
    }

    /// <summary>The clone's root: the folder above the test binaries that holds Linkage.sln.</summary>
    public static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Linkage.sln")))
        {
            directory = directory.Parent;
        }
        return directory?.FullName ?? throw new InvalidOperationException("Linkage.sln not found above the test binaries");
    }

    /// <summary>Stops the server with SIGTERM (so it writes its truth file) and waits; returns its exit code.</summary>
    public int Stop()
    {
        if (!_process.HasExited)
        {
            using var kill = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
            kill.WaitForExit();
            if (!_process.WaitForExit(StopTimeout))
            {
                Kill(_process);
            }
        }
        _process.WaitForExit();
        return _process.ExitCode;
    }

    public void Dispose()
    {
        try
        {
            Stop();
        }
        finally
        {
            Kill(_process);
            _process.Dispose();
        }
    }

    private static void Kill(Process process)
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

    // ---- clients ----

    /// <summary>An HttpClient that trusts exactly the server's CA.</summary>
    public HttpClient Http()
    {
        var handler = new SocketsHttpHandler { SslOptions = Trust(), PooledConnectionLifetime = TimeSpan.FromSeconds(30) };
        return new HttpClient(handler) { BaseAddress = new Uri(Rest), Timeout = TimeSpan.FromSeconds(30) };
    }

    public SslClientAuthenticationOptions Trust()
    {
        var options = new SslClientAuthenticationOptions();
        if (CaFile is not null)
        {
            options.CertificateChainPolicy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
            options.CertificateChainPolicy.CustomTrustStore.AddRange(TrustedCertificates());
        }
        return options;
    }

    /// <summary>Every certificate in the CA file (one made at start, or those of <c>--cert</c>).</summary>
    private X509Certificate2Collection TrustedCertificates()
    {
        var certificates = new X509Certificate2Collection();
        certificates.ImportFromPem(File.ReadAllText(CaFile!));
        return certificates;
    }

    public async Task<ClientWebSocket> ConnectWs(CancellationToken cancel)
    {
        var socket = new ClientWebSocket();
        if (CaFile is not null)
        {
            var trusted = TrustedCertificates();
            socket.Options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                using var chain = new X509Chain();
                chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                chain.ChainPolicy.CustomTrustStore.AddRange(trusted);
                return certificate is X509Certificate2 c && chain.Build(c);
            };
        }
        await socket.ConnectAsync(new Uri(Ws), cancel);
        return socket;
    }

    /// <summary>A JWT for this server's key, as Coinbase's SDKs build one; <paramref name="tweak"/> may alter the claims.</summary>
    public string Token(string? method, string? path, Action<Dictionary<string, object>>? tweak = null, string? keyFile = null)
    {
        var file = keyFile ?? KeyFile;
        using var document = JsonDocument.Parse(File.ReadAllText(file));
        var name = document.RootElement.GetProperty("name").GetString()!;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new Dictionary<string, object> { ["iss"] = "cdp", ["sub"] = name, ["nbf"] = now, ["exp"] = now + 120 };
        if (method is not null)
        {
            claims["uri"] = $"{method} api.coinbase.com{path}";
        }
        tweak?.Invoke(claims);
        return ApiKey.Sign(file, claims);
    }

    public HttpRequestMessage Request(HttpMethod method, string pathAndQuery, string? body = null, string? token = null)
    {
        var path = pathAndQuery.Split('?')[0];
        var request = new HttpRequestMessage(method, pathAndQuery);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token ?? Token(method.Method, path));
        if (body is not null)
        {
            request.Content = new StringContent(body, Encoding.UTF8, "application/json");
        }
        return request;
    }
}
