using System.Text.Json;
using Linkage.Coinbase.Capture;
using Linkage.Engine;
using Linkage.Properties.Scenarios;
using Linkage.Properties.Stores;
using Linkage.Properties.Stores.Postgres;
using Linkage.Sim.Audit;
using Linkage.Stores.Sqlite;

namespace Linkage.Properties.Audit;

/// <summary>The JSON report's field names and shape (<c>docs/capture.md</c>), and its determinism across runs and stores.</summary>
public sealed class AuditJsonTests
{
    private static readonly string Sample = Path.Combine(RepoPaths.Root, "samples", "avnt-day.jsonl");

    private static string AuditSample(ILinkageStore store) => AuditJson.Write(CaptureAudit.Run(Sample, store));

    private static JsonElement Parse(string json) => JsonDocument.Parse(json).RootElement.Clone();

    private static string[] Names(JsonElement element) => [.. element.EnumerateObject().Select(p => p.Name)];

    [Test]
    public void The_report_has_the_contract_fields_in_the_contract_order_then_the_additions()
    {
        using var store = new MemoryStore();
        var root = Parse(AuditSample(store));
        Assert.Multiple(() =>
        {
            Assert.That(Names(root), Is.EqualTo(new[]
            {
                "intents", "ordersPlaced", "ordersRejected", "ordersUnknown", "orders", "externalOrders", "linkageRate",
                "placementToFirstFillMs", "anomalies", "quarantined", "alerts", "fills", "duplicatesIgnored", "parkedFills", "lines", "exits",
            }));
            Assert.That(Names(root.GetProperty("orders")[0]), Is.EqualTo(new[]
            {
                "clientOrderId", "orderId", "productId", "side", "snapshotId", "filledQuantity", "linkedQuantity", "trades", "provenance",
                "linkedTrades", "kind", "placement", "status", "unlinked",
            }));
            Assert.That(Names(root.GetProperty("externalOrders")[0]), Is.EqualTo(new[]
            {
                "orderId", "clientOrderId", "productId", "observedQuantity", "exchangeCumulative", "trades",
            }));
            Assert.That(Names(root.GetProperty("placementToFirstFillMs")), Is.EqualTo(new[] { "p50", "p90", "max", "count" }));
            Assert.That(Names(root.GetProperty("anomalies")[0]), Is.EqualTo(new[] { "kind", "line", "detail" }));
            Assert.That(Names(root.GetProperty("quarantined")[0]), Is.EqualTo(new[] { "line", "reason" }));
            Assert.That(Names(root.GetProperty("fills")), Is.EqualTo(new[]
            {
                "bot", "linked", "linkedByClientOrderId", "linkedByOrderId", "linkedByReconciliation", "external", "unresolved",
            }));
        });
    }

    [Test]
    public void Quantities_are_decimal_strings_counts_and_lines_are_numbers()
    {
        using var store = new MemoryStore();
        var root = Parse(AuditSample(store));
        var order = root.GetProperty("orders")[2];
        var external = root.GetProperty("externalOrders")[0];
        Assert.Multiple(() =>
        {
            Assert.That(order.GetProperty("filledQuantity").GetString(), Is.EqualTo("120"));
            Assert.That(order.GetProperty("linkedQuantity").GetString(), Is.EqualTo("120"));
            Assert.That(order.GetProperty("trades").GetInt32(), Is.EqualTo(3));
            Assert.That(external.GetProperty("observedQuantity").GetString(), Is.EqualTo("40"));
            Assert.That(external.GetProperty("exchangeCumulative").GetString(), Is.EqualTo("50"));
            Assert.That(root.GetProperty("linkageRate").GetDecimal(), Is.EqualTo(1m));
            Assert.That(root.GetProperty("quarantined")[0].GetProperty("line").GetInt32(), Is.EqualTo(9));
            Assert.That(root.GetProperty("anomalies").EnumerateArray().Select(a => a.GetProperty("line").GetInt32()), Is.All.GreaterThanOrEqualTo(1));
            Assert.That(root.GetProperty("orders")[0].GetProperty("orderId").ValueKind, Is.EqualTo(JsonValueKind.Null), "the refused order has no exchange id");
        });
    }

    [Test]
    public void Without_bot_fills_the_rate_is_null_and_the_latency_all_zero()
    {
        var root = Parse(AuditJson.Write(new CaptureScript().Subscriptions(0).Audit()));
        Assert.Multiple(() =>
        {
            Assert.That(root.GetProperty("linkageRate").ValueKind, Is.EqualTo(JsonValueKind.Null));
            Assert.That(root.GetProperty("placementToFirstFillMs").EnumerateObject().Select(p => p.Value.GetInt64()), Is.All.Zero);
            Assert.That(root.GetProperty("orders").GetArrayLength(), Is.Zero);
        });
    }

    [Test]
    public void Lists_are_sorted_by_their_stable_keys()
    {
        using var store = new MemoryStore();
        var report = CaptureAudit.Run(Sample, store);
        Assert.Multiple(() =>
        {
            Assert.That(report.Orders.Select(o => o.ClientOrderId), Is.Ordered.Using((IComparer<string>)StringComparer.Ordinal));
            Assert.That(report.Anomalies.Select(a => a.Line), Is.Ordered);
            Assert.That(report.Quarantined.Select(q => q.Line), Is.Ordered);
        });
    }

    [Test]
    public void The_same_capture_gives_byte_identical_json_on_every_run_and_store()
    {
        using var directory = new TempDirectory("linkage-audit-json");
        using var first = new MemoryStore();
        using var second = new MemoryStore();
        using var sqlite = SqliteStore.Open(new SqliteStoreOptions { Path = directory.File("audit.db"), Durability = SqliteDurability.Normal });
        var memory = AuditSample(first);
        Assert.Multiple(() =>
        {
            Assert.That(AuditSample(second), Is.EqualTo(memory));
            Assert.That(AuditSample(sqlite), Is.EqualTo(memory));
        });
    }

    [Test]
    public void The_report_on_postgresql_is_byte_identical_to_the_memory_stores()
    {
        using var database = new PostgresTestDatabase(nameof(AuditJsonTests));
        using var postgres = database.OpenEmpty();
        using var memory = new MemoryStore();
        Assert.That(AuditSample(postgres), Is.EqualTo(AuditSample(memory)));
    }

    [Test]
    public void Reading_the_file_or_the_lines_gives_the_same_report()
    {
        using var fromFile = new MemoryStore();
        using var fromLines = new MemoryStore();
        var lines = CaptureReader.Read(new StringReader(File.ReadAllText(Sample)));
        Assert.That(AuditJson.Write(CaptureAudit.Run(lines, fromLines)), Is.EqualTo(AuditSample(fromFile)));
    }
}
