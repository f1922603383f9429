using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Linkage.Sim.Scenarios;

/// <summary>
/// Why a scenario file, or part of it, was refused: where (the file, a 1-based line, the key's path such as
/// <c>steps[2].place.size</c>) and why. Line 0 and an empty key mean the file as a whole.
/// </summary>
public sealed record ScenarioError(string File, int Line, string Key, string Reason)
{
    public override string ToString() => Key.Length == 0 ? $"{File}:{Line}: {Reason}" : $"{File}:{Line}: {Key}: {Reason}";
}

/// <summary>The outcome of loading one file: the scenario, or every error found in the file (sorted by line).</summary>
public sealed record ScenarioLoad
{
    public Scenario? Scenario { get; init; }
    public ImmutableArray<ScenarioError> Errors { get; init; } = [];

    /// <summary>The line of the <c>name</c> key, so a run can point at a name used twice.</summary>
    public int NameLine { get; init; }

    [MemberNotNullWhen(true, nameof(Scenario))]
    public bool Succeeded => Scenario is not null;
}
