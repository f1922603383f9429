using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Unicode;
using Linkage.Engine;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.RepresentationModel;

namespace Linkage.Sim.Scenarios;

/// <summary>
/// Reads scenario files (YAML, or JSON, which is YAML) into <see cref="Scenario"/>s, strictly: an unknown key, a bad
/// value, a missing field or a label that names no earlier order is an error with the file, line and key, and every
/// error of a file is reported, not only the first. Steps come out in run order (by <c>at</c>, file order for equal
/// times). The format is <c>docs/scenarios.md</c>, the contract, extensions included.
/// </summary>
public static class ScenarioLoader
{
    private static readonly string[] TopKeys = ["name", "description", "seed", "feed", "latency", "faults", "resend_answer", "steps", "expect"];
    private static readonly string[] LatencyKeys = ["ack", "feed", "rest"];
    private static readonly string[] FaultKeys = ["duplicate", "reorder", "drop"];
    private static readonly string[] ExpectKeys = ["links", "external", "exits", "legacy"];
    private static readonly string[] ExpectLinkKeys = ["order", "snapshot", "fills", "filled"];
    private static readonly string[] ExpectExitKeys = ["order", "closes", "trigger"];
    private static readonly string[] LegacyKeys = ["wrong", "missing"];

    private static readonly (string, FeedKind)[] Feeds = [("orders", FeedKind.Orders), ("trades", FeedKind.Trades)];
    private static readonly (string, ResendAnswer)[] ResendAnswers = [("original", ResendAnswer.Original), ("error", ResendAnswer.Error)];

