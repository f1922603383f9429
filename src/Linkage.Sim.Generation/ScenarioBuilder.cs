using System.Collections.Immutable;
using System.Globalization;
using Bogus;
using Linkage.Engine;
using Linkage.Sim.Scenarios;
using Linkage.Sim.World;

namespace Linkage.Sim.Generation;

/// <summary>
/// Builds one scenario from a swarm profile and a seed: a walk through virtual time where each step is drawn among
/// those the profile enables and the <see cref="ScenarioBook"/> allows now (a new entry, exit or manual order, the next
/// planned fill or cancel of an open order, a disconnect or reconnect, a restart, a duplicate, a resend). Each order is
/// given its fate when it is created (filled whole or in parts, cancelled after some fills, left open, refused), so
/// partial fills add up to at most the order's size by construction. Structure is drawn from a <see cref="Prng"/>
/// stream, realistic values (prices, sizes, tickers, triggers, indicators) from Bogus over another, so the same
/// inputs always give the same scenario. Every step is applied to the book as it is emitted: a step the book refuses
/// is a bug in this class and throws.
/// </summary>
internal sealed class ScenarioBuilder
{
    /// <summary>Most steps one scenario gets by default, whatever its size: bounds the walk.</summary>
    public const int StepsMax = 4_000;

    /// <summary>Most gaps of ten minutes to three hours in one scenario.</summary>
    private const int LongGapsMax = 3;

    /// <summary>Most gaps of a day or more in one scenario (past the engine's 24 h retention).</summary>
    private const int DayGapsMax = 1;

    /// <summary>How much a days-long gap outweighs its strength among the other gaps once it may come.</summary>
    private const int DaysOfSilenceWeight = 4;

    /// <summary>How long a scenario may span (its days of silence aside) before its gaps stay short.</summary>
    private static readonly TimeSpan SpanBudget = TimeSpan.FromHours(4);

    /// <summary>Most orders a scenario with days of silence creates: every idle hour the webhook polls each order in flight.</summary>
    private const int OrdersWithDaysMax = 40;

    /// <summary>Steps right after days of silence: duplicates of old fills, then a resend of an old intent.</summary>
    private const int RetentionProbes = 3;

    /// <summary>Most restarts (and, separately, disconnects) one scenario has: each makes the webhook reconcile every order in flight.</summary>
    private const int RestartsMax = 8;

    /// <summary>How often, with the cancel race on, an order's cancel follows its last fill within milliseconds.</summary>
    private const decimal CancelRaceChance = 0.7m;

    /// <summary>How often an entry's fill that cannot link yet sets up an exit racing it (<see cref="_exitRace"/>).</summary>
    private const decimal ExitRaceChance = 0.8m;

    /// <summary>Most fills an order is split into.</summary>
    private const int PartsMax = 8;

    private static readonly string[] EntryTriggers = ["roc_momo", "rsi_oversold", "macd_cross", "bollinger_breakout", "volume_spike", "ema_trend", "vwap_reclaim"];
    private static readonly string[] ExitTriggers = ["stop_loss", "take_profit", "trailing_stop", "time_stop", "signal_flip"];
    private static readonly string[] Indicators = ["rsi", "macd", "roc", "ema_fast", "ema_slow", "atr", "volume_z", "bb_width", "vwap_dev"];

    private readonly SwarmProfile _profile;
    private readonly Prng _prng;
    private readonly Randomizer _random;
    private readonly int _orderTarget;
    private readonly int _stepsMax;
    private readonly ScenarioBook _book = new();
    private readonly ImmutableArray<Step>.Builder _steps = ImmutableArray.CreateBuilder<Step>();
    private readonly ImmutableArray<ProductSpec> _products;
    private readonly Dictionary<string, ProductSpec> _specOf = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<Planned>> _plans = new(StringComparer.Ordinal);
    private readonly List<string> _pending = [];
    private readonly List<string> _botOrders = [];
    private readonly List<string> _filled = [];
    private readonly bool _storeForgets;
    private readonly HashSet<string> _forgotten = new(StringComparer.Ordinal);
    private readonly HashSet<string> _probed = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TimeSpan> _answeredAt = new(StringComparer.Ordinal);
    private TimeSpan _now;
    private int _created;
    private int _longGaps;
    private int _dayGaps;
    private TimeSpan _daysOfSilence;
    private int _retentionProbes;
    private int _restarts;
    private int _disconnects;
    private string? _urgent;

