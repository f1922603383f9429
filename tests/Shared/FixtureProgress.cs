using System.Globalization;
using NUnit.Framework.Interfaces;

[assembly: Linkage.Testing.FixtureProgress]

namespace Linkage.Testing;

/// <summary>
/// Progress for long test runs: `dotnet test` prints nothing until the end by default, so when the tests of a fixture
/// are done and the next fixture starts, one line on the progress channel (shown at once) says which fixture finished,
/// with its counts and time, and how many tests have run so far. A test still running after
/// <see cref="HeartbeatEvery"/> is named every <see cref="HeartbeatEvery"/>, so a run that stalls (or a CI job that
/// times out) says in its log which test it was in. Compiled into every test assembly.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
internal sealed class FixtureProgressAttribute : Attribute, ITestAction
{
    /// <summary>Three minutes, or <c>LINKAGE_TEST_HEARTBEAT_SECONDS</c> when set (to see the lines in a short run).</summary>
    private static readonly TimeSpan HeartbeatEvery =
        int.TryParse(Environment.GetEnvironmentVariable("LINKAGE_TEST_HEARTBEAT_SECONDS"), NumberStyles.None, CultureInfo.InvariantCulture, out var seconds) && seconds > 0
            ? TimeSpan.FromSeconds(seconds)
            : TimeSpan.FromMinutes(3);

    private readonly object _gate = new();
    private readonly Dictionary<string, DateTime> _running = new(StringComparer.Ordinal);
    private Timer? _heartbeat;
    private string? _fixture;
    private DateTime _fixtureStarted;
    private int _passed;
    private int _failed;
    private int _total;

    public ActionTargets Targets => ActionTargets.Test;

    public void BeforeTest(ITest test)
    {
        var fixture = test.ClassName ?? "?";
        lock (_gate)
        {
            _running[test.FullName] = DateTime.UtcNow;
            _heartbeat ??= new Timer(_ => Heartbeat(), null, HeartbeatEvery, HeartbeatEvery);
            if (fixture == _fixture)
            {
                return;
            }
            Report();
            _fixture = fixture;
            _fixtureStarted = DateTime.UtcNow;
            _passed = 0;
            _failed = 0;
        }
    }

    public void AfterTest(ITest test)
    {
        var outcome = TestContext.CurrentContext.Result.Outcome.Status;
        lock (_gate)
        {
            _running.Remove(test.FullName);
            _total++;
            if (outcome == NUnit.Framework.Interfaces.TestStatus.Failed)
            {
                _failed++;
            }
            else if (outcome == NUnit.Framework.Interfaces.TestStatus.Passed)
            {
                _passed++;
            }
        }
    }

    private void Heartbeat()
    {
        lock (_gate)
        {
            var now = DateTime.UtcNow;
            foreach (var (name, started) in _running.Where(r => now - r.Value >= HeartbeatEvery).OrderBy(r => r.Value))
            {
                TestContext.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"[{now:HH:mm:ss}] still running {name} ({(int)(now - started).TotalMinutes}m{(now - started).Seconds:00}s so far)"));
            }
        }
    }

    private void Report()
    {
        if (_fixture is null)
        {
            return;
        }
        var name = _fixture[(_fixture.LastIndexOf('.') + 1)..];
        TestContext.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"[{DateTime.UtcNow:HH:mm:ss}] {name}: {_passed} passed, {_failed} failed in {(DateTime.UtcNow - _fixtureStarted).TotalSeconds:0.0} s ({_total} tests run so far)"));
    }
}
