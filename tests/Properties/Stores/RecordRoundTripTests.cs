using System.Collections;
using System.Collections.Immutable;
using System.Reflection;
using Linkage.Engine;

namespace Linkage.Properties.Stores;

/// <summary>
/// Every property of every record a store persists reads back unchanged, on every store. The records are made by
/// reflection (<see cref="Sample"/>: every settable property, recursively, set to a value of its own that is not the
/// default) and compared by reflection (<see cref="Differences"/>: every readable property, recursively, decimals with
/// their scale), so a field added to a record is covered here without editing this test, and a store that forgets to
/// write or read it fails. Every abstract property type (a parked fill's input) is tried with each concrete type.
/// </summary>
public abstract class RecordRoundTripTests
{
    /// <summary>The persisted record types the samples are made of (checked below to be made in full).</summary>
    private static readonly Type[] Persisted =
    [
        typeof(OrderRecord), typeof(LinkRecord), typeof(FillRecord), typeof(AllocationRecord), typeof(ParkedFill),
        typeof(ExternalOrderRecord), typeof(QuarantineRecord), typeof(AlertRecord),
    ];

    /// <summary>A new store over an empty database.</summary>
    protected abstract ILinkageStore CreateEmpty();

    /// <summary>
    /// A store over the same state that has never seen its records (a SQL store over the same database, opened again, so
    /// nothing is answered from a cache of what was written); the reference store has no other copy and returns itself.
    /// </summary>
    protected abstract ILinkageStore Reopen(ILinkageStore store);

    [Test]
    public void Samples_set_every_settable_property_to_a_value_other_than_its_default()
    {
        var sample = new Sample();
        foreach (var type in Persisted)
        {
            for (var variant = 0; variant < Sample.Variants; variant++)
            {
                Assert.That(Sample.Defaults(sample.Make(type, variant), type.Name), Is.Empty, $"{type.Name} variant {variant}");
            }
        }
    }

    [Test]
    public void Every_property_of_every_persisted_record_reads_back_unchanged() => AssertReadsBackUnchanged(new Sample());

    /// <summary>
    /// The same with every flag cleared (<see cref="Intent.PlacedByCaller"/>, an input's <c>FromReconciliation</c>, ...):
    /// the samples above set every flag, so a store that wrote a flag as a constant, or read it from the wrong column,
    /// would pass them; it fails one of the two.
    /// </summary>
    [Test]
    public void Every_flag_reads_back_cleared_as_well_as_set() => AssertReadsBackUnchanged(new Sample(flags: false));

    private void AssertReadsBackUnchanged(Sample sample)
    {
        var written = new Written();
        var store = CreateEmpty();
        try
        {
            for (var variant = 0; variant < Sample.Variants; variant++)
            {
                Write(store, sample, variant, written);
            }
            store = Reopen(store);
            var differences = new List<string>();
            foreach (var order in written.Orders)
            {
                Differences(order, store.FindByClientOrderId(order.ClientOrderId), $"order {order.ClientOrderId}", differences);
                Differences(order, store.FindByExchangeOrderId(order.ExchangeOrderId!.Value), $"order by exchange id {order.ExchangeOrderId}", differences);
            }
            Differences(Sorted(written.Orders, o => o.ClientOrderId.Value), Sorted(store.Orders(), o => o.ClientOrderId.Value), "Orders()", differences);
            Differences(Sorted(written.Links, l => l.ClientOrderId.Value), Sorted(store.Links(), l => l.ClientOrderId.Value), "Links()", differences);
            Differences(Sorted(written.Fills, f => f.Fill.Key.ToString()), Sorted(store.Fills(), f => f.Fill.Key.ToString()), "Fills()", differences);
            Differences(Sorted(written.Allocations, a => a.ExitClientOrderId.Value), Sorted(store.Allocations(), a => a.ExitClientOrderId.Value), "Allocations()", differences);
            Differences(Sorted(written.Parked, p => p.ExchangeOrderId.Value), Sorted(store.Parked(), p => p.ExchangeOrderId.Value), "Parked()", differences);
            foreach (var parked in written.Parked)
            {
                Differences(ImmutableArray.Create(parked), store.ParkedFor(parked.ExchangeOrderId), $"parked for {parked.ExchangeOrderId}", differences);
            }
            Differences(Sorted(written.Externals, e => e.ExchangeOrderId.Value), Sorted(store.ExternalOrders(), e => e.ExchangeOrderId.Value), "ExternalOrders()", differences);
            foreach (var external in written.Externals)
            {
                Differences(external, store.FindExternal(external.ExchangeOrderId), $"external {external.ExchangeOrderId}", differences);
            }
            Differences(written.Quarantine.ToImmutableArray(), store.Quarantine(), "Quarantine()", differences);
            Differences(written.Alerts.ToImmutableArray(), store.Alerts(), "Alerts()", differences);
            Assert.That(differences, Is.Empty, $"{store.Name} changed what it was given");
        }
        finally
        {
            store.Dispose();
        }
    }

