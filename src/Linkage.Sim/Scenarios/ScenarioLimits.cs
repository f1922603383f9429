namespace Linkage.Sim.Scenarios;

/// <summary>The bounds a scenario file must keep, named so the loader, the writer and the docs agree.</summary>
public static class ScenarioLimits
{
    /// <summary>Largest scenario file read, in characters (a generated 10,000-order scenario is well under 2 MiB).</summary>
    public const int FileLengthMax = 16 * 1024 * 1024;

    /// <summary>Longest duration (<c>at</c>, latencies, ack delays): ten years, far past any retention window, well inside <see cref="DateTimeOffset"/>.</summary>
    public static readonly TimeSpan DurationMax = TimeSpan.FromDays(3650);

    /// <summary>Longest order label.</summary>
    public const int LabelLengthMax = 64;

    /// <summary>Longest client order id a <c>manual</c> step may give its order (Coinbase publishes no limit; ccxt sends 41).</summary>
    public const int ForeignClientOrderIdLengthMax = 128;

    /// <summary>Deepest nesting of lists and mappings a file may have (a scenario needs 5); deeper input could overflow the YAML reader's stack.</summary>
    public const int NestingDepthMax = 32;

    /// <summary>Longest scenario name (it becomes a capture file's name).</summary>
    public const int NameLengthMax = 128;
}