    /// <summary>A cancel race disconnected the WebSocket before the order's last fill: reconnect once its cancel went out.</summary>
    private string? _raceReconnectAfter;

    /// <summary>
    /// An entry filled where its fill cannot link yet (the WebSocket was down, or a match waits for the create-order
    /// answer): the product and the side of the exit that closes it. An exit on that product then goes out and fills at
    /// once, so its fill can reach the engine before the lot's: the exit must wait for the lot and be allocated when it
    /// links (the bug this finds: an exit waiting for a lot that is never allocated).
    /// </summary>
    private (string Product, Side ExitSide)? _exitRace;

    /// <summary>The race of <see cref="_exitRace"/> is on (the WebSocket came back, or a match waits for its answer): the next step is that exit, within milliseconds.</summary>
    private bool _exitRaceNow;

    /// <param name="profile">The features and faults the scenario uses.</param>
    /// <param name="seed">The seed of every draw.</param>
    /// <param name="orderTarget">How many orders to create.</param>
    /// <param name="stepsMax">
    /// Most steps (default <see cref="StepsMax"/>); the simulation-speed benchmark raises it to generate a 10,000-order
    /// scenario, which needs several steps per order.
    /// </param>
    /// <param name="storeForgets">
    /// Whether the store under test keeps nothing across a restart (the in-memory store): then a forged copy
    /// (<c>duplicate</c> with <c>as</c>) is never made of an order created before a restart, see <see cref="Duplicate(string)"/>.
    /// </param>
    public ScenarioBuilder(SwarmProfile profile, ulong seed, int orderTarget, int stepsMax = StepsMax, bool storeForgets = false)
    {
        _stepsMax = stepsMax;
        _storeForgets = storeForgets;
        _profile = profile;
        _prng = Prng.Stream(seed, "generator:structure");
        _random = new PrngRandomizer(Prng.Stream(seed, "generator:values"));
        _orderTarget = Math.Clamp(orderTarget, 1, profile.Has(SwarmFeature.DaysOfSilence) ? OrdersWithDaysMax : int.MaxValue);
        _products = ProductCatalog.Draw(_random, profile.Products);
        Latency = profile.Has(SwarmFeature.CustomLatency)
            ? new Latency(TimeSpan.FromMilliseconds(_prng.NextInRange(20, 3_000)), TimeSpan.FromMilliseconds(_prng.NextInRange(1, 800)))
            {
                // Half the time REST answers slowly too, often slower than the feed: a reconnect's snapshot then reaches
                // the webhook before reconciliation's listing, and a fill can wait for its order's identity.
                Rest = _prng.NextInRange(0, 1) == 0 ? TimeSpan.Zero : TimeSpan.FromMilliseconds(_prng.NextInRange(1, 2_000)),
            }
            : Latency.Default;
    }

    /// <summary>
    /// The exchange's latencies: the default, or with custom latency on, an ack of 20 ms to 3 s, a feed delay of 1 to
    /// 800 ms and, half the time, a REST delay of 1 ms to 2 s.
    /// </summary>
    public Latency Latency { get; }

    /// <summary>A planned fill (<see cref="Size"/> null: the rest) or, when <see cref="Cancel"/>, the cancel of the rest.</summary>
    private sealed record Planned(decimal? Size, decimal? Price, bool Cancel)
    {
        /// <summary>A fill of the entry's attached bracket on this leg, at the leg's own price; null: the order itself.</summary>
        public BracketLeg? Leg { get; init; }
    }

    /// <summary>
    /// Products with a bracketed entry: no position-monitor exit is made on them, since an exit selling the lot a
    /// bracket protects competes with the bracket for one position (the exchange would refuse one of the two sells).
    /// </summary>
    private readonly HashSet<string> _bracketed = new(StringComparer.Ordinal);

    public ImmutableArray<Step> Build()
    {
        while (_steps.Count < _stepsMax && (_created < _orderTarget || _pending.Count > 0))
        {
            _now += _urgent is null && !_exitRaceNow ? Gap() : TimeSpan.FromMilliseconds(_prng.NextInRange(0, 150));
            Act();
        }
        if (!_book.Connected)
        {
            _now += Gap();
            Emit(new ReconnectStep(_now));
        }
        return _steps.ToImmutable();
    }

