using Npgsql;

namespace Linkage.Stores.Postgres;

/// <summary>Options of a <see cref="PostgresStore"/>. Validated once when the store opens, every error reported together.</summary>
public sealed record PostgresStoreOptions
{
    /// <summary>Longest a single statement may run before it is cancelled (a hung server must not hang the engine).</summary>
    public static readonly TimeSpan CommandTimeoutMax = TimeSpan.FromMinutes(10);

    /// <summary>An Npgsql connection string (host, database, credentials; pool sizes if the defaults do not fit).</summary>
    public required string ConnectionString { get; init; }

    /// <summary>How long one statement (or one batch round trip) may take.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many distinct statements each connection prepares automatically once used twice (Npgsql's automatic
    /// preparation; the store runs a small fixed set, so every one ends up prepared).
    /// </summary>
    public int AutoPrepareMax { get; init; } = 64;

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
                _ = new NpgsqlConnectionStringBuilder(ConnectionString);
            }
            catch (ArgumentException e)
            {
                problems.Add($"ConnectionString is not valid: {e.Message}");
            }
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
