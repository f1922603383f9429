using YamlDotNet.RepresentationModel;

namespace Linkage.Sim.Scenarios;

/// <summary>Which step created an order label.</summary>
[Flags]
internal enum OrderKind
{
    /// <summary>A <c>place</c>: an entry with a snapshot.</summary>
    Entry = 1,

    /// <summary>An <c>exit</c> from the position monitor.</summary>
    Exit = 2,

    /// <summary>A <c>manual</c> order placed outside the bot.</summary>
    Manual = 4,

    Any = Entry | Exit | Manual,
}

/// <summary>
/// The order labels of one file, checked in run order: a step may only name an order created by an earlier step (in run
/// order), labels are unique, fills never exceed the order's size nor follow its last fill or cancel, a rejected order
/// has no fills, a duplicate needs an earlier fill, and an exit closes earlier entries of its own product. Each
/// violation is an error at the step's line.
/// </summary>
internal sealed class ScenarioOrders(YamlErrors errors)
{
    private readonly Dictionary<string, Order> _orders = new(StringComparer.Ordinal);
    private readonly HashSet<string> _broken = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _declaredAnywhere = new(StringComparer.Ordinal);

    /// <summary>A label whose creating step had errors of its own: naming it adds no further error.</summary>
    public void DeclareBroken(string label) => _broken.Add(label);

    public void Check(IReadOnlyList<(string Path, Step Step)> steps)
    {
        foreach (var (_, step) in steps)
        {
            if (step is PlaceStep or ExitStep or ManualStep)
            {
                _declaredAnywhere.TryAdd(LabelOf(step), step.Line);
            }
        }
        foreach (var (path, step) in steps)
        {
            switch (step)
            {
                case PlaceStep place:
                    Declare($"{path}.place.order", place, new Order(OrderKind.Entry, place.Product, place.Size, place.Ack is AckReject, place.Line)
                    {
                        Bracket = place.Bracket,
                        Side = place.Side,
                    });
                    break;
                case ExitStep exit:
                    CheckCloses($"{path}.exit.closes", exit);
                    Declare($"{path}.exit.order", exit, new Order(OrderKind.Exit, exit.Product, exit.Size, exit.Ack is AckReject, exit.Line));
                    break;
                case ManualStep manual:
                    Declare($"{path}.manual.order", manual, new Order(OrderKind.Manual, manual.Product, manual.Size, false, manual.Line));
                    break;
                case FillStep fill:
                    CheckFill($"{path}.fill", fill);
                    break;
                case CancelStep cancel:
                    CheckCancel($"{path}.cancel.order", cancel);
                    break;
                case DuplicateStep duplicate:
                    CheckDuplicate($"{path}.duplicate", duplicate);
                    break;
                case ResendStep resend:
                    Find($"{path}.resend.order", resend, resend.Order, OrderKind.Entry | OrderKind.Exit);
                    break;
                default:
                    break;
            }
        }
    }

    /// <summary>Checks a label named in <c>expect</c>: it must exist (anywhere in the file) and be of an allowed kind.</summary>
    public void ExpectKind(YamlFields fields, string key, string label, OrderKind allowed, YamlNode? node = null)
    {
        if (_broken.Contains(label))
        {
            return;
        }
        var where = node is null ? YamlErrors.LineOf(fields.Get(key) ?? fields.Node) : YamlErrors.LineOf(node);
        if (!_orders.TryGetValue(label, out var order))
        {
            errors.Add(where, fields.PathOf(key), $"names order '{label}', which no step creates");
        }
        else if ((order.Kind & allowed) == 0)
        {
            errors.Add(where, fields.PathOf(key), $"'{label}' is {Describe(order.Kind)}; expected {Describe(allowed)}");
        }
    }

    private static string LabelOf(Step step) => step switch
    {
        PlaceStep p => p.Order,
        ExitStep e => e.Order,
        ManualStep m => m.Order,
        _ => "",
    };

