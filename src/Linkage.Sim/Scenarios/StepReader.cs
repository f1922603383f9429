using System.Collections.Immutable;
using Linkage.Engine;
using YamlDotNet.RepresentationModel;

namespace Linkage.Sim.Scenarios;

/// <summary>The steps of a file in run order, and what the file says about each order label.</summary>
internal sealed record ReadSteps(ImmutableArray<Step> Steps, ScenarioOrders Orders);

/// <summary>
/// Reads the <c>steps</c> list: each step's <c>at</c> and its one action, then sorts them into run order (by <c>at</c>,
/// stable) and checks the labels in that order (<see cref="ScenarioOrders"/>).
/// </summary>
internal sealed class StepReader(YamlErrors errors)
{
    private const string Place = "place", Exit = "exit", Manual = "manual", Fill = "fill", Cancel = "cancel", Disconnect = "disconnect",
        Reconnect = "reconnect", Restart = "restart", Duplicate = "duplicate", Resend = "resend";

    private static readonly string[] Actions = [Place, Exit, Manual, Fill, Cancel, Disconnect, Reconnect, Restart, Duplicate, Resend];
    private static readonly string[] StepKeys = ["at", .. Actions];
    private static readonly string[] PlaceKeys = ["order", "product", "side", "size", "price", "snapshot", "scores", "trigger", "indicators", "ack", "bracket"];
    private static readonly string[] ExitKeys = ["order", "product", "side", "size", "price", "trigger", "scores", "closes", "ack"];
    private static readonly string[] BracketKeys = ["take_profit", "stop_loss"];
    private static readonly (string, BracketLeg)[] Legs = [("take_profit", BracketLeg.TakeProfit), ("stop_loss", BracketLeg.StopLoss)];
    private static readonly string[] ManualKeys = ["order", "product", "side", "size", "price", "client_order_id"];
    private static readonly string[] FillKeys = ["order", "size", "price", "leg"];
    private static readonly string[] OrderKey = ["order"];
    private static readonly string[] DuplicateKeys = ["order", "as"];
    private static readonly string[] RestartKeys = ["abrupt"];
    private static readonly string[] NoKeys = [];
    private static readonly string[] ScoreKeys = ["buy", "sell"];
    private static readonly string[] AckDelayKeys = ["delay"];

    private static readonly (string, Side)[] Sides = [("BUY", Side.Buy), ("SELL", Side.Sell)];

    public ReadSteps? ReadSteps(YamlFields top)
    {
        var items = top.List("steps", required: true);
        if (items is null)
        {
            return null;
        }
        var orders = new ScenarioOrders(errors);
        if (items.Count == 0)
        {
            top.Fail("steps", "a scenario needs at least one step");
            return new ReadSteps([], orders);
        }
        var read = new List<(string Path, Step Step)>();
        for (var i = 0; i < items.Count; i++)
        {
            var path = $"steps[{i}]";
            if (ReadStep(items[i], path, orders) is { } step)
            {
                read.Add((path, step));
            }
        }
        // OrderBy is stable: steps at the same time keep their file order, as docs/scenarios.md requires.
        var sorted = read.OrderBy(s => s.Step.At).ToList();
        orders.Check(sorted);
        return new ReadSteps([.. sorted.Select(s => s.Step)], orders);
    }

    private Step? ReadStep(YamlNode node, string path, ScenarioOrders orders)
    {
        var fields = YamlFields.Open(errors, node, path, StepKeys);
        if (fields is null)
        {
            return null;
        }
        var at = fields.Duration("at", required: true);
        var actions = fields.Keys.Where(k => k != "at").ToList();
        if (actions.Count != 1)
        {
            errors.Add(node, path, actions.Count == 0
                ? $"a step needs one action: {string.Join(", ", Actions)}"
                : $"a step has exactly one action, this one has {string.Join(" and ", actions)}");
            return null;
        }
        var action = actions[0];
        var step = ReadAction(fields, action, at ?? TimeSpan.Zero, orders);
        return at is null || step is null ? null : step with { Line = YamlErrors.LineOf(node) };
    }

