namespace Linkage.Engine;

public sealed partial class MemoryStore
{
    /// <summary>
    /// A batch's staged entries by key, in the order first staged: a list searched in order while the batch stages few
    /// (almost every batch stages one order and one fill), with a dictionary of positions past <see cref="ListedMax"/>.
    /// Hashing a key costs more than comparing it with one or two others, and a fill's key is hashed enough already.
    /// </summary>
    private sealed class Staged<TKey, TValue>(IEqualityComparer<TKey> comparer)
        where TKey : notnull
    {
        /// <summary>Entries searched in order before a dictionary of positions is made.</summary>
        private const int ListedMax = 8;

        private readonly List<KeyValuePair<TKey, TValue>> entries = [];
        private Dictionary<TKey, int>? positions;

        public int Count => entries.Count;

        /// <summary>The entries in the order their keys were first staged.</summary>
        public List<KeyValuePair<TKey, TValue>> Entries => entries;

        public bool TryGetValue(TKey key, out TValue value)
        {
            var position = Find(key);
            value = position < 0 ? default! : entries[position].Value;
            return position >= 0;
        }

        public void Set(TKey key, TValue value)
        {
            var position = Find(key);
            if (position >= 0)
            {
                entries[position] = new(key, value);
                return;
            }
            entries.Add(new(key, value));
            if (positions is not null)
            {
                positions[key] = entries.Count - 1;
            }
            else if (entries.Count > ListedMax)
            {
                positions = new(comparer);
                for (var i = 0; i < entries.Count; i++)
                {
                    positions[entries[i].Key] = i;
                }
            }
        }

        public void Clear()
        {
            entries.Clear();
            positions = null;
        }

        private int Find(TKey key)
        {
            if (positions is not null)
            {
                return positions.TryGetValue(key, out var position) ? position : -1;
            }
            for (var i = 0; i < entries.Count; i++)
            {
                if (comparer.Equals(entries[i].Key, key))
                {
                    return i;
                }
            }
            return -1;
        }
    }
}
