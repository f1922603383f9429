using System.Text;

namespace Linkage.Properties.Coinbase.Fuzz;

/// <summary>
/// One edit of a message's bytes. Parameters are plain numbers taken modulo what the message has (its length, its
/// properties), so any generated list of mutations applies to any message and shrinks well.
/// </summary>
internal abstract record Mutation
{
    public abstract byte[] Apply(byte[] json);

    protected static byte[] Splice(byte[] json, int start, int end, ReadOnlySpan<byte> insert)
    {
        var result = new byte[json.Length - (end - start) + insert.Length];
        json.AsSpan(0, start).CopyTo(result);
        insert.CopyTo(result.AsSpan(start));
        json.AsSpan(end).CopyTo(result.AsSpan(start + insert.Length));
        return result;
    }

    /// <summary>Applies <paramref name="edit"/> to the property chosen by <paramref name="index"/>, or returns the message unchanged if it has none.</summary>
    protected static byte[] AtProperty(byte[] json, int index, Func<PropertySpan, byte[]> edit)
    {
        var spans = JsonSpans.Find(json);
        return spans.Count == 0 ? json : edit(spans[index % spans.Count]);
    }
}

/// <summary>Cuts the message short.</summary>
internal sealed record Truncate(int Position) : Mutation
{
    public override byte[] Apply(byte[] json) => json.Length == 0 ? json : json[..(Position % json.Length)];
}

/// <summary>Replaces a property's value with raw JSON text (of a wrong type, out of range, or malformed).</summary>
internal sealed record SetValue(int Property, string Value) : Mutation
{
    public override byte[] Apply(byte[] json) =>
        AtProperty(json, Property, s => Splice(json, s.ValueStart, s.ValueEnd, Encoding.UTF8.GetBytes(Value)));
}

/// <summary>Removes a property and one adjacent comma.</summary>
internal sealed record DeleteProperty(int Property) : Mutation
{
    public override byte[] Apply(byte[] json) => AtProperty(json, Property, s =>
    {
        var start = s.NameStart;
        var end = s.ValueEnd;
        var after = end;
        while (after < json.Length && json[after] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
        {
            after++;
        }
        if (after < json.Length && json[after] == (byte)',')
        {
            end = after + 1;
        }
        else
        {
            var before = start - 1;
            while (before >= 0 && json[before] is (byte)' ' or (byte)'\n' or (byte)'\r' or (byte)'\t')
            {
                before--;
            }
            if (before >= 0 && json[before] == (byte)',')
            {
                start = before;
            }
        }
        return Splice(json, start, end, []);
    });
}

/// <summary>Wraps a property's value in <see cref="Depth"/> arrays.</summary>
internal sealed record Nest(int Property, int Depth) : Mutation
{
    public override byte[] Apply(byte[] json) => AtProperty(json, Property, s =>
    {
        var inner = json[s.ValueStart..s.ValueEnd];
        var wrapped = Encoding.UTF8.GetBytes(new string('[', Depth)).Concat(inner).Concat(Encoding.UTF8.GetBytes(new string(']', Depth))).ToArray();
        return Splice(json, s.ValueStart, s.ValueEnd, wrapped);
    });
}

/// <summary>Replaces a property's value with a string of <see cref="Length"/> characters (around 1 MB).</summary>
internal sealed record HugeString(int Property, int Length) : Mutation
{
    public override byte[] Apply(byte[] json) =>
        AtProperty(json, Property, s => Splice(json, s.ValueStart, s.ValueEnd, Encoding.UTF8.GetBytes("\"" + new string('7', Length) + "\"")));

    public override string ToString() => $"HugeString {{ Property = {Property}, Length = {Length} }}";
}

/// <summary>Writes a property twice.</summary>
internal sealed record DuplicateProperty(int Property) : Mutation
{
    public override byte[] Apply(byte[] json) => AtProperty(json, Property, s =>
        Splice(json, s.NameStart, s.NameStart, [.. json[s.NameStart..s.ValueEnd], (byte)',']));
}

/// <summary>Changes a property name's case (drifted spellings, and two spellings of one key).</summary>
internal sealed record UpperCaseName(int Property) : Mutation
{
    public override byte[] Apply(byte[] json) => AtProperty(json, Property, s =>
    {
        var copy = (byte[])json.Clone();
        for (var i = s.NameStart + 1; i < copy.Length && copy[i] != (byte)'"'; i++)
        {
            copy[i] = (byte)char.ToUpperInvariant((char)copy[i]);
        }
        return copy;
    });
}

/// <summary>Inserts bytes that are not UTF-8.</summary>
internal sealed record InsertInvalidUtf8(int Position, int Sequence) : Mutation
{
    private static readonly byte[][] Sequences =
    [
        [0xFF], [0xC3, 0x28], [0xED, 0xA0, 0x80], [0xF8, 0x88, 0x80, 0x80, 0x80], [0xC0, 0xAF], [0xE2, 0x82], [0x80],
    ];

    public override byte[] Apply(byte[] json)
    {
        var at = json.Length == 0 ? 0 : Position % (json.Length + 1);
        return Splice(json, at, at, Sequences[Sequence % Sequences.Length]);
    }
}

/// <summary>Overwrites one byte with any value.</summary>
internal sealed record FlipByte(int Position, byte Value) : Mutation
{
    public override byte[] Apply(byte[] json)
    {
        if (json.Length == 0)
        {
            return json;
        }
        var copy = (byte[])json.Clone();
        copy[Position % copy.Length] = Value;
        return copy;
    }
}
