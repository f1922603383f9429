using Linkage.Properties.Support;

// In the tests' root namespace, so it wraps every test of the assembly: whichever test first needed PostgreSQL, the
// throwaway cluster is stopped once the whole run is over.
namespace Linkage.Properties;

/// <summary>Stops the throwaway PostgreSQL cluster when the test run ends (it is started only if a test needs it).</summary>
[SetUpFixture]
public sealed class PostgresServerLifetime
{
    [OneTimeTearDown]
    public void StopServer() => PostgresServer.StopIfStarted();
}
