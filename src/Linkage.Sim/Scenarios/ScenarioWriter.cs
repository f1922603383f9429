using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Linkage.Sim.Scenarios;

/// <summary>
/// Writes a <see cref="Scenario"/> as a scenario file in the format <see cref="ScenarioLoader"/> reads, so that loading
/// what was written gives the same scenario (the property tests hold it to that). Used to export shrunk counterexamples
/// to <c>scenarios/regressions/</c>. Output is deterministic: the same scenario always gives the same bytes. Defaults
/// (feed, latency, faults, ok acks, empty scores) are left out; the seed is always written, since a regression replays
/// only with it.
/// </summary>
public static partial class ScenarioWriter
{
    /// <summary>The scenario as YAML text (LF line ends, ending in a newline). Steps are written in the order given.</summary>
    public static string Write(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var text = new StringWriter(CultureInfo.InvariantCulture) { NewLine = "\n" };
        var emitter = new Emitter(text, new EmitterSettings(bestIndent: 2, bestWidth: int.MaxValue, isCanonical: false, maxSimpleKeyLength: 1024, indentSequences: true, newLine: "\n"));
        var yaml = new Yaml(emitter);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart(null, null, isImplicit: true));
        yaml.Block(() =>
        {
            yaml.Key("name").Text(scenario.Name);
            if (scenario.Description is { } description)
            {
                yaml.Key("description").Text(description);
            }
            yaml.Key("seed").Plain(scenario.Seed.ToString(CultureInfo.InvariantCulture));
            if (scenario.Feed != FeedKind.Orders)
            {
                yaml.Key("feed").Plain("trades");
            }
            if (scenario.Latency != Latency.Default)
            {
                yaml.Key("latency").Flow(() =>
                {
                    yaml.Key("ack").Duration(scenario.Latency.Ack).Key("feed").Duration(scenario.Latency.Feed);
                    if (scenario.Latency.Rest != TimeSpan.Zero)
                    {
                        yaml.Key("rest").Duration(scenario.Latency.Rest);
                    }
                });
            }
            if (scenario.Faults != Faults.None)
            {
                var f = scenario.Faults;
                yaml.Key("faults").Flow(() => yaml.Key("duplicate").Number(f.Duplicate).Key("reorder").Number(f.Reorder).Key("drop").Number(f.Drop));
            }
            if (scenario.ResendAnswer == ResendAnswer.Error)
            {
                yaml.Key("resend_answer").Plain("error");
            }
            yaml.Key("steps").Sequence(() =>
            {
                foreach (var step in scenario.Steps)
                {
                    yaml.Block(() => WriteStep(yaml, step));
                }
            });
            if (scenario.Expect is { } expect)
            {
                yaml.Key("expect").Block(() => WriteExpect(yaml, expect));
            }
        });
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    /// <summary>Writes the scenario to <paramref name="path"/> as UTF-8 without a byte order mark.</summary>
    public static void WriteFile(Scenario scenario, string path) =>
        File.WriteAllText(path, Write(scenario), new UTF8Encoding(encoderShouldEmitUTF8Identifier: false));

