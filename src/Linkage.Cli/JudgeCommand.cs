using System.Text.Json;
using Linkage.Engine;
using Linkage.Sim.Server;
using Linkage.Stores.Postgres;
using Linkage.Stores.Sqlite;

namespace Linkage.Cli;

/// <summary>
/// The <c>judge</c> command: <c>judge TRUTH.json (--sqlite FILE | --pg CONN [--pg-schema NAME])</c>. Judges a store a
/// daemon (or any client's run) wrote against <c>linkage exchange</c>'s truth file with the laws (<see cref="TruthJudge"/>).
/// Exit status: 0 every law held, 1 a law was broken, 2 bad arguments or an unreadable truth file or store.
/// </summary>
internal static class JudgeCommand
{
    public static readonly CommandSpec Spec = new(
        "judge",
        "TRUTH.json (--sqlite FILE | --pg CONN [--pg-schema NAME])",
        """
        Judges the links a run left in a store against the truth file `linkage exchange` wrote when it stopped (every
        order with its client order id, every trade): no wrong link, exactly once (no order linked beyond what it filled,
        no client order id placed twice), everything links (every order of ours linked to all it filled), external
        stays external, exits allocated. Run it after stopping the exchange and the daemon (docs/exchange.md).
        """,
        [
            new("--sqlite", "FILE", "none", "the daemon's SQLite file"),
            new("--pg", "CONN", "$LINKAGE_PG", "the daemon's PostgreSQL connection string"),
            new("--pg-schema", "NAME", PostgresStoreOptions.DefaultSchema, "the daemon's PostgreSQL schema"),
        ],
        [(0, "every law held"), (1, "a law was broken (each failure is printed)"), (2, "bad arguments, or the truth file or the store cannot be read")],
        ["out/exchange/truth.json --sqlite out/linkage.db"]);

    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var line = Spec.Parse(args);
        if (line.Help)
        {
            output.Write(Spec.Help());
            return 0;
        }
        var sqlite = line.Value("--sqlite");
        var pg = line.Value("--pg") ?? (sqlite is null ? Environment.GetEnvironmentVariable("LINKAGE_PG") : null);
        if (line.Positionals.Length != 1)
        {
            line.Problems.Add("judge needs one truth file");
        }
        if ((sqlite is null) == (pg is null))
        {
            line.Problems.Add("judge needs the store: --sqlite FILE or --pg CONN (not both)");
        }
        if (sqlite is not null && !File.Exists(sqlite))
        {
            line.Problems.Add($"--sqlite {sqlite}: no such file");
        }
        if (line.Problems.Count > 0)
        {
            return Spec.Refuse(line.Problems, error);
        }
        var truthFile = line.Positionals[0];
        string truth;
        try
        {
            truth = File.ReadAllText(truthFile);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error.WriteLine($"judge: cannot read {truthFile}: {e.Message}");
            return 2;
        }
        ILinkageStore store;
        try
        {
            store = sqlite is not null
                ? SqliteStore.Open(new SqliteStoreOptions { Path = sqlite })
                : PostgresStore.Open(new PostgresStoreOptions { ConnectionString = pg!, Schema = line.Value("--pg-schema") ?? PostgresStoreOptions.DefaultSchema });
        }
        catch (Exception e)
        {
            error.WriteLine($"judge: cannot open the store: {e.Message}");
            return 2;
        }
        using (store)
        {
            JudgeReport report;
            try
            {
                report = TruthJudge.Judge(truth, store);
            }
            catch (Exception e) when (e is JsonException or KeyNotFoundException or InvalidOperationException or FormatException)
            {
                error.WriteLine($"judge: {truthFile} is not a `linkage exchange` truth file: {e.Message}");
                return 2;
            }
            output.WriteLine(report.Summary);
            foreach (var failure in report.Failures)
            {
                output.WriteLine($"  {failure.Law}: {failure.Detail}");
            }
            return report.Passed ? 0 : 1;
        }
    }
}
