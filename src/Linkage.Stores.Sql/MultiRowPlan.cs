using System.Collections.Immutable;
using System.Globalization;

namespace Linkage.Stores.Sql;

/// <summary>One row of a multi-row statement: its arguments (the statement's columns, in column order) and, for a versioned update, the version the row must be at.</summary>
internal readonly record struct MultiRow(ImmutableArray<Argument> Arguments, long ExpectedVersion);

/// <summary>Rows of one statement shape, written by one statement; every row must be touched exactly once.</summary>
internal sealed record MultiRowStatement(Statement Statement, ImmutableArray<MultiRow> Rows);

/// <summary>
/// A group commit's statements merged into one statement per shape (<see cref="Merged"/>), plus the appends, which keep
/// their own statements and their order (<see cref="Appends"/>): a database that runs a multi-row statement for about
/// the price of a single row (PostgreSQL, through arrays) then writes a burst of fills in a handful of statements.
/// </summary>
/// <remarks>
/// Merging changes the order in which rows are written, which is safe only when no row depends on another of the same
/// group: <see cref="Of"/> therefore merges only when every keyed row (an order, a fill key, a link, ...) is touched once,
/// with one exception that bursts of fills need: successive versioned updates of one row (version n, n+1, ...) become
/// one update from the first expected version to the last state, writing every column any of them wrote. That is exactly
/// the outcome of running them in order, and the version check still proves no other writer came between. A plan with a
/// delete, or a row touched twice in any other way, is not merged (null): the caller runs it statement by statement.
/// The row counts still prove everything: a merged statement must touch as many rows as it has.
/// </remarks>
internal sealed record MultiRowPlan(ImmutableArray<MultiRowStatement> Merged, ImmutableArray<StoreCommand> Appends)
{
    /// <summary>The parameter of <see cref="StatementKind.UpdateFromVersion"/>: the version a merged update's row must be at.</summary>
    public static readonly NamedColumn ExpectedVersion = new("expected_version");

    /// <summary>
    /// The merged rows as single-row statements, in the plan's order of shapes: an insert as it was, a versioned update
    /// as <see cref="StatementKind.UpdateFromVersion"/> with its expected version as the last argument. For a database
    /// whose statements cost little each (SQLite), what merging saves is the intermediate updates of a chain.
    /// </summary>
    public IEnumerable<(Statement Statement, ImmutableArray<Argument> Arguments)> SingleRows()
    {
        foreach (var statement in Merged)
        {
            var versioned = statement.Statement.Kind == StatementKind.UpdateVersioned;
            var single = versioned ? statement.Statement with { Kind = StatementKind.UpdateFromVersion } : statement.Statement;
            foreach (var row in statement.Rows)
            {
                yield return (single, versioned ? [.. row.Arguments, new Argument(ExpectedVersion, row.ExpectedVersion)] : row.Arguments);
            }
        }
    }

    public static MultiRowPlan? Of(IReadOnlyList<StoreCommand> plan)
    {
        var entries = new List<Entry>();
        var byKey = new Dictionary<(string Table, string Key), Entry>();
        var appends = ImmutableArray.CreateBuilder<StoreCommand>();
        foreach (var command in plan)
        {
            var statement = command.Statement;
            switch (statement.Kind)
            {
                case StatementKind.Append:
                    appends.Add(command);
                    continue;
                case StatementKind.Insert or StatementKind.UpdateVersioned when command.ConflictUnlessOneRow is not null:
                    break;
                default:
                    return null;
            }
            var key = command.Row!.Value;
            var version = statement.Kind == StatementKind.UpdateVersioned ? VersionOf(command.Arguments) : 0;
            if (byKey.TryGetValue(key, out var earlier))
            {
                if (statement.Kind != StatementKind.UpdateVersioned || earlier.Statement.Kind != StatementKind.UpdateVersioned
                    || earlier.Version != version - 1 || command.Subject is null)
                {
                    return null;
                }
                earlier.Chain(command, version);
                continue;
            }
            var entry = new Entry(command, version);
            byKey[key] = entry;
            entries.Add(entry);
        }
        var merged = entries
            .GroupBy(e => e.Statement)
            .Select(g => new MultiRowStatement(g.Key, [.. g.Select(e => e.Row())]))
            .ToImmutableArray();
        return new(merged, appends.ToImmutable());
    }

    private static long VersionOf(ImmutableArray<Argument> arguments) =>
        Convert.ToInt64(arguments.First(a => a.Column.Name == "version").Value, CultureInfo.InvariantCulture);

    /// <summary>A keyed row and the versioned updates chained onto it.</summary>
    private sealed class Entry(StoreCommand first, long version)
    {
        private readonly StoreCommand _first = first;
        private readonly long _expected = version - 1;
        private StoreCommand _last = first;
        private ulong _only = first.Statement.Only;
        private bool _chained;

        public long Version { get; private set; } = version;

        public Statement Statement => _chained ? _last.Statement with { Only = _only } : _first.Statement;

        public void Chain(StoreCommand next, long version)
        {
            // Either update writing every column (0) makes the chain write every column.
            _only = _only == 0 || next.Statement.Only == 0 ? 0 : _only | next.Statement.Only;
            _last = next;
            Version = version;
            _chained = true;
        }

        public MultiRow Row() =>
            new(_chained ? _last.Statement.Table.Arguments(_last.Subject!, _only) : _first.Arguments, _expected);
    }
}
