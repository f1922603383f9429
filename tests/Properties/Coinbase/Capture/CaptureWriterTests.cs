using Linkage.Coinbase;
using Linkage.Coinbase.Capture;

namespace Linkage.Properties.Coinbase.Capture;

public sealed class CaptureWriterTests
{
    [Test]
    public void Record_is_one_line_with_utc_millisecond_time_and_verbatim_data()
    {
        var at = new DateTimeOffset(2025, 12, 29, 22, 4, 11, 532, TimeSpan.FromHours(1));
        Assert.That(CaptureWriter.Format(at, CaptureKind.OrderRequest, """{"b": 1, "a":"x"}"""),
            Is.EqualTo("""{"at":"2025-12-29T21:04:11.532Z","kind":"order_request","data":{"b": 1, "a":"x"}}""" + "\n"));
    }

    [Test]
    public void Whole_seconds_still_write_three_fraction_digits() =>
        Assert.That(Rfc3339.Format(new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero)), Is.EqualTo("2025-01-02T03:04:05.000Z"));

    [Test]
    public void Sub_millisecond_time_keeps_its_ticks_so_it_round_trips()
    {
        var at = new DateTimeOffset(2025, 1, 2, 3, 4, 5, TimeSpan.Zero).AddTicks(1234560);
        var text = Rfc3339.Format(at);
        Assert.Multiple(() =>
        {
            Assert.That(text, Is.EqualTo("2025-01-02T03:04:05.123456Z"));
            Assert.That(Rfc3339.TryParse(text, out var back, out _) && back == at, Is.True);
        });
    }

    [Test]
    public void Multi_line_data_is_written_on_one_line()
    {
        var text = CaptureWriter.Format(DateTimeOffset.UnixEpoch, CaptureKind.Ws, Examples.UserUpdate);
        Assert.Multiple(() =>
        {
            Assert.That(text.Count(c => c == '\n'), Is.EqualTo(1));
            Assert.That(text, Does.EndWith("\n"));
        });
    }

    [Test]
    public void Written_records_read_back_identically()
    {
        var records = new[]
        {
            (At: new DateTimeOffset(2025, 3, 14, 15, 9, 21, 104, TimeSpan.Zero), Kind: CaptureKind.Intent, Data: Examples.IntentFromSeedLog),
            (At: new DateTimeOffset(2025, 3, 14, 15, 9, 21, 200, TimeSpan.Zero), Kind: CaptureKind.OrderRequest, Data: Examples.CreateOrderRequest),
            (At: new DateTimeOffset(2025, 3, 14, 15, 9, 26, 535, TimeSpan.Zero), Kind: CaptureKind.Ws, Data: Examples.UserUpdate),
            (At: new DateTimeOffset(2025, 3, 14, 15, 9, 30, 0, TimeSpan.Zero), Kind: CaptureKind.Fills, Data: Examples.ListFills),
        };
        var output = new StringWriter();
        var writer = new CaptureWriter(output);
        foreach (var (at, kind, data) in records)
        {
            writer.Write(at, kind, data);
        }
        var read = CaptureReader.Read(new StringReader(output.ToString())).Cast<CaptureRecord>().ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(read.Select(r => r.At), Is.EqualTo(records.Select(r => r.At)));
            Assert.That(read.Select(r => r.Kind), Is.EqualTo(records.Select(r => r.Kind)));
            Assert.That(read.Select(r => r.Line), Is.EqualTo(new[] { 1, 2, 3, 4 }));
            Assert.That(CoinbaseParser.ParseListFills(read[3].Data).Value.Fills, Has.Length.EqualTo(2));
        });

        // Byte-stable: writing what was read gives the same bytes.
        var again = new StringWriter();
        var rewriter = new CaptureWriter(again);
        foreach (var record in read)
        {
            rewriter.Write(record.At, record.Kind, record.Data);
        }
        Assert.That(again.ToString(), Is.EqualTo(output.ToString()));
    }

    [TestCase("not json")]
    [TestCase("[1]")]
    public void Data_that_is_not_a_json_object_is_a_programmer_error(string data) =>
        Assert.Throws<ArgumentException>(() => CaptureWriter.Format(DateTimeOffset.UnixEpoch, CaptureKind.Ws, data));
}
