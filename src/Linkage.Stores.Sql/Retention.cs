using Linkage.Engine;

namespace Linkage.Stores.Sql;

/// <summary>What retention removes from an order: the same as the engine's <see cref="IntentPurged"/> decision.</summary>
internal static class Retention
{
    /// <summary>
    /// The order with its intent's bulky metadata (the indicator breakdown) removed and <see cref="OrderRecord.IntentPurged"/>
    /// set, one version up. Snapshot, scores and trigger stay: links and exit allocations copy them, and an entry lot can
    /// stay open long after its order is terminal. Binding and ledger stay, so dedupe still works.
    /// </summary>
    public static OrderRecord Purge(OrderRecord order) => order with
    {
        Intent = order.Intent with { IndicatorsJson = null, IndicatorsFired = null },
        IntentPurged = true,
        Version = order.Version + 1,
    };
}
