using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace Linkage.EndToEnd.Tests;

/// <summary>
/// <c>linkage load</c> as users run it: it starts its own exchange and daemons, measures both phases at a small rate,
/// reports figures that add up, and ends every process it started, also when interrupted.
/// </summary>
[NonParallelizable]
public sealed partial class LoadCommandTests
{
    private sealed record Run(Process Process, StringBuilder Stdout, StringBuilder Stderr);

    private static Run Start(params string[] args)
    {
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in (string[])[Path.Combine(AppContext.BaseDirectory, "Linkage.Cli.dll"), "load", .. args])
        {
            info.ArgumentList.Add(arg);
        }
        var process = Process.Start(info)!;
        var stdout = new StringBuilder();
        var stderr = new StringBuilder();
        process.OutputDataReceived += (_, e) =>
        {
            lock (stdout)
            {
                stdout.AppendLine(e.Data);
            }
        };
        process.ErrorDataReceived += (_, e) =>
        {
            lock (stderr)
            {
                stderr.AppendLine(e.Data);
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new Run(process, stdout, stderr);
    }

    private static string Text(StringBuilder text)
    {
        lock (text)
        {
            return text.ToString();
        }
    }

    private static int Finish(Run run, TimeSpan timeout)
    {
        if (!run.Process.WaitForExit(timeout))
        {
            run.Process.Kill(entireProcessTree: true);
            Assert.Fail($"linkage load did not finish in {timeout}: {Text(run.Stderr)}");
        }
        run.Process.WaitForExit();
        return run.Process.ExitCode;
    }

    /// <summary>The children's process ids, from load's own progress lines (`(pid N`).</summary>
    private static List<int> Children(string stderr) =>
        [.. PidPattern().Matches(stderr).Select(m => int.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture))];

    private static bool Alive(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    [Test]
    public void Load_measures_both_phases_links_every_fill_and_ends_what_it_started()
    {
        var json = Path.Combine(Path.GetTempPath(), $"linkage-load-{Guid.NewGuid():N}.json");
        try
        {
            var run = Start("--duration", "2", "--warmup", "0.5", "--concurrency", "4", "--fill-rate", "60", "--partials", "3", "--json", json);
            var code = Finish(run, TimeSpan.FromMinutes(4));
            var stdout = Text(run.Stdout);
            var stderr = Text(run.Stderr);
            TestContext.Out.WriteLine(stdout);
            Assert.That(code, Is.EqualTo(0), stderr);
            using var document = JsonDocument.Parse(File.ReadAllText(json));
            var intake = document.RootElement.GetProperty("intake");
            var fills = document.RootElement.GetProperty("fills");
            Assert.Multiple(() =>
            {
                Assert.That(stdout, Does.Contain("intents staged").And.Contain("fill-to-link p50 / p99 / max"));
                Assert.That(intake.GetProperty("staged").GetInt64(), Is.GreaterThan(0));
                Assert.That(intake.GetProperty("no_answer").GetInt64(), Is.EqualTo(0));
                Assert.That(fills.GetProperty("orders_accepted").GetInt32(), Is.EqualTo(40), "60 fills/s for 2 s at 3 trades per order");
                Assert.That(fills.GetProperty("expected_links").GetInt64(), Is.EqualTo(120));
                Assert.That(fills.GetProperty("links").GetInt64(), Is.EqualTo(120), "every fill linked");
                Assert.That(fills.GetProperty("latency_samples").GetInt64(), Is.EqualTo(120), "one latency sample per link, all from this phase's daemon");
                Assert.That(fills.GetProperty("fill_to_link_p99_ms").GetDouble(), Is.GreaterThan(0));
                Assert.That(Children(stderr), Has.Count.EqualTo(3), "an exchange and a daemon per phase");
                Assert.That(Children(stderr).Where(Alive), Is.Empty, "every child ended");
                Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
            });
        }
        finally
        {
            File.Delete(json);
        }
    }

    [Test]
    public void Interrupted_load_ends_the_processes_it_started_and_exits_130()
    {
        // An interrupted run keeps its work folder for a post-mortem; this one is the test's to remove.
        var work = Path.Combine(Path.GetTempPath(), $"linkage-load-test-{Guid.NewGuid():N}");
        try
        {
            Interrupt(work);
        }
        finally
        {
            if (Directory.Exists(work))
            {
                Directory.Delete(work, recursive: true);
            }
        }
    }

    /// <summary>Whether the process ignores SIGINT (bit 1 of the SigIgn mask in /proc/PID/status).</summary>
    private static bool IgnoresSigint(int pid)
    {
        var line = File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status").FirstOrDefault(l => l.StartsWith("SigIgn:", StringComparison.Ordinal));
        return line is not null && (ulong.Parse(line["SigIgn:".Length..].Trim(), NumberStyles.HexNumber, CultureInfo.InvariantCulture) & 0x2UL) != 0;
    }

    private static void Interrupt(string work)
    {
        var run = Start("--phases", "fills", "--duration", "600", "--fill-rate", "20", "--work", work);
        var clock = Stopwatch.StartNew();
        while (!Text(run.Stderr).Contains("orders sent", StringComparison.Ordinal))
        {
            Assert.That(run.Process.HasExited, Is.False, Text(run.Stderr));
            Assert.That(clock.Elapsed, Is.LessThan(TimeSpan.FromMinutes(3)), Text(run.Stderr));
            Thread.Sleep(100);
        }
        var children = Children(Text(run.Stderr));
        Assert.That(children, Has.Count.EqualTo(2), "the exchange and the fill phase's daemon");
        // A job started in the background by a non-interactive shell (`nohup ... &`) inherits SIGINT ignored, and the
        // runtime keeps it ignored, as nohup means it to be: then the same handler is reached by SIGTERM.
        var signal = IgnoresSigint(run.Process.Id) ? "-TERM" : "-INT";
        using (var interrupt = Process.Start("kill", [signal, run.Process.Id.ToString(CultureInfo.InvariantCulture)]))
        {
            interrupt.WaitForExit();
        }
        var code = Finish(run, TimeSpan.FromMinutes(2));
        var stderr = Text(run.Stderr);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(130), stderr);
            Assert.That(stderr, Does.Contain("interrupted"));
            Assert.That(children.Where(Alive), Is.Empty, "every child ended");
            Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
        });
    }

    [Test]
    public void A_running_pair_that_is_not_there_is_an_error_in_words_with_status_2()
    {
        var run = Start("--intake", "http://127.0.0.1:1", "--phases", "intake", "--duration", "1");
        var code = Finish(run, TimeSpan.FromMinutes(1));
        var stderr = Text(run.Stderr);
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2), stderr);
            Assert.That(stderr, Does.Contain("load: cannot reach the daemon at http://127.0.0.1:1"));
            Assert.That(stderr, Does.Not.Contain("   at "), "no stack trace");
        });
    }

    [GeneratedRegex(@"\(pid (\d+)")]
    private static partial Regex PidPattern();
}
