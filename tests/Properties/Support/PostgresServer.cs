using Linkage.Testing;

namespace Linkage.Properties.Support;

/// <summary>
/// The tests' face of the shared PostgreSQL server (<see cref="PostgresProvider"/>: <c>LINKAGE_PG</c> or a throwaway
/// cluster). Each fixture gets its own database (<see cref="CreateDatabase"/>).
/// </summary>
/// <remarks>
/// Without a server, a test that needs PostgreSQL is inconclusive with a message saying how to enable it; under
/// <c>CI=true</c> it fails instead, so CI can never pass by skipping the production store.
/// Thread safety: safe for concurrent use.
/// </remarks>
internal static class PostgresServer
{
    /// <summary>
    /// A new, empty database on the server, named after <paramref name="purpose"/>; returns its connection string.
    /// Makes the calling test inconclusive (locally) or failed (CI) when no server is available.
    /// </summary>
    public static string CreateDatabase(string purpose)
    {
        try
        {
            return PostgresProvider.CreateDatabase(purpose);
        }
        catch (PostgresUnavailableException e)
        {
            if (string.Equals(Environment.GetEnvironmentVariable("CI"), "true", StringComparison.OrdinalIgnoreCase))
            {
                Assert.Fail(e.Message + " Under CI=true these tests are mandatory.");
            }
            Assert.Inconclusive(e.Message);
            throw;
        }
    }

    /// <summary>Drops a database made by <see cref="CreateDatabase"/> (closing its pooled connections first).</summary>
    public static void DropDatabase(string connectionString) => PostgresProvider.DropDatabase(connectionString);

    /// <summary>Stops and removes the throwaway cluster, if one was started.</summary>
    public static void StopIfStarted() => PostgresProvider.StopIfStarted();
}
