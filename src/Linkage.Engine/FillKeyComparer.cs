namespace Linkage.Engine;

/// <summary>
/// Equality of fill keys as <see cref="FillKey"/> defines it, with a cheaper hash: the source and the source's key
/// only. A key is unique within its source nearly always (a REST <c>entry_id</c> is; a legacy <c>trade_id</c> is shared
/// only by the two sides of one match), so leaving the exchange order id out of the hash costs almost no collisions
/// and halves the hashing a fill needs (the store hashes each key several times). The string hash stays the
/// randomized one, so keys cannot be chosen to collide.
/// </summary>
internal sealed class FillKeyComparer : IEqualityComparer<FillKey>
{
    public static readonly FillKeyComparer Instance = new();

    private FillKeyComparer()
    {
    }

    public bool Equals(FillKey x, FillKey y) => x == y;

    public int GetHashCode(FillKey obj) => HashCode.Combine(obj.Source, obj.Key);
}
