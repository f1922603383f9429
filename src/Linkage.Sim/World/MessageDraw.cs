namespace Linkage.Sim.World;

/// <summary>
/// Random decisions about one message, drawn from a hash of the scenario's seed, the decision's kind and the message's
/// own identity (which order, which kind of message, which cumulative quantity, ...), never from its position in a
/// stream. Removing a step from a scenario therefore leaves every other message's decision where it was, so a shrunk
/// counterexample keeps the faults that made it fail. Our own hash (SplitMix64 steps over the text's UTF-16 code
/// units), the same on every .NET version and platform; never <see cref="string.GetHashCode()"/>, which is randomised
/// per process.
/// </summary>
public static class MessageDraw
{
    /// <summary>64 bits, uniformly distributed over identities, from the seed, the kind of decision and the identity.</summary>
    public static ulong Hash(ulong seed, string kind, string identity)
    {
        ArgumentNullException.ThrowIfNull(kind);
        ArgumentNullException.ThrowIfNull(identity);
        var state = seed;
        var hash = Prng.SplitMix64(ref state);
        hash = Absorb(hash, kind);
        // A separator no code unit equals, so ("ab", "c") and ("a", "bc") hash apart.
        hash = Step(hash, 0x1_0000UL);
        return Absorb(hash, identity);
    }

    /// <summary>True with probability <paramref name="probability"/> for this seed, kind and identity, decided exactly (<see cref="Prng.Below"/>).</summary>
    public static bool Chance(ulong seed, string kind, string identity, decimal probability) =>
        Prng.Below(Hash(seed, kind, identity), probability);

    private static ulong Absorb(ulong hash, string text)
    {
        foreach (var c in text)
        {
            hash = Step(hash, c);
        }
        return Step(hash, (ulong)text.Length << 17);
    }

    /// <summary>One SplitMix64 step keyed by <paramref name="value"/>: every input bit reaches every output bit.</summary>
    private static ulong Step(ulong hash, ulong value)
    {
        var state = hash ^ (value * 0xD6E8FEB86659FD93UL);
        return Prng.SplitMix64(ref state);
    }
}
