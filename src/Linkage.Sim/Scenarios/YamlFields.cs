using System.Globalization;
using System.Numerics;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Linkage.Sim.Scenarios;

/// <summary>
/// Collects every error found in one file, each with the file, line and key path, so a file's author sees all its
/// problems at once instead of fixing them one run at a time.
/// </summary>
internal sealed class YamlErrors(string file, string text)
{
    private readonly List<ScenarioError> _errors = [];
    private string[]? _lines;

    public string File => file;

    public int Count => _errors.Count;

    public void Add(YamlNode node, string key, string reason) =>
        _errors.Add(new ScenarioError(file, LineOf(node), key, reason) { Column = checked((int)node.Start.Column) });

    /// <summary>An error known only by its line (a step's): it points at the line's first character that is not a space or a dash.</summary>
    public void Add(int line, string key, string reason) =>
        _errors.Add(new ScenarioError(file, line, key, reason) { Column = ColumnOf(line) });

    private int ColumnOf(int line)
    {
        _lines ??= text.Split('\n');
        if (line < 1 || line > _lines.Length)
        {
            return 1;
        }
        var content = _lines[line - 1];
        var column = 0;
        while (column < content.Length && content[column] is ' ' or '-' or '\t')
        {
            column++;
        }
        return column < content.Length ? column + 1 : 1;
    }

    /// <summary>Errors by line; errors on one line keep the order they were found in.</summary>
    public IEnumerable<ScenarioError> Sorted() => _errors.OrderBy(e => e.Line);

    public static int LineOf(YamlNode node) => checked((int)node.Start.Line);

    /// <summary>
    /// A plain (unquoted) empty, <c>~</c> or <c>null</c> scalar is YAML's null; quoted, the same text is a string.
    /// </summary>
    public static bool IsNull(YamlNode node) =>
        node is YamlScalarNode { Style: ScalarStyle.Plain or ScalarStyle.Any, Value: null or "" or "~" or "null" or "Null" or "NULL" };
}

/// <summary>What a decimal must be to be accepted.</summary>
internal enum DecimalRule
{
    /// <summary>Any value (scores).</summary>
    Any,

    /// <summary>Greater than zero and at most <see cref="Engine.Limits.QuantityMax"/> (sizes, prices).</summary>
    Positive,

    /// <summary>Zero or more, at most <see cref="Engine.Limits.QuantityMax"/> (expected totals).</summary>
    NonNegative,

    /// <summary>In [0, 1] (fault probabilities).</summary>
    Probability,
}

/// <summary>
/// One YAML mapping read strictly: a key outside the allowed set is an error naming the key and its line; every typed
/// getter reports a missing, null or malformed value as an error and returns null, so reading goes on and every error in
/// the file is found. A null value (plain <c>null</c>, <c>~</c> or nothing) counts as absent.
/// </summary>
internal sealed class YamlFields
{
    private readonly YamlErrors _errors;
    private readonly YamlMappingNode _node;
    private readonly Dictionary<string, YamlNode> _values = new(StringComparer.Ordinal);
    private readonly List<string> _keys = [];

    private YamlFields(YamlErrors errors, YamlMappingNode node, string path)
    {
        _errors = errors;
        _node = node;
        Path = path;
    }

    /// <summary>The key path of this mapping (empty at the top level).</summary>
    public string Path { get; }

    /// <summary>The mapping's own node, for errors about the mapping as a whole.</summary>
    public YamlNode Node => _node;

    /// <summary>The allowed keys present, with or without a value, in file order.</summary>
    public IReadOnlyList<string> Keys => _keys;

