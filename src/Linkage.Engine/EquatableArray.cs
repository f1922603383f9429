using System.Collections;
using System.Collections.Immutable;
using System.Runtime.CompilerServices;

namespace Linkage.Engine;

/// <summary>
/// An <see cref="ImmutableArray{T}"/> that compares by its items, in order, so a record holding one compares
/// structurally by the compiler-generated equality (an <see cref="ImmutableArray{T}"/> compares by reference).
/// Immutable. A default (uninitialised) array equals only another default one; its <see cref="IsDefault"/> stays
/// visible so validation can refuse it.
/// </summary>
[CollectionBuilder(typeof(EquatableArray), nameof(EquatableArray.Create))]
public readonly struct EquatableArray<T> : IEquatable<EquatableArray<T>>, IReadOnlyList<T>
    where T : IEquatable<T>
{
    public EquatableArray(ImmutableArray<T> items) => Items = items;

    /// <summary>The items as an <see cref="ImmutableArray{T}"/> (no copy).</summary>
    public ImmutableArray<T> Items { get; }

    public bool IsDefault => Items.IsDefault;

    public bool IsDefaultOrEmpty => Items.IsDefaultOrEmpty;

    public bool IsEmpty => Items.IsEmpty;

    public int Length => Items.Length;

    int IReadOnlyCollection<T>.Count => Items.Length;

    public T this[int index] => Items[index];

    public static implicit operator EquatableArray<T>(ImmutableArray<T> items) => new(items);

    public static implicit operator ImmutableArray<T>(EquatableArray<T> array) => array.Items;

    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

    public bool Equals(EquatableArray<T> other) =>
        Items.IsDefault || other.Items.IsDefault ? Items.IsDefault == other.Items.IsDefault : Items.AsSpan().SequenceEqual(other.Items.AsSpan());

    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items.IsDefault ? [] : Items)
        {
            hash.Add(item);
        }
        return hash.ToHashCode();
    }

    public ImmutableArray<T>.Enumerator GetEnumerator() => Items.GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable)Items).GetEnumerator();

    public override string ToString() => Items.IsDefault ? "default" : $"[{string.Join(", ", Items)}]";
}

/// <summary>Builds <see cref="EquatableArray{T}"/> values (the collection-expression builder).</summary>
public static class EquatableArray
{
    public static EquatableArray<T> Create<T>(ReadOnlySpan<T> items)
        where T : IEquatable<T> => new([.. items]);
}
