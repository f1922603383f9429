namespace Linkage.Cli;

/// <summary>Command-line entry: <c>replay</c>, <c>fuzz</c>, <c>audit</c>, <c>crash</c>, <c>exchange</c>, <c>serve</c>, <c>judge</c>, <c>load</c>. Exit codes: 0 pass, 1 a scenario or check failed, 2 bad input or usage.</summary>
internal static class Program
{
    private static readonly string Usage = $"""
        linkage: links Coinbase trade fills to the strategy intents that produced their orders, and proves it.

        commands:
          replay   replay scenario files on the simulated exchange and judge every link
          fuzz     generate scenarios from a seed, replay them, shrink the first failure
          audit    audit a production capture: linkage rate, unlinked orders and why
          crash    SIGKILL the webhook at seeded points, restart it, check nothing was lost
          exchange serve the simulated exchange on the wire (HTTPS, WSS, JWT) for real clients; `exchange keys DIR` makes a key
          serve    the daemon a bot team deploys: links a live account's fills to the intents its webhook hands over
          judge    judge a run's store against `linkage exchange`'s truth file with the laws
          load     measure the daemon under load: intake throughput and fill-to-link latency against the wire exchange

          {ReplayArguments.Usage}
          {FuzzCommand.Usage}
          {AuditCommand.Spec.Usage}
          {CrashCommand.Spec.Usage}
          linkage exchange [--key FILE] [--port N] [--seed N] [--speed X] [--faults PROFILE] [--plain] ...
          linkage exchange keys DIR [--algorithm es256|ed25519]
          linkage serve --key FILE [--rest URL] [--ws URL] [--ca FILE] [--store sqlite|postgres] [--listen URL] ...
          {JudgeCommand.Spec.Usage}
          {Load.LoadCommand.Spec.Usage}

        linkage COMMAND --help (or -h) describes a command: every option with its default, exit codes, examples.
        exit status: 0 passed, 1 a scenario or check failed, 2 bad input, usage or infrastructure, 3 an internal error
        (a bug in Linkage: it says what failed, without a stack trace).
        """;

    private static int Main(string[] args)
    {
        if (args.Length == 0)
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var rest = args[1..];
        try
        {
            return Dispatch(args[0], rest);
        }
        // The last resort: each command handles what it expects; anything else is a bug, said in one line.
        catch (Exception bug)
        {
            Console.Error.WriteLine($"linkage {args[0]}: internal error: {bug.GetType().Name}: {bug.Message}");
            Console.Error.WriteLine("linkage: this is a bug in Linkage; please report it with the command line that caused it; exit status 3");
            return 3;
        }
    }

    private static int Dispatch(string command, string[] rest) =>
        command switch
        {
            "replay" => ReplayCommand.Run(rest, Console.Out, Console.Error),
            "fuzz" => FuzzCommand.Run(rest, Console.Out, Console.Error),
            "audit" => AuditCommand.Run(rest, Console.Out, Console.Error),
            "crash" => CrashCommand.Run(rest, Console.Out, Console.Error),
            "exchange" => Linkage.Sim.Server.ExchangeCommand.Run(rest, Console.Out, Console.Error),
            "serve" => Linkage.Serve.ServeCommand.Run(rest, Console.Out, Console.Error),
            "judge" => JudgeCommand.Run(rest, Console.Out, Console.Error),
            "load" => Load.LoadCommand.Run(rest, Console.Out, Console.Error),
            CrashChildCommand.Name => CrashChildCommand.Run(rest, Console.Out, Console.Error),
            "-h" or "--help" or "help" => Help(),
            _ => Unknown(command),
        };

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
