using System.Collections.Immutable;
using System.Data.Common;
using Linkage.Engine;

namespace Linkage.Stores.Sql;

/// <summary>The reads of the port: point and list queries, answered from the read cache while it is provably current.</summary>
public abstract partial class SqlLinkageStore
{
    private ValueTask<OrderRecord?> FindByClientOrderId(ClientOrderId id, ReadScope? scope, bool async, CancellationToken ct) =>
        Cached(
            scope,
            id,
            static (cache, id) => (cache.TryOrder(id, out var order), order),
            static (cache, id, order) => cache.Order(id, order),
            (connection, id) => FirstOn(connection, Queries.OrderByClientOrderId, [Arg(Tables.Orders, "client_order_id", id.Value)], Rows.Order, async, ct),
            async,
            ct);

    private ValueTask<OrderRecord?> FindByExchangeOrderId(ExchangeOrderId id, ReadScope? scope, bool async, CancellationToken ct) =>
        Cached(
            scope,
            id,
            static (cache, id) => (cache.TryOrder(id, out var order), order),
            static (cache, id, order) => cache.Order(id, order),
            (connection, id) => FirstOn(connection, Queries.OrderByExchangeOrderId, [Arg(Tables.Orders, "exchange_order_id", id.Value)], Rows.Order, async, ct),
            async,
            ct);

    private ValueTask<bool> IsFillKeySeen(FillKey key, ReadScope? scope, bool async, CancellationToken ct) =>
        _cache is null
            ? CountIsPositive(key, async, ct)
            : WithConnection(
                async connection =>
                {
                    var cache = Current(connection, scope);
                    if (cache.IsFillKeySeen(key) is { } seen)
                    {
                        return seen;
                    }
                    // The first question about an order loads all its keys: the next fills of the order need no query.
                    var keys = await Read(connection, Queries.FillKeysOf, [Arg(Tables.Fills, "exchange_order_id", key.Order.Value)], Rows.FillKeyOf, async, ct)
                        .ConfigureAwait(false);
                    cache.FillKeys(key.Order, keys);
                    return keys.Contains((key.Source, key.Key));
                },
                async,
                ct);

    private async ValueTask<bool> CountIsPositive(FillKey key, bool async, CancellationToken ct) =>
        await Count(
            Queries.FillKeyCount,
            [Arg(Tables.Fills, "exchange_order_id", key.Order.Value), Arg(Tables.Fills, "source", (long)key.Source), Arg(Tables.Fills, "fill_key", key.Key)],
            async,
            ct).ConfigureAwait(false) > 0;

    private ValueTask<ImmutableArray<ParkedFill>> ParkedFor(ExchangeOrderId id, ReadScope? scope, bool async, CancellationToken ct) =>
        Cached(
            scope,
            id,
            static (cache, id) => (cache.TryParked(id, out var fills), fills),
            static (cache, id, fills) => cache.Parked(id, fills),
            (connection, id) => Read(connection, Queries.ParkedFor, [Arg(Tables.Parked, "exchange_order_id", id.Value)], Rows.Parked, async, ct),
            async,
            ct);

    private ValueTask<ExternalOrderRecord?> FindExternal(ExchangeOrderId id, ReadScope? scope, bool async, CancellationToken ct) =>
        Cached(
            scope,
            id,
            static (cache, id) => (cache.TryExternal(id, out var external), external),
            static (cache, id, external) => cache.External(id, external),
            (connection, id) => FirstOn(connection, Queries.ExternalByExchangeOrderId, [Arg(Tables.External, "exchange_order_id", id.Value)], Rows.External, async, ct),
            async,
            ct);

    private ValueTask<ImmutableArray<OrderRecord>> OpenOrders(ProductId product, IntentKind kind, ReadScope? scope, bool async, CancellationToken ct) =>
        Cached(
            scope,
            (product, kind),
            static (cache, key) => (cache.TryOpenOrders(key.product, key.kind, out var orders), orders),
            static (cache, key, orders) => cache.OpenOrders(key.product, key.kind, orders),
            (connection, key) => Read(
                connection,
                Queries.OpenOrders,
                [Arg(Tables.Orders, "product_id", key.product.Value), Arg(Tables.Orders, "kind", key.kind.ToString())],
                Rows.Order,
                async,
                ct),
            async,
            ct);

    private ValueTask<int> ParkedCountRead(ReadScope? scope, bool async, CancellationToken ct) =>
        Cached(
            scope,
            0,
            static (cache, _) => (cache.ParkedCount is not null, cache.ParkedCount ?? 0),
            static (cache, _, count) => cache.ParkedCount = count,
            async (connection, _) => (int)(await Read(connection, Queries.ParkedCount, [], Rows.Count, async, ct).ConfigureAwait(false))[0],
            async,
            ct);

