using System.Collections.Immutable;
using System.Globalization;
using FsCheck;
using FsCheck.Fluent;
using Linkage.Sim.Scenarios;

namespace Linkage.Sim.Generation;

/// <summary>What kind of scenarios to generate.</summary>
public sealed record GenerationOptions
{
    public static readonly GenerationOptions Default = new();

    /// <summary>The default options for runs on <paramref name="store"/> (a store name of <c>StoreFactory</c>).</summary>
    public static GenerationOptions ForStore(string store) => Default with { StoreForgets = store == Linkage.Sim.Stores.StoreFactory.Memory };

    /// <summary>Orders per unit of FsCheck's size: a scenario of size <c>s</c> creates between 1 and <c>1 + s * OrdersPerSize</c> orders.</summary>
    public int OrdersPerSize { get; init; } = 3;

    /// <summary>Whether scenarios may restart the webhook (comparisons across stores need none).</summary>
    public bool Restarts { get; init; } = true;

    /// <summary>
    /// Features every scenario has on (at least strength 1): a law about a rare situation (retention, say) runs on
    /// scenarios that all reach it, instead of hoping the swarm draws it often enough.
    /// </summary>
    public ImmutableArray<SwarmFeature> Required { get; init; } = [];

    /// <summary>
    /// Whether the store under test keeps nothing across a restart (the in-memory store). Such a store cannot tell a
    /// forged copy of an order it has forgotten from a real message, so the generator makes none (see
    /// <c>docs/scenarios.md</c>, "Stores that forget"); every other draw is the same, whatever the store.
    /// </summary>
    public bool StoreForgets { get; init; }
}

/// <summary>
/// Generates whole, valid, meaningful scenarios for the property tests and the <c>fuzz</c> command (which share it, so a
/// seed means the same scenarios to both). FsCheck draws the swarm profile (<see cref="SwarmProfile"/>), the seed and
/// how many orders the scenario creates (bounded by FsCheck's size, so early cases are small; see <see cref="Orders"/>);
/// <see cref="ScenarioBuilder"/> turns them into steps. Shrinking is by domain (<see cref="ScenarioShrinker"/>), not by
/// FsCheck's structure.
/// </summary>
public static class SwarmGenerator
{
    /// <summary>
    /// Stamped on every generated scenario's description. Raise it whenever a change makes a seed generate a different
    /// scenario, so a description's seed is never replayed against the wrong generator.
    /// </summary>
    public const int GeneratorVersion = 8;

    /// <summary>The size FsCheck grows to by default, and the largest a fuzz run uses.</summary>
    public const int SizeMax = 100;

    public static Gen<Scenario> Scenarios(GenerationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return Gen.Sized(size =>
            from drawn in SwarmProfile.Draw(options.Restarts)
            let profile = options.Required.Aggregate(drawn, (p, feature) => p.With(feature))
            from high in Gen.Choose(0, int.MaxValue)
            from low in Gen.Choose(0, int.MaxValue)
            from fraction in Gen.Choose(0, 1000)
            select Build(profile, ((ulong)high << 31) ^ (ulong)low, Orders(size, fraction, options), storeForgets: options.StoreForgets));
    }

    /// <summary>
    /// How many orders a scenario of <paramref name="size"/> creates: from 1 up to <c>1 + size * OrdersPerSize</c>, drawn
    /// with a cubic bias towards few (<paramref name="fraction"/> is uniform in [0, 1000]): every size still reaches its
    /// largest scenarios (one in five is above half the maximum), while the average stays a quarter of it, which keeps a
    /// run's time where the suite's budget wants it.
    /// </summary>
    private static int Orders(int size, int fraction, GenerationOptions options)
    {
        var most = (long)Math.Max(0, size) * options.OrdersPerSize;
        return 1 + (int)(most * fraction * fraction * fraction / 1_000_000_000L);
    }

    /// <summary>Generated scenarios with the domain shrinker.</summary>
    public static Arbitrary<Scenario> Arbitrary(GenerationOptions options) => Arb.From(Scenarios(options), ScenarioShrinker.Shrink);

    /// <summary>
    /// The <paramref name="index"/>-th scenario of a fuzz run from <paramref name="seed"/>: the same for the same pair,
    /// whatever the run's length. Sizes cycle from 0 to <see cref="SizeMax"/>, so every stretch of a run has small and
    /// large scenarios.
    /// </summary>
    public static Scenario Generate(GenerationOptions options, ulong seed, int index)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(index);
        var mixed = seed ^ (0x9E3779B97F4A7C15UL * (ulong)(index + 1));
        var rnd = new Rnd(mixed, 0x2545F4914F6CDD1DUL);
        var scenario = Scenarios(options).Sample(1, rnd, index % (SizeMax + 1))[0];
        return scenario with { Name = string.Create(CultureInfo.InvariantCulture, $"fuzz-{seed}-{index}") };
    }

    /// <summary>
    /// Builds the scenario for a profile, seed and order count (a pure function of the three), of at most
    /// <paramref name="stepsMax"/> steps (the generator's usual bound unless a caller needs a bigger scenario).
    /// </summary>
    public static Scenario Build(SwarmProfile profile, ulong seed, int orders, int stepsMax = ScenarioBuilder.StepsMax, bool storeForgets = false)
    {
        ArgumentNullException.ThrowIfNull(profile);
        var builder = new ScenarioBuilder(profile, seed, orders, stepsMax, storeForgets);
        var steps = builder.Build();
        return new Scenario
        {
            Name = string.Create(CultureInfo.InvariantCulture, $"gen-{seed}"),
            Description = string.Create(CultureInfo.InvariantCulture, $"Generated (generator v{GeneratorVersion}, seed {seed}, {orders} orders): {profile}."),
            Seed = seed,
            Feed = profile.Feed,
            Latency = builder.Latency,
            Faults = profile.Faults,
            ResendAnswer = profile.Has(SwarmFeature.ResendError) ? ResendAnswer.Error : ResendAnswer.Original,
            Steps = steps,
        };
    }
}
