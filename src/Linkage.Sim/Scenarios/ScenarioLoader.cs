using System.Collections.Immutable;
using System.Text;
using Linkage.Engine;
using YamlDotNet.Core;
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
    private static readonly string[] TopKeys = ["name", "description", "seed", "feed", "latency", "faults", "steps", "expect"];
    private static readonly string[] LatencyKeys = ["ack", "feed"];
    private static readonly string[] FaultKeys = ["duplicate", "reorder", "drop"];
    private static readonly string[] ExpectKeys = ["links", "external", "exits", "legacy"];
    private static readonly string[] ExpectLinkKeys = ["order", "snapshot", "fills", "filled"];
    private static readonly string[] ExpectExitKeys = ["order", "closes", "trigger"];
    private static readonly string[] LegacyKeys = ["wrong", "missing"];

    private static readonly (string, FeedKind)[] Feeds = [("orders", FeedKind.Orders), ("trades", FeedKind.Trades)];

    /// <summary>Extensions a scenario file may have; the loader reads any of them as YAML.</summary>
    public static readonly ImmutableArray<string> Extensions = [".yaml", ".yml", ".json"];

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Reads and loads <paramref name="path"/>; the scenario's <see cref="Scenario.File"/> is <paramref name="path"/> as given.</summary>
    public static ScenarioLoad LoadFile(string path)
    {
        string text;
        try
        {
            var length = new FileInfo(path).Length;
            if (length > ScenarioLimits.FileLengthMax * 4L)
            {
                return Refused(path, $"the file is {length} bytes, larger than a scenario may be ({ScenarioLimits.FileLengthMax} characters)");
            }
            text = File.ReadAllText(path, StrictUtf8);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException or NotSupportedException or ArgumentException)
        {
            var reason = e is DecoderFallbackException ? "the file is not valid UTF-8" : $"cannot read the file: {e.Message}";
            return Refused(path, reason);
        }
        return Load(text, path);
    }

    /// <summary>Loads a scenario from <paramref name="text"/>; <paramref name="file"/> names it in errors and becomes <see cref="Scenario.File"/>.</summary>
    public static ScenarioLoad Load(string text, string file)
    {
        if (text.Length > ScenarioLimits.FileLengthMax)
        {
            return Refused(file, $"the file is {text.Length} characters, more than {ScenarioLimits.FileLengthMax}");
        }
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException e)
        {
            return new ScenarioLoad { Errors = [new ScenarioError(file, checked((int)e.Start.Line), "", $"not valid YAML: {e.Message}")] };
        }
        if (stream.Documents.Count != 1)
        {
            var line = stream.Documents.Count == 0 ? 1 : YamlErrors.LineOf(stream.Documents[1].RootNode);
            return new ScenarioLoad
            {
                Errors = [new ScenarioError(file, line, "", stream.Documents.Count == 0 ? "the file is empty" : "a file holds exactly one scenario (one YAML document)")],
            };
        }
        var errors = new YamlErrors(file);
        var reader = new Reader(errors);
        var scenario = reader.ReadScenario(stream.Documents[0].RootNode, file);
        return errors.Count == 0 && scenario is not null
            ? new ScenarioLoad { Scenario = scenario, NameLine = reader.NameLine }
            : new ScenarioLoad { Errors = [.. errors.Sorted()], NameLine = reader.NameLine };
    }

    private static ScenarioLoad Refused(string file, string reason) => new() { Errors = [new ScenarioError(file, 0, "", reason)] };

    /// <summary>Reads one document; each part reports its own errors and returns null when it could not be read.</summary>
    private sealed class Reader(YamlErrors errors)
    {
        public int NameLine { get; private set; }

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
            var feed = top.Choice("feed", Feeds);
            var latency = ReadLatency(top);
            var faults = ReadFaults(top);
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
            return new Latency(fields?.Duration("ack") ?? Latency.Default.Ack, fields?.Duration("feed") ?? Latency.Default.Feed);
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
