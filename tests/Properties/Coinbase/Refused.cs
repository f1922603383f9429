using Linkage.Coinbase;

namespace Linkage.Properties.Coinbase;

/// <summary>The one assertion every strictness test makes: refused, at this field, for this reason.</summary>
internal static class Refused
{
    public static void At<T>(ParseResult<T> result, string? field, string reason)
    {
        Assert.Multiple(() =>
        {
            Assert.That(result.IsSuccess, Is.False, () => $"expected a refusal, got {result}");
            Assert.That(result.Field, Is.EqualTo(field), () => result.ToString());
            Assert.That(result.Reason, Does.Contain(reason), () => result.ToString());
        });
    }
}
