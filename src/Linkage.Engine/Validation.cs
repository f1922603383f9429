using System.Globalization;

namespace Linkage.Engine;

/// <summary>Why an input is refused: the field at fault (named as on the wire) and a sentence saying why.</summary>
public sealed record Problem(string Field, string Reason);

/// <summary>
/// The engine's own checks of its inputs. Parsers validate at the edge already; the engine checks again because it
/// must never trust a host (a test, a scenario, a future parser) to have done so, and a bad value that reached the
/// store would corrupt every later decision. Each check returns the first problem found, or null.
/// </summary>
public static class Validation
{
    /// <summary>What is wrong with the intent (ids, sizes, bounds), or null.</summary>
    public static Problem? Intent(Intent? intent)
    {
        if (intent is null)
        {
            return new("intent", "the intent is missing");
        }
        return Id(intent.Product.Value, "product_id")
            ?? Enum(intent.Kind, "kind")
            ?? Enum(intent.Side, "side")
            ?? OptionalPositive(intent.Size, "size")
            ?? OptionalPositive(intent.Price, "price")
            ?? Bounded(intent.BuyScore, "buy_score")
            ?? Bounded(intent.SellScore, "sell_score")
            ?? Snapshot(intent)
            ?? Text(intent.Trigger, Limits.TriggerLengthMax, "trigger")
            ?? Text(intent.IndicatorsJson, Limits.IndicatorsJsonLengthMax, "indicators")
            ?? (intent.IndicatorsFired is < 0 ? new Problem("indicators_fired", "indicators fired is negative") : null)
            ?? Closes(intent)
            ?? BracketOf(intent)
            ?? (intent.ClientOrderId is { } given ? ClientId(given, "client_order_id") : null);
    }

    /// <summary>What is wrong with the create-order outcome, or null.</summary>
    public static Problem? Placement(PlacementOutcome outcome) =>
        ClientId(outcome.ClientOrderId, "client_order_id")
        ?? Enum(outcome.Result, "result")
        ?? (outcome.ExchangeOrderId is { } exchangeId ? ExchangeId(exchangeId, "order_id") : null)
        ?? (outcome.AttachedExchangeOrderId is { } attached ? ExchangeId(attached, "attached_order_id") : null)
        ?? (outcome.AttachedExchangeOrderId is not null && outcome.AttachedExchangeOrderId == outcome.ExchangeOrderId
            ? new Problem("attached_order_id", "names the order itself") : null);

    /// <summary>What is wrong with the order state, or null.</summary>
    public static Problem? OrderUpdate(OrderUpdate update)
    {
        if (update.Order is not { } state)
        {
            return new("order", "the order state is missing");
        }
        var problem = ExchangeId(state.ExchangeOrderId, "order_id")
            ?? Enum(update.Source, "source")
            ?? (state.ClientOrderId is { } clientId ? ClientId(clientId, "client_order_id") : null)
            ?? (state.Product is { } product ? Id(product.Value, "product_id") : null)
            ?? (state.Side is { } side ? Enum(side, "side") : null)
            ?? (state.Status is { } status ? Enum(status, "status") : null)
            ?? Quantity(state.CumulativeQuantity, "cumulative_quantity")
            ?? Quantity(state.LeavesQuantity, "leaves_quantity")
            ?? Quantity(state.AveragePrice, "avg_price")
            ?? Quantity(state.FilledValue, "filled_value")
            ?? Quantity(state.TotalFees, "total_fees")
            ?? Quantity(state.OrderSize, "order_size")
            ?? (state.OriginatingOrderId is { } originating ? ExchangeId(originating, "originating_order_id") : null)
            ?? (state.AttachedOrderId is { } attached ? ExchangeId(attached, "attached_order_id") : null)
            ?? (state.OriginatingOrderId == state.ExchangeOrderId || state.AttachedOrderId == state.ExchangeOrderId
                ? new Problem(state.OriginatingOrderId == state.ExchangeOrderId ? "originating_order_id" : "attached_order_id", "names the order itself") : null)
            ?? (state.NumberOfFills is < 0 ? new Problem("number_of_fills", "number of fills is negative") : null);
        if (problem is not null)
        {
            return problem;
        }
        return state.CumulativeQuantity is { } cumulative && state.OrderSize is { } size
            ? CumulativeWithinSize(cumulative, size)
            : null;
    }

    /// <summary>A cumulative quantity above the order's size is not a fill, it is corrupt input.</summary>
    public static Problem? CumulativeWithinSize(decimal cumulative, decimal size) =>
        cumulative > size
            ? new Problem("cumulative_quantity", $"cumulative quantity {Text(cumulative)} exceeds the order size {Text(size)}")
            : null;

