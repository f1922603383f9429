using Bogus;
using Linkage.Sim.World;

namespace Linkage.Sim.Generation;

/// <summary>
/// A Bogus <see cref="Randomizer"/> that draws from our own <see cref="Prng"/>, so Bogus's realistic values (tickers,
/// indicator names, UUIDs) come out the same for a seed on every .NET version, which a <see cref="System.Random"/>
/// seeded by Bogus does not promise.
/// </summary>
public sealed class PrngRandomizer : Randomizer
{
    public PrngRandomizer(Prng prng)
        : base(0)
    {
        localSeed = new PrngRandom(prng);
    }

    /// <summary>
    /// A <see cref="System.Random"/> whose every draw comes from <see cref="Prng"/>. Each virtual member is overridden,
    /// so the base class's own state (seeded by the constructor the language requires) is never read.
    /// </summary>
    private sealed class PrngRandom : System.Random
    {
        private readonly Prng _prng;

#pragma warning disable RS0030 // The base constructor must be called; its state is unused, every draw is overridden below.
        public PrngRandom(Prng prng)
            : base(0)
#pragma warning restore RS0030
        {
            _prng = prng;
        }

        public override int Next() => (int)_prng.NextBelow(int.MaxValue);

        public override int Next(int maxValue)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
            return maxValue == 0 ? 0 : (int)_prng.NextBelow((ulong)maxValue);
        }

        public override int Next(int minValue, int maxValue)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
            return minValue == maxValue ? minValue : (int)_prng.NextInRange(minValue, maxValue - 1L);
        }

        public override long NextInt64() => (long)_prng.NextBelow(long.MaxValue);

        public override long NextInt64(long maxValue)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
            return maxValue == 0 ? 0 : (long)_prng.NextBelow((ulong)maxValue);
        }

        public override long NextInt64(long minValue, long maxValue)
        {
            ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
            return minValue == maxValue ? minValue : _prng.NextInRange(minValue, maxValue - 1);
        }

        // 53 random bits scaled into [0, 1): exact in a double, the same on every platform.
        public override double NextDouble() => (_prng.NextUInt64() >> 11) * (1.0 / (1UL << 53));

        public override float NextSingle() => (_prng.NextUInt64() >> 40) * (1.0f / (1U << 24));

        public override void NextBytes(byte[] buffer)
        {
            ArgumentNullException.ThrowIfNull(buffer);
            NextBytes(buffer.AsSpan());
        }

        public override void NextBytes(Span<byte> buffer)
        {
            for (var i = 0; i < buffer.Length; i++)
            {
                buffer[i] = (byte)_prng.NextUInt64();
            }
        }

        protected override double Sample() => NextDouble();
    }
}