    private void Act()
    {
        if (_retentionProbes > 0)
        {
            // Right after days of silence: old fill messages again (two, of different orders when there are), the old
            // webhook again, past the engine's retention.
            _retentionProbes--;
            if (_retentionProbes >= 1 && RetentionTarget(_filled) is { } filled)
            {
                Duplicate(filled);
                return;
            }
            if (_retentionProbes == 0 && RetentionTarget(_botOrders) is { } sent)
            {
                Emit(new ResendStep(_now) { Order = sent });
                return;
            }
        }
        if (_raceReconnectAfter is { } raced && !_plans[raced].Any() && _urgent is null)
        {
            _raceReconnectAfter = null;
            if (!_book.Connected)
            {
                Emit(new ReconnectStep(_now));
                return;
            }
        }
        if (_exitRaceNow && _urgent is null)
        {
            _exitRaceNow = false;
            var (product, exitSide) = _exitRace!.Value;
            _exitRace = null;
            AfterLastIntent();
            if (_created < _orderTarget && _book.Connected && ExitRoom(product, exitSide) > 0m)
            {
                _created++;
                NewExit(_products.First(p => p.Id == product), exitSide, fillAtOnce: true);
                return;
            }
        }
        if (_urgent is { } label)
        {
            // The order's first fill right after it was sent: often before the exchange's answer reaches the webhook.
            _urgent = null;
            Progress(label);
            return;
        }
        var choices = new List<(int Weight, Action Act)>();
        if (_created < _orderTarget)
        {
            choices.Add((10, NewOrder));
        }
        if (_pending.Count > 0)
        {
            choices.Add((12, () => Progress(_pending[Index(_pending.Count)])));
        }
        if (_profile.Has(SwarmFeature.Disconnect) && (!_book.Connected || _disconnects < RestartsMax))
        {
            choices.Add((_profile[SwarmFeature.Disconnect], () =>
            {
                if (_book.Connected)
                {
                    _disconnects++;
                    Emit(new DisconnectStep(_now));
                }
                else
                {
                    Emit(new ReconnectStep(_now));
                }
            }));
        }
        if (_profile.Has(SwarmFeature.Restart) && _restarts < RestartsMax)
        {
            choices.Add((_profile[SwarmFeature.Restart], () =>
            {
                _restarts++;
                _forgotten.UnionWith(_book.Orders.Select(o => o.Label));
                Emit(new RestartStep(_now) { Abrupt = _profile.Has(SwarmFeature.AbruptRestart) && _prng.Chance(0.5m) });
            }));
        }
        if (_profile.Has(SwarmFeature.DuplicateStep) && _filled.Count > 0)
        {
            choices.Add((_profile[SwarmFeature.DuplicateStep], Duplicate));
        }
        if (_profile.Has(SwarmFeature.Resend) && _botOrders.Count > 0)
        {
            choices.Add((_profile[SwarmFeature.Resend], () => Emit(new ResendStep(_now) { Order = _botOrders[Index(_botOrders.Count)] })));
        }
        if (choices.Count == 0)
        {
            return;
        }
        Pick(choices)();
    }

    // ---- orders ----

    private void NewOrder()
    {
        AfterLastIntent();
        var choices = new List<(int Weight, Action Act)> { (8, NewEntry) };
        if (_profile.Has(SwarmFeature.Exits) && ExitChoices().Any())
        {
            choices.Add((_profile[SwarmFeature.Exits] * 2, NewExit));
        }
        if (_profile.Has(SwarmFeature.Manual))
        {
            choices.Add((_profile[SwarmFeature.Manual], NewManual));
        }
        _created++;
        Pick(choices)();
    }

    /// <summary>An intent is its content and its time: the next one goes out at least a millisecond after the last.</summary>
    private void AfterLastIntent()
    {
        if (_book.LastIntentAt is { } last && _now <= last)
        {
            _now = last + TimeSpan.FromMilliseconds(1);
        }
    }

