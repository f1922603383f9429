using Linkage.Engine;
using System.Collections.Immutable;

namespace Linkage.Host;

/// <summary>
/// Feeds a sequence of inputs to a correlator, for hosts and tests that replay a list. An input whose store failed
/// (after the correlator's own bounded retries) is offered again up to <see cref="OffersMax"/> times in all before
/// the loop moves on, as a host that keeps the input would; its last result is reported either way.
/// </summary>
public static class ProcessLoop
{
    /// <summary>Most times one input is offered to the correlator.</summary>
    public const int OffersMax = 3;

    /// <summary>Processes <paramref name="inputs"/> in order; returns one result per input, in the same order.</summary>
    public static ImmutableArray<ProcessResult> Run(ICorrelator correlator, IEnumerable<EngineInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(correlator);
        ArgumentNullException.ThrowIfNull(inputs);
        var results = ImmutableArray.CreateBuilder<ProcessResult>();
        foreach (var input in inputs)
        {
            var result = correlator.Process(input);
            for (var offer = 1; offer < OffersMax && result.Status == ProcessStatus.StoreFailed; offer++)
            {
                result = correlator.Process(input);
            }
            results.Add(result);
        }
        return results.ToImmutable();
    }
}