    /// <summary>Extensions a scenario file may have; the loader reads any of them as YAML.</summary>
    public static readonly ImmutableArray<string> Extensions = [".yaml", ".yml", ".json"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads and loads <paramref name="path"/>; the scenario's <see cref="Scenario.File"/> is <paramref name="path"/> as given.</summary>
    public static ScenarioLoad LoadFile(string path)
    {
        byte[] bytes;
        try
        {
            var length = new FileInfo(path).Length;
            if (length > ScenarioLimits.FileLengthMax * 4L)
            {
                return Refused(path, $"the file is {length} bytes, larger than a scenario may be ({ScenarioLimits.FileLengthMax} characters)");
            }
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            return Refused(path, $"cannot read the file: {e.Message}");
        }
        var body = bytes.AsSpan();
        if (body.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            body = body[3..];
        }
        if (!Utf8.IsValid(body))
        {
            var (line, column) = FirstInvalidUtf8(body);
            return new ScenarioLoad { Errors = [new ScenarioError(path, line, "", "the file is not valid UTF-8 (a scenario file is UTF-8 text)") { Column = column }] };
        }
        return Load(StrictUtf8.GetString(body), path);
    }

    /// <summary>The line and column (in characters) of the first byte that is not part of valid UTF-8.</summary>
    private static (int Line, int Column) FirstInvalidUtf8(ReadOnlySpan<byte> bytes)
    {
        var (line, column) = (1, 1);
        while (Rune.DecodeFromUtf8(bytes, out var rune, out var consumed) == OperationStatus.Done)
        {
            (line, column) = rune.Value == '\n' ? (line + 1, 1) : (line, column + 1);
            bytes = bytes[consumed..];
        }
        return (line, column);
    }

    /// <summary>Loads a scenario from <paramref name="text"/>; <paramref name="file"/> names it in errors and becomes <see cref="Scenario.File"/>.</summary>
    public static ScenarioLoad Load(string text, string file)
    {
        if (text.Length > ScenarioLimits.FileLengthMax)
        {
            return Refused(file, $"the file is {text.Length} characters, more than {ScenarioLimits.FileLengthMax}");
        }
        if (TooDeep(text) is { } deep)
        {
            return NotYaml(file, deep.Line, deep.Column, $"lists and mappings are nested more than {ScenarioLimits.NestingDepthMax} deep here");
        }
        var stream = new YamlStream();
        var scanner = new Scanner(new StringReader(text));
        try
        {
            stream.Load(new Parser(scanner));
        }
        catch (YamlException e)
        {
            return NotYaml(file, e.Start.Line, e.Start.Column, Sentence(e.Message));
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // YamlDotNet's scanner throws more than YamlException on some broken input (a flow mapping left open across
            // a less indented line threw InvalidOperationException, issue 14); the scanner's position is where it stopped.
            return NotYaml(file, scanner.CurrentPosition.Line, scanner.CurrentPosition.Column, "the YAML structure is broken here (an unclosed '{', '[' or quote?)");
        }
        if (stream.Documents.Count != 1)
        {
            var node = stream.Documents.Count == 0 ? null : stream.Documents[1].RootNode;
            return new ScenarioLoad
            {
                Errors = [new ScenarioError(file, node is null ? 1 : YamlErrors.LineOf(node), "", stream.Documents.Count == 0 ? "the file is empty" : "a file holds exactly one scenario (one YAML document)")
                {
                    Column = node is null ? 1 : checked((int)node.Start.Column),
                }],
            };
        }
        var errors = new YamlErrors(file, text);
        var reader = new Reader(errors);
        var scenario = reader.ReadScenario(stream.Documents[0].RootNode, file);
        return errors.Count == 0 && scenario is not null
            ? new ScenarioLoad { Scenario = scenario, NameLine = reader.NameLine, FeedLine = reader.FeedLine }
            : new ScenarioLoad { Errors = [.. errors.Sorted()], NameLine = reader.NameLine };
    }

    /// <summary>
    /// Where lists and mappings first nest deeper than <see cref="ScenarioLimits.NestingDepthMax"/>, or null. YamlDotNet
    /// builds its representation recursively, and a stack overflow cannot be caught, so depth is checked first on the
    /// parser's events (which are produced without recursion). A syntax error stops the check: the real parse reports it.
    /// </summary>
    private static (long Line, long Column)? TooDeep(string text)
    {
        var parser = new Parser(new StringReader(text));
        var depth = 0;
        try
        {
            while (parser.MoveNext())
            {
                switch (parser.Current)
                {
                    case MappingStart or SequenceStart when ++depth > ScenarioLimits.NestingDepthMax:
                        return (parser.Current.Start.Line, parser.Current.Start.Column);
                    case MappingEnd or SequenceEnd:
                        depth--;
                        break;
                }
            }
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            return null;
        }
        return null;
    }

    private static ScenarioLoad NotYaml(string file, long line, long column, string reason) => new()
    {
        Errors = [new ScenarioError(file, checked((int)Math.Max(line, 1)), "", $"not valid YAML: {reason}") { Column = checked((int)Math.Max(column, 1)) }],
    };

    /// <summary>YamlDotNet's message without its own position prefix (the error already carries the position).</summary>
    private static string Sentence(string message) =>
        message.StartsWith("(Line:", StringComparison.Ordinal) && message.IndexOf("): ", StringComparison.Ordinal) is var end and > 0
            ? message[(end + 3)..]
            : message;

    private static ScenarioLoad Refused(string file, string reason) => new() { Errors = [new ScenarioError(file, 0, "", reason)] };

    /// <summary>Reads one document; each part reports its own errors and returns null when it could not be read.</summary>
    private sealed class Reader(YamlErrors errors)
    {
        public int NameLine { get; private set; }

        public int FeedLine { get; private set; }

        public Scenario? ReadScenario(YamlNode root, string file)
        {
            var top = YamlFields.Open(errors, root, "", TopKeys);
            if (top is null)
            {
                return null;
            }
            NameLine = top.Get("name") is { } nameNode ? YamlErrors.LineOf(nameNode) : YamlErrors.LineOf(root);
            var name = ReadName(top);
            var description = top.Text("description");
            var seed = top.Unsigned("seed");
            FeedLine = top.Get("feed") is { } feedNode ? YamlErrors.LineOf(feedNode) : 0;
            var feed = top.Choice("feed", Feeds);
            var latency = ReadLatency(top);
            var faults = ReadFaults(top);
            var resendAnswer = top.Choice("resend_answer", ResendAnswers);
            var steps = new StepReader(errors).ReadSteps(top);
            var expect = ReadExpect(top, steps?.Orders);
            if (errors.Count > 0 || name is null || steps is null)
            {
                return null;
            }
            return new Scenario
            {
                Name = name,
                Description = description,
                File = file,
                Seed = seed ?? 1,
                Feed = feed ?? FeedKind.Orders,
                Latency = latency,
                Faults = faults,
                ResendAnswer = resendAnswer ?? ResendAnswer.Original,
                Steps = steps.Steps,
                Expect = expect,
            };
        }

        private string? ReadName(YamlFields top)
        {
            var name = top.Name("name", required: true, ScenarioLimits.NameLengthMax);
            if (name is null)
            {
                return null;
            }
            // The name becomes a capture file's name (DIR/<name>.jsonl), so it may not leave that folder.
            if (name is "." or ".." || name.Trim() != name || name.Any(c => char.IsControl(c) || "/\\:*?\"<>|".Contains(c)))
            {
                top.Fail("name", "must be usable as a file name: no / \\ : * ? \" < > |, no control characters, no leading or trailing spaces");
                return null;
            }
            return name;
        }

        private static Latency ReadLatency(YamlFields top)
        {
            var fields = top.Mapping("latency", LatencyKeys);
            return new Latency(fields?.Duration("ack") ?? Latency.Default.Ack, fields?.Duration("feed") ?? Latency.Default.Feed)
            {
                Rest = fields?.Duration("rest") ?? Latency.Default.Rest,
            };
        }

        private static Faults ReadFaults(YamlFields top)
        {
            var fields = top.Mapping("faults", FaultKeys);
            return fields is null
                ? Faults.None
                : new Faults(
                    fields.Decimal("duplicate", DecimalRule.Probability) ?? 0m,
                    fields.Decimal("reorder", DecimalRule.Probability) ?? 0m,
                    fields.Decimal("drop", DecimalRule.Probability) ?? 0m);
        }

        private Expectations? ReadExpect(YamlFields top, ScenarioOrders? orders)
        {
            var fields = top.Mapping("expect", ExpectKeys);
            if (fields is null)
            {
                return null;
            }
            var legacy = fields.Mapping("legacy", LegacyKeys);
            return new Expectations
            {
                Links = ReadItems(fields, "links", ExpectLinkKeys, link => ReadExpectedLink(link, orders)),
                External = fields.Count("external"),
                Exits = ReadItems(fields, "exits", ExpectExitKeys, exit => ReadExpectedExit(exit, orders)),
                Legacy = legacy is null ? null : new ExpectedLegacy(legacy.Count("wrong"), legacy.Count("missing")),
            };
        }

        private ImmutableArray<T> ReadItems<T>(YamlFields parent, string key, string[] allowed, Func<YamlFields, T?> read)
            where T : class
        {
            var items = parent.List(key);
            if (items is null)
            {
                return [];
            }
            var result = ImmutableArray.CreateBuilder<T>();
            var seen = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < items.Count; i++)
            {
                var fields = YamlFields.Open(errors, items[i], $"{parent.PathOf(key)}[{i}]", allowed);
                if (fields?.Text("order") is { } order && !seen.TryAdd(order, YamlErrors.LineOf(items[i])))
                {
                    fields.Fail("order", $"order '{order}' is already listed at line {seen[order]}");
                }
                if (fields is not null && read(fields) is { } item)
                {
                    result.Add(item);
                }
            }
            return result.ToImmutable();
        }

        private ExpectedLink? ReadExpectedLink(YamlFields fields, ScenarioOrders? orders)
        {
            var order = fields.Name("order", required: true);
            var snapshot = fields.Name("snapshot", lengthMax: Limits.SnapshotIdLengthMax);
            var count = fields.Count("fills");
            var filled = fields.Decimal("filled", DecimalRule.NonNegative);
            if (order is not null)
            {
                orders?.ExpectKind(fields, "order", order, OrderKind.Entry | OrderKind.Exit);
            }
            return order is null ? null : new ExpectedLink(order, snapshot, count, filled) { Line = YamlErrors.LineOf(fields.Node) };
        }

        private ExpectedExit? ReadExpectedExit(YamlFields fields, ScenarioOrders? orders)
        {
            var order = fields.Name("order", required: true);
            var closes = fields.Names("closes");
            var trigger = fields.Name("trigger", lengthMax: Limits.TriggerLengthMax);
            if (order is not null)
            {
                orders?.ExpectKind(fields, "order", order, OrderKind.Exit);
            }
            foreach (var (entry, node) in orders is null ? [] : closes ?? [])
            {
                orders?.ExpectKind(fields, "closes", entry, OrderKind.Entry, node);
            }
            return order is null
                ? null
                : new ExpectedExit(order, [.. (closes ?? []).Select(c => c.Name)], trigger) { Line = YamlErrors.LineOf(fields.Node) };
        }
    }
}