    private void NewEntry()
    {
        var spec = _products[Index(_products.Length)];
        var label = "e" + Number();
        // A SELL entry opens a short that a BUY exit closes; a third of a profile's entries, so shorts are closed often.
        var side = _profile.Has(SwarmFeature.SellEntries) && _prng.Chance(0.35m) ? Side.Sell : Side.Buy;
        var market = _profile.Has(SwarmFeature.MarketOrders) && _prng.Chance(0.3m);
        decimal? price = market ? null : spec.Price(_random);
        // Realistic legs for a BUY: take profit 2-10 % above the entry, stop loss 2-10 % below; only on products no exit
        // has touched, which exits then leave alone (see _bracketed).
        Engine.Bracket? bracket = null;
        if (_profile.Has(SwarmFeature.Brackets) && side == Side.Buy && price is { } limit
            && !_book.Orders.Any(o => o.Kind == BookOrderKind.Exit && o.Product == spec.Id) && _prng.Chance(0.5m))
        {
            bracket = new Engine.Bracket(limit * (1m + (_prng.NextInRange(2, 10) / 100m)), limit * (1m - (_prng.NextInRange(2, 10) / 100m)));
            _bracketed.Add(spec.Id);
        }
        var place = new PlaceStep(_now)
        {
            Order = label,
            Product = spec.Id,
            Side = side,
            Size = spec.SizeUnits(_random) * spec.BaseIncrement,
            Price = price,
            Snapshot = _prng.Chance(0.3m) ? _random.Uuid().ToString("D") : "s" + label[1..],
            Scores = side == Side.Buy ? new ScoreSet(Score(0.9m), Score(0.2m)) : new ScoreSet(Score(0.2m), Score(0.9m)),
            Trigger = _prng.Chance(0.9m) ? _random.ArrayElement(EntryTriggers) : null,
            Indicators = DrawIndicators(),
            Ack = DrawAck(),
            Bracket = bracket,
        };
        Register(place, spec, place.Size, place.Price, side, bot: true);
    }

    private void NewExit()
    {
        var candidates = ExitChoices().ToList();
        var (spec, exitSide) = candidates[Index(candidates.Count)];
        NewExit(spec, exitSide, fillAtOnce: false);
    }

    /// <summary>An exit on <paramref name="spec"/>'s product; <paramref name="fillAtOnce"/>: its first fill is the next step.</summary>
    private void NewExit(ProductSpec spec, Side exitSide, bool fillAtOnce)
    {
        var lots = _book.LotsOf(spec.Id, exitSide).Select(l => l.Label).ToList();
        ImmutableArray<string> closes = [];
        if (!fillAtOnce && _profile.Has(SwarmFeature.ExitCloses) && _prng.Chance(0.5m))
        {
            var named = lots.Where(_ => _prng.Chance(0.5m)).Take(Limits.ExitClosesMax).ToImmutableArray();
            if (_book.Capacity(spec.Id, named, exitSide) > 0m && !named.IsEmpty)
            {
                closes = named;
            }
        }
        var whole = !fillAtOnce && closes.IsEmpty && _profile.Has(SwarmFeature.WholePositionExits) && _book.WholePositionCanSettle(spec.Id, exitSide) && _prng.Chance(0.5m);
        if (whole && !_book.WholePositionIsSettled(spec.Id, _now, exitSide))
        {
            // The position monitor sells everything after a quiet spell: wait until the webhook's view is settled.
            _now += ScenarioBook.SettleTime + TimeSpan.FromSeconds(_prng.NextInRange(1, 60));
        }
        var room = _book.Capacity(spec.Id, closes, exitSide);
        var roomUnits = (long)(room / spec.BaseIncrement);
        // An exit racing its lot sells all the lots can give: oldest first, it reaches the lot that has not linked yet.
        decimal? size = whole ? null : Math.Max(1, fillAtOnce || _prng.Chance(0.3m) ? roomUnits : _prng.NextInRange(1, roomUnits)) * spec.BaseIncrement;
        // An exit racing its lot is answered at once, so that its fill links before the lot's.
        var ack = fillAtOnce ? Ack.Ok : DrawAck();
        var exit = new ExitStep(_now)
        {
            Order = "x" + Number(),
            Product = spec.Id,
            Side = exitSide,
            Size = size,
            Price = _profile.Has(SwarmFeature.MarketOrders) && _prng.Chance(0.5m) ? null : spec.Price(_random),
            Trigger = _random.ArrayElement(ExitTriggers),
            Scores = new ScoreSet(null, Score(0.6m)),
            Closes = closes,
            Ack = ack,
        };
        Register(exit, spec, size ?? room, exit.Price, exitSide, bot: true, oneFill: fillAtOnce);
        if (fillAtOnce && _plans.TryGetValue(exit.Order, out var plan) && plan.Count > 0 && !plan.Peek().Cancel)
        {
            _urgent = exit.Order;
        }
    }

