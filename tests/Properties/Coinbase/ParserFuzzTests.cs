using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using Linkage.Coinbase;
using Linkage.Properties.Coinbase.Fuzz;

namespace Linkage.Properties.Coinbase;

/// <summary>
/// Parser fuzz: generated mutations of every valid example (truncation, wrong types, numbers out of range, deep
/// nesting, 1 MB strings, invalid UTF-8, deleted, duplicated and re-cased keys, flipped bytes) go through every
/// parser, as bytes and as text. No exception may escape, every refusal has a reason, whatever is accepted is safe to
/// use, and input that is certainly bad is refused.
/// </summary>
public sealed class ParserFuzzTests
{
    private static readonly Config Runs = Config.QuickThrowOnFailure.WithMaxTest(1_000);

    /// <summary>Values of the wrong type, out of range, or malformed: what a drifting or hostile sender might put anywhere.</summary>
    private static readonly string[] HostileValues =
    [
        "null", "true", "false", "0", "-1", "1.5", "-0", "\"\"", "\"x\"", "[]", "{}", "[[]]", "{\"a\":{}}",
        "\"1e400\"", "1e400", "-1e400", "1e-400", "\"99999999999999999999999999999\"", "99999999999999999999999999999",
        "\"0.0000000000000000000000000000001\"", "9223372036854775808", "\"-9223372036854775809\"", "\"-0.0\"",
        "\"NaN\"", "\"Infinity\"", "\" 5 \"", "\"0x10\"", "\"1,5\"", "\"\u0663\"", "\"\\u0000\"", "\"\\ud800\"", "\"\\udc00\\ud800\"",
        "\"2025-02-30T00:00:00Z\"", "\"0001-01-01T00:00:00+05:00\"", "\"9999-12-31T23:59:59-14:00\"", "\"2025-03-14T15:09:26.1234567890123Z\"",
        "\"BUY\"", "\"sell\"", "\"FILLED\"", "\"snapshot\"", "\"a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b\"",
    ];

    private static readonly string[] OutOfRangeDecimals =
    [
        "\"1e400\"", "1e400", "\"99999999999999999999999999999\"", "99999999999999999999999999999", "\"-1\"", "-0.5",
        "\"NaN\"", "\"Infinity\"", "\"12abc\"", "{}", "[]", "true", "\"1000000000000.01\"",
    ];

    private static Gen<int> Anywhere => Gen.Choose(0, 100_000);

    private static readonly Gen<Mutation> Mutations = Gen.Frequency(
        (3, Anywhere.Select(p => (Mutation)new Truncate(p))),
        (8, from p in Anywhere from v in Gen.Elements(HostileValues) select (Mutation)new SetValue(p, v)),
        (4, Anywhere.Select(p => (Mutation)new DeleteProperty(p))),
        (2, from p in Anywhere from d in Gen.Choose(1, 300) select (Mutation)new Nest(p, d)),
        (1, from p in Anywhere from n in Gen.Elements(1_000_000, CoinbaseLimits.MessageLengthMax - 2_000, CoinbaseLimits.MessageLengthMax + 1) select (Mutation)new HugeString(p, n)),
        (2, Anywhere.Select(p => (Mutation)new DuplicateProperty(p))),
        (2, Anywhere.Select(p => (Mutation)new UpperCaseName(p))),
        (2, from p in Anywhere from s in Gen.Choose(0, 100) select (Mutation)new InsertInvalidUtf8(p, s)),
        (2, from p in Anywhere from b in Gen.Choose(0, 255) select (Mutation)new FlipByte(p, (byte)b)));

    private sealed record Case(ParserTarget Target, Mutation[] Mutations, int SurrogateAt)
    {
        public byte[] Apply() => Mutations.Aggregate(Encoding.UTF8.GetBytes(Target.Json), (json, m) => m.Apply(json));

        public override string ToString() => $"{Target.Name}: {string.Join(", ", Mutations.Select(m => m.ToString()))}";
    }

