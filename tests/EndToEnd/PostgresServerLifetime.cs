using Linkage.Testing;

// In the tests' root namespace, so it wraps every test of the assembly: the throwaway cluster the PostgreSQL
// end-to-end tests start is stopped and its directory removed once the whole run is over. (The process-exit hook in
// PostgresProvider is the backstop; a test host may be ended before it has removed the directory.)
namespace Linkage.EndToEnd.Tests;

/// <summary>Stops the throwaway PostgreSQL cluster when the test run ends (it is started only if a test needs it).</summary>
[SetUpFixture]
public sealed class PostgresServerLifetime
{
    [OneTimeTearDown]
    public void StopServer() => PostgresProvider.StopIfStarted();
}