    private void NewManual()
    {
        var spec = _products[Index(_products.Length)];
        var side = _prng.Chance(0.5m) ? Side.Buy : Side.Sell;
        var manual = new ManualStep(_now)
        {
            Order = "m" + Number(),
            Product = spec.Id,
            Side = side,
            Size = spec.SizeUnits(_random) * spec.BaseIncrement,
            Price = _prng.Chance(0.3m) ? null : spec.Price(_random),
        };
        Register(manual, spec, manual.Size, manual.Price, side, bot: false);
    }

    /// <summary>Emits the order's creating step and gives it a fate: its fills (sizes, prices) and whether it is cancelled.</summary>
    private void Register(Step step, ProductSpec spec, decimal size, decimal? price, Side side, bool bot, bool oneFill = false)
    {
        Emit(step);
        var label = LabelOf(step);
        _specOf[label] = spec;
        if (AnswerTime(step) is { } answered)
        {
            _answeredAt[label] = answered;
        }
        if (bot)
        {
            _botOrders.Add(label);
        }
        if (_book.Find(label) is not { Rejected: false } order)
        {
            return;
        }
        var plan = new Queue<Planned>();
        var wholeRest = order.WholePosition;
        var units = (long)(size / spec.BaseIncrement);
        // Fates: filled in full (most), some fills then cancelled, cancelled before any fill, left open after some or
        // no fills. Without cancels, the cancelled fates fill in full instead. Orders left open stay in flight, which
        // the webhook keeps asking the exchange about, so they are kept few.
        var fate = _prng.NextBelow(20);
        var cancels = _profile.Has(SwarmFeature.Cancel);
        var parts = oneFill || wholeRest || !_profile.Has(SwarmFeature.PartialFills) ? 1 : (int)Math.Min(units, _prng.NextInRange(1, PartsMax));
        var split = Split(units, parts);
        // With days of silence, cancelled partials are what a probe after retention wants (room under the size), so
        // some of the filled-in-full fates become them.
        if (cancels && _profile.Has(SwarmFeature.DaysOfSilence) && fate is >= 10 and < 14)
        {
            fate = 14;
        }
        // An exit racing its lot fills in one go: a later fill of its own would allocate what waited, lot or no bug.
        var fills = oneFill ? 1 : fate switch
        {
            >= 14 and <= 16 when cancels => split.Length > 1 ? (int)_prng.NextInRange(1, split.Length - 1) : 0,
            17 when cancels => 0,
            >= 18 => (int)_prng.NextInRange(0, split.Length - 1),
            _ => split.Length,
        };
        for (var i = 0; i < fills; i++)
        {
            // The last part of a full fill is often written as "the rest" (no size), as a scenario author would.
            var rest = wholeRest || (i == split.Length - 1 && _prng.Chance(0.5m));
            plan.Enqueue(new Planned(rest ? null : split[i] * spec.BaseIncrement, FillPrice(spec, price, side), Cancel: false));
        }
        if (fate is >= 14 and <= 17 && cancels && !oneFill)
        {
            plan.Enqueue(new Planned(null, null, Cancel: true));
        }
        else if (fills == split.Length && step is PlaceStep { Bracket: not null })
        {
            // Filled in full: its bracket is live, and one leg fills, in one or two parts, at the leg's own price.
            var leg = _prng.Chance(0.5m) ? BracketLeg.TakeProfit : BracketLeg.StopLoss;
            var legParts = units > 1 && _profile.Has(SwarmFeature.PartialFills) && _prng.Chance(0.5m) ? Split(units, 2) : [units];
            for (var i = 0; i < legParts.Length; i++)
            {
                plan.Enqueue(new Planned(i == legParts.Length - 1 ? null : legParts[i] * spec.BaseIncrement, null, Cancel: false) { Leg = leg });
            }
        }
        if (plan.Count > 0)
        {
            _plans[label] = plan;
            _pending.Add(label);
            if (_profile.Has(SwarmFeature.QuickFills) && _prng.Chance(0.5m) && !plan.Peek().Cancel)
            {
                _urgent = label;
            }
        }
    }