    private static void WriteStep(Yaml yaml, Step step)
    {
        yaml.Key("at").Duration(step.At);
        switch (step)
        {
            case PlaceStep p:
                yaml.Key("place").Flow(() =>
                {
                    yaml.Key("order").Text(p.Order).Key("product").Text(p.Product).Key("side").Plain(Side(p.Side))
                        .Key("size").Quantity(p.Size).Key("price").Quantity(p.Price).Key("snapshot").Text(p.Snapshot);
                    WriteScores(yaml, p.Scores);
                    yaml.Key("trigger").Text(p.Trigger);
                    if (!p.Indicators.IsEmpty)
                    {
                        yaml.Key("indicators").Flow(() =>
                        {
                            foreach (var (name, value) in p.Indicators)
                            {
                                yaml.Key(name).Text(value);
                            }
                        });
                    }
                    WriteAck(yaml, p.Ack);
                    if (p.Bracket is { } bracket)
                    {
                        yaml.Key("bracket").Flow(() => yaml.Key("take_profit").Quantity(bracket.TakeProfit).Key("stop_loss").Quantity(bracket.StopLoss));
                    }
                });
                break;
            case ExitStep e:
                yaml.Key("exit").Flow(() =>
                {
                    yaml.Key("order").Text(e.Order).Key("product").Text(e.Product);
                    if (e.Side == Engine.Side.Buy)
                    {
                        // Only a short's exit says its side: a file without it means SELL, as before the extension.
                        yaml.Key("side").Plain(Side(e.Side));
                    }
                    yaml.Key("size").Quantity(e.Size)
                        .Key("price").Quantity(e.Price).Key("trigger").Text(e.Trigger);
                    WriteScores(yaml, e.Scores);
                    if (!e.Closes.IsEmpty)
                    {
                        yaml.Key("closes").Labels(e.Closes);
                    }
                    WriteAck(yaml, e.Ack);
                });
                break;
            case ManualStep m:
                yaml.Key("manual").Flow(() =>
                {
                    yaml.Key("order").Text(m.Order).Key("product").Text(m.Product)
                        .Key("side").Plain(Side(m.Side)).Key("size").Quantity(m.Size).Key("price").Quantity(m.Price);
                    if (m.ClientOrderId is { } coid)
                    {
                        yaml.Key("client_order_id").Text(coid);
                    }
                });
                break;
            case FillStep f:
                yaml.Key("fill").Flow(() =>
                {
                    yaml.Key("order").Text(f.Order).Key("size").Quantity(f.Size).Key("price").Quantity(f.Price);
                    if (f.Leg is { } leg)
                    {
                        yaml.Key("leg").Plain(leg == BracketLeg.TakeProfit ? "take_profit" : "stop_loss");
                    }
                });
                break;
            case CancelStep c:
                yaml.Key("cancel").Flow(() => yaml.Key("order").Text(c.Order));
                break;
            case DisconnectStep:
                yaml.Key("disconnect").Flow(() => { });
                break;
            case ReconnectStep:
                yaml.Key("reconnect").Flow(() => { });
                break;
            case RestartStep { Abrupt: true }:
                yaml.Key("restart").Flow(() => yaml.Key("abrupt").Plain("true"));
                break;
            case RestartStep:
                yaml.Key("restart").Flow(() => { });
                break;
            case DuplicateStep d:
                yaml.Key("duplicate").Flow(() => yaml.Key("order").Text(d.Order).Key("as").Text(d.As));
                break;
            case ResendStep r:
                yaml.Key("resend").Flow(() => yaml.Key("order").Text(r.Order));
                break;
            default:
                throw new ArgumentException($"no scenario syntax for step type {step.GetType().Name}", nameof(step));
        }
    }

    private static void WriteScores(Yaml yaml, ScoreSet scores)
    {
        if (scores.Buy is not null || scores.Sell is not null)
        {
            yaml.Key("scores").Flow(() => yaml.Key("buy").Number(scores.Buy).Key("sell").Number(scores.Sell));
        }
    }

    private static void WriteAck(Yaml yaml, Ack ack)
    {
        switch (ack)
        {
            case AckOk:
                break;
            case AckDelay delay:
                yaml.Key("ack").Flow(() => yaml.Key("delay").Duration(delay.Delay));
                break;
            case AckLost:
                yaml.Key("ack").Plain("lost");
                break;
            case AckReject:
                yaml.Key("ack").Plain("reject");
                break;
            default:
                throw new ArgumentException($"no scenario syntax for ack {ack.GetType().Name}", nameof(ack));
        }
    }

    private static void WriteExpect(Yaml yaml, Expectations expect)
    {
        if (!expect.Links.IsEmpty)
        {
            yaml.Key("links").Sequence(() =>
            {
                foreach (var link in expect.Links)
                {
                    yaml.Flow(() => yaml.Key("order").Text(link.Order).Key("snapshot").Text(link.Snapshot)
                        .Key("fills").Number(link.Fills).Key("filled").Quantity(link.Filled));
                }
            });
        }
        if (expect.External is { } external)
        {
            yaml.Key("external").Number(external);
        }
        if (!expect.Exits.IsEmpty)
        {
            yaml.Key("exits").Sequence(() =>
            {
                foreach (var exit in expect.Exits)
                {
                    yaml.Flow(() => yaml.Key("order").Text(exit.Order).Key("closes").Labels(exit.Closes).Key("trigger").Text(exit.Trigger));
                }
            });
        }
        if (expect.Legacy is { } legacy)
        {
            yaml.Key("legacy").Flow(() => yaml.Key("wrong").Number(legacy.Wrong).Key("missing").Number(legacy.Missing));
        }
    }

