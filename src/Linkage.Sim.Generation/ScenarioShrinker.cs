using System.Collections.Immutable;
using Linkage.Sim.Scenarios;

namespace Linkage.Sim.Generation;

/// <summary>
/// Shrinks a failing scenario by its meaning, not its structure: each candidate is the scenario with one thing a human
/// would try removing removed (a product; a group of orders with all their fills, cancels, duplicates and resends; a
/// restart; a disconnect window; a duplicate, resend, cancel or fill), a fault set to zero, two partial fills merged
/// into one, delays shortened, or a detail made plain (an ack made ok, a closes list or an <c>as</c> dropped). Candidates
/// come biggest cut first, and only those the <see cref="ScenarioBook"/> accepts, so every shrunk scenario is still
/// valid and meaningful. FsCheck (or <see cref="Minimize"/>) keeps the first candidate that still fails and shrinks
/// again from it.
/// </summary>
public static class ScenarioShrinker
{
    /// <summary>Valid smaller scenarios, biggest cut first. Lazy: a caller that stops early pays only for what it took.</summary>
    public static IEnumerable<Scenario> Shrink(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var weight = Weight(scenario);
        return Candidates(scenario).Where(c => !c.Steps.IsEmpty && Weight(c).CompareTo(weight) < 0 && ScenarioBook.Check(c) is null);
    }

