using System.Text;
using Linkage.Coinbase;
using Linkage.Coinbase.Capture;

namespace Linkage.Properties.Coinbase.Capture;

public sealed class CaptureReaderTests
{
    private static List<CaptureLine> Read(string text) => [.. CaptureReader.Read(new StringReader(text))];

    [Test]
    public void Records_carry_line_time_kind_and_raw_data()
    {
        var lines = Read("""
            {"at":"2025-12-29T21:04:11.532Z","kind":"intent","data":{"pair":"AVNT-USD", "side":"buy"}}
            {"at":"2025-12-29T21:04:11.600+01:00","kind":"order_response","data":{"timeout":true,"client_order_id":"lk-1"}}
            """);
        var first = (CaptureRecord)lines[0];
        var second = (CaptureRecord)lines[1];
        Assert.Multiple(() =>
        {
            Assert.That(first.Line, Is.EqualTo(1));
            Assert.That(first.At, Is.EqualTo(new DateTimeOffset(2025, 12, 29, 21, 4, 11, 532, TimeSpan.Zero)));
            Assert.That(first.Kind, Is.EqualTo(CaptureKind.Intent));
            Assert.That(first.Data, Is.EqualTo("""{"pair":"AVNT-USD", "side":"buy"}"""), "data is kept verbatim");
            Assert.That(second.Line, Is.EqualTo(2));
            Assert.That(second.Kind, Is.EqualTo(CaptureKind.OrderResponse));
            Assert.That(second.At.UtcDateTime, Is.EqualTo(new DateTime(2025, 12, 29, 20, 4, 11, 600, DateTimeKind.Utc)));
        });
    }

    [TestCase("intent", CaptureKind.Intent)]
    [TestCase("order_request", CaptureKind.OrderRequest)]
    [TestCase("order_response", CaptureKind.OrderResponse)]
    [TestCase("ws", CaptureKind.Ws)]
    [TestCase("fills", CaptureKind.Fills)]
    [TestCase("order", CaptureKind.Order)]
    [TestCase("orders", CaptureKind.Orders)]
    public void Every_kind_reads(string wire, CaptureKind kind) =>
        Assert.That(((CaptureRecord)CaptureReader.ParseLine("{\"at\":\"2025-01-01T00:00:00Z\",\"kind\":\"" + wire + "\",\"data\":{}}", 1)).Kind, Is.EqualTo(kind));

    [Test]
    public void Broken_lines_are_reported_with_line_and_reason_and_the_rest_is_read()
    {
        var text = string.Join('\n',
            """{"at":"2025-12-29T21:04:11.532Z","kind":"intent","data":{"pair":"AVNT-USD"}}""",
            """{"at":"2025-12-29T21:04:11.532Z","kind":"intent","data":{"pair":""",
            """{"at":"2025-12-29T21:04:11.532Z","kind":"telepathy","data":{}}""",
            """{"kind":"ws","data":{}}""",
            """{"at":"yesterday","kind":"ws","data":{}}""",
            """{"at":"2025-12-29T21:04:11.532Z","kind":"ws","data":[1]}""",
            """[1,2,3]""",
            "",
            """{"at":"2025-12-29T21:04:12Z","kind":"ws","data":{"type":"heartbeat"}}""");
        var lines = Read(text);
        var problems = lines.OfType<CaptureProblem>().Select(p => (p.Line, p.Reason)).ToArray();
        Assert.Multiple(() =>
        {
            Assert.That(lines.OfType<CaptureRecord>().Select(r => r.Line), Is.EqualTo(new[] { 1, 9 }));
            Assert.That(problems.Select(p => p.Line), Is.EqualTo(new[] { 2, 3, 4, 5, 6, 7 }));
            Assert.That(problems[0].Reason, Does.StartWith("not valid JSON"));
            Assert.That(problems[1].Reason, Is.EqualTo("unknown kind 'telepathy'"));
            Assert.That(problems[2].Reason, Does.Contain("'at' is missing"));
            Assert.That(problems[3].Reason, Does.Contain("RFC 3339"));
            Assert.That(problems[4].Reason, Does.Contain("'data'"));
            Assert.That(problems[5].Reason, Does.Contain("not a JSON object"));
        });
    }

