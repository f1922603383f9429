using Linkage.Stores.Sql;
using Microsoft.Data.Sqlite;

namespace Linkage.Stores.Sqlite;

/// <summary>
/// SQLite's side of the shared SQL: text compares byte-wise with <c>COLLATE BINARY</c>; decimals travel as invariant
/// text and times as UTC ticks (see <c>Migrations/0001_initial.sql</c> for why).
/// </summary>
internal sealed class SqliteDialect : SqlDialect
{
    protected override string BinaryCollation => "BINARY";

    // Spelled as the partial indexes' WHERE clauses are (Migrations/0001_initial.sql), so the planner matches them.
    protected override string Flag(string column, bool set) => $"{column} = {(set ? 1 : 0)}";

    public static SqliteType TypeOf(ColumnKind kind) => kind switch
    {
        ColumnKind.Integer or ColumnKind.Time or ColumnKind.Flag => SqliteType.Integer,
        _ => SqliteType.Text,
    };

    /// <summary>The value as SQLite stores it.</summary>
    public static object ToDatabase(Argument argument) => argument.Value switch
    {
        null => DBNull.Value,
        decimal d => Invariant.Format(d),
        DateTimeOffset t => t.UtcTicks,
        bool b => b ? 1L : 0L,
        int i => (long)i,
        var other => other,
    };
}

/// <summary>A row of a SQLite result: decimals are invariant text, times UTC ticks, payloads text.</summary>
internal sealed class SqliteRow(SqliteDataReader reader, Dictionary<string, int> ordinals) : DbRow(reader, ordinals)
{
    public override decimal? Decimal(string column) => IsNull(column, out var i) ? null : Invariant.ParseDecimal(Reader.GetString(i));

    public override DateTimeOffset? Time(string column) => IsNull(column, out var i) ? null : new DateTimeOffset(Reader.GetInt64(i), TimeSpan.Zero);

    public override string? Payload(string column) => Text(column);
}