    /// <summary>
    /// How big a scenario is, compared in order: steps, faults on (a refused re-send counts as one), non-ok acks, restarts, abrupt restarts, names in
    /// closes lists, <c>as</c> references, indicators, then virtual time (the last step's and every ack delay). Every
    /// candidate must weigh strictly less than the scenario it came from, so shrinking always ends.
    /// </summary>
    public static (int, int, int, int, int, int, int, int, long) Weight(Scenario scenario)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        var steps = scenario.Steps;
        var f = scenario.Faults;
        return (
            steps.Length,
            (f.Duplicate > 0m ? 1 : 0) + (f.Reorder > 0m ? 1 : 0) + (f.Drop > 0m ? 1 : 0) + (scenario.ResendAnswer == ResendAnswer.Error ? 1 : 0),
            steps.Count(s => s is PlaceStep { Ack: not AckOk } or ExitStep { Ack: not AckOk }),
            steps.Count(s => s is RestartStep),
            steps.Count(s => s is RestartStep { Abrupt: true }),
            steps.Sum(s => s is ExitStep x ? x.Closes.Length : 0),
            steps.Count(s => s is DuplicateStep { As: not null }),
            steps.Sum(s => s is PlaceStep p ? p.Indicators.Count : 0),
            (steps.IsEmpty ? 0 : steps[^1].At.Ticks) + steps.Sum(s => s switch
            {
                PlaceStep { Ack: AckDelay d } => d.Delay.Ticks,
                ExitStep { Ack: AckDelay d } => d.Delay.Ticks,
                _ => 0,
            }));
    }

    /// <summary>
    /// Greedy minimisation outside FsCheck (the <c>fuzz</c> command): repeatedly takes the first candidate for which
    /// <paramref name="fails"/> holds, until none does or <paramref name="attemptsMax"/> candidates were tried.
    /// </summary>
    public static (Scenario Scenario, int Steps, int Attempts) Minimize(Scenario scenario, Func<Scenario, bool> fails, int attemptsMax = 5_000)
    {
        ArgumentNullException.ThrowIfNull(fails);
        var current = scenario;
        var attempts = 0;
        var shrunk = true;
        while (shrunk && attempts < attemptsMax)
        {
            shrunk = false;
            foreach (var candidate in Shrink(current))
            {
                if (++attempts > attemptsMax)
                {
                    break;
                }
                if (fails(candidate))
                {
                    current = candidate;
                    shrunk = true;
                    break;
                }
            }
        }
        return (current, current.Steps.Length, attempts);
    }

    private static IEnumerable<Scenario> Candidates(Scenario s)
    {
        var orders = Creations(s);
        var products = orders.Select(o => o.Product).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (products.Count > 1)
        {
            foreach (var product in products)
            {
                yield return DropOrders(s, orders.Where(o => o.Product == product).Select(o => o.Label));
            }
        }
        // Orders in chunks, halves first, down to one at a time (as delta debugging does).
        for (var chunk = Math.Max(1, orders.Count / 2); ; chunk /= 2)
        {
            for (var start = 0; start < orders.Count; start += chunk)
            {
                yield return DropOrders(s, orders.Skip(start).Take(chunk).Select(o => o.Label));
            }
            if (chunk == 1)
            {
                break;
            }
        }
        foreach (var candidate in DropEach(s, step => step is RestartStep))
        {
            yield return candidate;
        }
        foreach (var candidate in DropDisconnectWindows(s))
        {
            yield return candidate;
        }
        foreach (var candidate in DropEach(s, step => step is DuplicateStep or ResendStep or CancelStep))
        {
            yield return candidate;
        }
        // A partial fill dropped leaves the order's other fills as they were (the book refuses what no longer fits).
        foreach (var candidate in DropEach(s, step => step is FillStep))
        {
            yield return candidate;
        }
        foreach (var candidate in ZeroFaults(s))
        {
            yield return candidate;
        }
        foreach (var candidate in MergeFills(s))
        {
            yield return candidate;
        }
        foreach (var cap in new[] { TimeSpan.FromSeconds(1), TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(10) })
        {
            yield return CapGaps(s, cap);
        }
        foreach (var candidate in Plainer(s))
        {
            yield return candidate;
        }
    }

    /// <summary>An order's creating step: its label, product and index.</summary>
    private sealed record Creation(string Label, string Product, int Index);

    private static List<Creation> Creations(Scenario s) =>
        [.. s.Steps.Select((step, i) => step switch
        {
            PlaceStep p => new Creation(p.Order, p.Product, i),
            ExitStep x => new Creation(x.Order, x.Product, i),
            ManualStep m => new Creation(m.Order, m.Product, i),
            _ => null,
        }).OfType<Creation>()];

    /// <summary>The scenario without these orders and every step naming them; exits stop naming them in <c>closes</c>, duplicates in <c>as</c>.</summary>
    private static Scenario DropOrders(Scenario s, IEnumerable<string> labels)
    {
        var gone = labels.ToHashSet(StringComparer.Ordinal);
        var steps = ImmutableArray.CreateBuilder<Step>(s.Steps.Length);
        foreach (var step in s.Steps)
        {
            switch (step)
            {
                case PlaceStep p when gone.Contains(p.Order):
                case ExitStep x when gone.Contains(x.Order):
                case ManualStep m when gone.Contains(m.Order):
                case FillStep f when gone.Contains(f.Order):
                case CancelStep c when gone.Contains(c.Order):
                case DuplicateStep d when gone.Contains(d.Order):
                case ResendStep r when gone.Contains(r.Order):
                    break;
                case ExitStep x when x.Closes.Any(gone.Contains):
                    steps.Add(x with { Closes = [.. x.Closes.Where(c => !gone.Contains(c))] });
                    break;
                case DuplicateStep d when d.As is { } other && gone.Contains(other):
                    steps.Add(d with { As = null });
                    break;
                default:
                    steps.Add(step);
                    break;
            }
        }
        return s with { Steps = steps.ToImmutable() };
    }

    /// <summary>All steps matching <paramref name="match"/> dropped at once, then each on its own.</summary>
    private static IEnumerable<Scenario> DropEach(Scenario s, Func<Step, bool> match)
    {
        var indices = s.Steps.Select((step, i) => (step, i)).Where(p => match(p.step)).Select(p => p.i).ToList();
        if (indices.Count > 1)
        {
            yield return s with { Steps = [.. s.Steps.Where(step => !match(step))] };
        }
        foreach (var index in indices)
        {
            yield return s with { Steps = s.Steps.RemoveAt(index) };
        }
    }

    /// <summary>Every disconnect with the reconnect that ends it dropped at once, then each window on its own.</summary>
    private static IEnumerable<Scenario> DropDisconnectWindows(Scenario s)
    {
        var windows = new List<(int Disconnect, int? Reconnect)>();
        for (var i = 0; i < s.Steps.Length; i++)
        {
            if (s.Steps[i] is DisconnectStep)
            {
                var end = Enumerable.Range(i + 1, s.Steps.Length - i - 1).FirstOrDefault(j => s.Steps[j] is ReconnectStep or RestartStep or DisconnectStep, -1);
                windows.Add((i, end >= 0 && s.Steps[end] is ReconnectStep ? end : null));
            }
        }
        if (windows.Count > 1)
        {
            yield return s with { Steps = [.. s.Steps.Where(step => step is not DisconnectStep and not ReconnectStep)] };
        }
        foreach (var (disconnect, reconnect) in windows)
        {
            var steps = s.Steps;
            if (reconnect is { } r)
            {
                steps = steps.RemoveAt(r);
            }
            yield return s with { Steps = steps.RemoveAt(disconnect) };
        }
        // A reconnect with no disconnect before it (the webhook reconnects anyway) is one step more to try removing.
        foreach (var candidate in DropEach(s, step => step is ReconnectStep))
        {
            yield return candidate;
        }
    }

    private static IEnumerable<Scenario> ZeroFaults(Scenario s)
    {
        if (s.ResendAnswer == ResendAnswer.Error)
        {
            yield return s with { ResendAnswer = ResendAnswer.Original };
        }
        var f = s.Faults;
        if (!f.Any)
        {
            yield break;
        }
        yield return s with { Faults = Faults.None };
        if (f.Duplicate > 0m)
        {
            yield return s with { Faults = f with { Duplicate = 0m } };
        }
        if (f.Reorder > 0m)
        {
            yield return s with { Faults = f with { Reorder = 0m } };
        }
        if (f.Drop > 0m)
        {
            yield return s with { Faults = f with { Drop = 0m } };
        }
    }

    /// <summary>Each pair of consecutive fills of one order becomes one fill (at the first's time, of both sizes).</summary>
    private static IEnumerable<Scenario> MergeFills(Scenario s)
    {
        var last = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < s.Steps.Length; i++)
        {
            if (s.Steps[i] is not FillStep second)
            {
                continue;
            }
            if (last.TryGetValue(second.Order, out var firstIndex))
            {
                var first = (FillStep)s.Steps[firstIndex];
                var merged = first with { Size = first.Size + second.Size, Price = first.Price ?? second.Price };
                yield return s with { Steps = s.Steps.SetItem(firstIndex, merged).RemoveAt(i) };
            }
            last[second.Order] = i;
        }
    }

    /// <summary>Every gap between steps longer than <paramref name="cap"/> shortened to it; ack delays too.</summary>
    private static Scenario CapGaps(Scenario s, TimeSpan cap)
    {
        var steps = ImmutableArray.CreateBuilder<Step>(s.Steps.Length);
        var previous = TimeSpan.Zero;
        var at = TimeSpan.Zero;
        foreach (var step in s.Steps)
        {
            at += TimeSpan.FromTicks(Math.Min((step.At - previous).Ticks, cap.Ticks));
            previous = step.At;
            steps.Add(step switch
            {
                PlaceStep { Ack: AckDelay d } p => p with { At = at, Ack = new AckDelay(d.Delay > cap ? cap : d.Delay) },
                ExitStep { Ack: AckDelay d } x => x with { At = at, Ack = new AckDelay(d.Delay > cap ? cap : d.Delay) },
                _ => step with { At = at },
            });
        }
        return s with { Steps = steps.ToImmutable() };
    }

    /// <summary>Details made plain one at a time: acks ok, no closes, no <c>as</c>, clean restarts, no indicators.</summary>
    private static IEnumerable<Scenario> Plainer(Scenario s)
    {
        for (var i = 0; i < s.Steps.Length; i++)
        {
            Step? plain = s.Steps[i] switch
            {
                PlaceStep p when p.Ack is not AckOk => p with { Ack = Ack.Ok },
                ExitStep x when x.Ack is not AckOk => x with { Ack = Ack.Ok },
                ExitStep x when !x.Closes.IsEmpty => x with { Closes = [] },
                DuplicateStep { As: not null } d => d with { As = null },
                RestartStep { Abrupt: true } r => r with { Abrupt = false },
                PlaceStep p when !p.Indicators.IsEmpty => p with { Indicators = p.Indicators.Clear() },
                _ => null,
            };
            if (plain is not null)
            {
                yield return s with { Steps = s.Steps.SetItem(i, plain) };
            }
        }
    }
}
