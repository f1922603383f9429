using System.Collections.Immutable;
using Linkage.Coinbase;
using Linkage.Engine;
using Linkage.Sim.Runner;
using Linkage.Sim.Scenarios;
using Linkage.Sim.World;

namespace Linkage.Sim.Server;

/// <summary>
/// One scenario step as <c>linkage exchange --scenario</c> plays it.
/// </summary>
/// <param name="Index">Position in run order (by <c>at</c>, then file order), as <c>replay</c> runs it.</param>
/// <param name="FileIndex">Position in the file, for error keys such as <c>steps[2]</c>.</param>
/// <param name="Step">The step as loaded.</param>
/// <param name="Action">The step's action key: <c>place</c>, <c>fill</c>, ...</param>
/// <param name="Label">The order the step creates or names, if any.</param>
/// <param name="ClientOrderId">For <c>place</c> and <c>exit</c>: the client order id whoever connects must send.</param>
/// <param name="Closes">For <c>exit</c>: the client order ids of the entries it names.</param>
internal sealed record PlannedStep(int Index, int FileIndex, Step Step, string Action, string? Label, string? ClientOrderId, ImmutableArray<string> Closes)
{
    /// <summary>Whether whoever connects performs it (<c>place</c>, <c>exit</c>, <c>resend</c>, <c>restart</c>) rather than the exchange.</summary>
    public bool ByClient => Step is PlaceStep or ExitStep or ResendStep or RestartStep;

    /// <summary>Whether the script waits for it: a <c>place</c> or <c>exit</c> is awaited until the client sends its create-order.</summary>
    public bool Awaited => Step is PlaceStep or ExitStep;
}

/// <summary>
/// A scenario file checked for the wire: it loads as <c>replay</c> loads it (<see cref="ScenarioLoader"/>, every error
/// reported), and everything it asks of the exchange can be done by <c>linkage exchange</c>: the Advanced Trade feed
/// (not the legacy one), products the wire catalogue trades, sizes and prices Coinbase would accept for them. Each
/// <c>place</c> and <c>exit</c> gets the client order id the documented derivation gives it (the engine's own
/// <see cref="ClientOrderIds"/> over the intent the step describes, decided at <see cref="SimWorld.Epoch"/> plus the
/// step's <c>at</c>), so the same file and seed give the same ids on every run. Unlike <c>replay</c>, which learns an
/// intent's id from the create-order its exchange receives while it drives that intent, the wire server does not
/// drive its client: a remote process sends create-orders whenever it likes, so the only way to know which step one
/// answers is the id the step's intent must carry. Nothing here judges links, so no verdict rests on this id.
/// </summary>
internal sealed class WireScenario
{
    private readonly Dictionary<string, PlannedStep> _byClientOrderId;
    private readonly Dictionary<string, string> _clientOrderIds;

    private WireScenario(Scenario scenario, string file, ulong seed, ImmutableArray<PlannedStep> steps)
    {
        Scenario = scenario;
        File = file;
        Seed = seed;
        Steps = steps;
        _byClientOrderId = steps.Where(s => s.Awaited).ToDictionary(s => s.ClientOrderId!, StringComparer.Ordinal);
        _clientOrderIds = steps.Where(s => s.Awaited).ToDictionary(s => s.Label!, s => s.ClientOrderId!, StringComparer.Ordinal);
    }

    public Scenario Scenario { get; }

    /// <summary>The file as given on the command line.</summary>
    public string File { get; }

    /// <summary>The seed the scenario runs with: <c>--seed</c> when given, else the file's.</summary>
    public ulong Seed { get; }

    /// <summary>Every step in run order.</summary>
    public ImmutableArray<PlannedStep> Steps { get; }

    /// <summary>The <c>place</c> or <c>exit</c> step whose client order id this is, or null.</summary>
    public PlannedStep? ForClientOrderId(string clientOrderId) => _byClientOrderId.GetValueOrDefault(clientOrderId);

    /// <summary>The client order id of a <c>place</c> or <c>exit</c> label, or null for any other label.</summary>
    public string? ClientOrderIdOf(string label) => _clientOrderIds.GetValueOrDefault(label);

