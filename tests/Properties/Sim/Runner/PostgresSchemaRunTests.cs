using Linkage.Properties.Support;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;
using Linkage.Sim.Stores;
using Npgsql;
using static Linkage.Properties.Sim.SeedScenarios;

namespace Linkage.Properties.Sim.Runner;

/// <summary>
/// Where a PostgreSQL run keeps its store: a schema it creates and drops (<see cref="RunOptions.PostgresSchema"/>, or a
/// new <c>linkage_sim_*</c> one), never the database's default schema, never a schema it did not create.
/// </summary>
public sealed class PostgresSchemaRunTests
{
    private string _database = "";

    [OneTimeSetUp]
    public void CreateDatabase()
    {
        _database = PostgresServer.CreateDatabase("schema runs");

        // A user's own table in the default schema, named as the store's link table is.
        Execute("CREATE TABLE public.trade_strategy_link (order_id text PRIMARY KEY, snapshot_id text); INSERT INTO public.trade_strategy_link VALUES ('o-1', 's-1')");
    }

    [OneTimeTearDown]
    public void DropDatabase() => PostgresServer.DropDatabase(_database);

    [TestCase(null)]
    [TestCase("replay_here")]
    public void A_run_creates_its_schema_runs_in_it_and_drops_it(string? schema)
    {
        var options = new RunOptions { Store = StoreFactory.Postgres, PostgresConnectionString = _database, PostgresSchema = schema };
        string? during = null;
        using (var session = StoreFactory.Open(options))
        {
            session.Open();
            during = Scalar("SELECT string_agg(schemaname, ',') FROM (SELECT DISTINCT schemaname FROM pg_tables WHERE tablename = 'order_metadata_staging') AS s") as string;
        }
        var result = ScenarioRunner.Run(All()[0], options);
        Assert.Multiple(() =>
        {
            Assert.That(during, schema is null ? Does.StartWith("linkage_sim_") : Is.EqualTo(schema), "the store's tables were in the run's schema alone");
            Assert.That(result.Failures, Is.Empty, SeedScenarioRunTests.Describe(result));
            Assert.That(Scalar("SELECT count(*) FROM pg_tables WHERE tablename = 'order_metadata_staging'"), Is.EqualTo(0L), "the schema is dropped at the end");
            Assert.That(Scalar("SELECT string_agg(tablename, ',') FROM pg_tables WHERE schemaname = 'public'"), Is.EqualTo("trade_strategy_link"));
            Assert.That(Scalar("SELECT string_agg(order_id || '|' || snapshot_id, ',') FROM public.trade_strategy_link"), Is.EqualTo("o-1|s-1"), "the user's rows");
        });
    }

    [Test]
    public void A_schema_that_exists_is_refused_and_kept()
    {
        Execute("CREATE SCHEMA keep_me; CREATE TABLE keep_me.mine (id integer); INSERT INTO keep_me.mine VALUES (7)");
        var problem = StoreFactory.Problem(new RunOptions { Store = StoreFactory.Postgres, PostgresConnectionString = _database, PostgresSchema = "keep_me" });
        Assert.Multiple(() =>
        {
            Assert.That(problem, Does.Contain("schema keep_me").And.Contain("exists already"));
            Assert.That(Scalar("SELECT sum(id) FROM keep_me.mine"), Is.EqualTo(7L), "the schema and its table are kept");
        });
    }

    [Test]
    public void A_schema_that_is_not_a_plain_identifier_is_refused_before_the_database_is_asked() =>
        Assert.That(
            StoreFactory.Problem(new RunOptions { Store = StoreFactory.Postgres, PostgresConnectionString = _database, PostgresSchema = "public; DROP TABLE x" }),
            Does.Contain("is not a plain identifier"));

    private object? Scalar(string sql)
    {
        using var connection = new NpgsqlConnection(_database);
        connection.Open();
        using var command = new NpgsqlCommand(sql, connection);
        return command.ExecuteScalar();
    }

    private void Execute(string sql) => Scalar(sql);
}
