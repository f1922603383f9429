using System.Collections.Immutable;

namespace Linkage.Stores.Sql;

/// <summary>How a condition compares a column with the parameter of the same name.</summary>
internal enum Comparison
{
    Equal,
    AtOrBefore,
    AtOrAfter,

    /// <summary>A flag column is set: written as a constant, not a parameter, so the database can use a partial index on it.</summary>
    IsSet,

    /// <summary>A flag column is clear (a constant, like <see cref="IsSet"/>).</summary>
    IsClear,
}

/// <summary>A condition <c>column (=|&lt;=) @column</c>, or a flag's constant test.</summary>
internal sealed record Condition(IColumn Column, Comparison Comparison);

/// <summary>
/// A read: rows of one table matching every condition, in the given order, optionally limited by the
/// <see cref="Queries.RowLimit"/> argument, or just their count (<c>COUNT(*) AS n</c>); every column unless
/// <see cref="Select"/> names some.
/// </summary>
internal sealed record Query(
    ITable Table, ImmutableArray<Condition> Where, ImmutableArray<IColumn> OrderBy, bool Limited = false, bool Count = false, ImmutableArray<IColumn> Select = default);

/// <summary>
/// Every read of the store port, with the stable order the port documents for it. Text keys are ordered byte-wise
/// (the dialect adds <c>COLLATE</c>), which for the ASCII ids the engine uses is the ordinal order of the reference store.
/// </summary>
internal static class Queries
{
    /// <summary>The parameter that carries a query's row limit.</summary>
    public static readonly NamedColumn RowLimit = new("row_limit");

    public static readonly Query OrderByClientOrderId = Find(Tables.Orders, "client_order_id");
    public static readonly Query OrderByExchangeOrderId = Find(Tables.Orders, "exchange_order_id");
    public static readonly Query ExternalByExchangeOrderId = Find(Tables.External, "exchange_order_id");

    public static readonly Query FillKeyCount = new(
        Tables.Fills, Equal(Tables.Fills, "exchange_order_id", "source", "fill_key"), [], Count: true);

    /// <summary>The keys of every fill of one exchange order (the read cache loads them together).</summary>
    public static readonly Query FillKeysOf = new(
        Tables.Fills, Equal(Tables.Fills, "exchange_order_id"), [], Select: Columns(Tables.Fills, "source", "fill_key"));

    public static readonly Query ParkedFor = new(
        Tables.Parked, Equal(Tables.Parked, "exchange_order_id"), Columns(Tables.Parked, "parked_at", "parked_key"));

    public static readonly Query ParkedCount = new(Tables.Parked, [], [], Count: true);

    /// <summary>Orders of a product and kind with a positive open quantity: entry lots, or exits awaiting allocation.</summary>
    public static readonly Query OpenOrders = new(
        Tables.Orders,
        [.. Equal(Tables.Orders, "product_id", "kind"), new(Tables.Orders.Column("has_open"), Comparison.IsSet)],
        Columns(Tables.Orders, "staged_at", "client_order_id"));

    public static readonly Query TerminalBefore = new(
        Tables.Orders,
        [new(Tables.Orders.Column("terminal_at"), Comparison.AtOrBefore), new(Tables.Orders.Column("intent_purged"), Comparison.IsClear)],
        Columns(Tables.Orders, "terminal_at", "client_order_id"),
        Limited: true);

    /// <summary>The host's orders in flight, from the partial index on <c>in_flight</c>.</summary>
    public static readonly Query InFlightOrders = new(
        Tables.Orders, [new(Tables.Orders.Column("in_flight"), Comparison.IsSet)], Columns(Tables.Orders, "client_order_id"));

    /// <summary>
    /// Orders terminal at or after a time whose intent is not purged, from the retention index (the caller orders them by
    /// client order id). A purged order turned terminal more than a day ago; the host asks about the last hour.
    /// </summary>
    public static readonly Query TerminalSince = new(
        Tables.Orders,
        [new(Tables.Orders.Column("terminal_at"), Comparison.AtOrAfter), new(Tables.Orders.Column("intent_purged"), Comparison.IsClear)],
        Columns(Tables.Orders, "terminal_at", "client_order_id"));

    /// <summary>The exchange order id of every parked fill, by exchange order id (the caller keeps each once).</summary>
    public static readonly Query ParkedOrderIds = new(
        Tables.Parked, [], Columns(Tables.Parked, "exchange_order_id", "parked_key"), Select: Columns(Tables.Parked, "exchange_order_id"));

    /// <summary>Links from a serial on (<c>serial &gt;= @serial</c>: the cursor plus one), in serial order, limited.</summary>
    public static readonly Query LinksFromSerial = new(
        Tables.Links, [new(Tables.LinkSerial, Comparison.AtOrAfter)], [Tables.LinkSerial], Limited: true);

    /// <summary>One order's links, by sequence (the primary key's prefix).</summary>
    public static readonly Query LinksOf = new(Tables.Links, Equal(Tables.Links, "client_order_id"), Columns(Tables.Links, "sequence_no"));

    /// <summary>The fills of one exchange order, by source, then key (the primary key's prefix).</summary>
    public static readonly Query FillsOf = new(Tables.Fills, Equal(Tables.Fills, "exchange_order_id"), Columns(Tables.Fills, "source", "fill_key"));

    /// <summary>The allocations of one exit, by sequence (the primary key's prefix).</summary>
    public static readonly Query AllocationsOfExit = new(
        Tables.Allocations, Equal(Tables.Allocations, "exit_client_order_id"), Columns(Tables.Allocations, "sequence_no"));

    /// <summary>The allocations that close one entry lot, by exit, then sequence (from the index on the entry, migration 0004 on SQLite, 0005 on PostgreSQL).</summary>
    public static readonly Query AllocationsOfEntry = new(
        Tables.Allocations, Equal(Tables.Allocations, "entry_client_order_id"), Columns(Tables.Allocations, "exit_client_order_id", "sequence_no"));

    public static readonly Query AllOrders = All(Tables.Orders, "staged_at", "client_order_id");
    public static readonly Query AllLinks = All(Tables.Links, "client_order_id", "sequence_no");
    public static readonly Query AllFills = All(Tables.Fills, "exchange_order_id", "source", "fill_key");
    public static readonly Query AllAllocations = All(Tables.Allocations, "exit_client_order_id", "sequence_no");
    public static readonly Query AllParked = All(Tables.Parked, "exchange_order_id", "parked_key");
    public static readonly Query AllExternal = All(Tables.External, "exchange_order_id");
    public static readonly Query AllQuarantine = All(Tables.Quarantine, "id");
    public static readonly Query AllAlerts = All(Tables.Alerts, "id");

    private static Query Find(ITable table, string column) => new(table, Equal(table, column), []);

    private static Query All(ITable table, params string[] orderBy) => new(table, [], Columns(table, orderBy));

    private static ImmutableArray<Condition> Equal(ITable table, params string[] columns) =>
        [.. columns.Select(c => new Condition(table.Column(c), Comparison.Equal))];

    private static ImmutableArray<IColumn> Columns(ITable table, params string[] columns) => [.. columns.Select(table.Column)];
}
