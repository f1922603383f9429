using System.Collections.Immutable;
using Linkage.Engine;

namespace Linkage.Stores.Sql;

/// <summary>What a statement does to its table; the dialect renders the SQL text once per statement.</summary>
internal enum StatementKind
{
    /// <summary><c>INSERT ... ON CONFLICT DO NOTHING</c>: a row that exists already inserts nothing (0 rows, a conflict).</summary>
    Insert,

    /// <summary>A plain <c>INSERT</c> into an append-only table whose rows the database numbers.</summary>
    Append,

    /// <summary><c>UPDATE ... WHERE key AND version = @version - 1</c>: 0 rows means another writer got there first.</summary>
    UpdateVersioned,

    /// <summary><c>DELETE ... WHERE key</c>: 0 rows means another writer deleted it first.</summary>
    Delete,

    /// <summary>
    /// <c>UPDATE ... WHERE key AND version = @expected_version</c>: a chain of versioned updates of one row written as one
    /// (<see cref="MultiRowPlan"/>); its last argument is <see cref="MultiRowPlan.ExpectedVersion"/>. 0 rows means
    /// another writer got there first.
    /// </summary>
    UpdateFromVersion,
}

/// <summary>
/// A statement shape: one kind of write to one table. <see cref="Only"/>, for an update, is the bit mask of the table's
/// columns it writes (bit <c>i</c> is <c>Columns[i]</c>; the key and <c>version</c> are always among them), or 0 for
/// every column.
/// </summary>
internal sealed record Statement(StatementKind Kind, ITable Table, ulong Only = 0);

/// <summary>
/// One statement to run with its arguments. When <see cref="ConflictUnlessOneRow"/> is set, the statement must touch
/// exactly one row; any other count makes the whole batch a <see cref="ApplyStatus.Conflict"/> with the detail it
/// writes about <see cref="Subject"/>. The detail is written only then: formatting it for every statement was a
/// measurable share of a group commit.
/// </summary>
internal sealed record StoreCommand(Statement Statement, ImmutableArray<Argument> Arguments, object? Subject, Func<object, string>? ConflictUnlessOneRow)
{
    /// <summary>The conflict this row count means, or null when the statement did what the batch needs.</summary>
    public string? Conflict(int rowsAffected) => ConflictUnlessOneRow is not null && rowsAffected != 1 ? ConflictUnlessOneRow(Subject!) : null;

    /// <summary>The row the statement writes: its table and key values (joined by a unit separator); null for an append, whose row the database numbers.</summary>
    public (string Table, string Key)? Row =>
        Statement.Kind == StatementKind.Append
            ? null
            : (Statement.Table.Name, string.Join('\u001f', Statement.Table.Key.Select(k =>
                Convert.ToString(Arguments.First(a => ReferenceEquals(a.Column, k)).Value, System.Globalization.CultureInfo.InvariantCulture))));
}

