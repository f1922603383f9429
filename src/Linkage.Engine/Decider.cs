using System.Collections.Immutable;
using System.Diagnostics;

namespace Linkage.Engine;

/// <summary>
/// Decides one input (and the parked inputs it releases) against a <see cref="PendingView"/>. Every decision is
/// reflected in the view as soon as it is made, so later steps of the same batch read it.
/// </summary>
/// <remarks>
/// Not thread safe: a decider and its view serve one call of <see cref="LinkageEngine"/> at a time. A
/// <see cref="DecisionContext"/> owns one and hands it to the engine call by call, so a caller that keeps its context
/// decides without allocating a decider per input; nothing of one call reaches the next (<see cref="Reset"/>).
/// <para>
/// Each handler validates everything it can before it emits its first write, so a rejected input leaves the state
/// unchanged apart from its quarantine record and alert. Every order write reads the order's latest version from the
/// view and writes version + 1; the store applies the writes in order and checks each version.
/// All times written are <c>now</c>, the time of the input being decided (a released parked input is decided
/// at the time of the input that released it).
/// </para>
/// </remarks>
internal sealed partial class Decider
{
    /// <summary>Decisions in a usual batch (a fill's record and link, an intent, a duplicate): the builder's initial capacity.</summary>
    private const int DecisionsUsual = 2;

    private readonly PendingView _view = new();

    // A builder that is full hands its array over without a copy; a bigger batch grows it.
    private readonly ImmutableArray<Decision>.Builder _decisions = ImmutableArray.CreateBuilder<Decision>(DecisionsUsual);

    /// <summary>The time of the input being decided; every time written is this one.</summary>
    private DateTimeOffset _now;

    /// <summary>Reads <paramref name="committed"/> from now on, with nothing pending (null: nothing, between calls).</summary>
    public void Reset(ReadSet? committed)
    {
        _view.Reset(committed);
        _decisions.Clear();
    }

    /// <summary>Decides <paramref name="input"/> against the view (with what earlier inputs of the same rental decided).</summary>
    public DecisionBatch Batch(EngineInput input)
    {
        _now = input.At;
        if (_decisions.Capacity == 0)
        {
            _decisions.Capacity = DecisionsUsual;
        }
        Decide(input);
        return new DecisionBatch(input, _decisions.DrainToImmutable());
    }

    private void Decide(EngineInput input)
    {
        switch (input)
        {
            case IntentReceived intent:
                OnIntent(intent);
                break;
            case PlacementOutcome placement:
                OnPlacement(placement);
                break;
            case OrderUpdate update:
                OnOrderUpdate(update);
                break;
            case TradeFillReceived fill:
                OnTradeFill(fill);
                break;
            case OrderNotOurs notOurs:
                OnOrderNotOurs(notOurs);
                break;
            case Tick tick:
                OnTick(tick);
                break;
            case MalformedInput malformed:
                Emit(new InputRejected(Quarantine.Record(malformed, _now, malformed.Reason, malformed.Field)));
                break;
            default:
                Reject(input, new("kind", $"the engine does not know inputs of kind {input.GetType().Name}"));
                break;
        }
    }

    private void Emit(Decision decision)
    {
        _view.Apply(decision);
        _decisions.Add(decision);
    }

    /// <summary>The order's next state: <paramref name="changed"/> with the version after the one the view holds.</summary>
    private static OrderRecord Next(OrderRecord read, OrderRecord changed)
    {
        CheckInvariants(changed);
        return changed with { Version = read.Version + 1 };
    }

    /// <summary>
    /// The invariants of <see cref="OrderRecord"/>, checked on every order the engine writes in a debug build: what is
    /// linked never exceeds what some source saw executed (sources are never added together), and what exits closed of a
    /// lot never exceeds what is linked to it.
    /// </summary>
    [Conditional("DEBUG")]
    private static void CheckInvariants(OrderRecord order)
    {
        Debug.Assert(
            order.Linked.Quantity <= Math.Max(order.Feed.Quantity, Math.Max(order.Rest.Quantity, order.Matches.Quantity)),
            $"linked {order.Linked.Quantity} above every source of {order.ClientOrderId}");
        Debug.Assert(order.Allocated <= order.Linked.Quantity, $"allocated {order.Allocated} above linked {order.Linked.Quantity} of {order.ClientOrderId}");
    }

    private void Reject(EngineInput input, Problem problem) =>
        Emit(new InputRejected(Quarantine.Record(input, _now, problem.Reason, problem.Field)));

    private void Alert(AlertKind kind, string detail, ClientOrderId? clientId, ExchangeOrderId? exchangeId) =>
        Emit(new AlertRaised(new AlertRecord
        {
            At = _now,
            Kind = kind,
            Detail = detail,
            ClientOrderId = clientId,
            ExchangeOrderId = exchangeId,
        }));

