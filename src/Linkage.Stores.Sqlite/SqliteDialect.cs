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

/// <summary>A row of a SQLite result, read by column name (the names are looked up once per result).</summary>
internal sealed class SqliteRow : IRow
{
    private readonly SqliteDataReader _reader;
    private readonly Dictionary<string, int> _ordinals = new(StringComparer.Ordinal);

    public SqliteRow(SqliteDataReader reader)
    {
        _reader = reader;
        for (var i = 0; i < reader.FieldCount; i++)
        {
            _ordinals[reader.GetName(i)] = i;
        }
    }

    public string? Text(string column) => IsNull(column, out var i) ? null : _reader.GetString(i);

    public long? Integer(string column) => IsNull(column, out var i) ? null : _reader.GetInt64(i);

    public decimal? Decimal(string column) => IsNull(column, out var i) ? null : Invariant.ParseDecimal(_reader.GetString(i));

    public DateTimeOffset? Time(string column) => IsNull(column, out var i) ? null : new DateTimeOffset(_reader.GetInt64(i), TimeSpan.Zero);

    public bool Flag(string column) => Integer(column) is { } value ? value != 0 : throw new InvalidDataException($"flag {column} is null");

    public string? Payload(string column) => Text(column);

    private bool IsNull(string column, out int ordinal)
    {
        ordinal = _ordinals[column];
        return _reader.IsDBNull(ordinal);
    }
}