    private static string Describe(OrderKind kind) => string.Join(" or ", new[]
    {
        kind.HasFlag(OrderKind.Entry) ? "an entry (place)" : null,
        kind.HasFlag(OrderKind.Exit) ? "an exit" : null,
        kind.HasFlag(OrderKind.Manual) ? "a manual order" : null,
    }.OfType<string>());

    private void Declare(string key, Step step, Order order)
    {
        var label = LabelOf(step);
        if (_orders.TryGetValue(label, out var first))
        {
            errors.Add(step.Line, key, $"order label '{label}' is already used at line {first.Line}");
            return;
        }
        if (_broken.Contains(label))
        {
            errors.Add(step.Line, key, $"order label '{label}' is already used by a step with errors");
            return;
        }
        _orders[label] = order;
    }

    private Order? Find(string key, Step step, string label, OrderKind allowed)
    {
        if (_orders.TryGetValue(label, out var order))
        {
            if ((order.Kind & allowed) != 0)
            {
                return order;
            }
            errors.Add(step.Line, key, $"'{label}' is {Describe(order.Kind)}; this step needs {Describe(allowed)}");
            return null;
        }
        if (!_broken.Contains(label))
        {
            var reason = _declaredAnywhere.TryGetValue(label, out var line)
                ? $"names order '{label}', which is only created later in run order (line {line})"
                : $"names order '{label}', which no place, exit or manual step creates";
            errors.Add(step.Line, key, reason);
        }
        return null;
    }

    private void CheckFill(string key, FillStep fill)
    {
        var order = Find($"{key}.order", fill, fill.Order, fill.Leg is null ? OrderKind.Any : OrderKind.Entry);
        if (order is null)
        {
            return;
        }
        if (fill.Leg is { } leg)
        {
            CheckLegFill(key, fill, order, leg);
            return;
        }
        if (order.Rejected)
        {
            errors.Add(fill.Line, $"{key}.order", $"order '{fill.Order}' is rejected (ack: reject): the exchange has no such order to fill");
            return;
        }
        if (order.Closed is not null)
        {
            errors.Add(fill.Line, $"{key}.order", $"order '{fill.Order}' has nothing left to fill: {order.Closed}");
            return;
        }
        order.HasFill = true;
        if (fill.Size is not { } size)
        {
            order.Closed = $"filled in full at line {fill.Line}";
            order.FilledInFull = true;
            return;
        }
        order.Filled += size;
        if (order.Size is { } total && order.Filled > total)
        {
            errors.Add(fill.Line, $"{key}.size", $"fills of '{fill.Order}' add up to {order.Filled}, more than its size {total}");
        }
        else if (order.Filled == order.Size)
        {
            order.Closed = $"filled in full at line {fill.Line}";
            order.FilledInFull = true;
        }
    }

    /// <summary>
    /// A fill of an entry's attached bracket order: the entry has a bracket, filled in full before (the exchange
    /// activates the bracket once its parent filled), the bracket's fills stay within the entry's size, and a given
    /// price is one the named leg can fill at (the take profit at its limit or better, the stop loss anywhere else).
    /// </summary>
    private void CheckLegFill(string key, FillStep fill, Order order, BracketLeg leg)
    {
        if (order.Bracket is not { } bracket)
        {
            errors.Add(fill.Line, $"{key}.leg", $"entry '{fill.Order}' has no bracket (place.bracket) whose leg could fill");
            return;
        }
        if (!order.FilledInFull)
        {
            errors.Add(fill.Line, $"{key}.leg", $"entry '{fill.Order}' is not filled in full before this step; its bracket only works once it is");
            return;
        }
        if (order.BracketClosed is not null)
        {
            errors.Add(fill.Line, $"{key}.leg", $"the bracket of '{fill.Order}' has nothing left to fill: {order.BracketClosed}");
            return;
        }
        if (fill.Price is { } price)
        {
            var childSells = order.Side == Engine.Side.Buy;
            var atTakeProfit = childSells ? price >= bracket.TakeProfit : price <= bracket.TakeProfit;
            if (atTakeProfit != (leg == BracketLeg.TakeProfit))
            {
                errors.Add(fill.Line, $"{key}.price", leg == BracketLeg.TakeProfit
                    ? $"{price} is worse than the take profit {bracket.TakeProfit}; the take-profit leg fills at its limit or better"
                    : $"{price} is at or beyond the take profit {bracket.TakeProfit}; that is the take-profit leg, not the stop loss");
                return;
            }
        }
        var size = fill.Size ?? order.Size!.Value - order.BracketFilled;
        order.BracketFilled += size;
        if (order.BracketFilled > order.Size)
        {
            errors.Add(fill.Line, $"{key}.size", $"fills of the bracket of '{fill.Order}' add up to {order.BracketFilled}, more than the entry's size {order.Size}");
        }
        else if (order.BracketFilled == order.Size)
        {
            order.BracketClosed = $"filled in full at line {fill.Line}";
        }
    }