    /// <summary>
    /// Writes one variant of every record through decision batches, as the engine would: the orders staged first (the
    /// writes after check their versions), then a link, then an allocation between them. The only values set by hand
    /// are the ones that relate records (a link's order, an allocation's two orders, a first write's version 1).
    /// </summary>
    private static void Write(ILinkageStore store, Sample sample, int variant, Written written)
    {
        var exit = sample.Make<OrderRecord>(variant) with { Version = 1 };
        var entry = sample.Make<OrderRecord>(variant) with { Version = 1 };
        var fill = sample.Make<FillRecord>(variant);
        var parked = sample.Make<ParkedFill>(variant);
        var external = sample.Make<ExternalOrderRecord>(variant) with { Version = 1 };
        var rejected = sample.Make<QuarantineRecord>(variant);
        var alert = sample.Make<AlertRecord>(variant);
        Apply(store, new IntentStaged(exit), new IntentStaged(entry), new FillRecorded(fill), new FillParked(parked),
            new ExternalRecorded(external), new InputRejected(rejected), new AlertRaised(alert));

        var link = sample.Make<LinkRecord>(variant) with { ClientOrderId = exit.ClientOrderId, ExchangeOrderId = exit.ExchangeOrderId!.Value };
        var linked = exit with { Version = 2 };
        Apply(store, new Linked(linked, link));

        var allocation = sample.Make<AllocationRecord>(variant) with { ExitClientOrderId = exit.ClientOrderId, EntryClientOrderId = entry.ClientOrderId };
        var allocatedExit = linked with { Version = 3 };
        var allocatedEntry = entry with { Version = 2 };
        Apply(store, new ExitAllocated(allocatedExit, allocatedEntry, allocation));

        written.Orders.AddRange([allocatedExit, allocatedEntry]);
        written.Links.Add(link);
        written.Fills.Add(fill);
        written.Allocations.Add(allocation);
        written.Parked.Add(parked);
        written.Externals.Add(external);
        written.Quarantine.Add(rejected);
        written.Alerts.Add(alert);
    }

    private static void Apply(ILinkageStore store, params Decision[] decisions)
    {
        var result = store.Apply(new DecisionBatch(new Tick(DateTimeOffset.UnixEpoch), [.. decisions]));
        Assert.That(result, Is.EqualTo(ApplyResult.Applied), string.Join(", ", decisions.Select(d => d.GetType().Name)));
    }

    private static ImmutableArray<T> Sorted<T>(IEnumerable<T> records, Func<T, string> key) => [.. records.OrderBy(key, StringComparer.Ordinal)];

    /// <summary>
    /// Adds to <paramref name="differences"/> every place where <paramref name="actual"/> differs from
    /// <paramref name="expected"/>: values of the same runtime type, every public property compared recursively, lists
    /// item by item, a decimal by value and scale (the stores promise both), a time by instant (stores return UTC).
    /// </summary>
    internal static void Differences(object? expected, object? actual, string path, List<string> differences)
    {
        if (expected is null || actual is null)
        {
            if (expected is not null || actual is not null)
            {
                differences.Add($"{path}: expected {expected ?? "null"}, read {actual ?? "null"}");
            }
            return;
        }
        var type = expected.GetType();
        if (type != actual.GetType())
        {
            differences.Add($"{path}: expected a {type.Name}, read a {actual.GetType().Name}");
            return;
        }
        if (expected is decimal x && actual is decimal y)
        {
            if (x != y || x.Scale != y.Scale)
            {
                differences.Add($"{path}: expected {x}, read {y}");
            }
            return;
        }
        if (Sample.IsLeaf(type))
        {
            if (!expected.Equals(actual))
            {
                differences.Add($"{path}: expected {expected}, read {actual}");
            }
            return;
        }
        if (expected is IEnumerable expectedItems && actual is IEnumerable actualItems)
        {
            var e = expectedItems.Cast<object?>().ToList();
            var a = actualItems.Cast<object?>().ToList();
            if (e.Count != a.Count)
            {
                differences.Add($"{path}: expected {e.Count} items, read {a.Count}");
                return;
            }
            for (var i = 0; i < e.Count; i++)
            {
                Differences(e[i], a[i], $"{path}[{i}]", differences);
            }
            return;
        }
        foreach (var property in Sample.Readable(type))
        {
            Differences(property.GetValue(expected), property.GetValue(actual), $"{path}.{property.Name}", differences);
        }
    }

    /// <summary>What one test wrote, to compare with what the store reads back.</summary>
    private sealed class Written
    {
        public List<OrderRecord> Orders { get; } = [];
        public List<LinkRecord> Links { get; } = [];
        public List<FillRecord> Fills { get; } = [];
        public List<AllocationRecord> Allocations { get; } = [];
        public List<ParkedFill> Parked { get; } = [];
        public List<ExternalOrderRecord> Externals { get; } = [];
        public List<QuarantineRecord> Quarantine { get; } = [];
        public List<AlertRecord> Alerts { get; } = [];
    }

