using System.Collections.Immutable;
using System.Text;
using Linkage.Stores.Sql;
using Npgsql;
using NpgsqlTypes;

namespace Linkage.Stores.Postgres;

/// <summary>
/// PostgreSQL's side of the shared SQL: text compares byte-wise with <c>COLLATE "C"</c>; decimals are <c>numeric</c>;
/// a time is a <c>timestamptz</c> (microseconds) plus a <c>_ns100</c> column with the tick digit below a microsecond,
/// so times round-trip exactly (see <c>Migrations/0001_initial.sql</c>).
/// </summary>
internal sealed class PostgresDialect : SqlDialect
{
    public const string SubMicrosecondSuffix = "_ns100";

    protected override string BinaryCollation => "\"C\"";

    // Spelled as the partial indexes' WHERE clauses are (Migrations/0001_initial.sql), so even a generic plan uses them.
    protected override string Flag(string column, bool set) => set ? column : $"NOT {column}";

    public override IReadOnlyList<string> Physical(IColumn column) =>
        column.Kind == ColumnKind.Time ? [column.Name, column.Name + SubMicrosecondSuffix] : [column.Name];

    /// <summary>The parameters that carry <paramref name="argument"/> (two for a time).</summary>
    public static IEnumerable<NpgsqlParameter> Parameters(Argument argument)
    {
        var name = argument.Column.Name;
        switch (argument.Column.Kind)
        {
            case ColumnKind.Time:
                var ticks = ((DateTimeOffset?)argument.Value)?.UtcTicks;

                // Truncate to the microsecond here, so the driver never rounds, and keep the tick digit it would drop.
                yield return Parameter(name, NpgsqlDbType.TimestampTz, ticks is { } t ? new DateTime(t - (t % 10), DateTimeKind.Utc) : null);
                yield return Parameter(name + SubMicrosecondSuffix, NpgsqlDbType.Smallint, ticks is { } u ? (short)(u % 10) : null);
                break;
            case ColumnKind.Integer:
                yield return Parameter(name, NpgsqlDbType.Bigint, argument.Value is null ? null : Convert.ToInt64(argument.Value, System.Globalization.CultureInfo.InvariantCulture));
                break;
            case ColumnKind.Decimal:
                yield return Parameter(name, NpgsqlDbType.Numeric, argument.Value);
                break;
            case ColumnKind.Flag:
                yield return Parameter(name, NpgsqlDbType.Boolean, argument.Value);
                break;
            case ColumnKind.Payload:
                yield return Parameter(name, NpgsqlDbType.Bytea, argument.Value is string text ? Encoding.UTF8.GetBytes(text) : null);
                break;
            default:
                yield return Parameter(name, NpgsqlDbType.Text, argument.Value);
                break;
        }
    }

    private static NpgsqlParameter Parameter(string name, NpgsqlDbType type, object? value) =>
        new(name, type) { Value = value ?? DBNull.Value };

