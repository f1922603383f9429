namespace Linkage.Engine;

public sealed partial class MemoryStore
{
    /// <summary>
    /// The text of every fill key, trade id and link source key the store keeps, copied into large arrays of
    /// characters. Kept as the input's strings (one or more per fill, each young when stored and referenced from old
    /// arrays), every one had to be found, moved and re-pointed by the collector; an array of characters holds no
    /// reference, is never moved, and is never scanned. The same text appended twice in a row (a fill's key, its trade
    /// id, its link's source key) is stored once.
    /// </summary>
    private sealed class TextArena
    {
        /// <summary>Characters per array: 128 KiB, on the large-object heap from the start.</summary>
        private const int ChunkLength = 1 << 16;

        private char[] chunk = [];
        private int used;
        private ReadOnlyMemory<char> last;

        public ReadOnlyMemory<char> Append(string text)
        {
            if (last.Span.SequenceEqual(text))
            {
                return last;
            }
            if (text.Length > chunk.Length - used)
            {
                chunk = GC.AllocateUninitializedArray<char>(Math.Max(ChunkLength, text.Length));
                used = 0;
            }
            text.CopyTo(chunk.AsSpan(used));
            last = chunk.AsMemory(used, text.Length);
            used += text.Length;
            return last;
        }
    }

    /// <summary>A recorded fill key as the store keeps it: the source's key as text in the <see cref="TextArena"/>.</summary>
    private readonly struct StoredKey(ExchangeOrderId order, FillSource source, ReadOnlyMemory<char> key)
    {
        public ExchangeOrderId Order { get; } = order;
        public FillSource Source { get; } = source;
        public ReadOnlyMemory<char> Key { get; } = key;

        /// <summary>A key to look <paramref name="key"/> up with (its text stays where it is).</summary>
        public static StoredKey Probe(FillKey key) => new(key.Order, key.Source, key.Key.AsMemory());

        public FillKey ToFillKey() => new(Order, Source, Key.ToString());
    }

    /// <summary>
    /// Equality of stored keys as <see cref="FillKey"/> defines it (ordinal text). The hash leaves the exchange order id
    /// out: a key is unique within its source nearly always (a REST <c>entry_id</c> is; a legacy <c>trade_id</c> is
    /// shared only by the two sides of one match), so this costs almost no collisions and halves the hashing. The text
    /// hash is the randomized one, so keys cannot be chosen to collide.
    /// </summary>
    private sealed class StoredKeyComparer : IEqualityComparer<StoredKey>
    {
        public static readonly StoredKeyComparer Instance = new();

        public bool Equals(StoredKey x, StoredKey y) => x.Source == y.Source && x.Order == y.Order && x.Key.Span.SequenceEqual(y.Key.Span);

        public int GetHashCode(StoredKey obj) => HashCode.Combine(obj.Source, string.GetHashCode(obj.Key.Span));
    }
}