    /// <summary>
    /// Loads <paramref name="path"/> for the wire; null with every problem (each <c>FILE:LINE:COLUMN: KEY: REASON</c>)
    /// when it does not load or asks for something the wire server cannot play.
    /// </summary>
    public static WireScenario? Load(string path, ulong? seedOverride, out List<string> errors)
    {
        errors = [];
        var load = ScenarioLoader.LoadFile(path);
        if (!load.Succeeded)
        {
            errors.AddRange(load.Errors.Select(e => e.ToString()));
            return null;
        }
        var scenario = load.Scenario;
        var problems = new List<ScenarioError>();
        if (scenario.Feed == FeedKind.Trades)
        {
            problems.Add(new ScenarioError(path, Math.Max(load.FeedLine, 1), "feed",
                "the wire server serves the Advanced Trade user channel only, so a scenario on the legacy Exchange feed (feed: trades) cannot be played on the wire; `replay` plays it"));
        }
        var seed = seedOverride ?? scenario.Seed;
        var ids = new IdMint(seed);
        // File order: steps are kept in run order, so rank them back by line (ties keep run order).
        var fileIndexes = scenario.Steps.Select((s, i) => (s, i)).OrderBy(p => p.s.Line).ThenBy(p => p.i)
            .Select((p, fileIndex) => (p.i, fileIndex)).ToDictionary(p => p.i, p => p.fileIndex);
        var steps = ImmutableArray.CreateBuilder<PlannedStep>(scenario.Steps.Length);
        var coids = new Dictionary<string, string>(StringComparer.Ordinal);
        var coidOwners = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < scenario.Steps.Length; i++)
        {
            var step = scenario.Steps[i];
            var fileIndex = fileIndexes[i];
            var action = ActionOf(step);
            var key = $"steps[{fileIndex}].{action}";
            void Problem(string field, string reason) => problems.Add(new ScenarioError(path, step.Line, field.Length == 0 ? key : $"{key}.{field}", reason));
            string? coid = null;
            var closes = ImmutableArray<string>.Empty;
            switch (step)
            {
                case PlaceStep place:
                    CheckOrder(place.Product, place.Size, place.Price, Problem);
                    coid = Mint(IntentPayloads.Entry(place, ids.Snapshot(place.Snapshot), SimWorld.Epoch + place.At), place.At, Problem);
                    break;
                case ExitStep exit:
                    CheckOrder(exit.Product, exit.Size, exit.Price, Problem);
                    closes = [.. exit.Closes.Select(label => coids.GetValueOrDefault(label)).OfType<string>()];
                    coid = Mint(IntentPayloads.Exit(exit, closes, SimWorld.Epoch + exit.At), exit.At, Problem);
                    break;
                case ManualStep manual:
                    CheckOrder(manual.Product, manual.Size, manual.Price, Problem);
                    break;
                default:
                    break;
            }
            var label = LabelOf(step);
            if (coid is not null)
            {
                if (coidOwners.TryGetValue(coid, out var owner))
                {
                    Problem("", $"the same intent (content and time) as steps[{owner}], so both would carry client order id {coid} and the exchange would place one order");
                }
                coidOwners.TryAdd(coid, fileIndex);
                coids[label!] = coid;
            }
            steps.Add(new PlannedStep(i, fileIndex, step, action, label, coid, closes));
        }
        foreach (var manual in steps.Where(s => s.Step is ManualStep { ClientOrderId: { } })
                     .Where(s => coidOwners.ContainsKey(((ManualStep)s.Step).ClientOrderId!)))
        {
            problems.Add(new ScenarioError(path, manual.Step.Line, $"steps[{manual.FileIndex}].manual.client_order_id",
                "is the client order id of one of the scenario's own orders, so the client's create-order would find the manual order"));
        }
        if (problems.Count > 0)
        {
            errors.AddRange(problems.OrderBy(p => p.Line).Select(p => p.ToString()));
            return null;
        }
        return new WireScenario(scenario, path, seed, steps.ToImmutable());
    }

    private static void CheckOrder(string productId, decimal? size, decimal? price, Action<string, string> problem)
    {
        if (Products.Find(productId) is not { } product)
        {
            problem("product", $"{productId} is not traded by the wire server (it lists {string.Join(", ", Products.All.Select(p => p.Id))})");
            return;
        }
        if (size is { } s && product.SizeProblem(s) is { } sizeProblem)
        {
            problem("size", $"Coinbase would refuse it for {productId} ({sizeProblem.Reason}: {sizeProblem.Message})");
        }
        if (price is { } p && product.PriceProblem(p) is { } priceProblem)
        {
            problem("price", $"Coinbase would refuse it for {productId} ({priceProblem.Reason}: {priceProblem.Message})");
        }
    }

    /// <summary>The client order id the engine mints for the intent: what a client that follows the documented derivation sends.</summary>
    private static string? Mint(string payload, TimeSpan at, Action<string, string> problem)
    {
        var parsed = IntentPayloadParser.Parse(payload, SimWorld.Epoch + at);
        if (!parsed.TryGetValue(out var intent))
        {
            problem("", $"the intent the step describes is refused by the engine's parser: {parsed.Error}");
            return null;
        }
        return ClientOrderIds.For(intent).Value;
    }

    internal static string ActionOf(Step step) => step switch
    {
        PlaceStep => "place",
        ExitStep => "exit",
        ManualStep => "manual",
        FillStep => "fill",
        CancelStep => "cancel",
        DisconnectStep => "disconnect",
        ReconnectStep => "reconnect",
        RestartStep => "restart",
        DuplicateStep => "duplicate",
        ResendStep => "resend",
        _ => step.GetType().Name,
    };

    private static string? LabelOf(Step step) => step switch
    {
        PlaceStep s => s.Order,
        ExitStep s => s.Order,
        ManualStep s => s.Order,
        FillStep s => s.Order,
        CancelStep s => s.Order,
        DuplicateStep s => s.Order,
        ResendStep s => s.Order,
        _ => null,
    };
}