    private static readonly Gen<Case> Cases =
        from target in Gen.Elements(ParserTargets.All)
        from count in Gen.Choose(1, 4)
        from mutations in Gen.ArrayOf(Mutations, count)
        from surrogateAt in Anywhere
        select new Case(target, mutations, surrogateAt);

    /// <summary>Null when the outcome is acceptable: a refusal with a reason, or a value that is safe to use.</summary>
    private static string? Problem(ParseOutcome outcome) => outcome.Ok
        ? ParserTargets.Violation(outcome.Value!)
        : string.IsNullOrWhiteSpace(outcome.Reason) ? "refused without a reason" : null;

    private static bool IsUtf8(byte[] bytes) => System.Text.Unicode.Utf8.IsValid(bytes);

    [Test]
    public void No_mutation_escapes_a_parser_and_every_refusal_has_a_reason() =>
        Prop.ForAll(Cases.ToArbitrary(), c =>
        {
            var bytes = c.Apply();
            var problem = Problem(c.Target.ParseBytes(bytes));
            if (problem is null && IsUtf8(bytes))
            {
                var text = Encoding.UTF8.GetString(bytes);
                problem = Problem(c.Target.ParseText(text));
                var withSurrogate = text.Insert(c.SurrogateAt % (text.Length + 1), "\ud800");
                var broken = c.Target.ParseText(withSurrogate);
                problem ??= broken.Ok ? "text with an unpaired surrogate was accepted" : Problem(broken);
            }
            return Prop.Label(problem is null, problem ?? "");
        }).Check(Runs);

    [Test]
    public void Every_truncation_of_a_valid_message_is_refused() =>
        Prop.ForAll((from target in Gen.Elements(ParserTargets.All) from cut in Anywhere select (target, cut)).ToArbitrary(), t =>
        {
            var bytes = Encoding.UTF8.GetBytes(t.target.Json);
            var outcome = t.target.ParseBytes(bytes[..(t.cut % bytes.Length)]);
            return !outcome.Ok && !string.IsNullOrEmpty(outcome.Reason);
        }).Check(Runs);

    [Test]
    public void Invalid_utf8_anywhere_is_refused() =>
        Prop.ForAll((from target in Gen.Elements(ParserTargets.All.Where(t => t.Name != "CaptureLine").ToArray())
                     from p in Anywhere from s in Gen.Choose(0, 100) select (target, mutation: new InsertInvalidUtf8(p, s))).ToArbitrary(), t =>
        {
            var outcome = t.target.ParseBytes(t.mutation.Apply(Encoding.UTF8.GetBytes(t.target.Json)));
            return !outcome.Ok && outcome.Reason == "message is not valid UTF-8";
        }).Check(Runs);

    [Test]
    public void Nesting_past_the_depth_limit_anywhere_is_refused() =>
        Prop.ForAll((from target in Gen.Elements(ParserTargets.All) from p in Anywhere
                     from depth in Gen.Choose(CoinbaseLimits.JsonDepthMax + 1, 400) select (target, mutation: new Nest(p, depth))).ToArbitrary(), t =>
        {
            var outcome = t.target.ParseBytes(t.mutation.Apply(Encoding.UTF8.GetBytes(t.target.Json)));
            return !outcome.Ok && outcome.Reason!.Contains("depth", StringComparison.Ordinal);
        }).Check(Runs);

    [Test]
    public void Escaped_unpaired_surrogate_or_duplicate_key_anywhere_is_refused() =>
        Prop.ForAll((from target in Gen.Elements(ParserTargets.All) from p in Anywhere
                     from mutation in Gen.Elements<Mutation>(new SetValue(p, "\"\\ud800\""), new SetValue(p, "\"a\\udc00\""), new DuplicateProperty(p))
                     select (target, mutation)).ToArbitrary(), t =>
        {
            var outcome = t.target.ParseBytes(t.mutation.Apply(Encoding.UTF8.GetBytes(t.target.Json)));
            return !outcome.Ok && !string.IsNullOrEmpty(outcome.Reason);
        }).Check(Runs);

