using System.Numerics;

namespace Linkage.Sim.World;

/// <summary>
/// The simulator's pseudo-random generator: xoshiro256** (Blackman and Vigna), seeded through SplitMix64. Our own code,
/// so a seed gives the same sequence on every .NET version and platform (unlike <see cref="System.Random"/>, whose
/// algorithm is not promised). Not thread-safe: one instance per purpose, used by one simulation.
/// </summary>
public sealed class Prng
{
    private ulong _s0;
    private ulong _s1;
    private ulong _s2;
    private ulong _s3;

    /// <summary>A generator whose whole state is expanded from <paramref name="seed"/> by SplitMix64.</summary>
    public Prng(ulong seed)
    {
        var sm = seed;
        _s0 = SplitMix64(ref sm);
        _s1 = SplitMix64(ref sm);
        _s2 = SplitMix64(ref sm);
        _s3 = SplitMix64(ref sm);
    }

    /// <summary>
    /// An independent stream for one purpose (ids, faults, coalescing, ...), derived from the scenario's seed and the
    /// purpose's name. Each purpose draws from its own stream, so adding a draw for one (a new fault kind) leaves the
    /// others' sequences, and therefore every minted id, unchanged.
    /// </summary>
    public static Prng Stream(ulong seed, string purpose)
    {
        // FNV-1a over the purpose's UTF-16 code units: stable, and enough to separate a handful of fixed names.
        var hash = 14695981039346656037UL;
        foreach (var c in purpose)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }
        var mixed = seed ^ hash;
        return new Prng(SplitMix64(ref mixed));
    }

    /// <summary>The next 64 uniformly distributed bits.</summary>
    public ulong NextUInt64()
    {
        var result = BitOperations.RotateLeft(_s1 * 5, 7) * 9;
        var t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitOperations.RotateLeft(_s3, 45);
        return result;
    }

    /// <summary>A uniform integer in [0, <paramref name="bound"/>), without modulo bias (Lemire's multiply-and-reject).</summary>
    public ulong NextBelow(ulong bound)
    {
        ArgumentOutOfRangeException.ThrowIfZero(bound);
        var product = (UInt128)NextUInt64() * bound;
        var low = (ulong)product;
        if (low < bound)
        {
            var threshold = (0UL - bound) % bound;
            while (low < threshold)
            {
                product = (UInt128)NextUInt64() * bound;
                low = (ulong)product;
            }
        }
        return (ulong)(product >> 64);
    }

    /// <summary>A uniform integer in [<paramref name="min"/>, <paramref name="max"/>] (both inclusive).</summary>
    public long NextInRange(long min, long max)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(min, max);
        var span = (ulong)(max - min);
        return span == ulong.MaxValue ? (long)NextUInt64() : min + (long)NextBelow(span + 1);
    }

    /// <summary>
    /// True with probability <paramref name="probability"/>, decided by exact integer comparison: a uniform 64-bit draw
    /// <c>u</c> is below <c>p * 2^64</c>, i.e. <c>u * 10^scale &lt; mantissa * 2^64</c> for <c>p = mantissa / 10^scale</c>.
    /// No floating point, so the same seed and probability decide the same way everywhere. Always consumes one draw,
    /// so the stream's position does not depend on the probability's value.
    /// </summary>
    public bool Chance(decimal probability) => Below(NextUInt64(), probability);

    /// <summary>
    /// Whether a uniform 64-bit <paramref name="draw"/> falls below <paramref name="probability"/> (as a fraction of
    /// 2^64), by exact integer comparison; what <see cref="Chance"/> decides with its next draw, and
    /// <see cref="MessageDraw"/> with a hash.
    /// </summary>
    public static bool Below(ulong draw, decimal probability)
    {
        if (probability <= 0m)
        {
            return false;
        }
        if (probability >= 1m)
        {
            return true;
        }
        Span<int> bits = stackalloc int[4];
        decimal.GetBits(probability, bits);
        var mantissa = ((BigInteger)(uint)bits[2] << 64) | ((BigInteger)(uint)bits[1] << 32) | (uint)bits[0];
        var scale = (bits[3] >> 16) & 0xFF;
        return (BigInteger)draw * BigInteger.Pow(10, scale) < mantissa << 64;
    }

    internal static ulong SplitMix64(ref ulong state)
    {
        state += 0x9E3779B97F4A7C15UL;
        var z = state;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
