using FsCheck;
using FsCheck.Fluent;
using Linkage.Coinbase;

namespace Linkage.Properties.Coinbase;

public sealed class Rfc3339Tests
{
    private static readonly DateTimeOffset Base = new(2025, 3, 14, 15, 9, 26, TimeSpan.Zero);

    [TestCase("2025-03-14T15:09:26.535897932Z", 5358979)]
    [TestCase("2025-03-14T15:09:26.5Z", 5000000)]
    [TestCase("2025-03-14T15:09:26Z", 0)]
    [TestCase("2025-03-14t15:09:26z", 0)]
    [TestCase("2025-03-14 15:09:26Z", 0)]
    [TestCase("2025-03-14T16:09:26+01:00", 0)]
    [TestCase("2025-03-14T10:39:26.000001-04:30", 10)]
    public void Accepts_rfc3339_and_truncates_beyond_ticks(string text, long ticks)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Rfc3339.TryParse(text, out var value, out var reason), Is.True, reason);
            Assert.That(value, Is.EqualTo(Base.AddTicks(ticks)));
        });
    }

    [TestCase("")]
    [TestCase("2025-03-14T15:09:26")]
    [TestCase("2025-03-14T15:09:26.Z")]
    [TestCase("2025-03-14T15:09:60Z")]
    [TestCase("2025-13-14T15:09:26Z")]
    [TestCase("2025-02-29T15:09:26Z")]
    [TestCase("2025-03-14T15:09:26+15:00")]
    [TestCase("2025-03-14T15:09:26+0100")]
    [TestCase("2025-3-14T15:09:26Z")]
    [TestCase("0001-01-01T00:00:00+00:01")]
    [TestCase("9999-12-31T23:59:59-00:01")]
    [TestCase("2025-03-14T15:09:26.1234567890123Z")]
    [TestCase("2025-03-14T15:09:26Z trailing")]
    public void Refuses_what_is_not_rfc3339_with_a_reason(string text)
    {
        Assert.Multiple(() =>
        {
            Assert.That(Rfc3339.TryParse(text, out _, out var reason), Is.False);
            Assert.That(reason, Is.Not.Empty);
        });
    }

    [Test]
    public void Format_then_parse_gives_the_same_instant() =>
        Prop.ForAll(Gen.Choose(0, int.MaxValue).Two().Select(t => new DateTimeOffset((((long)t.Item1 << 31) | (uint)t.Item2) % DateTime.MaxValue.Ticks, TimeSpan.Zero)).ToArbitrary(), at =>
            Rfc3339.TryParse(Rfc3339.Format(at), out var back, out _) && back == at).QuickCheckThrowOnFailure();
}
