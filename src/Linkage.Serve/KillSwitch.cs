using System.Diagnostics;
using System.Globalization;

namespace Linkage.Serve;

/// <summary>
/// For the end-to-end tests only (<c>Testing:KillAt</c>, <c>--kill-at POINT:N</c>): the daemon kills itself with
/// SIGKILL the Nth time it passes a named point, so a test can stop it exactly where a crash hurts most (after staging,
/// before or after a create-order, mid-burst of fills, mid-reconciliation). Off by default; a killed daemon writes one
/// line on stderr first, so the test can tell the planned death from a real one.
/// </summary>
internal sealed class KillSwitch
{
    /// <summary>The points a daemon can be killed at.</summary>
    public static readonly IReadOnlyList<string> Points = ["after-staging", "before-create-order", "after-create-order", "mid-fills", "mid-reconciliation"];

    private readonly string? _point;
    private readonly int _nth;
    private int _hits;

    private KillSwitch(string? point, int nth)
    {
        _point = point;
        _nth = nth;
    }

    /// <summary>No kill point.</summary>
    public static readonly KillSwitch None = new(null, 0);

    /// <summary>Reads <c>POINT:N</c> (N from 1); null and a problem when it is not one.</summary>
    public static KillSwitch? Parse(string text, out string? problem)
    {
        problem = null;
        var parts = text.Split(':');
        if (parts.Length != 2 || !Points.Contains(parts[0]) || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var nth) || nth < 1)
        {
            problem = $"Testing:KillAt must be POINT:N with POINT one of {string.Join(", ", Points)} and N from 1, not '{text}'";
            return null;
        }
        return new KillSwitch(parts[0], nth);
    }

    /// <summary>Passes <paramref name="point"/>; at the chosen pass, the process dies at once (SIGKILL, no cleanup).</summary>
    public void Pass(string point)
    {
        if (_point is null || point != _point || Interlocked.Increment(ref _hits) != _nth)
        {
            return;
        }
        Console.Error.WriteLine($"kill-at {point}:{_nth}: killing myself with SIGKILL");
        Console.Error.Flush();
        Process.GetCurrentProcess().Kill();
    }
}