    /// <summary>The order's next planned fill or cancel; an exit's plan ends when a later exit on its product went out.</summary>
    private void Progress(string label)
    {
        var plan = _plans[label];
        var next = plan.Dequeue();
        if (plan.Count == 0)
        {
            _pending.Remove(label);
        }
        var raceNext = !next.Cancel && plan.Count == 1 && plan.Peek().Cancel && _profile.Has(SwarmFeature.CancelRace) && _prng.Chance(CancelRaceChance);
        if (raceNext && _profile.Has(SwarmFeature.Disconnect) && _book.Connected && _raceReconnectAfter is null && _disconnects < RestartsMax && _prng.Chance(0.5m))
        {
            // The fill and the cancel both happen while the WebSocket is down: reconciliation then reads the order
            // CANCELLED (Get Order) before it reads the fill (List Fills).
            _disconnects++;
            Emit(new DisconnectStep(_now));
            _raceReconnectAfter = label;
        }
        Emit(next.Cancel ? new CancelStep(_now) { Order = label } : new FillStep(_now) { Order = label, Size = next.Size, Price = next.Price, Leg = next.Leg });
        if (!next.Cancel && !_filled.Contains(label))
        {
            _filled.Add(label);
        }
        if (!next.Cancel && _exitRace is null && _profile.Has(SwarmFeature.Exits) && _book.Find(label) is { Kind: BookOrderKind.Entry } entry)
        {
            // On the orders feed a fill names its client order id and links at once, except one the WebSocket missed,
            // which waits for reconciliation: race it right after the reconnect, when REST lags the feed. On the trades
            // feed a match names only the exchange order id and waits for the create-order answer: race it now, while
            // that answer is lost or more than a second away.
            var missed = !_book.Connected && ScenarioClassifier.ReconciliationLagsFeed(Latency);
            var unanswered = _book.Connected && _profile.Feed == FeedKind.Trades
                && (!_answeredAt.TryGetValue(label, out var answered) || answered > _now + TimeSpan.FromSeconds(1));
            if ((missed || unanswered) && _prng.Chance(ExitRaceChance))
            {
                _exitRace = (entry.Product, entry.Side == Side.Buy ? Side.Sell : Side.Buy);
                _exitRaceNow = unanswered;
            }
        }
        if (raceNext)
        {
            // The cancel goes out milliseconds after the fill: their messages race on the feed.
            _urgent = label;
        }
    }

    /// <summary>
    /// What a probe after days of silence is about: an order retention purged (a finished one), one cancelled after some
    /// fills when there is one (only a fill counted again that still fits the order's size is left to dedupe alone,
    /// without the size check to hide a forgotten key), else any of <paramref name="labels"/>.
    /// </summary>
    private string? RetentionTarget(List<string> labels)
    {
        var finished = labels.Where(l => _book.Find(l) is { Finished: true }).ToList();
        var cancelledPartials = finished.Where(l => _book.Find(l) is { Cancelled: true, HasFill: true }).ToList();
        var pool = cancelledPartials.Count > 0 ? cancelledPartials : finished.Count > 0 ? finished : labels;
        // A second probe prefers an order the first did not name.
        var fresh = pool.Where(l => !_probed.Contains(l)).ToList();
        if (fresh.Count > 0)
        {
            pool = fresh;
        }
        if (pool.Count == 0)
        {
            return null;
        }
        var target = pool[Index(pool.Count)];
        _probed.Add(target);
        return target;
    }

    private void Duplicate() => Duplicate(_filled[Index(_filled.Count)]);

    /// <summary>
    /// The last fill message about <paramref name="label"/> delivered again, now and then forged to name another order's
    /// client order id (<c>as</c>). On a store that forgets across restarts no forgery is made of an order created before
    /// the last restart: such a store no longer knows that order's exchange id, so a copy naming an intent the bot
    /// re-sent after the restart is, to it, indistinguishable from that intent's own first update (a message the real
    /// exchange never sends, since an order's client order id never changes). Durable stores get it: they must refuse
    /// the rebind. The draws are made either way, so the rest of the scenario is the same on every store.
    /// </summary>
    private void Duplicate(string label)
    {
        string? other = null;
        if (_profile.Has(SwarmFeature.DuplicateAs) && _prng.Chance(0.3m))
        {
            var others = _book.Orders.Where(o => o.Label != label).ToList();
            other = others.Count == 0 ? null : others[Index(others.Count)].Label;
        }
        if ((_storeForgets && _forgotten.Contains(label)) || !(_answeredAt.TryGetValue(label, out var answered) && answered < _now))
        {
            other = null;
        }
        Emit(new DuplicateStep(_now) { Order = label, As = other });
    }

