using Linkage.Engine;
using System.Collections.Immutable;

namespace Linkage.Host;

/// <summary>
/// The engine design (<c>engine</c>) as a correlator: decide against the store, apply the batch in one transaction,
/// and on a conflict (another writer changed what was read) decide again against the new state.
/// </summary>
/// <remarks>
/// <see cref="Process"/> never throws. A store failure (an exception from a read or from <c>Apply</c>) is retried up
/// to <see cref="StoreRetriesMax"/> times, deciding afresh each time (the failed commit may in fact have succeeded, and
/// re-deciding turns it into duplicates); then <see cref="ProcessStatus.StoreFailed"/> is returned and the host keeps
/// the input. An exception from <see cref="LinkageEngine.Decide"/> itself is a bug: the input is quarantined with
/// reason <c>internal error: ...</c> and an <see cref="AlertKind.InternalError"/> alert, so one bad input cannot stop
/// the loop. Thread safety: as safe as the store (several correlators may share one store).
/// </remarks>
public sealed class EngineCorrelator(ILinkageStore store, LinkageMetrics? metrics = null) : ICorrelator
{
    /// <summary>Most times one input is decided again after a version conflict before it is handed back to the host.</summary>
    public const int ConflictRetriesMax = 8;

    /// <summary>Most times a failing store call is retried for one input before the input is handed back to the host.</summary>
    public const int StoreRetriesMax = 3;

    /// <inheritdoc />
    public string Design => "engine";

    /// <summary>The store this correlator decides against and writes to.</summary>
    public ILinkageStore Store { get; } = store ?? throw new ArgumentNullException(nameof(store));

    // Made once: the wrapper holds nothing but the store (a store that scopes its reads per decision gets a fresh
    // wrapper per decision from ForDecision).
    private readonly GuardedView guarded = new(store);

    /// <inheritdoc />
    public ProcessResult Process(EngineInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var storeFailures = 0;
        var conflicts = 0;
        while (true)
        {
            DecisionBatch batch;
            try
            {
                batch = LinkageEngine.Decide(guarded, input);
            }
            catch (StoreReadException failure)
            {
                if (++storeFailures > StoreRetriesMax)
                {
                    return StoreFailed(null, failure.InnerException ?? failure);
                }
                continue;
            }
            // A bug in Decide must quarantine the input, not stop the host's loop (law V1).
            catch (Exception bug)
            {
                batch = InternalError(input, bug);
            }
            if (!batch.HasWrites)
            {
                metrics?.Record(batch);
                return new ProcessResult(batch, ProcessStatus.Applied);
            }
            ApplyResult result;
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

    /// <summary>Marks a failure of the store's reads, so it is retried as I/O and not mistaken for a bug in Decide.</summary>
    private sealed class StoreReadException(Exception inner) : Exception(inner.Message, inner);

    /// <summary>
    /// The store's view with every read failure wrapped in a <see cref="StoreReadException"/>. The reads are static
    /// lambdas with their argument passed alongside, so no closure is allocated per read (a fill makes several).
    /// </summary>
    private sealed class GuardedView(ILinkageStoreView inner) : IDecisionScopedView
    {
        public int ParkedCount => Read(0, static (view, _) => view.ParkedCount);

        public OrderRecord? FindByClientOrderId(ClientOrderId id) => Read(id, static (view, id) => view.FindByClientOrderId(id));

        public OrderRecord? FindByExchangeOrderId(ExchangeOrderId id) => Read(id, static (view, id) => view.FindByExchangeOrderId(id));

        public bool IsFillKeySeen(FillKey key) => Read(key, static (view, key) => view.IsFillKeySeen(key));

        public ImmutableArray<ParkedFill> ParkedFor(ExchangeOrderId id) => Read(id, static (view, id) => view.ParkedFor(id));

        public ExternalOrderRecord? FindExternal(ExchangeOrderId id) => Read(id, static (view, id) => view.FindExternal(id));

        public ImmutableArray<OrderRecord> OpenEntryLots(ProductId product) => Read(product, static (view, product) => view.OpenEntryLots(product));

        public ImmutableArray<OrderRecord> ExitsAwaitingAllocation(ProductId product) =>
            Read(product, static (view, product) => view.ExitsAwaitingAllocation(product));

        public ImmutableArray<OrderRecord> TerminalBefore(DateTimeOffset cutoff, int max) =>
            Read((cutoff, max), static (view, a) => view.TerminalBefore(a.cutoff, a.max));

        public ILinkageStoreView ForDecision() => inner is IDecisionScopedView scoped ? new GuardedView(scoped.ForDecision()) : this;

        private T Read<TArgument, T>(TArgument argument, Func<ILinkageStoreView, TArgument, T> read)
        {
            try
            {
                return read(inner, argument);
            }
            // Every store failure is wrapped; the correlator decides what to do with it.
            catch (Exception failure)
            {
                throw new StoreReadException(failure);
            }
        }
    }
}
