using Linkage.Engine;
using System.Collections.Immutable;

namespace Linkage.Host;

/// <summary>
/// A design under test, driven by the same inputs: the engine over a store (<c>EngineCorrelator</c>) or the old
/// product-keyed cache (<c>LegacyCorrelator</c>). The simulator and <c>audit</c> drive either one and read its links.
/// <see cref="Process"/> never throws: a failure is reported in its result.
/// </summary>
public interface ICorrelator
{
    /// <summary><c>engine</c> or <c>legacy</c>.</summary>
    string Design { get; }

    /// <summary>Processes one input to completion (decide, apply, retry on conflict) and returns what was decided.</summary>
    ProcessResult Process(EngineInput input);

    /// <summary>
    /// Processes a burst of inputs, in order, to the same outcome as <see cref="Process"/> one at a time; returns one
    /// result per input, in input order. A correlator may decide them together and commit them in one transaction (a
    /// group commit: one sync to disk instead of one per input); this default processes them one at a time. A result
    /// of <see cref="ProcessStatus.StoreFailed"/> means that input was not applied; inputs after it may have been.
    /// </summary>
    ImmutableArray<ProcessResult> ProcessMany(IReadOnlyList<EngineInput> inputs) => [.. inputs.Select(Process)];

    /// <summary>Every link made so far, by client order id (or exchange order id), then sequence.</summary>
    ImmutableArray<LinkRecord> Links();
}

/// <summary>What processing one input did.</summary>
public sealed record ProcessResult(DecisionBatch? Batch, ProcessStatus Status, string? Detail = null)
{
    /// <summary>Whether the input was applied (or needed no write).</summary>
    public bool Succeeded => Status == ProcessStatus.Applied;
}

/// <summary>How processing one input ended.</summary>
public enum ProcessStatus
{
    /// <summary>The decisions were applied (or there was nothing to write).</summary>
    Applied,

    /// <summary>The store failed (I/O, timeout) after bounded retries; the input was not applied and should be offered again.</summary>
    StoreFailed,
}
