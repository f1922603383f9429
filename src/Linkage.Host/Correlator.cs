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