    /// <summary>
    /// Makes values by reflection: every leaf a value of its own (a counter runs through every leaf, so no two texts,
    /// decimals or times are alike and a column written into another's place shows), never the type's default.
    /// </summary>
    /// <param name="flags">The value of every flag (<see langword="bool"/>): set by default, so none holds its default.</param>
    internal sealed class Sample(bool flags = true)
    {
        /// <summary>Concrete types of each abstract type a record holds, in name order.</summary>
        private static readonly Type[] Inputs =
            [.. typeof(EngineInput).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(EngineInput)) && !t.IsAbstract).OrderBy(t => t.Name, StringComparer.Ordinal)];

        private int counter;

        /// <summary>How many variants to make so that every concrete type of every abstract property is used once.</summary>
        public static int Variants => Inputs.Length;

        public T Make<T>(int variant) => (T)Make(typeof(T), variant);

        public object Make(Type type, int variant)
        {
            var n = ++counter;
            if (Nullable.GetUnderlyingType(type) is { } underlying)
            {
                return Make(underlying, variant);
            }
            if (type == typeof(string))
            {
                return $"s{n}";
            }
            if (type == typeof(bool))
            {
                return flags;
            }
            if (type == typeof(int))
            {
                return n + 1;
            }
            if (type == typeof(long))
            {
                return (long)n + 1;
            }
            if (type == typeof(decimal))
            {
                // A numerator ending in 1 at scales 1 to 5: distinct values, and a scale a store could lose.
                return new decimal((n * 1000) + 1, 0, 0, false, (byte)((n % 5) + 1));
            }
            if (type == typeof(DateTimeOffset))
            {
                // Odd ticks, so a store that keeps only microseconds (or seconds) shows.
                return new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero).AddTicks((n * 10_000_019L) + 1);
            }
            if (type.IsEnum)
            {
                var values = Enum.GetValues(type);
                return values.GetValue(1 + (n % (values.Length - 1)))!;
            }
            if (type.GetMethod("From", BindingFlags.Public | BindingFlags.Static, [typeof(string)]) is { } from && from.ReturnType == type)
            {
                // An id type: made through its validating factory, with text every id type accepts.
                return from.Invoke(null, [$"id{n}"])!;
            }
            if (type.IsGenericType && type.GetGenericTypeDefinition() == typeof(EquatableArray<>))
            {
                var item = type.GetGenericArguments()[0];
                var items = Array.CreateInstance(item, 2);
                items.SetValue(Make(item, variant), 0);
                items.SetValue(Make(item, variant), 1);
                var immutable = typeof(ImmutableArray).GetMethods().Single(m => m.Name == nameof(ImmutableArray.Create) && m.GetParameters() is [{ ParameterType.IsArray: true }])
                    .MakeGenericMethod(item).Invoke(null, [items]);
                return Activator.CreateInstance(type, immutable)!;
            }
            if (type.IsAbstract)
            {
                var concrete = type == typeof(EngineInput) ? Inputs[variant % Inputs.Length] : throw new NotSupportedException($"no concrete types known for {type.Name}");
                return Make(concrete, variant);
            }
            return Composite(type, variant);
        }

        /// <summary>A record or struct: its widest public constructor's arguments, then every other settable property.</summary>
        private object Composite(Type type, int variant)
        {
            var constructor = type.GetConstructors().OrderByDescending(c => c.GetParameters().Length).FirstOrDefault();
            var parameters = constructor?.GetParameters() ?? [];
            var value = constructor is null
                ? Activator.CreateInstance(type)!
                : constructor.Invoke([.. parameters.Select(p => Make(p.ParameterType, variant))]);
            foreach (var property in Settable(type).Where(p => !parameters.Any(a => string.Equals(a.Name, p.Name, StringComparison.OrdinalIgnoreCase))))
            {
                property.SetValue(value, Make(property.PropertyType, variant));
            }
            return value;
        }

        /// <summary>The paths of settable properties of <paramref name="value"/> (recursively) that hold their type's default.</summary>
        public static IEnumerable<string> Defaults(object? value, string path)
        {
            if (value is null)
            {
                return [path];
            }
            var type = value.GetType();
            if (IsLeaf(type))
            {
                return type.IsValueType && value.Equals(Activator.CreateInstance(type)) ? [path] : [];
            }
            if (value is IEnumerable items)
            {
                return items.Cast<object?>().Select((item, i) => Defaults(item, $"{path}[{i}]")).DefaultIfEmpty([path]).SelectMany(d => d);
            }
            return Settable(type).SelectMany(p => Defaults(p.GetValue(value), $"{path}.{p.Name}"));
        }

        /// <summary>Types compared with their own equality: primitives, text, decimals, times, enums, ids.</summary>
        public static bool IsLeaf(Type type) =>
            type.IsPrimitive || type.IsEnum || type == typeof(string) || type == typeof(decimal) || type == typeof(DateTimeOffset)
            || type.GetMethod("From", BindingFlags.Public | BindingFlags.Static, [typeof(string)]) is not null;

        /// <summary>Public instance properties with a public getter, no indexers, in declaration order.</summary>
        public static IEnumerable<PropertyInfo> Readable(Type type) =>
            type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.GetIndexParameters().Length == 0 && p.GetMethod is { IsPublic: true });

        private static IEnumerable<PropertyInfo> Settable(Type type) => Readable(type).Where(p => p.SetMethod is { IsPublic: true });
    }
}
