using System.Text.Json;
using Linkage.Sim.Exchange;
using Linkage.Sim.Scenarios;

namespace Linkage.Sim.Runner;

/// <summary>
/// The strategy's webhook payloads for <c>place</c> and <c>exit</c> steps, in the bot's own shape (<c>docs/formats.md</c>, section 7:
/// <c>product_id</c>, <c>side</c>, <c>size</c>, <c>price</c>, <c>snapshot_id</c>, <c>scores</c>, <c>trigger</c>,
/// <c>indicator_breakdown</c>, <c>closes</c>, <c>timestamp</c>). The webhook parses them as it would a real post.
/// The timestamp is the step's time, so a re-delivery of the same step is the same intent.
/// </summary>
public static class IntentPayloads
{
    public static string Entry(PlaceStep step, string snapshotId, DateTimeOffset decidedAt) =>
        Write(w =>
        {
            w.WriteString("product_id", step.Product);
            w.WriteString("side", step.Side == Engine.Side.Buy ? "BUY" : "SELL");
            w.WriteString("size", CoinbaseWire.Dec(step.Size));
            if (step.Price is { } price)
            {
                w.WriteString("price", CoinbaseWire.Dec(price));
            }
            w.WriteString("snapshot_id", snapshotId);
            Scores(w, step.Scores);
            if (step.Trigger is { } trigger)
            {
                w.WriteString("trigger", trigger);
            }
            if (step.Indicators.Count > 0)
            {
                w.WriteStartObject("indicator_breakdown");
                foreach (var (name, value) in step.Indicators)
                {
                    w.WriteString(name, value);
                }
                w.WriteEndObject();
            }
            if (step.Bracket is { } bracket)
            {
                w.WriteString("take_profit_price", CoinbaseWire.Dec(bracket.TakeProfit));
                w.WriteString("stop_loss_price", CoinbaseWire.Dec(bracket.StopLoss));
            }
            w.WriteString("timestamp", CoinbaseWire.Micros(decidedAt));
        });

    /// <param name="step">The exit step.</param>
    /// <param name="closes">Client order ids of the entries the exit names, in its order.</param>
    /// <param name="decidedAt">The step's time.</param>
    public static string Exit(ExitStep step, IReadOnlyList<string> closes, DateTimeOffset decidedAt) =>
        Write(w =>
        {
            w.WriteString("product_id", step.Product);
            w.WriteString("side", step.Side == Engine.Side.Buy ? "BUY" : "SELL");
            if (step.Size is { } size)
            {
                w.WriteString("size", CoinbaseWire.Dec(size));
            }
            if (step.Price is { } price)
            {
                w.WriteString("price", CoinbaseWire.Dec(price));
            }
            Scores(w, step.Scores);
            w.WriteString("trigger", step.Trigger);
            if (closes.Count > 0)
            {
                w.WriteStartArray("closes");
                foreach (var coid in closes)
                {
                    w.WriteStringValue(coid);
                }
                w.WriteEndArray();
            }
            w.WriteString("timestamp", CoinbaseWire.Micros(decidedAt));
        });

    private static void Scores(Utf8JsonWriter w, ScoreSet scores)
    {
        if (scores.Buy is null && scores.Sell is null)
        {
            return;
        }
        w.WriteStartObject("scores");
        WriteScore(w, "buy", scores.Buy);
        WriteScore(w, "sell", scores.Sell);
        w.WriteEndObject();
    }

    private static void WriteScore(Utf8JsonWriter w, string name, decimal? score)
    {
        if (score is { } value)
        {
            w.WriteNumber(name, value);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static string Write(Action<Utf8JsonWriter> body) => CoinbaseWire.Write(body);
}
