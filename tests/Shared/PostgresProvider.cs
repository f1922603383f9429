using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Linkage.Testing;

/// <summary>No PostgreSQL server could be had; the message says why and how to provide one.</summary>
internal sealed class PostgresUnavailableException(string message) : Exception(message);

/// <summary>
/// The PostgreSQL server the tests and the benchmarks share (this one file is compiled into both projects, so neither
/// keeps a copy). <c>LINKAGE_PG</c> (an Npgsql connection string with the right to create databases) names one;
/// otherwise a throwaway cluster is started from Debian's <c>postgresql</c> package on first use: a temp directory, a
/// free loopback port, trust authentication, the Unix socket inside the temp directory, run as the <c>postgres</c> OS
/// user when the process is root (initdb refuses root), stopped and removed by <see cref="StopIfStarted"/>. Each user
/// gets its own database (<see cref="CreateDatabase"/>).
/// </summary>
/// <remarks>
/// What a missing server means is the caller's business (a test is inconclusive or failed, a benchmark run exits), so
/// this class only throws <see cref="PostgresUnavailableException"/>; it remembers the reason and does not retry.
/// Thread safety: safe for concurrent use.
/// </remarks>
internal static class PostgresProvider
{
    /// <summary>The environment variable naming a server to use instead of a throwaway cluster.</summary>
    public const string Variable = "LINKAGE_PG";

    /// <summary>Longest wait for initdb, pg_ctl or one administrative statement.</summary>
    private static readonly TimeSpan ToolTimeout = TimeSpan.FromMinutes(2);

    private static readonly Lock Gate = new();
    private static Cluster? _cluster;
    private static string? _adminConnectionString;
    private static string? _unavailable;
    private static int _databases;
    private static bool _stopsAtExit;

