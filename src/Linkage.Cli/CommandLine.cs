using System.Collections.Immutable;
using System.Text;

namespace Linkage.Cli;

/// <summary>One option of a command: <c>--name VALUE</c> (or a flag when <see cref="Value"/> is null), its default and what it does.</summary>
internal sealed record CommandOption(string Name, string? Value, string Default, string Description);

/// <summary>
/// A command's help and the shape of its command line. Every command parses through <see cref="Parse"/>, so all of them
/// take <c>--name value</c> and <c>--name=value</c>, <c>-h</c> and <c>--help</c> anywhere before <c>--</c>, and report every
/// problem, not only the first; and every command prints the same kind of help (<see cref="Help"/>).
/// </summary>
internal sealed record CommandSpec(
    string Name,
    string Synopsis,
    string Description,
    ImmutableArray<CommandOption> Options,
    ImmutableArray<(int Code, string Meaning)> ExitCodes,
    ImmutableArray<string> Examples)
{
    /// <summary>The one-line usage printed after a usage problem.</summary>
    public string Usage => $"usage: linkage {Name} {Synopsis}";

    /// <summary>The full help: what the command does, its usage, every option with its default, the exit codes, examples.</summary>
    public string Help()
    {
        var text = new StringBuilder();
        text.AppendLine(Usage).AppendLine();
        text.AppendLine(Description).AppendLine();
        text.AppendLine("options:");
        var options = Options.Add(new CommandOption("-h, --help", null, "", "print this help and exit 0"));
        var width = options.Max(o => Spelled(o).Length);
        foreach (var option in options)
        {
            var spelled = Spelled(option);
            text.Append("  ").Append(spelled.PadRight(width + 2)).Append(option.Description);
            text.AppendLine(option.Default.Length == 0 ? "" : $" (default: {option.Default})");
        }
        text.AppendLine("  Options may also be written --name=value.").AppendLine();
        text.AppendLine("exit status:");
        foreach (var (code, meaning) in ExitCodes)
        {
            text.AppendLine($"  {code}  {meaning}");
        }
        text.AppendLine().AppendLine(Examples.Length == 1 ? "example:" : "examples:");
        foreach (var example in Examples)
        {
            text.AppendLine($"  dotnet run --project src/Linkage.Cli -- {Name} {example}");
        }
        return text.ToString().TrimEnd() + Environment.NewLine;
    }

    private static string Spelled(CommandOption option) => option.Value is null ? option.Name : $"{option.Name} {option.Value}";

    /// <summary>Splits <paramref name="args"/> into positionals, option values and flags; unknown, repeated or valueless options are problems.</summary>
    public ParsedCommandLine Parse(IReadOnlyList<string> args)
    {
        var problems = new List<string>();
        var positionals = ImmutableArray.CreateBuilder<string>();
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var onlyPositionals = false;
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (onlyPositionals || arg == "-" || !arg.StartsWith('-'))
            {
                positionals.Add(arg);
                continue;
            }
            if (arg is "-h" or "--help")
            {
                return new ParsedCommandLine { Help = true };
            }
            if (arg == "--")
            {
                onlyPositionals = true;
                continue;
            }
            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            var option = Options.FirstOrDefault(o => o.Name == name);
            if (option is null)
            {
                problems.Add($"unknown option '{name}'");
                continue;
            }
            string value;
            if (option.Value is null)
            {
                if (equals >= 0)
                {
                    problems.Add($"{name} takes no value");
                    continue;
                }
                value = "";
            }
            else if (equals >= 0)
            {
                value = arg[(equals + 1)..];
            }
            else if (i + 1 < args.Count && !(args[i + 1].StartsWith("--", StringComparison.Ordinal) && args[i + 1].Length > 2))
            {
                value = args[++i];
            }
            else
            {
                problems.Add($"{name} needs a value ({option.Value})");
                continue;
            }
            if (option.Value is not null && value.Length == 0)
            {
                problems.Add($"{name} needs a value ({option.Value})");
                continue;
            }
            if (!values.TryAdd(name, value))
            {
                problems.Add($"{name} is given twice");
            }
        }
        return new ParsedCommandLine { Positionals = positionals.ToImmutable(), Values = values, Problems = problems };
    }

    /// <summary>Prints the problems and the usage to <paramref name="error"/>; returns exit status 2.</summary>
    public int Refuse(IEnumerable<string> problems, TextWriter error)
    {
        foreach (var problem in problems)
        {
            error.WriteLine($"{Name}: {problem}");
        }
        error.WriteLine(Usage);
        error.WriteLine($"(linkage {Name} --help for every option)");
        return 2;
    }
}

/// <summary>A command line split by <see cref="CommandSpec.Parse"/>.</summary>
internal sealed class ParsedCommandLine
{
    public bool Help { get; init; }
    public ImmutableArray<string> Positionals { get; init; } = [];
    public Dictionary<string, string> Values { get; init; } = new(StringComparer.Ordinal);
    public List<string> Problems { get; init; } = [];

    public string? Value(string name) => Values.GetValueOrDefault(name);

    public bool Flag(string name) => Values.ContainsKey(name);
}
