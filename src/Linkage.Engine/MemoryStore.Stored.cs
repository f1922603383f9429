namespace Linkage.Engine;

public sealed partial class MemoryStore
{
    /// <summary>
    /// Append-only storage of values in chunks of a fixed length. Links and fills are kept for the life of the store:
    /// kept as objects (two or three per fill), each was marked and copied by the collector on its way to gen2; as
    /// values in a chunk they are written once, and growing the log copies nothing.
    /// </summary>
    /// <remarks>
    /// A chunk is a large-object array, old from the start and never moved. Writing a value into it costs the collector
    /// nothing as long as the value refers to no young object: the texts a fill brings are copied into the
    /// <see cref="TextArena"/>, and the rest are the order's ids and its intent's fields, which live as long as the
    /// order. (Before the arena, each write put a young string into an old chunk and the next collection had to scan
    /// it; chunks small enough to be young were cheaper then, but the collector copied each one twice: 125 gen1
    /// collections per 2 million fills against 7 now.) A host whose parser makes a new string for an order id or a
    /// product per message makes the collector scan what was written since the last collection; still correct.
    /// </remarks>
    private sealed class Log<T>
        where T : struct
    {
        /// <summary>Values per chunk: enough for the large-object heap (85,000 bytes) at the values' sizes, few enough to waste little.</summary>
        private const int ChunkLength = 4096;

        private readonly List<T[]> chunks = [];
        private int count;

        public void Add(in T value)
        {
            var offset = count % ChunkLength;
            if (offset == 0)
            {
                chunks.Add(new T[ChunkLength]);
            }
            chunks[^1][offset] = value;
            count++;
        }

        /// <summary>The values in the order they were added.</summary>
        public IEnumerable<T> Values()
        {
            for (var i = 0; i < count; i++)
            {
                yield return chunks[i / ChunkLength][i % ChunkLength];
            }
        }
    }

    /// <summary>
    /// An order as the store keeps it: its fields inline in the store's dictionary, made into a record when read.
    /// The current state of every order lives as long as the store, so as a record each new state was copied by the
    /// collector into older generations and died there when the next state replaced it; as a value it is written once
    /// and the decided record dies young.
    /// </summary>
    private readonly struct StoredOrder(OrderRecord order)
    {
        private readonly ClientOrderId clientOrderId = order.ClientOrderId;
        private readonly Intent intent = order.Intent;
        private readonly DateTimeOffset stagedAt = order.StagedAt;
        private readonly PlacementState placement = order.Placement;
        private readonly string? rejectReason = order.RejectReason;
        private readonly OrderStatus status = order.Status;
        private readonly DateTimeOffset? terminalAt = order.TerminalAt;
        private readonly Executed feed = order.Feed;
        private readonly Executed feedLinkable = order.FeedLinkable;
        private readonly Executed rest = order.Rest;
        private readonly Executed matches = order.Matches;
        private readonly Executed linked = order.Linked;
        private readonly decimal? exchangeFilledQuantity = order.ExchangeFilledQuantity;
        private readonly int linkCount = order.LinkCount;
        private readonly decimal allocated = order.Allocated;
        private readonly bool intentPurged = order.IntentPurged;

        public ExchangeOrderId? ExchangeOrderId { get; } = order.ExchangeOrderId;

        public long Version { get; } = order.Version;

        /// <summary>What the order's index entries depend on.</summary>
        public IndexKeys Keys => new(clientOrderId.Value, stagedAt, linked.Quantity > allocated, intent.Kind, intent.Product.Value, terminalAt, intentPurged);

        public OrderRecord ToRecord() => new()
        {
            ClientOrderId = clientOrderId,
            Intent = intent,
            StagedAt = stagedAt,
            ExchangeOrderId = ExchangeOrderId,
            Placement = placement,
            RejectReason = rejectReason,
            Status = status,
            TerminalAt = terminalAt,
            Feed = feed,
            FeedLinkable = feedLinkable,
            Rest = rest,
            Matches = matches,
            Linked = linked,
            ExchangeFilledQuantity = exchangeFilledQuantity,
            LinkCount = linkCount,
            Allocated = allocated,
            IntentPurged = intentPurged,
            Version = Version,
        };
    }

