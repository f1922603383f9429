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
    /// <summary>Wraps <paramref name="items"/>.</summary>
    public EquatableArray(ImmutableArray<T> items) => Items = items;

    /// <summary>The items as an <see cref="ImmutableArray{T}"/> (no copy).</summary>
    public ImmutableArray<T> Items { get; }

    /// <summary>Whether no array is wrapped (the default value).</summary>
    public bool IsDefault => Items.IsDefault;

    /// <summary>Whether no array is wrapped or it is empty.</summary>
    public bool IsDefaultOrEmpty => Items.IsDefaultOrEmpty;

    /// <summary>Whether the array is empty.</summary>
    public bool IsEmpty => Items.IsEmpty;

    /// <summary>How many items the array holds.</summary>
    public int Length => Items.Length;

    int IReadOnlyCollection<T>.Count => Items.Length;

    /// <summary>The item at <paramref name="index"/>.</summary>
    public T this[int index] => Items[index];

    /// <summary>Wraps <paramref name="items"/>.</summary>
    public static implicit operator EquatableArray<T>(ImmutableArray<T> items) => new(items);

    /// <summary>The wrapped array.</summary>
    public static implicit operator ImmutableArray<T>(EquatableArray<T> array) => array.Items;

    /// <summary>Equal when both hold equal items in the same order.</summary>
    public static bool operator ==(EquatableArray<T> left, EquatableArray<T> right) => left.Equals(right);

    /// <summary>Not equal when the items differ, in value or order.</summary>
    public static bool operator !=(EquatableArray<T> left, EquatableArray<T> right) => !left.Equals(right);

    /// <summary>Equal when both hold equal items in the same order.</summary>
    public bool Equals(EquatableArray<T> other) =>
        Items.IsDefault || other.Items.IsDefault ? Items.IsDefault == other.Items.IsDefault : Items.AsSpan().SequenceEqual(other.Items.AsSpan());

    /// <inheritdoc />
    public override bool Equals(object? obj) => obj is EquatableArray<T> other && Equals(other);

    /// <inheritdoc />
    public override int GetHashCode()
    {
        var hash = new HashCode();
        foreach (var item in Items.IsDefault ? [] : Items)
        {
            hash.Add(item);
        }
        return hash.ToHashCode();
    }

    /// <summary>Enumerates the items in order.</summary>
    public ImmutableArray<T>.Enumerator GetEnumerator() => Items.GetEnumerator();

    IEnumerator<T> IEnumerable<T>.GetEnumerator() => ((IEnumerable<T>)Items).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => ((IEnumerable)Items).GetEnumerator();

    /// <inheritdoc />
    public override string ToString() => Items.IsDefault ? "default" : $"[{string.Join(", ", Items)}]";
}

/// <summary>Builds <see cref="EquatableArray{T}"/> values (the collection-expression builder).</summary>
public static class EquatableArray
{
    /// <summary>An array of <paramref name="items"/> (the collection-expression builder).</summary>
    public static EquatableArray<T> Create<T>(ReadOnlySpan<T> items)
        where T : IEquatable<T> => new([.. items]);
}