/// <summary>
/// Turns a decision batch into the statements that write it, in decision order, each with the row count that proves no
/// other writer interfered. Running them in order inside one transaction is the store's whole write path, so the same
/// plan gives SQLite and PostgreSQL the same semantics as the reference store: a decision that finds its order at another
/// version, a key already present or a parked fill already gone makes the batch a conflict and nothing of it is kept.
/// </summary>
/// <remarks>
/// An order update writes only the columns that changed when the order's previous committed state is known
/// (<c>committed</c>: the store's read cache, or the state an earlier batch of the same group writes): a fill changes 9
/// of its 45 columns, and the indexes on unchanged columns need no maintenance. That is exact because the update still
/// applies only over version <c>Version - 1</c>, and a committed version number has exactly one content. A state of an
/// earlier batch of the group qualifies only because a batch writing a row an earlier batch of the group wrote is not
/// run when that batch does not apply: otherwise another writer's row at the same version would get part of the change.
/// </remarks>
internal static class BatchPlan
{
    public static ImmutableArray<StoreCommand> For(DecisionBatch batch, Func<ClientOrderId, OrderRecord?>? committed = null)
    {
        // Within one batch every statement runs only if the ones before it applied, so an order's earlier state in the
        // same batch is as good as committed for the next update of it.
        Dictionary<string, OrderRecord>? earlier = null;
        OrderRecord? Previous(ClientOrderId id) =>
            earlier is not null && earlier.TryGetValue(id.Value, out var order) ? order : committed?.Invoke(id);
        StoreCommand UpdateOrder(OrderRecord order)
        {
            var command = BatchPlan.UpdateOrder(order, Previous(order.ClientOrderId));
            (earlier ??= new(StringComparer.Ordinal))[order.ClientOrderId.Value] = order;
            return command;
        }

        var commands = ImmutableArray.CreateBuilder<StoreCommand>();
        foreach (var decision in batch.Decisions)
        {
            switch (decision)
            {
                case IntentStaged d:
                    commands.Add(Insert(Tables.Orders, d.Order, static o => $"order {((OrderRecord)o).ClientOrderId} is already staged"));
                    (earlier ??= new(StringComparer.Ordinal))[d.Order.ClientOrderId.Value] = d.Order;
                    break;
                case ExitAllocated d:
                    commands.Add(UpdateOrder(d.Order));
                    commands.Add(UpdateOrder(d.Entry));
                    commands.Add(Insert(Tables.Allocations, d.Allocation, static a => $"allocation {((AllocationRecord)a).ExitClientOrderId}#{((AllocationRecord)a).Sequence} exists already"));
                    break;
                case Linked d:
                    commands.Add(UpdateOrder(d.Order));
                    commands.Add(Insert(Tables.Links, d.Link, static l => $"link {((LinkRecord)l).ClientOrderId}#{((LinkRecord)l).Sequence} exists already"));
                    break;
                case OrderDecision d:
                    commands.Add(UpdateOrder(d.Order));
                    break;
                case FillRecorded d:
                    commands.Add(Insert(Tables.Fills, d.Fill, static f => $"fill {((FillRecord)f).Fill.Key} is recorded already"));
                    break;
                case FillParked d:
                    commands.Add(Insert(Tables.Parked, d.Fill, static p => $"fill {((ParkedFill)p).ExchangeOrderId}/{((ParkedFill)p).Key} is parked already"));
                    break;
                case FillUnparked d:
                    commands.Add(new StoreCommand(
                        new Statement(StatementKind.Delete, Tables.Parked),
                        [new(Tables.Parked.Column("exchange_order_id"), d.ExchangeOrderId.Value), new(Tables.Parked.Column("parked_key"), d.Key)],
                        d,
                        static u => $"parked fill {((FillUnparked)u).ExchangeOrderId}/{((FillUnparked)u).Key} was taken out already"));
                    break;
                case ExternalRecorded { Order.Version: 1 } d:
                    commands.Add(Insert(Tables.External, d.Order, static e => $"external order {((ExternalOrderRecord)e).ExchangeOrderId} is recorded already"));
                    break;
                case ExternalRecorded d:
                    commands.Add(Update(Tables.External, d.Order, static e => $"external order {((ExternalOrderRecord)e).ExchangeOrderId} is no longer at version {((ExternalOrderRecord)e).Version - 1}"));
                    break;
                case InputRejected d:
                    commands.Add(Append(Tables.Quarantine, d.Record));
                    break;
                case AlertRaised d:
                    commands.Add(Append(Tables.Alerts, d.Alert));
                    break;
                default:
                    // DuplicateIgnored writes nothing, like every decision that is not a write.
                    break;
            }
        }
        return commands.ToImmutable();
    }

    /// <summary>Every order state the batch writes, in decision order (an order written twice appears twice, last state last).</summary>
    public static IEnumerable<OrderRecord> OrdersWritten(DecisionBatch batch)
    {
        foreach (var decision in batch.Decisions)
        {
            switch (decision)
            {
                case ExitAllocated d:
                    yield return d.Order;
                    yield return d.Entry;
                    break;
                case OrderDecision d:
                    yield return d.Order;
                    break;
                default:
                    break;
            }
        }
    }

    private static StoreCommand UpdateOrder(OrderRecord order, OrderRecord? previous)
    {
        if (previous is null || previous.Version != order.Version - 1)
        {
            return Update(Tables.Orders, order, OrderMoved);
        }
        var (only, arguments) = Tables.Orders.Changes(previous, order);
        return new(new Statement(StatementKind.UpdateVersioned, Tables.Orders, only), arguments, order, OrderMoved);
    }

    private static string OrderMoved(object order) =>
        $"order {((OrderRecord)order).ClientOrderId} is no longer at version {((OrderRecord)order).Version - 1}, or is bound to another exchange order";

    private static StoreCommand Insert<T>(Table<T> table, T record, Func<object, string> conflict)
        where T : notnull =>
        new(new Statement(StatementKind.Insert, table), table.Arguments(record), record, conflict);

    private static StoreCommand Update<T>(Table<T> table, T record, Func<object, string> conflict)
        where T : notnull =>
        new(new Statement(StatementKind.UpdateVersioned, table), table.Arguments(record), record, conflict);

    private static StoreCommand Append<T>(Table<T> table, T record) => new(new Statement(StatementKind.Append, table), table.Arguments(record), null, null);
}
