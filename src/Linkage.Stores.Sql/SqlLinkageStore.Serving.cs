using System.Collections.Immutable;
using System.Data.Common;
using Linkage.Engine;

namespace Linkage.Stores.Sql;

/// <summary>The reads of a daemon's API: links page by page in serial order, and everything about one order, from indexes.</summary>
public abstract partial class SqlLinkageStore
{
    /// <inheritdoc />
    /// <remarks>
    /// One indexed query (<c>serial &gt;= after + 1 ORDER BY serial LIMIT limit + 1</c>; the extra row only tells
    /// <see cref="LinkPage.More"/>): SQLite's serial is the link table's integer primary key, PostgreSQL's an identity
    /// column with a unique index, and link-writing transactions there commit in serial order (see the port).
    /// </remarks>
    public LinkPage LinksAfter(long after, int limit) => Sync(LinksAfter(after, limit, false, default));

    /// <inheritdoc cref="LinksAfter(long, int)"/>
    public ValueTask<LinkPage> LinksAfterAsync(long after, int limit, CancellationToken ct = default) => LinksAfter(after, limit, true, ct);

    /// <inheritdoc />
    /// <remarks>
    /// Five indexed queries in one read transaction (SQLite: a deferred transaction; PostgreSQL: repeatable read), so
    /// the order, its links, fills and allocations are one committed state: the order by its key, its links and its
    /// fills by their primary keys' prefixes, its allocations as the exit by the primary key's prefix and as the entry
    /// by the index on the entry.
    /// </remarks>
    public OrderDetail? Detail(ClientOrderId id) => Sync(Detail(id, false, default));

    /// <inheritdoc cref="Detail(ClientOrderId)"/>
    public ValueTask<OrderDetail?> DetailAsync(ClientOrderId id, CancellationToken ct = default) => Detail(id, true, ct);

    /// <summary>
    /// Runs <paramref name="reads"/> (several queries on <paramref name="connection"/>, through <see cref="Read{T}"/>)
    /// so that they all see one committed state, in a read transaction.
    /// </summary>
    private protected abstract ValueTask<T> InOneSnapshot<T>(DbConnection connection, Func<ValueTask<T>> reads, bool async, CancellationToken ct);

    private async ValueTask<LinkPage> LinksAfter(long after, int limit, bool async, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
        if (after == long.MaxValue)
        {
            return new LinkPage([], after, false);
        }
        var rows = await Many(
            Queries.LinksFromSerial,
            [new Argument(Tables.LinkSerial, after + 1), new Argument(Queries.RowLimit, (long)limit + 1)],
            r => (Serial: r.Integer(Tables.LinkSerial.Name) ?? throw new InvalidDataException("a link has no serial"), Link: Rows.Link(r)),
            async,
            ct).ConfigureAwait(false);
        var page = rows.Length > limit ? rows[..limit] : rows;
        return new LinkPage([.. page.Select(r => r.Link)], page.IsEmpty ? after : page[^1].Serial, rows.Length > limit);
    }

    private ValueTask<OrderDetail?> Detail(ClientOrderId id, bool async, CancellationToken ct) =>
        WithConnection(
            connection => InOneSnapshot<OrderDetail?>(
                connection,
                async () =>
                {
                    var order = await FirstOn(connection, Queries.OrderByClientOrderId, [Arg(Tables.Orders, "client_order_id", id.Value)], Rows.Order, async, ct)
                        .ConfigureAwait(false);
                    if (order is null)
                    {
                        return null;
                    }
                    var links = await Read(connection, Queries.LinksOf, [Arg(Tables.Links, "client_order_id", id.Value)], Rows.Link, async, ct).ConfigureAwait(false);
                    var fills = order.ExchangeOrderId is { } exchangeId
                        ? await Read(connection, Queries.FillsOf, [Arg(Tables.Fills, "exchange_order_id", exchangeId.Value)], Rows.Fill, async, ct).ConfigureAwait(false)
                        : [];
                    var asExit = await Read(connection, Queries.AllocationsOfExit, [Arg(Tables.Allocations, "exit_client_order_id", id.Value)], Rows.Allocation, async, ct)
                        .ConfigureAwait(false);
                    var asEntry = await Read(connection, Queries.AllocationsOfEntry, [Arg(Tables.Allocations, "entry_client_order_id", id.Value)], Rows.Allocation, async, ct)
                        .ConfigureAwait(false);

                    // An order is an entry or an exit, so at most one of the two is not empty; merged all the same, in the port's order.
                    ImmutableArray<AllocationRecord> allocations = asEntry.IsEmpty ? asExit : asExit.IsEmpty ? asEntry
                        : [.. asExit.Concat(asEntry).OrderBy(a => a.ExitClientOrderId.Value, StringComparer.Ordinal).ThenBy(a => a.Sequence)];
                    return new OrderDetail(order, links, fills, allocations);
                },
                async,
                ct),
            async,
            ct);
}