    private void CheckCancel(string key, CancelStep cancel)
    {
        var order = Find(key, cancel, cancel.Order, OrderKind.Any);
        if (order is null)
        {
            return;
        }
        if (order.Rejected)
        {
            errors.Add(cancel.Line, key, $"order '{cancel.Order}' is rejected (ack: reject): there is nothing to cancel");
        }
        else if (order.Cancelled)
        {
            errors.Add(cancel.Line, key, $"order '{cancel.Order}' is already cancelled ({order.Closed})");
        }
        else
        {
            // Cancelling a filled order is a real race (the cancel arrives too late) and does nothing; it stays allowed.
            order.Cancelled = true;
            order.Closed ??= $"cancelled at line {cancel.Line}";
        }
    }

    private void CheckDuplicate(string key, DuplicateStep duplicate)
    {
        var order = Find($"{key}.order", duplicate, duplicate.Order, OrderKind.Any);
        if (order is { HasFill: false })
        {
            errors.Add(duplicate.Line, $"{key}.order", $"order '{duplicate.Order}' has no fill before this step, so there is no fill message to deliver again");
        }
        if (duplicate.As is { } other)
        {
            if (other == duplicate.Order)
            {
                errors.Add(duplicate.Line, $"{key}.as", "names the duplicated order itself; leave 'as' out for a plain copy");
            }
            else
            {
                Find($"{key}.as", duplicate, other, OrderKind.Any);
            }
        }
    }

    private void CheckCloses(string key, ExitStep exit)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var label in exit.Closes)
        {
            if (!seen.Add(label))
            {
                errors.Add(exit.Line, key, $"names entry '{label}' twice");
                continue;
            }
            var entry = Find(key, exit, label, OrderKind.Entry);
            if (entry is null)
            {
                continue;
            }
            if (entry.Product != exit.Product)
            {
                errors.Add(exit.Line, key, $"entry '{label}' is on {entry.Product}, but the exit sells {exit.Product}");
            }
            else if (entry.Rejected)
            {
                errors.Add(exit.Line, key, $"entry '{label}' is rejected (ack: reject): it has no lot to close");
            }
        }
    }

    private sealed class Order(OrderKind kind, string product, decimal? size, bool rejected, int line)
    {
        public OrderKind Kind => kind;
        public string Product => product;
        public decimal? Size => size;
        public bool Rejected => rejected;
        public int Line => line;
        public decimal Filled { get; set; }
        public bool HasFill { get; set; }
        public bool Cancelled { get; set; }

        /// <summary>Entries: the attached bracket, when the entry has one.</summary>
        public Engine.Bracket? Bracket { get; init; }

        /// <summary>Entries: the side (its bracket sells for a BUY, buys for a SELL).</summary>
        public Engine.Side Side { get; init; }

        /// <summary>Whether fills executed the whole size (a bracket activates only then).</summary>
        public bool FilledInFull { get; set; }

        /// <summary>What the bracket's fills add up to.</summary>
        public decimal BracketFilled { get; set; }

        /// <summary>Why the bracket can fill no more, or null while it can.</summary>
        public string? BracketClosed { get; set; }

        /// <summary>Why no more fills can come (filled in full, cancelled), or null while the order is open.</summary>
        public string? Closed { get; set; }
    }
}