    private static string Side(Engine.Side side) => side == Engine.Side.Buy ? "BUY" : "SELL";

    /// <summary>
    /// Text that can stand unquoted: it reads back as the same string in any YAML reader (no indicator characters, not a
    /// null, boolean or number look-alike). Anything else is written double-quoted, with YamlDotNet's escaping.
    /// </summary>
    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_.-]*$", RegexOptions.CultureInvariant)]
    private static partial Regex PlainSafe();

    private static readonly HashSet<string> YamlWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "null", "true", "false", "yes", "no", "on", "off", "y", "n",
    };

    /// <summary>A thin builder over the emitter: a key is written only with its value, and an absent value drops both.</summary>
    private sealed class Yaml(IEmitter emitter)
    {
        private string? _pendingKey;

        public Yaml Key(string key)
        {
            _pendingKey = key;
            return this;
        }

        public Yaml Text(string? value) => value is null ? Skip() : Scalar(value, StyleFor(value));

        public Yaml Plain(string value) => Scalar(value, ScalarStyle.Plain);

        public Yaml Duration(TimeSpan value) => Plain(ScenarioDurations.Format(value));

        /// <summary>Sizes and prices as quoted decimal strings, as the exchange writes them (scale kept).</summary>
        public Yaml Quantity(decimal? value) =>
            value is { } d ? Scalar(d.ToString(CultureInfo.InvariantCulture), ScalarStyle.DoubleQuoted) : Skip();

        /// <summary>Scores, probabilities and counts as plain numbers; null is written as <c>null</c>.</summary>
        public Yaml Number(decimal? value) => Plain(value?.ToString(CultureInfo.InvariantCulture) ?? "null");

        public Yaml Number(int? value) => value is { } n ? Plain(n.ToString(CultureInfo.InvariantCulture)) : Skip();

        public Yaml Labels(IEnumerable<string> labels) => Sequence(() =>
        {
            foreach (var label in labels)
            {
                Text(label);
            }
        }, SequenceStyle.Flow);

        public Yaml Block(Action body) => Mapping(body, MappingStyle.Block);

        public Yaml Flow(Action body) => Mapping(body, MappingStyle.Flow);

        public Yaml Sequence(Action body, SequenceStyle style = SequenceStyle.Block) =>
            Nest(new SequenceStart(null, null, isImplicit: true, style), body, new SequenceEnd());

        private Yaml Mapping(Action body, MappingStyle style) =>
            Nest(new MappingStart(null, null, isImplicit: true, style), body, new MappingEnd());

        private Yaml Nest(ParsingEvent start, Action body, ParsingEvent end)
        {
            EmitKey();
            emitter.Emit(start);
            body();
            emitter.Emit(end);
            return this;
        }

        private Yaml Scalar(string value, ScalarStyle style)
        {
            EmitKey();
            Emit(value, style);
            return this;
        }

        private static ScalarStyle StyleFor(string text) =>
            PlainSafe().IsMatch(text) && !YamlWords.Contains(text) ? ScalarStyle.Plain : ScalarStyle.DoubleQuoted;

        private void Emit(string value, ScalarStyle style) =>
            emitter.Emit(new YamlDotNet.Core.Events.Scalar(null, null, value, style, isPlainImplicit: style == ScalarStyle.Plain, isQuotedImplicit: style != ScalarStyle.Plain));

        private Yaml Skip()
        {
            _pendingKey = null;
            return this;
        }

        private void EmitKey()
        {
            if (_pendingKey is { } key)
            {
                _pendingKey = null;
                Emit(key, StyleFor(key));
            }
        }
    }
}