    /// <summary>What is wrong with the trade, or null.</summary>
    public static Problem? TradeFill(TradeFill? fill)
    {
        if (fill is null)
        {
            return new("fill", "the fill is missing");
        }
        var keyField = fill.Key.Source == FillSource.LegacyMatch ? "trade_id" : "entry_id";
        return ExchangeId(fill.Key.Order, "order_id")
            ?? Enum(fill.Key.Source, "source")
            ?? (string.IsNullOrWhiteSpace(fill.Key.Key) ? new Problem(keyField, "the fill's key is missing") : null)
            ?? (fill.Key.Key is { Length: > Limits.ExchangeIdLengthMax } ? new Problem(keyField, $"the fill's key is longer than {Limits.ExchangeIdLengthMax} characters") : null)
            ?? Enum(fill.TradeType, "trade_type")
            ?? Positive(fill.Size, "size")
            ?? Positive(fill.Price, "price")
            ?? Quantity(fill.Commission, "commission")
            ?? (fill.Product is { } product ? Id(product.Value, "product_id") : null)
            ?? (fill.Side is { } side ? Enum(side, "side") : null);
    }

    /// <summary>What is wrong with a client order id at <paramref name="field"/>, or null.</summary>
    public static Problem? ClientId(ClientOrderId id, string field) =>
        ClientOrderId.TryCreate(id.Value, out _, out var error) ? null : new(field, error);

    /// <summary>What is wrong with an exchange order id at <paramref name="field"/>, or null.</summary>
    public static Problem? ExchangeId(ExchangeOrderId id, string field) =>
        ExchangeOrderId.TryCreate(id.Value, out _, out var error) ? null : new(field, error);

    /// <summary>Formats a decimal the same way everywhere (invariant, trailing zeros dropped) for keys and reasons.</summary>
    public static string Text(decimal value) =>
        (value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    private static Problem? Snapshot(Intent intent)
    {
        if (intent.Kind == IntentKind.Exit)
        {
            return intent.Snapshot is null ? null : new("snapshot_id", "an exit comes from the position monitor and has no snapshot");
        }
        if (intent.Snapshot is not { } snapshot)
        {
            return new("snapshot_id", "an entry needs the snapshot it was decided from");
        }
        return SnapshotId.TryCreate(snapshot.Value, out _, out var error) ? null : new("snapshot_id", error);
    }

    /// <summary>
    /// A bracket belongs on an entry with a size (the attached order has the entry's size), both legs positive and on
    /// the right side of each other: a BUY entry's take profit above its stop loss, a SELL entry's below (the exchange
    /// refuses the other way round). <see cref="Intent.BracketOf"/> is the engine's own: no strategy may send it.
    /// </summary>
    private static Problem? BracketOf(Intent intent)
    {
        if (intent.BracketOf is not null)
        {
            return new("bracket_of", "only the engine derives an attached bracket order's intent; a strategy's intent may not name one");
        }
        if (intent.Bracket is not { } bracket)
        {
            return null;
        }
        if (intent.Kind != IntentKind.Entry)
        {
            return new("bracket", "only an entry may carry an attached take-profit / stop-loss bracket");
        }
        if (intent.Size is null)
        {
            return new("bracket", "a bracket has the entry's size, so the entry needs a size");
        }
        var problem = OptionalPositive(bracket.TakeProfit, "bracket.take_profit") ?? OptionalPositive(bracket.StopLoss, "bracket.stop_loss");
        if (problem is not null)
        {
            return problem;
        }
        var ordered = intent.Side == Side.Buy ? bracket.TakeProfit > bracket.StopLoss : bracket.TakeProfit < bracket.StopLoss;
        return ordered ? null : new("bracket.take_profit",
            $"take profit {Text(bracket.TakeProfit)} must be {(intent.Side == Side.Buy ? "above" : "below")} stop loss {Text(bracket.StopLoss)} for a {intent.Side} entry");
    }

    private static Problem? Closes(Intent intent)
    {
        if (intent.Closes.IsDefault)
        {
            return new("closes", "closes is uninitialised");
        }
        if (intent.Closes.IsEmpty)
        {
            return null;
        }
        if (intent.Kind == IntentKind.Entry)
        {
            return new("closes", "only an exit may name entry lots it closes");
        }
        if (intent.Closes.Length > Limits.ExitClosesMax)
        {
            return new("closes", $"an exit names {intent.Closes.Length} entry lots, more than {Limits.ExitClosesMax}");
        }
        return intent.Closes.Select(c => ClientId(c, "closes")).FirstOrDefault(p => p is not null);
    }

    private static Problem? Id(string? value, string field) =>
        ProductId.TryCreate(value, out _, out var error) ? null : new(field, error);

    private static Problem? Enum<T>(T value, string field)
        where T : struct, Enum =>
        System.Enum.IsDefined(value) ? null : new(field, $"{typeof(T).Name} value {value} is not defined");

    private static Problem? Positive(decimal value, string field) =>
        value <= 0m ? new(field, $"{field} must be positive, was {Text(value)}") : Bounded(value, field);

    private static Problem? OptionalPositive(decimal? value, string field) => value is { } v ? Positive(v, field) : null;

    private static Problem? Quantity(decimal? value, string field) =>
        value is < 0m ? new(field, $"{field} must not be negative, was {Text(value.Value)}") : Bounded(value, field);

    private static Problem? Bounded(decimal? value, string field) =>
        value is { } v && Math.Abs(v) > Limits.QuantityMax
            ? new(field, $"{field} {Text(v)} is beyond {Text(Limits.QuantityMax)}")
            : null;

    private static Problem? Text(string? value, int lengthMax, string field) =>
        value is { Length: var length } && length > lengthMax
            ? new(field, $"{field} is {length} characters, more than {lengthMax}")
            : null;
}
