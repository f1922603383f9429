using FsCheck;
using FsCheck.Fluent;
using Linkage.Engine;
using Linkage.Stores.Sql;

namespace Linkage.Properties.Stores.Sql;

/// <summary>
/// The parked-input codec is exact: every input, with any decimals (all scales, 28 digits), any times (every tick, any
/// offset) and any text (quotes, NUL, unicode), reads back equal, and writing it again gives the same text (so decimal
/// scales and time offsets survive too: record equality alone would not see them).
/// </summary>
public sealed class EngineInputJsonProperties
{
    private static readonly Gen<string> Text = Gen.OneOf(
        Gen.Elements([.. Samples.Hostile, "\u0000", "", "\\u0000", "{\"json\":[1,2]}"]),
        from length in Gen.Choose(1, 20) from chars in Gen.ArrayOf(Gen.Choose(0x20, 0x7E), length) select new string([.. chars.Select(c => (char)c)]));

    private static readonly Gen<string?> OptionalText = Gen.OneOf(Gen.Constant<string?>(null), Text.Select(t => (string?)t));

    /// <summary>Id text: any text but NUL, which no id may hold (the engine refuses it at the boundary).</summary>
    private static readonly Gen<string> IdText =
        from text in Text.Select(t => t.Replace('\0', '?'))
        from suffix in Gen.Choose(0, 999)
        select $"{(text.Trim().Length == 0 ? "id" : text[..Math.Min(text.Length, 50)])}-{suffix}";

    private static readonly Gen<decimal> Decimal =
        from lo in Gen.Choose(int.MinValue, int.MaxValue)
        from mid in Gen.Choose(int.MinValue, int.MaxValue)
        from hi in Gen.OneOf(Gen.Constant(0), Gen.Choose(int.MinValue, int.MaxValue))
        from negative in Gen.Elements(true, false)
        from scale in Gen.Choose(0, 28)
        select new decimal(lo, mid, hi, negative, (byte)scale);

    private static readonly Gen<decimal?> OptionalDecimal = Gen.OneOf(Gen.Constant<decimal?>(null), Decimal.Select(d => (decimal?)d));

    private static readonly Gen<DateTimeOffset> Time =
        from days in Gen.Choose(0, 365 * 100)
        from ticks in Gen.Choose(0, int.MaxValue)
        from offsetMinutes in Gen.OneOf(Gen.Constant(0), Gen.Choose(-14 * 60, 14 * 60))
        select new DateTimeOffset(new DateTime(2000, 1, 1).Ticks + (days * TimeSpan.TicksPerDay) + ticks, TimeSpan.FromMinutes(offsetMinutes));

    private static readonly Gen<ClientOrderId> ClientId =
        from length in Gen.Choose(1, Limits.ClientOrderIdLengthMax)
        from chars in Gen.ArrayOf(Gen.Elements([.. "abcXYZ019-"]), length)
        select ClientOrderId.From(new string(chars));

    private static readonly Gen<ExchangeOrderId> ExchangeId = IdText.Select(ExchangeOrderId.From);

    private static readonly Gen<ProductId> Product = IdText.Select(t => ProductId.From(t[^Math.Min(t.Length, Limits.ProductIdLengthMax)..]));

    private static Gen<T?> Optional<T>(Gen<T> gen)
        where T : struct => Gen.OneOf(Gen.Constant<T?>(null), gen.Select(v => (T?)v));

    private static Gen<T> AnyOf<T>()
        where T : struct, Enum => Gen.Elements(Enum.GetValues<T>());

    private static readonly Gen<Intent> Intents =
        from kind in AnyOf<IntentKind>()
        from product in Product
        from side in AnyOf<Side>()
        from size in OptionalDecimal
        from price in OptionalDecimal
        from snapshot in Optional(IdText.Select(SnapshotId.From))
        from buy in OptionalDecimal
        from sell in OptionalDecimal
        from trigger in OptionalText
        from indicators in OptionalText
        from fired in Optional(Gen.Choose(0, 99))
        from closes in Gen.ArrayOf(ClientId)
        from decided in Time
        from own in Optional(ClientId)
        from placedByCaller in Gen.Elements(true, false)
        select new Intent
        {
            Kind = kind, Product = product, Side = side, Size = size, Price = price, Snapshot = snapshot, BuyScore = buy, SellScore = sell,
            Trigger = trigger, IndicatorsJson = indicators, IndicatorsFired = fired, Closes = [.. closes], DecidedAt = decided, ClientOrderId = own,
            PlacedByCaller = placedByCaller,
        };

    private static readonly Gen<OrderState> States =
        from eoid in ExchangeId
        from coid in Optional(ClientId)
        from product in Optional(Product)
        from side in Optional(AnyOf<Side>())
        from status in Optional(AnyOf<OrderStatus>())
        from quantities in Gen.ArrayOf(OptionalDecimal, 6)
        from fills in Optional(Gen.Choose(0, 1000))
        select new OrderState
        {
            ExchangeOrderId = eoid, ClientOrderId = coid, Product = product, Side = side, Status = status,
            CumulativeQuantity = quantities[0], LeavesQuantity = quantities[1], AveragePrice = quantities[2], FilledValue = quantities[3],
            TotalFees = quantities[4], NumberOfFills = fills, OrderSize = quantities[5],
        };

    private static readonly Gen<TradeFill> Fills =
        from key in from eoid in ExchangeId from source in AnyOf<FillSource>() from k in IdText select new FillKey(eoid, source, k)
        from type in AnyOf<TradeType>()
        from amounts in Gen.ArrayOf(Decimal, 3)
        from product in Optional(Product)
        from side in Optional(AnyOf<Side>())
        from tradeId in OptionalText
        from tradeTime in Optional(Time)
        select new TradeFill
        {
            Key = key, TradeType = type, Size = amounts[0], Price = amounts[1], Commission = amounts[2], Product = product, Side = side,
            TradeId = tradeId, TradeTime = tradeTime,
        };

