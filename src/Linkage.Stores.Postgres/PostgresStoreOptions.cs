using Npgsql;

namespace Linkage.Stores.Postgres;

/// <summary>Options of a <see cref="PostgresStore"/>. Validated once when the store opens, every error reported together.</summary>
public sealed record PostgresStoreOptions
{
    /// <summary>Longest a single statement may run before it is cancelled (a hung server must not hang the engine).</summary>
    public static readonly TimeSpan CommandTimeoutMax = TimeSpan.FromMinutes(10);

    /// <summary>The schema the store keeps its tables in unless told otherwise.</summary>
    public const string DefaultSchema = "linkage";

    /// <summary>Longest schema name PostgreSQL keeps whole (NAMEDATALEN - 1 bytes; a longer one is cut).</summary>
    public const int SchemaLengthMax = 63;

    /// <summary>
    /// An Npgsql connection string (host, database, credentials; pool sizes if the defaults do not fit). It may not set
    /// <c>Search Path</c>: the store sets it to <see cref="Schema"/>.
    /// </summary>
    public required string ConnectionString { get; init; }

    /// <summary>
    /// The schema that holds the store's tables, its function and its migration history (<c>schema_version</c>), so the
    /// store never creates or reads a table in the database's default schema (<c>public</c>), where a user may keep a
    /// table of the same name (the old design's <c>trade_strategy_link</c>). <see cref="PostgresStore.Migrate()"/>
    /// creates it when it does not exist (which needs the CREATE privilege on the database; a schema made beforehand by
    /// an administrator needs only CREATE on the schema). Every connection of the store has it as its only
    /// <c>search_path</c>, so several stores in different schemas share one database without seeing each other.
    /// A plain identifier: lower-case ASCII letters, digits and <c>_</c>, starting with a letter or <c>_</c>, at most
    /// <see cref="SchemaLengthMax"/> characters, not starting with <c>pg_</c>. A database a build before this option
    /// migrated holds its tables in <c>public</c>: open it with <c>Schema = "public"</c>, or move the tables first
    /// (<c>ALTER TABLE ... SET SCHEMA linkage</c>, every table, <c>schema_version</c> and the function
    /// <c>linkage_try_jsonb</c>).
    /// </summary>
    public string Schema { get; init; } = DefaultSchema;

    /// <summary>How long one statement (or one batch round trip) may take.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many distinct statements each connection prepares automatically once used twice (Npgsql's automatic
    /// preparation; the store runs a small fixed set, so every one ends up prepared).
    /// </summary>
    public int AutoPrepareMax { get; init; } = 64;

    /// <summary>
    /// Why <paramref name="schema"/> cannot be a store's <see cref="Schema"/> (the sentence after the name, starting with
    /// the quoted name), or null when it can. For a command line that takes the schema as an option of its own.
    /// </summary>
    public static string? SchemaProblem(string? schema)
    {
        if (string.IsNullOrEmpty(schema))
        {
            return "is empty: name a schema, such as linkage";
        }
        var plain = schema.Length <= SchemaLengthMax
            && (char.IsAsciiLetterLower(schema[0]) || schema[0] == '_')
            && schema.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '_');
        if (!plain)
        {
            return $"'{schema}' is not a plain identifier: lower-case ASCII letters, digits and _, starting with a letter or _, at most {SchemaLengthMax} characters";
        }
        return schema.StartsWith("pg_", StringComparison.Ordinal) ? $"'{schema}' starts with pg_, which PostgreSQL keeps for its own schemas" : null;
    }

    /// <summary>Every problem with these options, or none.</summary>
    public IReadOnlyList<string> Problems()
    {
        var problems = new List<string>();
        if (string.IsNullOrWhiteSpace(ConnectionString))
        {
            problems.Add("ConnectionString is empty");
        }
        else
        {
            try
            {
                var builder = new NpgsqlConnectionStringBuilder(ConnectionString);
                if (!string.IsNullOrEmpty(builder.SearchPath) && !string.Equals(builder.SearchPath, Schema, StringComparison.Ordinal))
                {
                    problems.Add($"ConnectionString sets Search Path '{builder.SearchPath}', which the store would replace with Schema '{Schema}': name the schema in Schema and leave Search Path out");
                }
            }
            catch (ArgumentException e)
            {
                problems.Add($"ConnectionString is not valid: {e.Message}");
            }
        }
        if (SchemaProblem(Schema) is { } schema)
        {
            problems.Add($"Schema {schema}");
        }
        if (CommandTimeout <= TimeSpan.Zero || CommandTimeout > CommandTimeoutMax)
        {
            problems.Add($"CommandTimeout {CommandTimeout} is not within (0, {CommandTimeoutMax}]");
        }
        if (AutoPrepareMax < 0)
        {
            problems.Add($"AutoPrepareMax {AutoPrepareMax} is negative");
        }
        return problems;
    }
}
