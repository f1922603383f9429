using System.Collections.Immutable;
using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>Records holding an <see cref="EquatableArray{T}"/> compare by its items, through the compiler-generated equality.</summary>
public sealed class EquatableArrayTests
{
    private static readonly ClientOrderId A = ClientOrderId.From("lk-a");
    private static readonly ClientOrderId B = ClientOrderId.From("lk-b");

    [Test]
    public void Arrays_with_the_same_items_in_the_same_order_are_equal_and_hash_alike()
    {
        EquatableArray<ClientOrderId> first = ImmutableArray.Create(A, B);
        EquatableArray<ClientOrderId> second = [A, B];

        Assert.Multiple(() =>
        {
            Assert.That(first, Is.EqualTo(second));
            Assert.That(first == second, Is.True);
            Assert.That(first.GetHashCode(), Is.EqualTo(second.GetHashCode()));
            Assert.That(first, Is.Not.EqualTo((EquatableArray<ClientOrderId>)[B, A]), "order matters");
            Assert.That(first, Is.Not.EqualTo((EquatableArray<ClientOrderId>)[A]));
        });
    }

    [Test]
    public void A_default_array_equals_only_a_default_array()
    {
        EquatableArray<ClientOrderId> none = default;
        EquatableArray<ClientOrderId> alsoNone = new(default);
        EquatableArray<ClientOrderId> empty = [];

        Assert.Multiple(() =>
        {
            Assert.That(none.Equals(alsoNone), Is.True);
            Assert.That(none.Equals(empty), Is.False);
            Assert.That(empty.Equals(none), Is.False);
            Assert.That(none.GetHashCode(), Is.EqualTo(empty.GetHashCode()), "both hash as no items; equality still tells them apart");
        });
    }

    [Test]
    public void Intents_naming_the_same_lots_in_separate_arrays_are_equal()
    {
        var exit = Exit(0.001m, closes: ["lk-a", "lk-b"]);
        var copy = exit with { Closes = [.. exit.Closes.Items.ToArray()] };

        Assert.Multiple(() =>
        {
            Assert.That(copy, Is.EqualTo(exit));
            Assert.That(copy.GetHashCode(), Is.EqualTo(exit.GetHashCode()));
            Assert.That(exit with { Closes = [A] }, Is.Not.EqualTo(exit));
        });
    }
}
