using System.Text.Json;
using System.Text.Json.Nodes;

namespace Linkage.Properties.Coinbase;

/// <summary>Edits of valid example messages: replace or remove the first field of a name, depth first.</summary>
internal static class Mutate
{
    private static readonly JsonSerializerOptions Compact = new() { WriteIndented = false };

    /// <summary><paramref name="json"/> with the first field named <paramref name="field"/> set to the raw JSON <paramref name="value"/> (null removes it).</summary>
    public static string SetField(string json, string field, string? value)
    {
        var root = JsonNode.Parse(json)!;
        var parent = FindParent(root, field) ?? throw new ArgumentException($"no field '{field}' in the example", nameof(field));
        if (value is null)
        {
            parent.Remove(field);
        }
        else
        {
            parent[field] = JsonNode.Parse(value);
        }
        return root.ToJsonString(Compact);
    }

    public static string RemoveField(string json, string field) => SetField(json, field, null);

    /// <summary>Every field path in the message (objects and arrays walked depth first), for generated mutations.</summary>
    public static IReadOnlyList<string> FieldNames(string json)
    {
        var names = new List<string>();
        Walk(JsonNode.Parse(json), names);
        return names;
    }

    private static void Walk(JsonNode? node, List<string> names)
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    names.Add(key);
                    Walk(value, names);
                }
                break;
            case JsonArray a:
                foreach (var item in a)
                {
                    Walk(item, names);
                }
                break;
            default:
                break;
        }
    }

    private static JsonObject? FindParent(JsonNode? node, string field)
    {
        switch (node)
        {
            case JsonObject o:
                if (o.ContainsKey(field))
                {
                    return o;
                }
                foreach (var (_, value) in o)
                {
                    if (FindParent(value, field) is { } found)
                    {
                        return found;
                    }
                }
                return null;
            case JsonArray a:
                foreach (var item in a)
                {
                    if (FindParent(item, field) is { } found)
                    {
                        return found;
                    }
                }
                return null;
            default:
                return null;
        }
    }
}