    private Step? ReadAction(YamlFields step, string action, TimeSpan at, ScenarioOrders orders)
    {
        var (allowed, needsFields) = action switch
        {
            Place => (PlaceKeys, true),
            Exit => (ExitKeys, true),
            Manual => (ManualKeys, true),
            Fill => (FillKeys, true),
            Cancel or Resend => (OrderKey, true),
            Duplicate => (DuplicateKeys, true),
            Restart => (RestartKeys, false),
            _ => (NoKeys, false),
        };
        var node = step.Get(action);
        if (node is null && needsFields)
        {
            errors.Add(step.Node, step.PathOf(action), $"needs its fields: {string.Join(", ", allowed)}");
            return null;
        }
        var fields = node is null ? null : YamlFields.Open(errors, node, step.PathOf(action), allowed);
        if (node is not null && fields is null)
        {
            return null;
        }
        var before = errors.Count;
        Step? result = action switch
        {
            Place => ReadPlace(fields!, at),
            Exit => ReadExit(fields!, at),
            Manual => ReadManual(fields!, at),
            Fill => ReadFill(fields!, at),
            Cancel => fields!.Name("order", required: true) is { } order ? new CancelStep(at) { Order = order } : null,
            Resend => fields!.Name("order", required: true) is { } order ? new ResendStep(at) { Order = order } : null,
            Duplicate => ReadDuplicate(fields!, at),
            Restart => new RestartStep(at) { Abrupt = fields?.Bool("abrupt") ?? false },
            Disconnect => new DisconnectStep(at),
            _ => new ReconnectStep(at),
        };
        if (errors.Count > before || result is null)
        {
            // A broken place, exit or manual still declares its label, so later steps naming it add no second error.
            if (action is Place or Exit or Manual && fields?.Text("order") is { } label)
            {
                orders.DeclareBroken(label);
            }
            return null;
        }
        return result;
    }

    private static PlaceStep? ReadPlace(YamlFields f, TimeSpan at)
    {
        var (order, product, side, size, price) = ReadOrder(f);
        var snapshot = f.Name("snapshot", required: true, Limits.SnapshotIdLengthMax);
        var scores = ReadScores(f);
        var trigger = f.Name("trigger", lengthMax: Limits.TriggerLengthMax);
        var indicators = ReadIndicators(f);
        var ack = ReadAck(f);
        var bracket = ReadBracket(f, side);
        if (order is null || product is null || side is null || size is null || snapshot is null || ack is null || (f.Has("bracket") && bracket is null))
        {
            return null;
        }
        return new PlaceStep(at)
        {
            Order = order,
            Product = product,
            Side = side.Value,
            Size = size.Value,
            Price = price,
            Snapshot = snapshot,
            Scores = scores,
            Trigger = trigger,
            Indicators = indicators,
            Ack = ack,
            Bracket = bracket,
        };
    }

    /// <summary>
    /// <c>bracket: { take_profit: PRICE, stop_loss: PRICE }</c>: both required and positive, on the sides Coinbase
    /// accepts (a BUY entry's take profit above its stop loss, a SELL entry's below); null when absent or after an error.
    /// </summary>
    private static Engine.Bracket? ReadBracket(YamlFields f, Side? side)
    {
        if (f.Mapping("bracket", BracketKeys) is not { } legs)
        {
            return null;
        }
        var takeProfit = legs.Decimal("take_profit", DecimalRule.Positive, required: true);
        var stopLoss = legs.Decimal("stop_loss", DecimalRule.Positive, required: true);
        if (takeProfit is not { } tp || stopLoss is not { } sl || side is not { } s)
        {
            return null;
        }
        if (s == Side.Buy ? tp <= sl : tp >= sl)
        {
            legs.Fail("take_profit", $"{tp} must be {(s == Side.Buy ? "above" : "below")} stop_loss {sl} for a {(s == Side.Buy ? "BUY" : "SELL")} entry");
            return null;
        }
        return new Engine.Bracket(tp, sl);
    }

    private static ExitStep? ReadExit(YamlFields f, TimeSpan at)
    {
        var order = f.Name("order", required: true);
        var product = ReadProduct(f);
        var side = f.Has("side") ? f.Choice("side", Sides, StringComparison.OrdinalIgnoreCase, required: true) : Side.Sell;
        var size = f.Decimal("size", DecimalRule.Positive);
        var price = f.Decimal("price", DecimalRule.Positive);
        var trigger = f.Name("trigger", required: true, Limits.TriggerLengthMax);
        var scores = ReadScores(f);
        var closes = f.Names("closes");
        if (closes is { Count: > Limits.ExitClosesMax })
        {
            f.Fail("closes", $"names {closes.Count} entries, more than {Limits.ExitClosesMax}");
        }
        var ack = ReadAck(f);
        if (order is null || product is null || side is null || trigger is null || ack is null)
        {
            return null;
        }
        return new ExitStep(at)
        {
            Order = order,
            Product = product,
            Side = side.Value,
            Size = size,
            Price = price,
            Trigger = trigger,
            Scores = scores,
            Closes = [.. (closes ?? []).Select(c => c.Name)],
            Ack = ack,
        };
    }

