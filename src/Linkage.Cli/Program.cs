namespace Linkage.Cli;

/// <summary>Command-line entry: <c>replay</c>, <c>fuzz</c>, <c>audit</c>, <c>crash</c>, <c>exchange</c>. Exit codes: 0 pass, 1 a scenario or check failed, 2 bad input or usage.</summary>
internal static class Program
{
    private const string Usage = """
        usage:
          linkage replay PATH... [--store memory|sqlite|postgres] [--design engine|legacy] [--seed N] [--json FILE] [--capture DIR] [--pg CONN]
          linkage fuzz [--runs N] [--seed S] [--store memory|sqlite|postgres] [--design engine|legacy] [--out DIR]
          linkage audit FILE.jsonl [--json REPORT.json] [--store memory|sqlite|postgres] [--metrics FILE]
          linkage crash PATH... [--kills N] [--seed S] [--json FILE] [--keep DIR]
          linkage exchange [--key FILE] [--port N] [--seed N] [--speed X] [--faults PROFILE] [--plain] ...   (linkage exchange --help)
          linkage exchange keys DIR [--algorithm es256|ed25519]
        """;

    private static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var rest = args[1..];
        return args[0] switch
        {
            "replay" => ReplayCommand.Run(rest, Console.Out, Console.Error),
            "fuzz" => FuzzCommand.Run(rest, Console.Out, Console.Error),
            "audit" => AuditCommand.Run(rest, Console.Out, Console.Error),
            "crash" => CrashCommand.Run(rest, Console.Out, Console.Error),
            "exchange" => Linkage.Sim.Server.ExchangeCommand.Run(rest, Console.Out, Console.Error),
            CrashChildCommand.Name => CrashChildCommand.Run(rest, Console.Out, Console.Error),
            "-h" or "--help" or "help" => Help(),
            _ => Unknown(args[0]),
        };
    }

    private static int Help()
    {
        Console.Out.WriteLine(Usage);
        return 0;
    }

    private static int Unknown(string command)
    {
        Console.Error.WriteLine($"unknown command '{command}'");
        Console.Error.WriteLine(Usage);
        return 2;
    }
}
