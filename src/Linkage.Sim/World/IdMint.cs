using System.Globalization;

namespace Linkage.Sim.World;

/// <summary>
/// Mints the real ids a scenario's labels stand for (exchange order ids, trade ids, entry ids, snapshot UUIDs, foreign
/// client order ids): from what they name (<see cref="UuidFor"/>), or in order of use from its own PRNG stream
/// (<see cref="NextUuid"/>, for things no label names). Ids look like version-4 UUIDs, lower case, as Coinbase sends them.
/// A snapshot label maps to a UUID derived from the seed and the label alone (not from when it is first used), and a
/// label that already is a UUID is used as is. Legacy
/// <c>match</c> trade ids are increasing integers from a seeded base, as the real feed's are.
/// </summary>
public sealed class IdMint
{
    /// <summary>Smallest first legacy trade id; the real feed's ids were in the hundreds of millions.</summary>
    private const long LegacyTradeIdBase = 100_000_000;

    private readonly ulong _seed;
    private readonly Prng _prng;
    private long _nextLegacyTradeId;

    public IdMint(ulong seed)
    {
        _seed = seed;
        _prng = Prng.Stream(seed, "ids");
        _nextLegacyTradeId = LegacyTradeIdBase + (long)_prng.NextBelow(LegacyTradeIdBase);
    }

    /// <summary>A fresh UUID-shaped id, e.g. <c>a7d2c1e4-58b3-4f0e-b6a9-1c2d3e4f5a6b</c>.</summary>
    public string NextUuid() => Uuid(_prng.NextUInt64(), _prng.NextUInt64());

    /// <summary>
    /// The UUID-shaped id of the thing <paramref name="identity"/> describes (an order by its scenario label, the
    /// n-th trade of an order), from the seed and the identity alone (<see cref="MessageDraw"/>), not from how many ids
    /// were minted before it: removing a step from a scenario leaves every other order's and trade's id as it was.
    /// </summary>
    public string UuidFor(string identity) =>
        Uuid(MessageDraw.Hash(_seed, "uuid:high", identity), MessageDraw.Hash(_seed, "uuid:low", identity));

    private static string Uuid(Prng prng) => Uuid(prng.NextUInt64(), prng.NextUInt64());

    private static string Uuid(ulong high, ulong low)
    {
        // Version 4 in the high nibble of the third group, variant 10xx in the fourth, as uuid4 has them.
        high = (high & 0xFFFFFFFFFFFF0FFFUL) | 0x0000000000004000UL;
        low = (low & 0x3FFFFFFFFFFFFFFFUL) | 0x8000000000000000UL;
        var hex = high.ToString("x16", CultureInfo.InvariantCulture) + low.ToString("x16", CultureInfo.InvariantCulture);
        return string.Create(36, hex, static (span, h) =>
        {
            h.AsSpan(0, 8).CopyTo(span);
            span[8] = '-';
            h.AsSpan(8, 4).CopyTo(span[9..]);
            span[13] = '-';
            h.AsSpan(12, 4).CopyTo(span[14..]);
            span[18] = '-';
            h.AsSpan(16, 4).CopyTo(span[19..]);
            span[23] = '-';
            h.AsSpan(20, 12).CopyTo(span[24..]);
        });
    }

    /// <summary>The next legacy feed <c>trade_id</c> (an integer, increasing).</summary>
    public long NextLegacyTradeId() => _nextLegacyTradeId++;

    /// <summary>The snapshot UUID for a scenario label: the label itself when it is a UUID, else one derived from the seed and label.</summary>
    public string Snapshot(string label) => IsUuid(label) ? label : Uuid(Prng.Stream(_seed, "snapshot:" + label));

    /// <summary>Whether <paramref name="text"/> is a UUID in the 8-4-4-4-12 hex form.</summary>
    public static bool IsUuid(string text) => Guid.TryParseExact(text, "D", out _);
}