    private static readonly Gen<EngineInput> Inputs =
        from at in Time
        from origin in OptionalText
        from flag in Gen.Elements(true, false)
        from input in Gen.OneOf(
            Intents.Select(i => (EngineInput)new IntentReceived(at, i)),
            from coid in ClientId from result in AnyOf<PlacementResult>() from eoid in Optional(ExchangeId) from reason in OptionalText
            select (EngineInput)new PlacementOutcome(at, coid, result, eoid, reason),
            from state in States from source in AnyOf<OrderStateSource>() select (EngineInput)new OrderUpdate(at, state, source) { FromReconciliation = flag },
            Fills.Select(f => (EngineInput)new TradeFillReceived(at, f) { FromReconciliation = flag }),
            from eoid in ExchangeId from coid in Optional(ClientId) select (EngineInput)new OrderNotOurs(at, eoid, coid),
            Gen.Constant((EngineInput)new Tick(at)),
            from texts in Gen.ArrayOf(Text, 3) from field in OptionalText from line in Optional(Gen.Choose(1, 100_000))
            select (EngineInput)new MalformedInput(at, texts[0], texts[1], texts[2]) { Field = field, Line = line })
        select input with { Origin = origin };

    [Test]
    public void Every_input_reads_back_equal_and_writes_back_the_same_text() =>
        Prop.ForAll(Inputs.ToArbitrary(), input =>
        {
            var json = EngineInputJson.Write(input);
            var read = EngineInputJson.Read(json);
            Assert.That(read, Is.EqualTo(input), json);

            // Record equality ignores a decimal's scale and a time's offset; the printed records do not.
            Assert.That(read.ToString(), Is.EqualTo(input.ToString()), "scales and offsets survive");
            Assert.That(EngineInputJson.Write(read), Is.EqualTo(json), "writing is a function of the input alone");
        }).Check(Config.QuickThrowOnFailure.WithMaxTest(500));

    [Test]
    public void Text_that_is_not_a_stored_input_is_a_format_error()
    {
        string[] corrupt = ["", "not json", "{}", """{"v":2,"type":"Tick","at":"2025-01-01T00:00:00.0000000+00:00","origin":null}""",
            """{"v":1,"type":"Unknown","at":"2025-01-01T00:00:00.0000000+00:00","origin":null}""",
            """{"v":1,"type":"Tick","at":"yesterday","origin":null}"""];
        Assert.Multiple(() =>
        {
            foreach (var text in corrupt)
            {
                Assert.That(() => EngineInputJson.Read(text), Throws.InstanceOf<FormatException>(), text);
            }
        });
    }

    [Test]
    public void Document_shape_is_versioned_and_readable()
    {
        var input = new TradeFillReceived(
            new DateTimeOffset(2025, 3, 14, 15, 9, 28, 311, TimeSpan.Zero).AddTicks(2),
            new TradeFill
            {
                Key = new FillKey(ExchangeOrderId.From("a7d2"), FillSource.RestFills, "e-1"),
                TradeType = TradeType.Fill,
                Size = 0.00100000m,
                Price = 50000.01m,
            })
        { Origin = "ws" };
        var json = EngineInputJson.Write(input);
        Assert.That(json, Does.StartWith("""{"v":1,"type":"TradeFillReceived","at":"2025-03-14T15:09:28.3110002+00:00","origin":"ws","fill":"""));
        Assert.That(json, Does.Contain("\"size\":\"0.00100000\""));
    }

    [Test]
    public void An_intent_the_host_places_is_written_exactly_as_before_placed_by_caller_existed()
    {
        // The text this codec wrote before Intent.PlacedByCaller existed: parked inputs already stored, and every JSON
        // output made of them, stay byte-identical, because the flag is written only when it is set.
        const string Before = """{"v":1,"type":"IntentReceived","at":"2025-03-14T15:09:26.5350000+00:00","origin":"webhook","intent":{"kind":"Entry","product":"BTC-USD","side":"Buy","size":"0.00200000","price":null,"snapshot":"snap-1","buyScore":null,"sellScore":null,"trigger":null,"indicatorsJson":null,"indicatorsFired":null,"closes":[],"decidedAt":"2025-03-14T15:09:26.0000000+00:00","clientOrderId":null}}""";
        var input = new IntentReceived(
            new DateTimeOffset(2025, 3, 14, 15, 9, 26, 535, TimeSpan.Zero),
            new Intent
            {
                Kind = IntentKind.Entry,
                Product = ProductId.From("BTC-USD"),
                Side = Side.Buy,
                Size = 0.00200000m,
                Snapshot = SnapshotId.From("snap-1"),
                DecidedAt = new DateTimeOffset(2025, 3, 14, 15, 9, 26, TimeSpan.Zero),
            })
        { Origin = "webhook" };
        var placed = input with { Intent = input.Intent with { PlacedByCaller = true } };
        var placedJson = EngineInputJson.Write(placed);
        Assert.Multiple(() =>
        {
            Assert.That(EngineInputJson.Write(input), Is.EqualTo(Before), "placed by the host: the text written before the flag existed");
            Assert.That(EngineInputJson.Read(Before), Is.EqualTo(input), "a document without the flag reads as placed by the host");
            Assert.That(placedJson, Is.EqualTo(Before.Replace("\"clientOrderId\":null}}", "\"clientOrderId\":null,\"placedByCaller\":true}}", StringComparison.Ordinal)));
            Assert.That(EngineInputJson.Read(placedJson), Is.EqualTo(placed), "the flag reads back");
        });
    }
}
