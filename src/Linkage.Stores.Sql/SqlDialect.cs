using System.Collections.Concurrent;

namespace Linkage.Stores.Sql;

/// <summary>
/// Renders statements and queries as SQL text for one database. The SQL both databases share (<c>ON CONFLICT DO
/// NOTHING</c>, <c>LIMIT</c>, named <c>@parameters</c>) is written here once; a dialect says only how a logical column
/// is laid out physically and how text is collated. Every parameter is named after the physical column it fills or
/// compares with. Rendered text is cached, so each statement is rendered once per dialect.
/// Thread safety: safe for concurrent use.
/// </summary>
internal abstract class SqlDialect
{
    private readonly ConcurrentDictionary<object, string> _rendered = new();

    /// <summary>The collation that orders text byte-wise (ordinal for ASCII ids).</summary>
    protected abstract string BinaryCollation { get; }

    /// <summary>The test that a flag column is set (<paramref name="set"/>) or clear, with no parameter.</summary>
    protected abstract string Flag(string column, bool set);

    /// <summary>The physical columns that hold a logical one (one, unless the database needs more to be exact).</summary>
    public virtual IReadOnlyList<string> Physical(IColumn column) => [column.Name];

    public string Render(Statement statement) => _rendered.GetOrAdd(statement, _ => RenderNew(statement));

    public string Render(Query query) => _rendered.GetOrAdd(query, _ => RenderNew(query));

    private string RenderNew(Statement s)
    {
        var table = s.Table;
        var written = table.Columns.SelectMany(Physical).ToList();
        var keyMatch = string.Join(" AND ", table.Key.SelectMany(Physical).Select(c => $"{c} = @{c}"));
        switch (s.Kind)
        {
            case StatementKind.Insert:
            case StatementKind.Append:
                var insert = $"INSERT INTO {table.Name} ({string.Join(", ", written)}) VALUES ({string.Join(", ", written.Select(c => "@" + c))})";
                return s.Kind == StatementKind.Insert ? insert + " ON CONFLICT DO NOTHING" : insert;
            case StatementKind.UpdateVersioned:
            case StatementKind.UpdateFromVersion:
                var keys = table.Key.SelectMany(Physical).ToHashSet(StringComparer.Ordinal);
                var updated = table.Columns.Where((_, i) => s.Only == 0 || (s.Only & (1UL << i)) != 0).ToList();
                var set = string.Join(", ", updated.SelectMany(Physical).Where(c => !keys.Contains(c)).Select(c => $"{c} = @{c}"));

                // A set-once column the update does not write keeps its value, so only a written one needs the guard.
                var setOnce = string.Concat(table.SetOnce.Where(updated.Contains).SelectMany(Physical).Select(c => $" AND ({c} IS NULL OR {c} = @{c})"));
                _ = table.Column("version");
                var expected = s.Kind == StatementKind.UpdateFromVersion ? "@" + MultiRowPlan.ExpectedVersion.Name : "@version - 1";
                return $"UPDATE {table.Name} SET {set} WHERE {keyMatch} AND version = {expected}{setOnce}";
            case StatementKind.Delete:
                return $"DELETE FROM {table.Name} WHERE {keyMatch}";
            default:
                throw new ArgumentOutOfRangeException(nameof(s), s.Kind, "unknown statement kind");
        }
    }

    private string RenderNew(Query q)
    {
        var columns = q.Count ? "COUNT(*) AS n" : q.Select.IsDefaultOrEmpty ? "*" : string.Join(", ", q.Select.SelectMany(Physical));
        var sql = $"SELECT {columns} FROM {q.Table.Name}";
        if (q.Where.Length > 0)
        {
            sql += " WHERE " + string.Join(" AND ", q.Where.Select(Condition));
        }
        if (q.OrderBy.Length > 0)
        {
            sql += " ORDER BY " + string.Join(", ", q.OrderBy.SelectMany(Order));
        }
        return q.Limited ? $"{sql} LIMIT @{Queries.RowLimit.Name}" : sql;
    }

    private string Condition(Condition c)
    {
        if (c.Comparison is Comparison.IsSet or Comparison.IsClear)
        {
            return Flag(c.Column.Name, c.Comparison == Comparison.IsSet);
        }
        var columns = Physical(c.Column);
        var op = c.Comparison switch
        {
            Comparison.Equal => "=",
            Comparison.AtOrBefore => "<=",
            _ => ">=",
        };
        if (columns.Count == 1)
        {
            return $"{columns[0]} {op} @{columns[0]}";
        }
        var row = $"({string.Join(", ", columns)}) {op} ({string.Join(", ", columns.Select(p => "@" + p))})";
        // A row comparison alone does not tell PostgreSQL's planner that the first column is not null, so a partial index
        // WHERE first IS NOT NULL (the retention index) was never used and every tick scanned every order. The first
        // column's own bound (implied by the row comparison, so the result is the same) lets it prove the predicate.
        return c.Comparison == Comparison.Equal ? row : $"{columns[0]} {op} @{columns[0]} AND {row}";
    }

    private IEnumerable<string> Order(IColumn column) =>
        Physical(column).Select(p => column.Kind == ColumnKind.Text ? $"{p} COLLATE {BinaryCollation}" : p);
}
