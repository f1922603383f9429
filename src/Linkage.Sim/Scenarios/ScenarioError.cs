using System.Collections.Immutable;
using System.Diagnostics.CodeAnalysis;

namespace Linkage.Sim.Scenarios;

/// <summary>
/// Why a scenario file, or part of it, was refused: where (the file, a 1-based line and <see cref="Column"/>, the key's
/// path such as <c>steps[2].place.size</c>) and why. Line 0 means the file as a whole (it could not be read, or is too
/// large), which has no position; an empty key means no key in particular.
/// </summary>
public sealed record ScenarioError(string File, int Line, string Key, string Reason)
{
    /// <summary>The 1-based column the error points at on <see cref="Line"/>; 0 when only the line is known (printed as 1).</summary>
    public int Column { get; init; }

    /// <summary><c>FILE:LINE:COLUMN: KEY: REASON</c>, the form compilers use, so editors and terminals jump to it; <c>FILE: REASON</c> for the file as a whole.</summary>
    public override string ToString()
    {
        var where = Line == 0 ? File : $"{File}:{Line}:{Math.Max(Column, 1)}";
        return Key.Length == 0 ? $"{where}: {Reason}" : $"{where}: {Key}: {Reason}";
    }
}

/// <summary>The outcome of loading one file: the scenario, or every error found in the file (sorted by line).</summary>
public sealed record ScenarioLoad
{
    public Scenario? Scenario { get; init; }
    public ImmutableArray<ScenarioError> Errors { get; init; } = [];

    /// <summary>The line of the <c>name</c> key, so a run can point at a name used twice.</summary>
    public int NameLine { get; init; }

    /// <summary>The line of the <c>feed</c> key, 0 when the file has none, so a front end that serves one feed only can point at it.</summary>
    public int FeedLine { get; init; }

    [MemberNotNullWhen(true, nameof(Scenario))]
    public bool Succeeded => Scenario is not null;
}
