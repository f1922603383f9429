using System.Collections.Immutable;
using System.Data;
using System.Data.Common;
using System.Globalization;
using System.Text;
using Linkage.Stores.Sql;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Linkage.Stores.Sqlite;

/// <summary>SQLite's native calls, in one place: the store's hot writes and its <c>data_version</c> check run on the connection's raw handle.</summary>
public sealed partial class SqliteStore
{
    /// <inheritdoc />
    /// <remarks>
    /// Called under the lock with no transaction open, so it sees every commit of another connection. Run on the raw
    /// handle: it is asked once per decision, and Microsoft.Data.Sqlite's reader around one integer cost as much again.
    /// </remarks>
    private protected override long DataVersion(DbConnection connection)
    {
        var db = _connection.Handle!;
        if (_dataVersion is null)
        {
            var prepared = raw.sqlite3_prepare_v2(db, "PRAGMA data_version", out sqlite3_stmt statement);
            if (prepared != raw.SQLITE_OK)
            {
                statement?.Dispose();
                SqliteException.ThrowExceptionForRC(prepared, db);
            }
            _dataVersion = statement;
        }
        try
        {
            var rc = raw.sqlite3_step(_dataVersion);
            if (rc != raw.SQLITE_ROW)
            {
                SqliteException.ThrowExceptionForRC(rc, db);
            }
            return raw.sqlite3_column_int64(_dataVersion, 0);
        }
        finally
        {
            raw.sqlite3_reset(_dataVersion);
        }
    }

    /// <summary>
    /// A write statement prepared on the connection's own handle and bound by parameter position. Microsoft.Data.Sqlite
    /// looks every parameter up by name on every execution (a quarter of a group commit's time for a 45-column order
    /// update), so the store's writes, the hot path of applying a batch, go to SQLite directly. They run on the same
    /// connection, so inside the transaction the store began; an error becomes the <see cref="SqliteException"/>
    /// Microsoft.Data.Sqlite would have thrown, so conflicts are recognised the same way.
    /// </summary>
    private sealed class WriteStatement : IDisposable
    {
        /// <summary>Text up to this many UTF-8 bytes is bound from the stack; longer text (a raw payload) from a string.</summary>
        private const int TextBufferBytes = 1024;

        private readonly sqlite3_stmt _handle;

        /// <summary>The SQLite parameter index of each argument, in argument (column) order.</summary>
        private readonly int[] _positions;

        private WriteStatement(sqlite3_stmt handle, int[] positions)
        {
            _handle = handle;
            _positions = positions;
        }

        /// <summary>Prepares <paramref name="sql"/> for arguments in the order of <paramref name="arguments"/>.</summary>
        public static WriteStatement Prepare(sqlite3 db, string sql, ImmutableArray<Argument> arguments)
        {
            var rc = raw.sqlite3_prepare_v2(db, sql, out sqlite3_stmt handle);
            if (rc != raw.SQLITE_OK || handle is null)
            {
                handle?.Dispose();
                SqliteException.ThrowExceptionForRC(rc, db);
                throw new InvalidOperationException($"SQLite prepared nothing for: {sql}");
            }
            return new WriteStatement(handle, [.. arguments.Select(a => raw.sqlite3_bind_parameter_index(handle, "@" + a.Column.Name))]);
        }

        /// <summary>Binds the arguments, runs the statement and returns how many rows it changed.</summary>
        public int Run(sqlite3 db, ImmutableArray<Argument> arguments)
        {
            Span<byte> text = stackalloc byte[TextBufferBytes];
            try
            {
                for (var i = 0; i < arguments.Length; i++)
                {
                    Check(Bind(_positions[i], arguments[i], text), raw.SQLITE_OK, db);
                }
                Check(raw.sqlite3_step(_handle), raw.SQLITE_DONE, db);
                return raw.sqlite3_changes(db);
            }
            finally
            {
                raw.sqlite3_reset(_handle);
                raw.sqlite3_clear_bindings(_handle);
            }
        }

        public void Dispose() => _handle.Dispose();

        /// <summary>
        /// Binds one value as <see cref="SqliteDialect.ToDatabase"/> would convert it (decimals as invariant text, times
        /// as UTC ticks, flags as 0 or 1), but with no string or byte array per value: decimals and short text are
        /// written as UTF-8 into <paramref name="text"/>, which SQLite copies.
        /// </summary>
        private int Bind(int position, Argument argument, Span<byte> text)
        {
            switch (argument.Value)
            {
                case null:
                    return raw.sqlite3_bind_null(_handle, position);
                case string value when Encoding.UTF8.GetMaxByteCount(value.Length) <= text.Length:
                    return raw.sqlite3_bind_text(_handle, position, text[..Encoding.UTF8.GetBytes(value, text)]);
                case string value:
                    return raw.sqlite3_bind_text(_handle, position, value);
                case decimal value:
                    return value.TryFormat(text, out var written, default, CultureInfo.InvariantCulture)
                        ? raw.sqlite3_bind_text(_handle, position, text[..written])
                        : raw.sqlite3_bind_text(_handle, position, Invariant.Format(value));
                case DateTimeOffset value:
                    return raw.sqlite3_bind_int64(_handle, position, value.UtcTicks);
                case bool value:
                    return raw.sqlite3_bind_int64(_handle, position, value ? 1L : 0L);
                case int value:
                    return raw.sqlite3_bind_int64(_handle, position, value);
                case long value:
                    return raw.sqlite3_bind_int64(_handle, position, value);
                default:
                    throw new InvalidOperationException($"column {argument.Column.Name} has a value of type {argument.Value.GetType().Name}");
            }
        }

        private static void Check(int rc, int expected, sqlite3 db)
        {
            if (rc != expected)
            {
                SqliteException.ThrowExceptionForRC(rc, db);
            }
        }
    }

    /// <summary>SQLite result codes this store distinguishes (sqlite3.h).</summary>
    private static class SqliteErrorCodes
    {
        public const int Constraint = 19;
        public const int ConstraintPrimaryKey = 1555;
        public const int ConstraintUnique = 2067;
    }
}