    [Test]
    public void Out_of_range_or_malformed_decimal_is_refused_naming_its_field()
    {
        var cases = from target in ParserTargets.All
                    from field in target.DecimalFields
                    select (target, field);
        Prop.ForAll((from c in Gen.Elements(cases.ToArray()) from value in Gen.Elements(OutOfRangeDecimals) select (c.target, c.field, value)).ToArbitrary(), t =>
        {
            var outcome = t.target.ParseText(SetNamed(t.target.Json, t.field, t.value));
            return Prop.Label(!outcome.Ok && outcome.Field is { } f && f.EndsWith(t.field, StringComparison.Ordinal), $"{t.target.Name}.{t.field} = {t.value}: {outcome.Field}: {outcome.Reason}");
        }).Check(Runs.WithMaxTest(500));
    }

    /// <summary>A decimal as Coinbase might write it: any scale, padded with zeros, or in exponent form; as a JSON string or number.</summary>
    private sealed record DecimalText(decimal Value, string Json);

    private static readonly Gen<DecimalText> Decimals =
        from integer in Gen.Choose(0, 999_999).SelectMany(high => Gen.Choose(0, 999_999).Select(low => (high * 1_000_000L) + low))
        from scale in Gen.Choose(0, 15)
        from fractionHigh in Gen.Choose(0, int.MaxValue)
        from fractionLow in Gen.Choose(0, int.MaxValue)
        from zeros in Gen.Choose(0, 8)
        from form in Gen.Choose(0, 3)
        let fraction = (((long)fractionHigh << 31) | (uint)fractionLow) % Pow10(scale)
        let value = integer + new decimal((int)(fraction & 0xFFFFFFFF), (int)(fraction >> 32), 0, false, (byte)scale)
        let digits = scale == 0 ? integer.ToString(CultureInfo.InvariantCulture) : $"{integer.ToString(CultureInfo.InvariantCulture)}.{fraction.ToString(CultureInfo.InvariantCulture).PadLeft(scale, '0')}"
        let plain = zeros == 0 ? digits : (scale == 0 ? digits + "." : digits) + new string('0', zeros)
        let exponent = $"{integer.ToString(CultureInfo.InvariantCulture)}{(scale == 0 ? "" : fraction.ToString(CultureInfo.InvariantCulture).PadLeft(scale, '0'))}E-{scale}"
        select new DecimalText(value, form switch { 0 => $"\"{plain}\"", 1 => plain, 2 => $"\"{exponent}\"", _ => exponent });

    private static long Pow10(int n) => n == 0 ? 1 : 10 * Pow10(n - 1);

    [Test]
    public void Decimals_of_any_scale_and_form_parse_exactly() =>
        Prop.ForAll(Decimals.ToArbitrary(), d =>
        {
            var update = CoinbaseParser.ParseWebSocket(SetNamed(Examples.UserUpdate, "cumulative_quantity", d.Json));
            var cumulative = update.IsSuccess ? ((UserChannelMessage)update.Value).Events[0].Orders[0].State.CumulativeQuantity : null;
            var fills = CoinbaseParser.ParseListFills(SetNamed(Examples.ListFills, "price", d.Json));
            var priceOk = d.Value == 0 ? !fills.IsSuccess : fills.IsSuccess && fills.Value.Fills[0].Fill.Price == d.Value;
            return Prop.Label(cumulative == d.Value && priceOk, $"{d.Json} read as {cumulative?.ToString(CultureInfo.InvariantCulture) ?? update.ToString()}, price {fills}");
        }).Check(Runs);

    private static string SetNamed(string json, string field, string value)
    {
        var bytes = Encoding.UTF8.GetBytes(json);
        var span = JsonSpans.Find(bytes).First(s => JsonSpans.Name(bytes, s) == field);
        return Encoding.UTF8.GetString([.. bytes[..span.ValueStart], .. Encoding.UTF8.GetBytes(value), .. bytes[span.ValueEnd..]]);
    }
}