    /// <summary>
    /// A read through the cache when the store keeps one: answered from it when it holds the answer and no other
    /// connection committed since it was filled, else queried and remembered. The lookup and the query run under the
    /// same connection (for SQLite, the same lock), so nothing can commit between checking the cache and using it.
    /// </summary>
    private ValueTask<T> Cached<TKey, T>(
        ReadScope? scope,
        TKey key,
        Func<ReadCache, TKey, (bool Found, T Value)> lookup,
        Action<ReadCache, TKey, T> remember,
        Func<DbConnection, TKey, ValueTask<T>> query,
        bool async,
        CancellationToken ct) =>
        WithConnection(
            async connection =>
            {
                if (_cache is null)
                {
                    return await query(connection, key).ConfigureAwait(false);
                }
                var cache = Current(connection, scope);
                if (lookup(cache, key) is (true, var hit))
                {
                    return hit;
                }
                var value = await query(connection, key).ConfigureAwait(false);
                remember(cache, key, value);
                return value;
            },
            async,
            ct);

    /// <summary>
    /// The cache, emptied first if another connection committed since it was last checked. Within a
    /// <paramref name="scope"/> (the reads of one decision) it is checked at the first read only: each check costs a
    /// few microseconds, as much as the cached read itself.
    /// </summary>
    private ReadCache Current(DbConnection connection, ReadScope? scope)
    {
        var cache = _cache!;
        if (scope is { Checked: true })
        {
            return cache;
        }
        var version = DataVersion(connection);
        if (version != _cachedVersion)
        {
            cache.Clear();
            _cachedVersion = version;
        }
        if (scope is not null)
        {
            scope.Checked = true;
        }
        return cache;
    }

    /// <summary>Whether the reads of one decision have checked the cache is current (<see cref="Current"/>).</summary>
    private sealed class ReadScope
    {
        public bool Checked { get; set; }
    }

    /// <summary>
    /// The store's reads for one decision: the cache is checked at the first read, and the later reads of the same
    /// decision trust it. They are then as fresh as that first read, which the optimistic versions already allow: reads
    /// outside a transaction were never one snapshot, and a write decided from an older version is a conflict.
    /// </summary>
    private sealed class DecisionReads(SqlLinkageStore store, ReadScope? scope = null) : ILinkageStoreView
    {
        private readonly ReadScope _scope = scope ?? new();

        public int ParkedCount => Sync(store.ParkedCountRead(_scope, false, default));

        public OrderRecord? FindByClientOrderId(ClientOrderId id) => Sync(store.FindByClientOrderId(id, _scope, false, default));

        public OrderRecord? FindByExchangeOrderId(ExchangeOrderId id) => Sync(store.FindByExchangeOrderId(id, _scope, false, default));

        public bool IsFillKeySeen(FillKey key) => Sync(store.IsFillKeySeen(key, _scope, false, default));

        public ImmutableArray<ParkedFill> ParkedFor(ExchangeOrderId id) => Sync(store.ParkedFor(id, _scope, false, default));

        public ExternalOrderRecord? FindExternal(ExchangeOrderId id) => Sync(store.FindExternal(id, _scope, false, default));

        public ImmutableArray<OrderRecord> OpenEntryLots(ProductId product) => Sync(store.OpenOrders(product, IntentKind.Entry, _scope, false, default));

        public ImmutableArray<OrderRecord> ExitsAwaitingAllocation(ProductId product) => Sync(store.OpenOrders(product, IntentKind.Exit, _scope, false, default));

        public ImmutableArray<OrderRecord> TerminalBefore(DateTimeOffset cutoff, int max) => store.TerminalBefore(cutoff, max);
    }

    private async ValueTask<T?> FirstOn<T>(DbConnection connection, Query query, ImmutableArray<Argument> arguments, Func<IRow, T> map, bool async, CancellationToken ct)
        where T : class =>
        (await Read(connection, query, arguments, map, async, ct).ConfigureAwait(false)).FirstOrDefault();


    private ValueTask<ImmutableArray<T>> All<T>(Query query, Func<IRow, T> map, bool async, CancellationToken ct) =>
        Many(query, [], map, async, ct);

    private ValueTask<ImmutableArray<T>> Many<T>(Query query, ImmutableArray<Argument> arguments, Func<IRow, T> map, bool async, CancellationToken ct) =>
        WithConnection(connection => Read(connection, query, arguments, map, async, ct), async, ct);

    private async ValueTask<long> Count(Query query, ImmutableArray<Argument> arguments, bool async, CancellationToken ct) =>
        (await Many(query, arguments, Rows.Count, async, ct).ConfigureAwait(false))[0];
}
