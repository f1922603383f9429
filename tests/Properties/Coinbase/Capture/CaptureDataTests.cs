using Linkage.Coinbase.Capture;

namespace Linkage.Properties.Coinbase.Capture;

public sealed class CaptureDataTests
{
    private static readonly DateTimeOffset At = new(2025, 3, 14, 15, 9, 30, TimeSpan.Zero);

    [TestCase(CaptureKind.Intent, nameof(Examples.IntentFromSeedLog))]
    [TestCase(CaptureKind.OrderRequest, nameof(Examples.CreateOrderRequest))]
    [TestCase(CaptureKind.OrderResponse, nameof(Examples.CreateOrderSuccess))]
    [TestCase(CaptureKind.OrderResponse, nameof(Examples.CreateOrderTimeout))]
    [TestCase(CaptureKind.Ws, nameof(Examples.UserUpdate))]
    [TestCase(CaptureKind.Ws, nameof(Examples.LegacyMatch))]
    [TestCase(CaptureKind.Fills, nameof(Examples.ListFills))]
    [TestCase(CaptureKind.Order, nameof(Examples.GetOrder))]
    [TestCase(CaptureKind.Orders, nameof(Examples.ListOrders))]
    public void Valid_data_of_each_kind_passes(CaptureKind kind, string example)
    {
        var data = (string)typeof(Examples).GetField(example, System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Static)!.GetValue(null)!;
        Assert.That(CaptureData.Validate(new CaptureRecord(1, At, kind, data)), Is.Null);
    }

    [Test]
    public void Data_of_the_wrong_kind_is_refused_with_its_field()
    {
        var error = CaptureData.Validate(new CaptureRecord(1, At, CaptureKind.Fills, Examples.UserUpdate));
        Assert.That(error?.Field, Is.EqualTo("fills"));
    }

    [Test]
    public void Intent_without_a_timestamp_takes_the_records_time() =>
        Assert.That(CaptureData.Validate(new CaptureRecord(1, At, CaptureKind.Intent, Mutate.RemoveField(Examples.IntentFromSeedLog, "timestamp"))), Is.Null);
}
