using System.Globalization;
using NUnit.Framework.Interfaces;

[assembly: Linkage.Testing.FixtureProgress]

namespace Linkage.Testing;

/// <summary>
/// Progress for long test runs: `dotnet test` prints nothing until the end by default, so when the tests of a fixture
/// are done and the next fixture starts, one line on the progress channel (shown at once) says which fixture finished,
/// with its counts and time, and how many tests have run so far. Compiled into every test assembly.
/// </summary>
[AttributeUsage(AttributeTargets.Assembly)]
internal sealed class FixtureProgressAttribute : Attribute, ITestAction
{
    private readonly object _gate = new();
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