    /// <summary>
    /// When the webhook gets the exchange's answer to the create-order of a bot order <paramref name="step"/> places:
    /// null for a manual order (the webhook sends none), a lost or rejected one. Until then nothing tells any store
    /// which intent the order's exchange id belongs to, so a forged copy naming another intent is indistinguishable from
    /// that intent's own first update (the feed may deliver it first, or hold the genuine one back): the generator forges
    /// only copies of orders the webhook has had its answer for, which a store that remembers must then refuse to rebind.
    /// </summary>
    private TimeSpan? AnswerTime(Step step)
    {
        var ack = step switch { PlaceStep p => p.Ack, ExitStep e => e.Ack, _ => null };
        return ack switch
        {
            AckOk => step.At + Latency.Ack,
            AckDelay d => step.At + Latency.Ack + d.Delay,
            _ => null,
        };
    }

    // ---- exits ----

    /// <summary>
    /// The products and sides an exit may go out on now, products in catalog order, each product's SELL exit (closing
    /// long lots) before its BUY exit (closing short lots).
    /// </summary>
    private IEnumerable<(ProductSpec Spec, Side Side)> ExitChoices() =>
        _products.SelectMany(p => new[] { (Spec: p, Side: Side.Sell), (Spec: p, Side: Side.Buy) }).Where(c => ExitRoom(c.Spec.Id, c.Side) > 0m);

    /// <summary>What an exit on <paramref name="side"/> sent now on <paramref name="product"/> may sell or buy back; 0 when none may go out (see <see cref="ScenarioBook"/>).</summary>
    private decimal ExitRoom(string product, Side side)
    {
        // The product's latest exit must be done filling before the next goes out: only the latest exit fills.
        if (_bracketed.Contains(product))
        {
            return 0m;
        }
        var latestBusy = _book.Orders.Any(o => o.Kind == BookOrderKind.Exit && o.Product == product && _pending.Contains(o.Label) && _plans[o.Label].Any(p => !p.Cancel));
        return latestBusy || !_book.ExitMayGoOut(product, _now) ? 0m : _book.Capacity(product, [], side);
    }

    // ---- values ----

    private long[] Split(long units, int parts)
    {
        if (parts <= 1 || units <= 1)
        {
            return [units];
        }
        // Cut points drawn without repeats, so every part has at least one unit; sizes vary widely.
        var cuts = new SortedSet<long>();
        while (cuts.Count < parts - 1)
        {
            cuts.Add(_prng.NextInRange(1, units - 1));
        }
        var result = new long[parts];
        var previous = 0L;
        var i = 0;
        foreach (var cut in cuts)
        {
            result[i++] = cut - previous;
            previous = cut;
        }
        result[i] = units - previous;
        return result;
    }

    private decimal? FillPrice(ProductSpec spec, decimal? limit, Side side)
    {
        if (limit is { } price)
        {
            return _profile.Has(SwarmFeature.PriceImprovement) && _prng.Chance(0.3m) ? spec.Improve(price, side == Side.Buy, _random) : null;
        }
        // A market order fills at the market: a price of the product's range, always given. The simulated exchange's own
        // market price knows nothing of the product (a PEPE-USD order once filled at 90,478.88, worth more than the
        // engine's Limits.QuantityMax, issue 14), so the generator never leaves the price to it.
        return spec.Price(_random);
    }

    private Ack DrawAck()
    {
        var choices = new List<(int Weight, Func<Ack> Make)> { (12, () => Ack.Ok) };
        if (_profile.Has(SwarmFeature.AckDelay))
        {
            choices.Add((_profile[SwarmFeature.AckDelay], () => new AckDelay(TimeSpan.FromMilliseconds(_prng.NextInRange(300, 120_000)))));
        }
        if (_profile.Has(SwarmFeature.AckLost))
        {
            choices.Add((_profile[SwarmFeature.AckLost], () => Ack.Lost));
        }
        if (_profile.Has(SwarmFeature.AckReject))
        {
            choices.Add((_profile[SwarmFeature.AckReject], () => Ack.Reject));
        }
        return Pick(choices)();
    }