    /// <summary>
    /// The multi-row form of a statement: every column's values as one array parameter (positional, in the statement's
    /// column order, a time as its two physical columns), turned back into rows by <c>unnest</c>.
    /// An insert is <c>INSERT ... SELECT * FROM unnest(...) ON CONFLICT DO NOTHING</c>; a versioned update joins the rows
    /// on the key and on <c>version = expected_version</c> (the version each row must be at, which a chain of updates
    /// of one row carries from its first update), with the set-once guard of the single-row form.
    /// </summary>
    public NpgsqlBatchCommand MultiRow(MultiRowStatement statement)
    {
        var s = statement.Statement;
        var columns = s.Kind == StatementKind.Insert
            ? s.Table.Columns
            : [.. s.Table.Columns.Where((_, i) => s.Only == 0 || (s.Only & (1UL << i)) != 0)];
        var command = new NpgsqlBatchCommand(_multiRow.GetOrAdd(s, _ => RenderMultiRow(s, columns)));
        if (s.Kind == StatementKind.UpdateVersioned)
        {
            command.Parameters.Add(new NpgsqlParameter { NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bigint, Value = statement.Rows.Select(r => r.ExpectedVersion).ToArray() });
        }
        for (var c = 0; c < columns.Length; c++)
        {
            var column = columns[c];
            var values = statement.Rows.Select(r => r.Arguments[c].Value).ToArray();
            if (!ReferenceEquals(statement.Rows[0].Arguments[c].Column, column))
            {
                throw new InvalidOperationException($"a multi-row write to {s.Table.Name} has {statement.Rows[0].Arguments[c].Column.Name} where {column.Name} belongs");
            }
            foreach (var parameter in ArrayParameters(column, values))
            {
                command.Parameters.Add(parameter);
            }
        }
        return command;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<Statement, string> _multiRow = new();

    private string RenderMultiRow(Statement s, ImmutableArray<IColumn> columns)
    {
        var physical = columns.SelectMany(Physical).ToList();
        var versioned = s.Kind == StatementKind.UpdateVersioned;
        var rowColumns = versioned ? ["expected_version", .. physical] : physical;
        var arrays = string.Join(", ", rowColumns.Select((_, i) => "$" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        if (!versioned)
        {
            return $"INSERT INTO {s.Table.Name} ({string.Join(", ", physical)}) SELECT * FROM unnest({arrays}) ON CONFLICT DO NOTHING";
        }
        var keys = s.Table.Key.SelectMany(Physical).ToHashSet(StringComparer.Ordinal);
        var set = string.Join(", ", physical.Where(c => !keys.Contains(c)).Select(c => $"{c} = u.{c}"));
        var match = string.Join(" AND ", keys.Select(k => $"t.{k} = u.{k}"));
        var setOnce = string.Concat(s.Table.SetOnce.Where(columns.Contains).SelectMany(Physical).Select(c => $" AND (t.{c} IS NULL OR t.{c} = u.{c})"));
        return $"UPDATE {s.Table.Name} AS t SET {set} FROM unnest({arrays}) AS u ({string.Join(", ", rowColumns)}) WHERE {match} AND t.version = u.expected_version{setOnce}";
    }

    /// <summary>One column's values across the rows as typed arrays (two for a time), converted as <see cref="Parameters"/> converts one value.</summary>
    private static IEnumerable<NpgsqlParameter> ArrayParameters(IColumn column, object?[] values)
    {
        switch (column.Kind)
        {
            case ColumnKind.Time:
                var ticks = values.Select(v => ((DateTimeOffset?)v)?.UtcTicks).ToArray();
                yield return Array(NpgsqlDbType.TimestampTz, ticks.Select(t => t is { } u ? new DateTime(u - (u % 10), DateTimeKind.Utc) : (DateTime?)null).ToArray());
                yield return Array(NpgsqlDbType.Smallint, ticks.Select(t => t is { } u ? (short)(u % 10) : (short?)null).ToArray());
                break;
            case ColumnKind.Integer:
                yield return Array(NpgsqlDbType.Bigint, values.Select(v => v is null ? (long?)null : Convert.ToInt64(v, System.Globalization.CultureInfo.InvariantCulture)).ToArray());
                break;
            case ColumnKind.Decimal:
                yield return Array(NpgsqlDbType.Numeric, values.Select(v => (decimal?)v).ToArray());
                break;
            case ColumnKind.Flag:
                yield return Array(NpgsqlDbType.Boolean, values.Select(v => (bool?)v).ToArray());
                break;
            case ColumnKind.Payload:
                yield return Array(NpgsqlDbType.Bytea, values.Select(v => v is string text ? Encoding.UTF8.GetBytes(text) : null).ToArray());
                break;
            default:
                yield return Array(NpgsqlDbType.Text, values.Select(v => (string?)v).ToArray());
                break;
        }
    }

    private static NpgsqlParameter Array(NpgsqlDbType element, object values) =>
        new() { NpgsqlDbType = NpgsqlDbType.Array | element, Value = values };
}

/// <summary>A row of a PostgreSQL result: decimals are <c>numeric</c>, times <c>timestamptz</c> plus their tick digit, payloads UTF-8 <c>bytea</c>.</summary>
internal sealed class PostgresRow(NpgsqlDataReader reader) : DbRow(reader)
{
    public override decimal? Decimal(string column) => IsNull(column, out var i) ? null : Reader.GetDecimal(i);

    public override DateTimeOffset? Time(string column)
    {
        if (IsNull(column, out var i))
        {
            return null;
        }
        var microseconds = Reader.GetFieldValue<DateTime>(i);
        var tick = IsNull(column + PostgresDialect.SubMicrosecondSuffix, out var j) ? 0 : Reader.GetInt16(j);
        return new DateTimeOffset(microseconds.Ticks + tick, TimeSpan.Zero);
    }

    public override string? Payload(string column) => IsNull(column, out var i) ? null : Encoding.UTF8.GetString(Reader.GetFieldValue<byte[]>(i));
}
