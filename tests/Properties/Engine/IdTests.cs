using Linkage.Engine;

namespace Linkage.Properties.Engine;

/// <summary>
/// The id types' invariants at their edges: the longest valid id and one character more, every character class a
/// client order id allows and its neighbours outside, and NUL in the free-text ids. The error names the id, the
/// length or the character, as the quarantine shows it.
/// </summary>
public sealed class IdTests
{
    private delegate bool TryCreate(string? value, out string? error);

    private static readonly (string Name, int Max, TryCreate Create)[] FreeText =
    [
        ("exchange order id", Limits.ExchangeIdLengthMax, (string? v, out string? e) => ExchangeOrderId.TryCreate(v, out _, out e)),
        ("product id", Limits.ProductIdLengthMax, (string? v, out string? e) => ProductId.TryCreate(v, out _, out e)),
        ("snapshot id", Limits.SnapshotIdLengthMax, (string? v, out string? e) => SnapshotId.TryCreate(v, out _, out e)),
    ];

    [Test]
    public void A_client_order_id_takes_letters_digits_and_hyphens_only_up_to_its_length()
    {
        static string? Error(string? value) => ClientOrderId.TryCreate(value, out _, out var error) ? null : error;
        Assert.Multiple(() =>
        {
            Assert.That(Error("azAZ09-"), Is.Null, "each end of each range");
            Assert.That(Error(new string('a', Limits.ClientOrderIdLengthMax)), Is.Null);
            Assert.That(Error(new string('a', Limits.ClientOrderIdLengthMax + 1)), Is.EqualTo($"client order id is {Limits.ClientOrderIdLengthMax + 1} characters, more than {Limits.ClientOrderIdLengthMax}"));
            Assert.That(Error(null), Is.EqualTo("client order id is missing"));
            Assert.That(Error(""), Is.EqualTo("client order id is missing"));
            // The neighbours of each range: '`' and '{' around a-z, '@' and '[' around A-Z, '/' and ':' around 0-9.
            foreach (var c in "`{@[/:_ é")
            {
                Assert.That(Error("lk" + c), Is.EqualTo($"client order id has a character outside [A-Za-z0-9-] (U+{(int)c:X4})"), $"'{c}'");
            }
            Assert.That(ClientOrderId.From("lk-1").IsMintedByLinkage, Is.True);
            Assert.That(ClientOrderId.From("abc").IsMintedByLinkage, Is.False);
            Assert.That(Assert.Throws<ArgumentException>(() => ClientOrderId.From("a b"))!.Message, Does.StartWith("client order id has a character outside"));
        });
    }

    [Test]
    public void Exchange_product_and_snapshot_ids_take_any_text_but_NUL_up_to_their_length()
    {
        Assert.Multiple(() =>
        {
            foreach (var (name, max, create) in FreeText)
            {
                Assert.That(create(new string('x', max), out var atMax), Is.True, $"{name} of {max}: {atMax}");
                Assert.That(create(new string('x', max + 1), out var over), Is.False, name);
                Assert.That(over, Is.EqualTo($"{name} is {max + 1} characters, more than {max}"));
                Assert.That(create("a\0b", out var nul), Is.False, name);
                Assert.That(nul, Is.EqualTo($"{name} holds U+0000 (NUL), which no store's text can keep"));
                Assert.That(create("ünï cødé / ok", out var text), Is.True, $"{name}: {text}");
                Assert.That(create("", out var empty), Is.False, name);
                Assert.That(empty, Does.StartWith(name));
            }
        });
    }
}