    private void Duplicate(DuplicateKind kind, string key) => Emit(new DuplicateIgnored(kind, key));

    /// <summary>
    /// Binds <paramref name="exchangeId"/> to <paramref name="order"/> unless that contradicts what is known (the order
    /// is bound to another id, the id to another order, or the id is external); a contradiction raises an alert and
    /// binds nothing, because a wrong binding would link fills to the wrong intent (S1).
    /// </summary>
    /// <returns>The bound order (unchanged if it was already bound to this id), or null after a conflict.</returns>
    private OrderRecord? Bind(OrderRecord order, ExchangeOrderId exchangeId, LinkProvenance boundBy)
    {
        if (order.ExchangeOrderId is { } bound)
        {
            if (bound == exchangeId)
            {
                return order;
            }
            Alert(AlertKind.ConflictingBinding,
                $"exchange order {exchangeId} was reported for client order {order.ClientOrderId}, which is bound to exchange order {bound}",
                order.ClientOrderId, exchangeId);
            return null;
        }
        if (HeldElsewhere(exchangeId, order.ClientOrderId, $"exchange order {exchangeId} was reported for client order {order.ClientOrderId}"))
        {
            return null;
        }
        var next = Next(order, order with { ExchangeOrderId = exchangeId, Placement = PlacementState.Accepted });
        Emit(new OrderBound(next, boundBy));
        return next;
    }

    /// <summary>
    /// Whether <paramref name="exchangeId"/> already belongs elsewhere: bound to another client order, or classified
    /// external. If so, raises the conflicting-binding alert (<paramref name="claim"/>, then who holds the id): binding
    /// it to <paramref name="claimant"/> as well would link its fills to the wrong intent (S1).
    /// </summary>
    private bool HeldElsewhere(ExchangeOrderId exchangeId, ClientOrderId claimant, string claim)
    {
        var holder = _view.FindByExchangeOrderId(exchangeId) is { } bound
            ? $"it is bound to client order {bound.ClientOrderId}"
            : _view.FindExternal(exchangeId) is not null ? "it was classified external" : null;
        if (holder is null)
        {
            return false;
        }
        Alert(AlertKind.ConflictingBinding, $"{claim}, but {holder}", claimant, exchangeId);
        return true;
    }

    /// <summary>
    /// Takes every input parked under <paramref name="exchangeId"/> out of the parking and decides it again, now that
    /// the order's identity (bot order or external) is known. Called whenever an order is touched, not only when it is
    /// first bound, so a fill parked by a concurrent engine instance just before the binding still gets released.
    /// </summary>
    /// <remarks>
    /// A released input can itself release the rest (it touches the same order), so the parking is read again before
    /// each release rather than iterated from one read. A released input never parks again under the same id (its
    /// order is now known); if one did, that is a bug, and throwing beats looping.
    /// </remarks>
    private void ReleaseParked(ExchangeOrderId exchangeId)
    {
        // Created on the first release only: almost every touch of an order finds nothing parked.
        HashSet<string>? released = null;
        while (_view.ParkedFor(exchangeId) is [var parked, ..])
        {
            if (!(released ??= new(StringComparer.Ordinal)).Add(parked.Key))
            {
                throw new InvalidOperationException($"parked input {exchangeId}/{parked.Key} was parked again after its release");
            }
            Emit(new FillUnparked(exchangeId, parked.Key));
            Decide(parked.Input);
        }
    }

    /// <summary>
    /// Parks an input whose order is not known yet, under the bound <see cref="Limits.ParkedFillsMax"/>: past it the
    /// input goes to quarantine with its payload (nothing is lost) and an alert is raised.
    /// </summary>
    /// <returns>Whether the input was parked (not a duplicate of a parked one, not refused by the bound).</returns>
    private bool Park(EngineInput input, ExchangeOrderId exchangeId, string key)
    {
        if (_view.ParkedFor(exchangeId).Any(p => string.Equals(p.Key, key, StringComparison.Ordinal)))
        {
            Duplicate(DuplicateKind.Parked, key);
            return false;
        }
        if (_view.ParkedCount >= Limits.ParkedFillsMax)
        {
            Reject(input, new("order_id", $"{_view.ParkedCount} fills are parked, the bound ParkedFillsMax; this one is kept in quarantine"));
            Alert(AlertKind.ParkedFillsFull, $"parked fills reached {Limits.ParkedFillsMax}; a fill for exchange order {exchangeId} went to quarantine", null, exchangeId);
            return false;
        }
        Emit(new FillParked(new ParkedFill { ExchangeOrderId = exchangeId, Key = key, Input = input, ParkedAt = _now }));
        return true;
    }
}