    private static ManualStep? ReadManual(YamlFields f, TimeSpan at)
    {
        var (order, product, side, size, price) = ReadOrder(f);
        var clientOrderId = f.Name("client_order_id", lengthMax: ScenarioLimits.ForeignClientOrderIdLengthMax);
        if (order is null || product is null || side is null || size is null || (f.Has("client_order_id") && clientOrderId is null))
        {
            return null;
        }
        return new ManualStep(at) { Order = order, Product = product, Side = side.Value, Size = size.Value, Price = price, ClientOrderId = clientOrderId };
    }

    /// <summary>The fields every order placed by side and size has (<c>place</c> and <c>manual</c>).</summary>
    private static (string? Order, string? Product, Side? Side, decimal? Size, decimal? Price) ReadOrder(YamlFields f) => (
        f.Name("order", required: true),
        ReadProduct(f),
        f.Choice("side", Sides, StringComparison.OrdinalIgnoreCase, required: true),
        f.Decimal("size", DecimalRule.Positive, required: true),
        f.Decimal("price", DecimalRule.Positive));

    private static FillStep? ReadFill(YamlFields f, TimeSpan at)
    {
        var order = f.Name("order", required: true);
        var size = f.Decimal("size", DecimalRule.Positive);
        var price = f.Decimal("price", DecimalRule.Positive);
        var leg = f.Choice("leg", Legs);
        if (f.Has("leg") && leg is null)
        {
            return null;
        }
        return order is null ? null : new FillStep(at) { Order = order, Size = size, Price = price, Leg = leg };
    }

    private static DuplicateStep? ReadDuplicate(YamlFields f, TimeSpan at)
    {
        var order = f.Name("order", required: true);
        var otherOrder = f.Name("as");
        return order is null ? null : new DuplicateStep(at) { Order = order, As = otherOrder };
    }

    private static string? ReadProduct(YamlFields f)
    {
        var text = f.Text("product", required: true);
        if (text is null)
        {
            return null;
        }
        if (!ProductId.TryCreate(text, out _, out var error))
        {
            f.Fail("product", error);
            return null;
        }
        return text;
    }

    private static ScoreSet ReadScores(YamlFields f)
    {
        var scores = f.Mapping("scores", ScoreKeys);
        return new ScoreSet(scores?.Decimal("buy", DecimalRule.Any), scores?.Decimal("sell", DecimalRule.Any));
    }

    private static ImmutableSortedDictionary<string, string> ReadIndicators(YamlFields f)
    {
        var empty = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
        if (f.Get("indicators") is not { } node)
        {
            return empty;
        }
        if (node is not YamlMappingNode mapping)
        {
            f.Fail("indicators", "expected a mapping of indicator names to values");
            return empty;
        }
        var builder = empty.ToBuilder();
        foreach (var (key, value) in mapping.Children)
        {
            if (key is not YamlScalarNode { Value: { Length: > 0 } name } || value is not YamlScalarNode scalar)
            {
                f.Fail("indicators", "each indicator is a name and a single value");
                continue;
            }
            builder[name] = scalar.Value ?? "";
        }
        return builder.ToImmutable();
    }

    /// <summary><c>ok</c> (also when absent), <c>lost</c>, <c>reject</c>, or <c>{ delay: 30s }</c>; null after an error.</summary>
    private static Ack? ReadAck(YamlFields f)
    {
        var node = f.Get("ack");
        if (node is null)
        {
            return Ack.Ok;
        }
        if (node is YamlMappingNode)
        {
            var delay = f.Mapping("ack", AckDelayKeys)?.Duration("delay", required: true);
            return delay is null ? null : new AckDelay(delay.Value);
        }
        var word = f.Text("ack");
        Ack? ack = word switch
        {
            "ok" => Ack.Ok,
            "lost" => Ack.Lost,
            "reject" => Ack.Reject,
            _ => null,
        };
        if (ack is null && word is not null)
        {
            f.Fail("ack", $"'{word}' is not ok, lost, reject or {{ delay: DURATION }}");
        }
        return ack;
    }
}