    /// <summary>Whether <see cref="Variable"/> names a server.</summary>
    public static bool IsConfigured => !string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable(Variable));

    /// <summary>Whether a throwaway cluster can be started here (Debian's initdb and pg_ctl are installed).</summary>
    public static bool CanStartCluster => Binaries() is not null;

    /// <summary>
    /// The administrative connection string: <see cref="Variable"/>'s, or the throwaway cluster's (started now if it is
    /// not running yet).
    /// </summary>
    /// <exception cref="PostgresUnavailableException">Neither is available.</exception>
    public static string AdminConnectionString()
    {
        lock (Gate)
        {
            if (_adminConnectionString is null && _unavailable is null)
            {
                try
                {
                    var given = Environment.GetEnvironmentVariable(Variable);
                    if (!string.IsNullOrWhiteSpace(given))
                    {
                        _adminConnectionString = given;
                    }
                    else
                    {
                        _cluster = Cluster.Start();
                        _adminConnectionString = _cluster.AdminConnectionString;

                        // Every process that starts a cluster stops it, whether or not it has a teardown of its own
                        // (the end-to-end tests had none, and each CI run left a server running). Hooked once, however
                        // many clusters the process starts after stopping one.
                        if (!_stopsAtExit)
                        {
                            _stopsAtExit = true;
                            AppDomain.CurrentDomain.ProcessExit += (_, _) => StopIfStarted();
                        }
                    }
                }
                catch (Exception e) when (e is InvalidOperationException or IOException or System.ComponentModel.Win32Exception)
                {
                    _unavailable = e.Message;
                }
            }
            return _adminConnectionString ?? throw new PostgresUnavailableException(
                $"PostgreSQL is needed: {_unavailable} Set {Variable} to a connection string that may CREATE DATABASE, or install Debian's postgresql package (initdb and pg_ctl under /usr/lib/postgresql/*/bin).");
        }
    }

    /// <summary>
    /// A new database on the server, named after <paramref name="purpose"/>: empty, or a copy of the database
    /// <paramref name="template"/> (which nobody may be connected to); returns its connection string.
    /// </summary>
    /// <exception cref="PostgresUnavailableException">No server is available.</exception>
    public static string CreateDatabase(string purpose, string? template = null)
    {
        var admin = AdminConnectionString();
        var slug = new string([.. purpose.ToLowerInvariant().Where(char.IsAsciiLetterOrDigit).Take(30)]);
        var name = string.Create(CultureInfo.InvariantCulture, $"linkage_{slug}_{Environment.ProcessId}_{Interlocked.Increment(ref _databases)}");
        Execute(admin, template is null
            ? $"CREATE DATABASE {name} TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C'"
            : $"CREATE DATABASE {name} TEMPLATE {template}");
        return new NpgsqlConnectionStringBuilder(admin) { Database = name, Pooling = true }.ConnectionString;
    }

    /// <summary>Drops a database made by <see cref="CreateDatabase"/> (closing its pooled connections first).</summary>
    public static void DropDatabase(string connectionString)
    {
        NpgsqlConnection.ClearAllPools();
        var database = new NpgsqlConnectionStringBuilder(connectionString).Database;
        Execute(AdminConnectionString(), $"DROP DATABASE IF EXISTS {database} WITH (FORCE)");
    }

    /// <summary>Stops and removes the throwaway cluster, if one was started.</summary>
    public static void StopIfStarted()
    {
        lock (Gate)
        {
            NpgsqlConnection.ClearAllPools();
            _cluster?.Dispose();
            _cluster = null;
            _adminConnectionString = null;
        }
    }

    private static void Execute(string connectionString, string sql)
    {
        using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = (int)ToolTimeout.TotalSeconds };
        command.ExecuteNonQuery();
    }

    /// <summary>The newest installed PostgreSQL's binaries directory holding initdb and pg_ctl, or null.</summary>
    private static string? Binaries() =>
        Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "pg_ctl")))
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault()
            : null;

    /// <summary>A cluster in a temp directory, owned by the <c>postgres</c> OS user when the process runs as root.</summary>
    private sealed class Cluster : IDisposable
    {
        private readonly string _directory;
        private readonly string _binaries;
        private readonly bool _asPostgresUser;

        private Cluster(string directory, string binaries, bool asPostgresUser, int port)
        {
            _directory = directory;
            _binaries = binaries;
            _asPostgresUser = asPostgresUser;
            AdminConnectionString = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = port,
                Username = "postgres",
                Database = "postgres",
            }.ConnectionString;
        }

        public string AdminConnectionString { get; }

        private string Data => Path.Combine(_directory, "data");

        public static Cluster Start()
        {
            var binaries = Binaries() ?? throw new InvalidOperationException(
                $"{Variable} is not set and no initdb/pg_ctl was found under /usr/lib/postgresql/*/bin.");
            var asPostgresUser = Environment.UserName == "root";
            var directory = Directory.CreateTempSubdirectory("linkage-pg-").FullName;
            var cluster = new Cluster(directory, binaries, asPostgresUser, FreeLoopbackPort());
            try
            {
                if (asPostgresUser)
                {
                    Tool("chown", ["-R", "postgres:postgres", directory]);
                }
                cluster.Postgres("initdb", ["-D", cluster.Data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync"]);
                var port = new NpgsqlConnectionStringBuilder(cluster.AdminConnectionString).Port;
                var settings = string.Join(' ',
                    "-c listen_addresses=127.0.0.1",
                    $"-c port={port.ToString(CultureInfo.InvariantCulture)}",
                    $"-c unix_socket_directories={directory}",

                    // A throwaway cluster needs no crash safety; skipping fsync keeps a 2-core machine responsive.
                    "-c fsync=off",
                    "-c synchronous_commit=off",
                    "-c full_page_writes=off",
                    "-c max_connections=100");
                cluster.Postgres("pg_ctl", ["-D", cluster.Data, "-l", Path.Combine(directory, "server.log"), "-o", settings, "-w", "-t", "60", "start"]);
                return cluster;
            }
            catch
            {
                cluster.Dispose();
                throw;
            }
        }

        public void Dispose()
        {
            try
            {
                if (File.Exists(Path.Combine(Data, "postmaster.pid")))
                {
                    Postgres("pg_ctl", ["-D", Data, "-m", "immediate", "-w", "stop"]);
                }
            }
            finally
            {
                Directory.Delete(_directory, recursive: true);
            }
        }

        private void Postgres(string tool, IReadOnlyList<string> arguments)
        {
            var path = Path.Combine(_binaries, tool);
            if (_asPostgresUser)
            {
                Tool("runuser", ["-u", "postgres", "--", path, .. arguments]);
            }
            else
            {
                Tool(path, arguments);
            }
        }

        private static void Tool(string file, IReadOnlyList<string> arguments)
        {
            var start = new ProcessStartInfo(file)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
                WorkingDirectory = Path.GetTempPath(),
            };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }
            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {file}");
            var output = process.StandardOutput.ReadToEndAsync();
            var error = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(ToolTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new InvalidOperationException($"{file} did not finish within {ToolTimeout}");
            }
            if (process.ExitCode != 0)
            {
                throw new InvalidOperationException($"{file} {string.Join(' ', arguments)} exited with {process.ExitCode}: {error.Result} {output.Result}");
            }
        }

        private static int FreeLoopbackPort()
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
    }
}