    /// <summary>Opens <paramref name="candidate"/> as a mapping whose keys must be among <paramref name="allowed"/>; null (with an error) when it is not a mapping.</summary>
    public static YamlFields? Open(YamlErrors errors, YamlNode candidate, string path, IReadOnlyCollection<string> allowed)
    {
        if (candidate is not YamlMappingNode mapping)
        {
            errors.Add(candidate, path, $"expected a mapping with keys {string.Join(", ", allowed)}");
            return null;
        }
        var fields = new YamlFields(errors, mapping, path);
        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { } name })
            {
                errors.Add(key, path, "a key must be a plain name");
                continue;
            }
            if (!allowed.Contains(name))
            {
                errors.Add(key, fields.PathOf(name), allowed.Count == 0
                    ? $"unknown key ({(path.Length == 0 ? "this" : path)} takes no fields)"
                    : $"unknown key (allowed here: {string.Join(", ", allowed)})");
                continue;
            }
            fields._keys.Add(name);
            if (!YamlErrors.IsNull(value))
            {
                fields._values[name] = value;
            }
        }
        return fields;
    }

    public string PathOf(string key) => Path.Length == 0 ? key : $"{Path}.{key}";

    public bool Has(string key) => _values.ContainsKey(key);

    /// <summary>The value node, or null when absent (an error when <paramref name="required"/>).</summary>
    public YamlNode? Get(string key, bool required = false)
    {
        if (_values.TryGetValue(key, out var value))
        {
            return value;
        }
        if (required)
        {
            _errors.Add(_node, PathOf(key), "required");
        }
        return null;
    }

    public string? Text(string key, bool required = false)
    {
        var value = Get(key, required);
        if (value is null)
        {
            return null;
        }
        if (value is not YamlScalarNode scalar)
        {
            _errors.Add(value, PathOf(key), "expected a single value, not a list or mapping");
            return null;
        }
        return scalar.Value ?? "";
    }

    /// <summary>A non-empty name of at most <paramref name="lengthMax"/> characters (an order label, a product, a trigger).</summary>
    public string? Name(string key, bool required = false, int lengthMax = ScenarioLimits.LabelLengthMax)
    {
        var text = Text(key, required);
        if (text is null)
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(text))
        {
            Fail(key, "must not be empty");
            return null;
        }
        if (text.Length > lengthMax)
        {
            Fail(key, $"is {text.Length} characters, more than {lengthMax}");
            return null;
        }
        return text;
    }

    /// <summary>A decimal parsed straight from the scalar's text (quoted or not), never through a binary floating point.</summary>
    public decimal? Decimal(string key, DecimalRule rule, bool required = false)
    {
        var text = Text(key, required);
        if (text is null)
        {
            return null;
        }
        const NumberStyles Styles = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent;
        if (!decimal.TryParse(text, Styles, CultureInfo.InvariantCulture, out var value))
        {
            Fail(key, $"'{text}' is not a decimal number");
            return null;
        }
        var reason = rule switch
        {
            DecimalRule.Positive when value <= 0m => "must be greater than 0",
            DecimalRule.NonNegative when value < 0m => "must not be negative",
            DecimalRule.Positive or DecimalRule.NonNegative when value > Engine.Limits.QuantityMax => $"must be at most {Engine.Limits.QuantityMax}",
            DecimalRule.Probability when value is < 0m or > 1m => "is a probability: it must be between 0 and 1",
            _ => null,
        };
        if (reason is not null)
        {
            Fail(key, $"{text} {reason}");
            return null;
        }
        return value;
    }

    public TimeSpan? Duration(string key, bool required = false)
    {
        var text = Text(key, required);
        if (text is null)
        {
            return null;
        }
        if (!ScenarioDurations.TryParse(text, out var duration, out var error))
        {
            Fail(key, error);
            return null;
        }
        return duration;
    }

    /// <summary>A whole number from 0 to <see cref="int.MaxValue"/> (counts).</summary>
    public int? Count(string key) => Whole<int>(key);

    /// <summary>A whole number from 0 to <see cref="ulong.MaxValue"/> (seeds).</summary>
    public ulong? Unsigned(string key) => Whole<ulong>(key);

    private T? Whole<T>(string key)
        where T : struct, IBinaryInteger<T>, IMinMaxValue<T>
    {
        var text = Text(key);
        if (text is null)
        {
            return null;
        }
        if (!T.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value))
        {
            Fail(key, $"'{text}' is not a whole number from 0 to {T.MaxValue}");
            return null;
        }
        return value;
    }

    public bool? Bool(string key)
    {
        var text = Text(key);
        switch (text)
        {
            case null:
                return null;
            case "true" or "True" or "TRUE":
                return true;
            case "false" or "False" or "FALSE":
                return false;
            default:
                Fail(key, $"'{text}' is not true or false");
                return null;
        }
    }

    /// <summary>One of <paramref name="choices"/>' names, compared with <paramref name="comparison"/>.</summary>
    public T? Choice<T>(string key, IReadOnlyList<(string Name, T Value)> choices, StringComparison comparison = StringComparison.Ordinal, bool required = false)
        where T : struct
    {
        var text = Text(key, required);
        if (text is null)
        {
            return null;
        }
        foreach (var (name, value) in choices)
        {
            if (string.Equals(name, text, comparison))
            {
                return value;
            }
        }
        Fail(key, $"'{text}' is not one of {string.Join(", ", choices.Select(c => c.Name))}");
        return null;
    }

    /// <summary>A list's items, or null (with an error when it is not a list).</summary>
    public IReadOnlyList<YamlNode>? List(string key, bool required = false)
    {
        var value = Get(key, required);
        if (value is null)
        {
            return null;
        }
        if (value is not YamlSequenceNode sequence)
        {
            _errors.Add(value, PathOf(key), "expected a list");
            return null;
        }
        return [.. sequence.Children];
    }

    /// <summary>A list of names (labels), each checked like <see cref="Name"/>; null when absent or when any item is bad.</summary>
    public IReadOnlyList<(string Name, YamlNode Node)>? Names(string key)
    {
        var items = List(key);
        if (items is null)
        {
            return null;
        }
        var names = new List<(string, YamlNode)>();
        var ok = true;
        for (var i = 0; i < items.Count; i++)
        {
            var itemPath = $"{PathOf(key)}[{i}]";
            if (items[i] is not YamlScalarNode { Value: { } text } || YamlErrors.IsNull(items[i]) || string.IsNullOrWhiteSpace(text))
            {
                _errors.Add(items[i], itemPath, "expected an order label");
                ok = false;
            }
            else if (text.Length > ScenarioLimits.LabelLengthMax)
            {
                _errors.Add(items[i], itemPath, $"is {text.Length} characters, more than {ScenarioLimits.LabelLengthMax}");
                ok = false;
            }
            else
            {
                names.Add((text, items[i]));
            }
        }
        return ok ? names : null;
    }

    /// <summary>A nested mapping, opened strictly.</summary>
    public YamlFields? Mapping(string key, IReadOnlyCollection<string> allowed, bool required = false)
    {
        var value = Get(key, required);
        return value is null ? null : Open(_errors, value, PathOf(key), allowed);
    }

    /// <summary>Reports an error about the value of <paramref name="key"/> (at the value's line).</summary>
    public void Fail(string key, string reason) => _errors.Add(Get(key) ?? _node, PathOf(key), reason);
}