    /// <summary>
    /// What an order's index entries depend on (<see cref="Index"/>): two states with equal keys sit in the same places
    /// of every index. <see cref="Open"/> is whether <see cref="OrderRecord.Open"/> is positive.
    /// </summary>
    private readonly record struct IndexKeys(
        string ClientId, DateTimeOffset StagedAt, bool Open, IntentKind Kind, string Product, DateTimeOffset? TerminalAt, bool IntentPurged);

    /// <summary>A link as the store keeps it: its fields in a <see cref="Log{T}"/> chunk (its source key in the <see cref="TextArena"/>), made into a record when read out.</summary>
    private readonly struct StoredLink(LinkRecord link, TextArena text)
    {
        private readonly ClientOrderId clientOrderId = link.ClientOrderId;
        private readonly ExchangeOrderId exchangeOrderId = link.ExchangeOrderId;
        private readonly int sequence = link.Sequence;
        private readonly IntentKind kind = link.Kind;
        private readonly SnapshotId? snapshot = link.Snapshot;
        private readonly ProductId product = link.Product;
        private readonly Side side = link.Side;
        private readonly decimal from = link.From;
        private readonly decimal to = link.To;
        private readonly decimal price = link.Price;
        private readonly decimal fee = link.Fee;
        private readonly LinkProvenance provenance = link.Provenance;
        private readonly ReadOnlyMemory<char> sourceKey = text.Append(link.SourceKey);
        private readonly decimal? buyScore = link.BuyScore;
        private readonly decimal? sellScore = link.SellScore;
        private readonly string? trigger = link.Trigger;
        private readonly DateTimeOffset at = link.At;

        public LinkRecord ToRecord() => new()
        {
            ClientOrderId = clientOrderId,
            ExchangeOrderId = exchangeOrderId,
            Sequence = sequence,
            Kind = kind,
            Snapshot = snapshot,
            Product = product,
            Side = side,
            From = from,
            To = to,
            Price = price,
            Fee = fee,
            Provenance = provenance,
            SourceKey = sourceKey.ToString(),
            BuyScore = buyScore,
            SellScore = sellScore,
            Trigger = trigger,
            At = at,
        };
    }

    /// <summary>A recorded fill as the store keeps it: its fields in a <see cref="Log{T}"/> chunk (its texts in the <see cref="TextArena"/>), made into a record when read out.</summary>
    private readonly struct StoredFill(StoredKey key, FillRecord record, TextArena text)
    {
        private readonly TradeType tradeType = record.Fill.TradeType;
        private readonly decimal size = record.Fill.Size;
        private readonly decimal price = record.Fill.Price;
        private readonly decimal commission = record.Fill.Commission;
        private readonly ProductId? product = record.Fill.Product;
        private readonly Side? side = record.Fill.Side;
        private readonly ReadOnlyMemory<char>? tradeId = record.Fill.TradeId is { } id ? text.Append(id) : null;
        private readonly DateTimeOffset? tradeTime = record.Fill.TradeTime;
        private readonly ClientOrderId? clientOrderId = record.ClientOrderId;
        private readonly DateTimeOffset at = record.At;

        public FillRecord ToRecord() => new()
        {
            Fill = new TradeFill
            {
                Key = key.ToFillKey(),
                TradeType = tradeType,
                Size = size,
                Price = price,
                Commission = commission,
                Product = product,
                Side = side,
                TradeId = tradeId?.ToString(),
                TradeTime = tradeTime,
            },
            ClientOrderId = clientOrderId,
            At = at,
        };
    }
}
