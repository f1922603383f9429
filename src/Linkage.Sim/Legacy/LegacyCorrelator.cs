using Linkage.Engine;
using Linkage.Host;
using System.Collections.Immutable;

namespace Linkage.Sim.Legacy;

/// <summary>
/// The old design (<c>legacy</c>) from <c>seed/trade-strategy-linkage-gap.md</c>, kept as a baseline so every report can
/// show what it gets wrong: strategy metadata cached by product symbol, overwritten by every entry intent (exits carry
/// no metadata and are not cached), read by every fill event, cleared after the first link, and gone after
/// <see cref="LegacyCacheTtl"/>. A fill is linked to whatever intent is cached for its product, or not at all.
/// </summary>
/// <remarks>
/// It fails only for the seed's reasons: it dedupes feed cumulative quantities per exchange order and trade-level fill
/// keys like any careful consumer, so duplicates do not add failures of their own. Its links carry provenance
/// <see cref="LinkProvenance.ExchangeOrderId"/> because the old recorder had only the fill's order id in hand.
/// Thread safety: one lock around every call.
/// </remarks>
public sealed class LegacyCorrelator : ICorrelator
{
    /// <summary>How long the old webhook's product-keyed cache kept an entry (the seed's reconnect scenario: "30s+ old").</summary>
    public static readonly TimeSpan LegacyCacheTtl = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private readonly Dictionary<string, Cached> _cacheByProduct = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Executed> _feedByOrder = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _linkedByOrder = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _linkCountByClientId = new(StringComparer.Ordinal);
    private readonly HashSet<FillKey> _seenFills = [];
    private readonly List<LinkRecord> _links = [];

    public string Design => "legacy";

    public ProcessResult Process(EngineInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        lock (_gate)
        {
            // Invalid input is ignored, not thrown: the baseline is measured on what it links, and must never stop a replay.
            var decision = input switch
            {
                IntentReceived { Intent: { Kind: IntentKind.Entry } intent } when Validation.Intent(intent) is null => Cache(intent, input.At),
                OrderUpdate { Source: OrderStateSource.FeedUpdate or OrderStateSource.FeedSnapshot, Order.CumulativeQuantity: not null } update
                    when Validation.OrderUpdate(update) is null => OnFeed(update),
                TradeFillReceived { Fill: { TradeType: TradeType.Fill } fill } when Validation.TradeFill(fill) is null => OnTrade(fill, input.At),
                _ => null,
            };
            return new ProcessResult(new DecisionBatch(input, decision is null ? [] : [decision]), ProcessStatus.Applied);
        }
    }

    public ImmutableArray<LinkRecord> Links()
    {
        lock (_gate)
        {
            return [.. _links.OrderBy(l => l.ClientOrderId.Value, StringComparer.Ordinal).ThenBy(l => l.Sequence)];
        }
    }

    /// <summary>The old webhook's <c>_cache_strategy_metadata</c>: the product's entry is overwritten.</summary>
    private Decision? Cache(Intent intent, DateTimeOffset at)
    {
        _cacheByProduct[intent.Product.Value] = new Cached(intent, ClientOrderIds.For(intent), at);
        return null;
    }

    /// <summary>A fill is the increase of the order's cumulative quantity; a snapshot only sets the baseline.</summary>
    private Decision? OnFeed(OrderUpdate update)
    {
        var state = update.Order;
        var key = state.ExchangeOrderId.Value;
        var previous = _feedByOrder.GetValueOrDefault(key, Executed.None);
        var cumulative = state.CumulativeQuantity ?? 0m;
        if (cumulative <= previous.Quantity)
        {
            return new DuplicateIgnored(DuplicateKind.StaleCumulative, $"{key}-{Validation.Text(cumulative)}");
        }
        var now = new Executed(cumulative, state.FilledValue ?? (state.AveragePrice ?? 0m) * cumulative, state.TotalFees ?? previous.Fees);
        _feedByOrder[key] = now;
        if (update.Source == OrderStateSource.FeedSnapshot)
        {
            return null;
        }
        var quantity = now.Quantity - previous.Quantity;
        return Link(state.Product, state.ExchangeOrderId, quantity, (now.Value - previous.Value) / quantity,
            Math.Max(0m, now.Fees - previous.Fees), $"{key}-{Validation.Text(cumulative)}", update.At);
    }

    private Decision? OnTrade(TradeFill fill, DateTimeOffset at) =>
        _seenFills.Add(fill.Key)
            ? Link(fill.Product, fill.ExchangeOrderId, fill.Size, fill.Price, fill.Commission, fill.Key.Key, at)
            : new DuplicateIgnored(DuplicateKind.FillKey, fill.Key.ToString());

    /// <summary>The old <c>trade_recorder._create_or_update_strategy_link</c>: read the product's cache, link, clear it.</summary>
    private Decision? Link(ProductId? product, ExchangeOrderId exchangeId, decimal quantity, decimal price, decimal fee, string sourceKey, DateTimeOffset at)
    {
        if (product?.Value is not { } symbol || !_cacheByProduct.Remove(symbol, out var cached) || at - cached.At > LegacyCacheTtl)
        {
            return null;
        }
        var from = _linkedByOrder.GetValueOrDefault(exchangeId.Value);
        var sequence = _linkCountByClientId.GetValueOrDefault(cached.ClientOrderId.Value) + 1;
        _linkedByOrder[exchangeId.Value] = from + quantity;
        _linkCountByClientId[cached.ClientOrderId.Value] = sequence;
        var intent = cached.Intent;
        var link = new LinkRecord
        {
            ClientOrderId = cached.ClientOrderId,
            ExchangeOrderId = exchangeId,
            Sequence = sequence,
            Kind = intent.Kind,
            Snapshot = intent.Snapshot,
            Product = intent.Product,
            Side = intent.Side,
            From = from,
            To = from + quantity,
            Price = price,
            Fee = fee,
            Provenance = LinkProvenance.ExchangeOrderId,
            SourceKey = sourceKey,
            BuyScore = intent.BuyScore,
            SellScore = intent.SellScore,
            Trigger = intent.Trigger,
            At = at,
        };
        _links.Add(link);
        var order = new OrderRecord
        {
            ClientOrderId = cached.ClientOrderId,
            Intent = intent,
            StagedAt = cached.At,
            ExchangeOrderId = exchangeId,
            Linked = new Executed(from + quantity, 0m, 0m),
            LinkCount = sequence,
        };
        return new Linked(order, link);
    }

    private sealed record Cached(Intent Intent, ClientOrderId ClientOrderId, DateTimeOffset At);
}
