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
