using System.Collections.Immutable;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Linkage.Stores.Sql;

/// <summary>
/// The logical type of a column. Each dialect picks the physical type in its migrations and binds and reads values
/// accordingly; the mapping code above it never sees a driver type.
/// </summary>
internal enum ColumnKind
{
    /// <summary>A string kept verbatim (ids, names, enum names).</summary>
    Text,

    /// <summary>A 64-bit integer.</summary>
    Integer,

    /// <summary>A <see cref="decimal"/> at full precision and scale.</summary>
    Decimal,

    /// <summary>A point in time, exact to the tick (returned in UTC).</summary>
    Time,

    /// <summary>A boolean.</summary>
    Flag,

    /// <summary>A string that may hold any character, NUL included (raw payloads of rejected messages).</summary>
    Payload,
}

/// <summary>A column's name and logical type.</summary>
internal interface IColumn
{
    string Name { get; }

    ColumnKind Kind { get; }
}

/// <summary>
/// A column of a table that stores <typeparamref name="TRecord"/>, with the function that reads its value from a record
/// and, for a column made by <see cref="Column{TRecord}.Of"/>, a test of whether two records store the same value in it
/// that boxes nothing (an update that writes only changed columns asks it of every column).
/// </summary>
internal sealed record Column<TRecord>(string Name, ColumnKind Kind, Func<TRecord, object?> Get) : IColumn
{
    /// <summary>Whether two records store the same value in this column; null for a column made without <see cref="Of"/>.</summary>
    public Func<TRecord, TRecord, bool>? Same { get; private init; }

    /// <summary>A column read by a typed getter, with a <see cref="Same"/> test that boxes nothing.</summary>
    public static Column<TRecord> Of<TValue>(string name, ColumnKind kind, Func<TRecord, TValue> get) =>
        new(name, kind, r => get(r)) { Same = (a, b) => Stored.Same(get(a), get(b)) };
}

/// <summary>Whether two values are stored alike.</summary>
internal static class Stored
{
    /// <summary>Equal, and for a decimal also of the same scale (the databases keep it: <c>1.0</c> and <c>1.00</c> are different text).</summary>
    public static bool Same<TValue>(TValue a, TValue b) =>
        a is decimal x && b is decimal y ? x == y && x.Scale == y.Scale : EqualityComparer<TValue>.Default.Equals(a, b);
}

/// <summary>
/// A column or parameter that no record writes: an identity the database fills to number appended rows, or a query's
/// row limit.
/// </summary>
internal sealed record NamedColumn(string Name, ColumnKind Kind = ColumnKind.Integer) : IColumn;

/// <summary>A table's name, key and the columns written on insert (the database may add generated ones).</summary>
internal interface ITable
{
    string Name { get; }

    /// <summary>The columns that identify a row; <c>UPDATE</c> and <c>DELETE</c> match on them.</summary>
    ImmutableArray<IColumn> Key { get; }

    /// <summary>The columns a statement writes.</summary>
    ImmutableArray<IColumn> Columns { get; }

    /// <summary>Columns that, once set, may never change or be cleared again (an order's exchange order id is bound forever).</summary>
    ImmutableArray<IColumn> SetOnce { get; }

    /// <summary>A written or generated column by name.</summary>
    IColumn Column(string name);

    /// <summary>The values of <paramref name="record"/> (a record this table stores) in the columns of <paramref name="only"/> (0: every column), in column order.</summary>
    ImmutableArray<Argument> Arguments(object record, ulong only);
}

/// <summary>
/// A table that stores one record type. The column list and the record's getters live together here so a column added
/// to a migration is added to the insert, the update and the binding in one place.
/// </summary>
internal sealed class Table<TRecord> : ITable
{
    /// <summary>A table keyed by some of its written columns.</summary>
    public Table(string name, ImmutableArray<string> key, ImmutableArray<Column<TRecord>> columns, ImmutableArray<string> setOnce = default)
    {
        Name = name;
        Typed = columns;
        Columns = [.. columns.Cast<IColumn>()];
        Key = [.. key.Select(Column)];
        SetOnce = setOnce.IsDefault ? [] : [.. setOnce.Select(Column)];
    }

    /// <summary>An append-only table whose rows the database numbers in <paramref name="generated"/>.</summary>
    public Table(string name, NamedColumn generated, ImmutableArray<Column<TRecord>> columns)
    {
        Name = name;
        Typed = columns;
        Columns = [.. columns.Cast<IColumn>()];
        Key = [generated];
        SetOnce = [];
    }

    public string Name { get; }

    public ImmutableArray<IColumn> Key { get; }

    public ImmutableArray<IColumn> Columns { get; }

    public ImmutableArray<IColumn> SetOnce { get; }

    public ImmutableArray<Column<TRecord>> Typed { get; }

    public IColumn Column(string name) =>
        Columns.Concat(Key).FirstOrDefault(c => c.Name == name)
        ?? throw new ArgumentException($"{Name} has no column {name}", nameof(name));

    /// <summary>The record's values, in column order, as the statement's arguments.</summary>
    public ImmutableArray<Argument> Arguments(TRecord record)
    {
        var arguments = new Argument[Typed.Length];
        for (var i = 0; i < arguments.Length; i++)
        {
            arguments[i] = new(Typed[i], Typed[i].Get(record));
        }
        return ImmutableCollectionsMarshal.AsImmutableArray(arguments);
    }

    /// <inheritdoc />
    public ImmutableArray<Argument> Arguments(object record, ulong only)
    {
        var typed = (TRecord)record;
        return [.. Typed.Where((_, i) => only == 0 || (only & (1UL << i)) != 0).Select(c => new Argument(c, c.Get(typed)))];
    }

    /// <summary>
    /// The arguments of an update from <paramref name="previous"/> to <paramref name="next"/>: the key columns and every
    /// column whose stored value differs, in column order, with the mask of their positions (see <see cref="Statement.Only"/>).
    /// A decimal differs when its scale does (the databases keep it), a time when its instant does.
    /// </summary>
    public (ulong Only, ImmutableArray<Argument> Arguments) Changes(TRecord previous, TRecord next)
    {
        if (Typed.Length > 64)
        {
            throw new InvalidOperationException($"{Name} has more columns than a change mask holds");
        }
        var only = 0UL;
        for (var i = 0; i < Typed.Length; i++)
        {
            var column = Typed[i];
            var same = column.Same is { } test ? test(previous, next) : Stored.Same(column.Get(previous), column.Get(next));
            if (!same || Key.Contains(column))
            {
                only |= 1UL << i;
            }
        }
        var arguments = new Argument[BitOperations.PopCount(only)];
        for (int i = 0, n = 0; i < Typed.Length; i++)
        {
            if ((only & (1UL << i)) != 0)
            {
                arguments[n++] = new(Typed[i], Typed[i].Get(next));
            }
        }
        return (only, ImmutableCollectionsMarshal.AsImmutableArray(arguments));
    }
}

/// <summary>A value bound to a named parameter (the parameter is named after the column it fills or compares with).</summary>
internal readonly record struct Argument(IColumn Column, object? Value);
