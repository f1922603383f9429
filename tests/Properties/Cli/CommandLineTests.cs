using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Linkage.Cli;
using Linkage.Properties.Stores;
using Linkage.Sim.Crash;

namespace Linkage.Properties.Cli;

/// <summary>
/// Every command explains itself and reads its command line the same way (issue 14, items 6 and 7). Before: each
/// command printed one usage line; <c>audit --help</c> said "--help needs a value" and <c>audit --json=FILE</c> was
/// refused; <c>crash --json /missing/dir/c.json</c> ran the whole test and then died (exit 134), and its JSON was the only
/// snake_case report.
/// </summary>
public sealed partial class CommandLineTests
{
    private static readonly string[] Commands = ["replay", "fuzz", "audit", "crash", "load"];

    private static (int Code, string Output, string Error) Run(params string[] args)
    {
        var output = new StringWriter();
        var error = new StringWriter();
        var rest = args[1..];
        var code = args[0] switch
        {
            "replay" => ReplayCommand.Run(rest, output, error, ReplayHost.Real((_, _) => throw new AssertionException("nothing may run"))),
            "fuzz" => FuzzCommand.Run(rest, output, error, ReplayHost.Real((_, _) => throw new AssertionException("nothing may run"))),
            "audit" => AuditCommand.Run(rest, output, error),
            "load" => Linkage.Cli.Load.LoadCommand.Run(rest, output, error),
            _ => CrashCommand.Run(rest, output, error),
        };
        return (code, output.ToString(), error.ToString());
    }

    private static CommandSpec Spec(string command) => command switch
    {
        "replay" => ReplayArguments.Spec,
        "fuzz" => FuzzCommand.Spec,
        "audit" => AuditCommand.Spec,
        "load" => Linkage.Cli.Load.LoadCommand.Spec,
        _ => CrashCommand.Spec,
    };

    [Test]
    public void Every_command_has_help_with_a_description_every_option_and_its_default_the_exit_codes_and_an_example(
        [ValueSource(nameof(Commands))] string command, [Values("--help", "-h")] string help)
    {
        var (code, output, error) = Run(command, help);
        var spec = Spec(command);
        Assert.Multiple(() =>
        {
            Assert.That((code, error), Is.EqualTo((0, "")));
            Assert.That(output, Does.StartWith($"usage: linkage {command} "));
            Assert.That(output, Does.Contain(spec.Description.Split('\n')[0]));
            foreach (var option in spec.Options)
            {
                Assert.That(output, Does.Match($@"\n  {Regex.Escape(option.Name)}\b.*\(default: {Regex.Escape(option.Default)}\)"), option.Name);
            }
            Assert.That(output, Does.Contain("exit status:\n  0  ").And.Contain("\n  1  ").And.Contain("\n  2  "));
            Assert.That(output, Does.Contain($"-- {command} "), "an example");
        });
    }

    [Test]
    public void Help_anywhere_on_the_line_wins_even_after_an_option_that_takes_a_value([ValueSource(nameof(Commands))] string command)
    {
        var option = Spec(command).Options.First(o => o.Value is not null).Name;
        Assert.That(Run(command, option, "--help").Code, Is.EqualTo(0));
    }

    [Test]
    public void Every_option_may_be_written_name_equals_value([ValueSource(nameof(Commands))] string command)
    {
        var spec = Spec(command);
        foreach (var option in spec.Options)
        {
            var spelled = option.Value is null ? option.Name : $"{option.Name}=x";
            var parsed = spec.Parse(["a", spelled]);
            Assert.That(parsed.Problems, Is.Empty, spelled);
            Assert.That(parsed.Values.ContainsKey(option.Name), Is.True, spelled);
        }
    }

    [Test]
    public void Every_command_that_takes_a_connection_string_takes_a_schema_and_checks_it([ValueSource(nameof(Commands))] string command)
    {
        var options = Spec(command).Options.Select(o => o.Name).ToList();
        Assert.That(options.Contains("--pg-schema"), Is.EqualTo(options.Contains("--pg")), "--pg-schema wherever --pg is");
        if (!options.Contains("--pg"))
        {
            return;
        }
        string[] positional = command is "fuzz" or "load" ? [] : ["x.file"];
        var notPostgres = Run([command, .. positional, "--store", "memory", "--pg-schema", "mine"]);
        var notPlain = Run([command, .. positional, "--store", "postgres", "--pg", "Host=db", "--pg-schema", "Mine-2"]);
        Assert.Multiple(() =>
        {
            Assert.That(notPostgres.Code, Is.EqualTo(2));
            Assert.That(notPostgres.Error, Does.Contain($"{command}: --pg-schema applies only to --store postgres"));
            Assert.That(notPlain.Code, Is.EqualTo(2));
            Assert.That(notPlain.Error, Does.Contain($"{command}: --pg-schema 'Mine-2' is not a plain identifier"));
        });
    }

    [Test]
    public void Audit_takes_name_equals_value() =>
        Assert.That(Run("audit", Path.Combine(Scenarios.RepoPaths.Root, "samples", "avnt-day.jsonl"), "--store=memory").Code, Is.EqualTo(0));

    [Test]
    public void The_top_level_help_lists_every_command() => Assert.Multiple(() =>
    {
        foreach (var command in Commands)
        {
            Assert.That(Spec(command).Usage, Does.StartWith($"usage: linkage {command}"));
        }
    });

    [Test]
    public void Crash_checks_its_json_path_before_any_child_runs()
    {
        using var folder = new TempDirectory("linkage-crash-cli");
        var blocker = folder.File("blocker");
        File.WriteAllText(blocker, "");
        var scenario = Path.Combine(Scenarios.RepoPaths.ScenariosFolder, "steps", "cancel-after-partial.yaml");
        var (code, output, error) = Run("crash", scenario, "--kills", "1", "--json", Path.Combine(blocker, "c.json"));
        Assert.Multiple(() =>
        {
            Assert.That(code, Is.EqualTo(2));
            Assert.That(error, Does.Contain($"--json {blocker}/c.json: cannot be written: {blocker} is a file, not a folder"));
            Assert.That(output, Is.Empty, "no crash test ran");
        });
    }

    [Test]
    public void Crash_json_is_camel_case_as_every_report_is()
    {
        var json = CrashJson.Write([new CrashReport
        {
            Scenario = "s", KillPoints = 1, Kinds = ImmutableSortedDictionary<string, int>.Empty.Add("send", 1), Crossings = 2, FingerprintsChecked = 1,
            Trades = 1, Linked = 1, External = 0, Wrong = 0, Lost = 0, Duplicated = 0, IntentsLost = 0, Failures = [],
        }]);
        var keys = KeyPattern().Matches(json).Select(m => m.Groups[1].Value).Where(k => k != "send").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(keys, Is.SupersetOf(new[] { "killPoints", "crossingsWithoutKills", "fingerprintsChecked", "intentsLost" }));
            Assert.That(keys, Has.None.Contain("_"), json);
        });
    }

    [GeneratedRegex("\"([A-Za-z_]+)\":")]
    private static partial Regex KeyPattern();
}