    [Test]
    public void Problem_keeps_the_raw_line_for_quarantine()
    {
        var problem = (CaptureProblem)Read("{\"at\":").Single();
        Assert.That(problem.Raw, Is.EqualTo("{\"at\":"));
    }

    [Test]
    public void Too_long_line_is_reported_without_holding_it_and_the_next_line_is_read()
    {
        var huge = "{\"at\":\"2025-01-01T00:00:00Z\",\"kind\":\"ws\",\"data\":{\"x\":\"" + new string('a', CoinbaseLimits.CaptureLineLengthMax) + "\"}}";
        var lines = Read(huge + "\n" + """{"at":"2025-01-01T00:00:01Z","kind":"ws","data":{}}""");
        var problem = (CaptureProblem)lines[0];
        Assert.Multiple(() =>
        {
            Assert.That(problem.Line, Is.EqualTo(1));
            Assert.That(problem.Reason, Does.Contain("more than"));
            Assert.That(problem.Raw, Has.Length.LessThanOrEqualTo(Linkage.Engine.Limits.QuarantinedPayloadLengthMax));
            Assert.That(lines[1], Is.InstanceOf<CaptureRecord>());
            Assert.That(lines[1].Line, Is.EqualTo(2));
        });
    }

    [Test]
    public void Crlf_line_ends_and_a_missing_final_newline_are_accepted()
    {
        var lines = Read("{\"at\":\"2025-01-01T00:00:00Z\",\"kind\":\"ws\",\"data\":{}}\r\n{\"at\":\"2025-01-01T00:00:01Z\",\"kind\":\"ws\",\"data\":{}}");
        Assert.That(lines.Select(l => l.GetType()), Is.EqualTo(new[] { typeof(CaptureRecord), typeof(CaptureRecord) }));
    }

    [Test]
    public void Invalid_utf8_in_a_stream_is_a_problem_for_its_line_only()
    {
        var bytes = new List<byte>(Encoding.UTF8.GetBytes("{\"at\":\"2025-01-01T00:00:00Z\",\"kind\":\"ws\",\"data\":{\"x\":\""));
        bytes.AddRange([0xFF, 0xFE]);
        bytes.AddRange(Encoding.UTF8.GetBytes("\"}}\r\n{\"at\":\"2025-01-01T00:00:01Z\",\"kind\":\"ws\",\"data\":{\"y\":\"\u00e9\"}}\n"));
        var lines = CaptureReader.Read(new MemoryStream([.. bytes])).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(lines, Has.Count.EqualTo(2));
            Assert.That(lines[0], Is.InstanceOf<CaptureProblem>());
            Assert.That(((CaptureProblem)lines[0]).Reason, Is.EqualTo("line is not valid UTF-8"));
            Assert.That(((CaptureRecord)lines[1]).Data, Is.EqualTo("{\"y\":\"\u00e9\"}"));
        });
    }

    [Test]
    public void Stream_and_text_readers_agree_on_valid_input()
    {
        var text = "{\"at\":\"2025-01-01T00:00:00Z\",\"kind\":\"ws\",\"data\":{}}\r\n\n[1]\n{\"at\":\"2025-01-01T00:00:01Z\",\"kind\":\"fills\",\"data\":{}}";
        var fromText = Read(text);
        var fromStream = CaptureReader.Read(new MemoryStream(Encoding.UTF8.GetBytes(text))).ToList();
        Assert.That(fromStream, Is.EqualTo(fromText));
    }

    [Test]
    public void Record_data_parses_with_the_parser_of_its_kind()
    {
        var line = """{"at":"2025-03-14T15:09:26.600Z","kind":"ws","data":""" + Examples.UserUpdate.ReplaceLineEndings(" ") + "}";
        var record = (CaptureRecord)CaptureReader.ParseLine(line, 20);
        Assert.That(CoinbaseParser.ParseWebSocket(record.Data).Value, Is.InstanceOf<UserChannelMessage>());
    }
}
