using Linkage.Engine;
using System.Collections.Immutable;

namespace Linkage.Host;

/// <summary>
/// The engine design (<c>engine</c>) as a correlator: fetch the input's read set from the store, decide from it (pure),
/// apply the batch in one transaction, and on a conflict (another writer changed what was read) do it all again.
/// </summary>
/// <remarks>
/// <see cref="Process"/> never throws. The three steps fail differently. Fetching (<see cref="ILinkageStoreView.Read"/>)
/// and applying are the store's I/O: an exception from either is retried up to <see cref="StoreRetriesMax"/> times,
/// fetching and deciding afresh each time (the failed commit may in fact have succeeded, and re-deciding turns it into
/// duplicates); then <see cref="ProcessStatus.StoreFailed"/> is returned and the host keeps the input. Deciding
/// (<see cref="LinkageEngine.Decide(ReadSet, EngineInput, DecisionContext?)"/>) does no I/O: a <see cref="ReadSetMiss"/>
/// (a read the key derivation did not foresee) fetches the missing keys too and decides again, at most
/// <see cref="ReadMissesMax"/> times per input; any other exception is a bug, and the input is quarantined with reason
/// <c>internal error: ...</c> and an <see cref="AlertKind.InternalError"/> alert, so one bad input cannot stop the loop.
/// Thread safety: as safe as the store (several correlators may share one store, and one correlator may be called from
/// several threads: each call takes its own <see cref="DecisionContext"/>).
/// </remarks>
public sealed class EngineCorrelator(ILinkageStore store, LinkageMetrics? metrics = null) : ICorrelator
{
    /// <summary>Most times one input is decided again after a version conflict before it is handed back to the host.</summary>
    public const int ConflictRetriesMax = 8;

    /// <summary>Most times a failing store call is retried for one input before the input is handed back to the host.</summary>
    public const int StoreRetriesMax = 3;

    /// <summary>Most read-set misses for one input before it is quarantined as an internal error (each miss fetches the keys it names).</summary>
    public const int ReadMissesMax = LinkageEngine.ReadAttemptsMax - 1;

    // One spare context, taken by a call and put back when it returns: a call made while another runs makes its own.
    private DecisionContext? _spare = new();
    private long _inputs;
    private long _misses;
    private long _dependentMisses;

    /// <inheritdoc />
    public string Design => "engine";

    /// <summary>The store this correlator decides against and writes to.</summary>
    public ILinkageStore Store { get; } = store ?? throw new ArgumentNullException(nameof(store));

    /// <summary>Inputs this correlator has processed (each counted once, however often it was decided).</summary>
    public long InputsProcessed => Interlocked.Read(ref _inputs);

    /// <summary>Read-set misses met while deciding them: reads the key derivation did not foresee, each costing a second fetch.</summary>
    public long ReadSetMisses => Interlocked.Read(ref _misses);

    /// <summary>
    /// The misses no key derivation can avoid, counted among <see cref="ReadSetMisses"/>: the first state of a bracket
    /// order names only the exchange id of the order it is attached to, and the bracket's own record is keyed by an id
    /// derived from that order's client order id, which only the first read finds.
    /// </summary>
    public long ReadSetDependentMisses => Interlocked.Read(ref _dependentMisses);

    /// <inheritdoc />
    public ProcessResult Process(EngineInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        Interlocked.Increment(ref _inputs);
        var context = Interlocked.Exchange(ref _spare, null) ?? new DecisionContext();
        try
        {
            return Decided(input, context);
        }
        finally
        {
            Volatile.Write(ref _spare, context);
        }
    }

    private ProcessResult Decided(EngineInput input, DecisionContext context)
    {
        // The locals assigned inside try blocks start with a value and the loop is for (;;), not while (true): mutation
        // testing rewrites those statements and conditions, and a local it might leave unassigned (CS0165) or a loop
        // end it makes reachable (CS0161) would make Stryker drop this whole method (docs/mutation.md).
        var keys = ReadSetKeys.Empty;
        try
        {
            keys = ReadSetKeys.Of(input);
        }
        // The derivation never throws for bad input; if it ever does, deciding from nothing learns the keys by misses.
        catch (Exception)
        {
            keys = ReadSetKeys.Empty;
        }
        var storeFailures = 0;
        var conflicts = 0;
        var misses = 0;
        for (;;)
        {
            ReadSet? reads = null;
            try
            {
                reads = Store.Read(keys);
            }
            // Any store exception is an I/O failure to retry, then report; it must not escape Process.
            catch (Exception failure)
            {
                if (++storeFailures > StoreRetriesMax)
                {
                    return StoreFailed(null, failure);
                }
                continue;
            }
            DecisionBatch? batch = null;
            try
            {
                batch = LinkageEngine.Decide(reads!, input, context);
            }
            catch (ReadSetMiss miss) when (misses < ReadMissesMax)
            {
                misses++;
                Interlocked.Increment(ref _misses);
                if (input is OrderUpdate { Order: { ClientOrderId: null, OriginatingOrderId: not null } })
                {
                    Interlocked.Increment(ref _dependentMisses);
                }
                keys = keys.Union(miss.Missing);
                continue;
            }
            // A bug in Decide (a miss beyond the bound included) must quarantine the input, not stop the host's loop (law V1).
            catch (Exception bug)
            {
                batch = InternalError(input, bug);
            }
            if (!batch!.HasWrites)
            {
                metrics?.Record(batch);
                return new ProcessResult(batch, ProcessStatus.Applied);
            }
            ApplyResult result = default;
            try
            {
                result = Store.Apply(batch);
            }
            // Any store exception is an I/O failure to retry, then report; it must not escape Process.
            catch (Exception failure)
            {
                if (++storeFailures > StoreRetriesMax)
                {
                    return StoreFailed(batch, failure);
                }
                continue;
            }
            if (result.Status == ApplyStatus.Applied)
            {
                metrics?.Record(batch);
                return new ProcessResult(batch, ProcessStatus.Applied);
            }
            if (++conflicts > ConflictRetriesMax)
            {
                return new ProcessResult(batch, ProcessStatus.StoreFailed, $"still conflicting after {ConflictRetriesMax} retries: {result.Detail}");
            }
        }
    }

    /// <inheritdoc />
    public ImmutableArray<LinkRecord> Links() => Store.Links();

    private static ProcessResult StoreFailed(DecisionBatch? batch, Exception failure) =>
        new(batch, ProcessStatus.StoreFailed, $"store failed after {StoreRetriesMax} retries: {failure.GetType().Name}: {failure.Message}");

    private static DecisionBatch InternalError(EngineInput input, Exception bug)
    {
        var reason = $"internal error: {bug.GetType().Name}: {bug.Message}";
        return new DecisionBatch(input,
        [
            new InputRejected(Quarantine.Record(input, input.At, reason, null)),
            new AlertRaised(new AlertRecord { At = input.At, Kind = AlertKind.InternalError, Detail = reason }),
        ]);
    }
}