    private decimal? Score(decimal chance) =>
        _prng.Chance(chance) ? _prng.NextInRange(0, 10_000) / 100m : null;

    private ImmutableSortedDictionary<string, string> DrawIndicators()
    {
        var result = ImmutableSortedDictionary<string, string>.Empty.WithComparers(StringComparer.Ordinal);
        foreach (var name in Indicators.Where(_ => _prng.Chance(0.25m)))
        {
            result = result.SetItem(name, (_prng.NextInRange(-100_000, 100_000) / 1000m).ToString(CultureInfo.InvariantCulture));
        }
        return result;
    }

    /// <summary>
    /// The time to the next step: milliseconds to seconds (a busy bot); with a slow pace on, often minutes; with long
    /// gaps on, a few of up to three hours; with days of silence on, once some order filled, one of one to three days (past
    /// the engine's retention window), followed by a duplicate of an old fill and a resend of an old intent.
    /// </summary>
    private TimeSpan Gap()
    {
        var choices = new List<(int Weight, Func<long> Milliseconds)>
        {
            (1, () => 0),
            (6 + _profile[SwarmFeature.QuickFills], () => _prng.NextInRange(1, 200)),
            (8, () => _prng.NextInRange(200, 5_000)),
            (2, () => _prng.NextInRange(5_000, 30_000)),
        };
        // Slow pace and long gaps stop once the scenario spans its budget (days of silence aside): a simulated hour with
        // hundreds of orders in flight costs the simulator as much as thousands of steps.
        var paced = _now - _daysOfSilence < SpanBudget;
        if (_profile.Has(SwarmFeature.SlowPace) && paced)
        {
            choices.Add((_profile[SwarmFeature.SlowPace], () => _prng.NextInRange(30_000, 600_000)));
        }
        if (_profile.Has(SwarmFeature.LongGaps) && paced && _longGaps < LongGapsMax)
        {
            choices.Add((_profile[SwarmFeature.LongGaps], () =>
            {
                _longGaps++;
                return _prng.NextInRange(600_000, 3 * 3_600_000);
            }));
        }
        // The days come once half the orders exist, so there are finished orders for retention to purge.
        // Weighted well above the other gaps so that most scenarios with the feature reach it before they end.
        if (_profile.Has(SwarmFeature.DaysOfSilence) && _dayGaps < DayGapsMax && _filled.Count > 0 && _created * 2 >= _orderTarget)
        {
            choices.Add((_profile[SwarmFeature.DaysOfSilence] * DaysOfSilenceWeight, () =>
            {
                _dayGaps++;
                _retentionProbes = RetentionProbes;
                var gap = _prng.NextInRange(86_400_000, 3 * 86_400_000);
                _daysOfSilence += TimeSpan.FromMilliseconds(gap);
                return gap;
            }));
        }
        return TimeSpan.FromMilliseconds(Pick(choices)());
    }

    // ---- plumbing ----

    private void Emit(Step step)
    {
        if (_book.Apply(step) is { } reason)
        {
            throw new InvalidOperationException($"the generator made a step the book refuses: {reason}");
        }
        _steps.Add(step);
        if (step is ReconnectStep && _exitRace is not null)
        {
            _exitRaceNow = true;
        }
        else if (step is RestartStep)
        {
            // A restart reconnects by its own path: the race is not set up across one.
            _exitRace = null;
        }
    }

    private T Pick<T>(List<(int Weight, T Value)> choices)
    {
        var total = choices.Sum(c => c.Weight);
        var draw = (long)_prng.NextBelow((ulong)total);
        foreach (var (weight, value) in choices)
        {
            if (draw < weight)
            {
                return value;
            }
            draw -= weight;
        }
        throw new InvalidOperationException("a weighted choice fell outside its weights");
    }

    private int Index(int count) => (int)_prng.NextBelow((ulong)count);

    private string Number() => (_book.Orders.Count + 1).ToString(CultureInfo.InvariantCulture);

    private static string LabelOf(Step step) => step switch
    {
        PlaceStep p => p.Order,
        ExitStep x => x.Order,
        ManualStep m => m.Order,
        _ => throw new ArgumentException("not an order's creating step", nameof(step)),
    };
}
