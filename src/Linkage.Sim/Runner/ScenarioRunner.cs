using System.Collections.Immutable;
using System.Text.Json.Nodes;
using Linkage.Coinbase;
using Linkage.Engine;
using Linkage.Host;
using Linkage.Sim.Stores;
using Linkage.Sim.Crash;
using Linkage.Sim.Driver;
using Linkage.Sim.Exchange;
using Linkage.Sim.Legacy;
using Linkage.Sim.Oracle;
using Linkage.Sim.Scenarios;
using Linkage.Sim.World;

namespace Linkage.Sim.Runner;

/// <summary>
/// Replays one scenario: the world, the simulated exchange, the webhook host around the design under test, and the
/// oracle. <see cref="Run"/> is a pure function of the scenario and the options: the same input gives a byte-identical
/// result (law D1), because every random choice comes from the seed and time is virtual.
/// </summary>
public static class ScenarioRunner
{
    /// <summary>The check name of a step the exchange could not carry out (a fill of an order that does not exist, ...).</summary>
    public const string ScenarioCheck = "scenario";

    /// <summary>The check name of a run stopped by <see cref="SimWorld.EventsMax"/>.</summary>
    public const string EventBoundCheck = "event-bound";

    /// <summary>The check name of an intent the strategy delivered that the store does not hold at the end (crash test).</summary>
    public const string NoIntentLostCheck = "no-intent-lost";

    /// <summary>
    /// How long the world keeps running after the last step: long enough for every ack timeout and retry, delayed
    /// answers, held-back messages, the legacy feed's REST poll and a few ticks to play out.
    /// </summary>
    public static readonly TimeSpan SettleTime = TimeSpan.FromMinutes(3);

    public static ScenarioResult Run(Scenario scenario, RunOptions options)
    {
        ArgumentNullException.ThrowIfNull(scenario);
        ArgumentNullException.ThrowIfNull(options);
        using var run = new Replay(scenario, options);
        return run.Execute();
    }

    /// <summary>One replay's moving parts. Lives for one <see cref="Run"/>.</summary>
    private sealed class Replay : IDisposable
    {
        private readonly Scenario _scenario;
        private readonly RunOptions _options;
        private readonly ulong _seed;
        private readonly bool _legacy;
        private readonly SimWorld _world = new();
        private readonly IdMint _ids;
        private readonly FaultCounter _faults = new();
        private readonly SimulatedExchange _exchange;
        private readonly IExchangeApi _api;
        private readonly CrashPlan? _crash;
        private readonly KillSwitch? _killSwitch;
        private readonly ProcessLives? _lives;
        private readonly IStoreSession? _stores;
        private readonly LinkOracle _oracle;
        private readonly List<Failure> _stepFailures = [];
        private readonly ImmutableArray<CaptureLine>.Builder _capture = ImmutableArray.CreateBuilder<CaptureLine>();
        private readonly Dictionary<string, string> _payloads = new(StringComparer.Ordinal);
        private readonly HashSet<string> _delivered = new(StringComparer.Ordinal);
        private readonly DateTimeOffset _activeUntil;
        private ILinkageStore? _store;
        private ICorrelator _correlator = null!;
        private SimulatedDriver _host = null!;
        private int _duplicatesIgnored;

        /// <summary>Read-set counts of the correlators of earlier process lives (the current one's are added at the end).</summary>
        private ReadSetCounts _readSets;

        /// <summary>The intent payload being handed to the webhook right now, and its label: a death before it returns makes the strategy post it again.</summary>
        private (string Label, string Payload)? _delivering;

        /// <summary>
        /// The label of the <c>place</c> or <c>exit</c> whose payload the runner is handing to the webhook right now. The
        /// host is sans-I/O and the driver synchronous, so a create-order the exchange receives meanwhile is the webhook's
        /// answer to this intent: that is how the truth learns an intent's client order id, from what the exchange
        /// received, never from the engine's own id code.
        /// </summary>
        private string? _driving;

        /// <summary>The ack each delivered intent's first create-order gets, until that request arrives.</summary>
        private readonly Dictionary<string, Ack> _ackPlans = new(StringComparer.Ordinal);

        /// <summary>Which label each client order id the exchange received belongs to (by <see cref="_driving"/>).</summary>
        private readonly Dictionary<string, string> _labelByClientOrderId = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string> _labelByAttachedOrderId = new(StringComparer.Ordinal);

        public Replay(Scenario scenario, RunOptions options)
        {
            _scenario = scenario;
            _options = options;
            _seed = options.Seed ?? scenario.Seed;
            _legacy = options.Design switch
            {
                "engine" => false,
                "legacy" => true,
                _ => throw new ArgumentException($"unknown design '{options.Design}': expected engine or legacy", nameof(options)),
            };
            _ids = new IdMint(_seed);
            _exchange = new SimulatedExchange(_world, _seed, _ids, scenario.Feed, scenario.Latency, scenario.Faults, _faults)
            {
                ResendAnswer = scenario.ResendAnswer,
                CreateOrderReceived = Attribute,
                MessageSent = options.FeedMessages,
            };
            _api = _exchange;
            _crash = options.Crash;
            if (_crash is not null)
            {
                if (_legacy || options.Store != StoreFactory.Sqlite)
                {
                    throw new ArgumentException("the crash test runs the engine design on the SQLite store only", nameof(options));
                }
                if (_crash.Problems() is { Count: > 0 } problems)
                {
                    throw new ArgumentException("the crash plan is unusable: " + string.Join("; ", problems), nameof(options));
                }
                _killSwitch = new KillSwitch(_crash.KillPoints, _crash.Next) { Die = Die };
                _lives = new ProcessLives(_world);
                _api = new KillPointExchange(_exchange, _killSwitch);
            }
            // The legacy design keeps only a process-memory cache: nothing of it is durable, whatever store is named.
            _stores = _legacy ? null : _killSwitch is null ? StoreFactory.Open(options) : new CrashStoreSession(_crash!, _killSwitch);
            _oracle = new LinkOracle(_exchange, durableStore: _stores?.IsDurable ?? false);
            _exchange.AttachedOrderCreated += (parent, child) =>
            {
                if (_labelByClientOrderId.TryGetValue(parent.ClientOrderId, out var parentLabel))
                {
                    _labelByAttachedOrderId[child.OrderId] = parentLabel + LinkOracle.BracketLabelSuffix;
                }
            };
            var lastStep = scenario.Steps.IsEmpty ? TimeSpan.Zero : scenario.Steps.Max(s => s.At);
            var longestAck = scenario.Steps.Select(AckDelayOf).DefaultIfEmpty(TimeSpan.Zero).Max();
            _activeUntil = SimWorld.Epoch + lastStep + SettleTime + longestAck;
            _exchange.ActiveUntil = _activeUntil;
        }

        public ScenarioResult Execute()
        {
            StartProcess(reconcile: false);
            for (var i = 0; i < _scenario.Steps.Length; i++)
            {
                var index = i;
                var step = _scenario.Steps[i];
                _world.At(SimWorld.Epoch + step.At, () => RunStep(index, step));
            }
            var finished = _lives?.Run() ?? _world.Run();
            _oracle.CurrentStep = null;
            _crash?.Listener.Ended(_killSwitch!.Crossings);
            if (!finished)
            {
                _stepFailures.Add(new Failure(EventBoundCheck, $"the run was stopped after {SimWorld.EventsMax} events"));
            }
            var links = _correlator.Links();
            var allocations = _store?.Allocations() ?? [];
            var verdict = _oracle.Judge(
                links,
                allocations,
                _scenario.Expect,
                _options.Design,
                _scenario.Feed,
                _ids.Snapshot,
                _store is null ? null : _store.ExternalOrders().Select(e => e.ExchangeOrderId.Value).ToHashSet(StringComparer.Ordinal),
                _store?.ExternalOrders() ?? default);
            var failures = _stepFailures.Concat(verdict.Failures).Concat(LostIntents()).ToImmutableArray();
            return new ScenarioResult
            {
                Name = _scenario.Name,
                File = _scenario.File,
                Passed = failures.IsEmpty,
                Trades = verdict.Trades,
                DuplicatesIgnored = _duplicatesIgnored,
                Failures = failures,
                SimulatedDuration = _world.Now - SimWorld.Epoch,
                FaultsInjected = _faults.ToImmutable(),
                Capture = _capture.ToImmutable(),
                Links = links,
                Allocations = allocations,
                ExternalOrders = _store?.ExternalOrders() ?? [],
                ReadSets = _readSets + Counts(_correlator),
                ClientOrderIds = _labelByClientOrderId.ToImmutableSortedDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal),
                AttachedOrders = _labelByAttachedOrderId.ToImmutableSortedDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal),
            };
        }

        /// <summary>
        /// A create-order reached the exchange. A client order id it has not seen, arriving while an intent is being handed
        /// to the webhook that has no order request yet, is that intent's: the truth records it and the intent's planned
        /// ack answers it. Any other request (a retry, a re-send after a restart, a second id for one intent) is answered
        /// normally and attributes nothing; a second id for one intent leaves an order no step created (<c>no-stray-order</c>).
        /// </summary>
        private Ack? Attribute(string clientOrderId)
        {
            if (_labelByClientOrderId.ContainsKey(clientOrderId) || _driving is not { } label || _oracle.Find(label) is not { ClientOrderId: null })
            {
                return null;
            }
            _labelByClientOrderId.Add(clientOrderId, label);
            _oracle.Attribute(label, clientOrderId);
            _exchange.NameOrder(clientOrderId, label);
            return _ackPlans.Remove(label, out var ack) ? ack : Ack.Ok;
        }

        public void Dispose() => _stores?.Dispose();

        /// <summary>
        /// The crash test's own law: every intent the strategy delivered is held by the store at the end. A death before
        /// the staging committed loses nothing either, because the strategy posts again what got no answer.
        /// </summary>
        private IEnumerable<Failure> LostIntents()
        {
            if (_crash is null || _store is null)
            {
                yield break;
            }
            foreach (var label in _payloads.Keys.Order(StringComparer.Ordinal))
            {
                if (_oracle.Find(label)?.ClientOrderId is { } coid
                    && (!ClientOrderId.TryCreate(coid, out var id, out _) || _store.FindByClientOrderId(id) is null))
                {
                    yield return new Failure(NoIntentLostCheck, $"intent {label} ({coid}) was delivered but the store does not hold it");
                }
            }
        }

        /// <summary>
        /// A planned kill point of the crash test. A death that already happened for real is re-executed: this life
        /// ends here and the next starts on the file as that death left it. The process's own death waits for SIGKILL.
        /// </summary>
        private void Die(int number, long index, string kind)
        {
            var point = new KillPoint(number, index, kind, _world.Now, _world.EventsProcessed, ExchangeDigest.Of(_exchange), Replayed: number <= _crash!.Snapshots.Length);
            if (!point.Replayed)
            {
                _crash.Listener.Dying(point);
                Thread.Sleep(Timeout.Infinite);
            }
            _crash.Listener.Replayed(point);
            _lives!.Die(RestartAfterDeath);
        }

        /// <summary>What follows a death: a new webhook process on what the store kept, and the strategy's retry of a post that got no answer.</summary>
        private void RestartAfterDeath()
        {
            _faults.Add(FaultCounter.Kill);
            _host.Stop(abrupt: true);
            _exchange.Disconnect();
            _oracle.Restarting();
            StartProcess(reconcile: true);
            _oracle.Restarted(_world.Now, _correlator.Links(), _store?.Allocations() ?? []);
            if (_delivering is { } delivering)
            {
                Hand(delivering.Label, delivering.Payload);
            }
        }

        /// <summary>
        /// Hands an intent payload to the webhook, remembering it until the webhook returns; create-orders the exchange
        /// receives meanwhile belong to <paramref name="label"/> (<see cref="Attribute"/>). A death inside leaves both
        /// set, so the next life's re-sends and re-delivery are attributed to the same intent.
        /// </summary>
        private void Hand(string label, string payload)
        {
            _delivering = (label, payload);
            _driving = label;
            _host.ReceiveIntent(payload);
            _driving = null;
            _delivering = null;
        }

        /// <summary>A new webhook process: a correlator over the store as it now is, a host, a new feed connection.</summary>
        private void StartProcess(bool reconcile)
        {
            if (_legacy)
            {
                _correlator = new LegacyCorrelator();
            }
            else
            {
                if (_correlator is not null)
                {
                    _readSets += Counts(_correlator);
                }
                _store = _stores!.Open();
                _correlator = new EngineCorrelator(_store);
            }
            IHostLedger ledger = _store is null ? new MemoryLedger(AccountPosition) : new StoreLedger(_store);
            var hostOptions = HostOptions.Default with { Capture = _options.Capture, LegacyFeed = _scenario.Feed == FeedKind.Trades };
            _host = new SimulatedDriver(_world, _api, new WebhookHost(_correlator, ledger, hostOptions, Observe), Capture) { RestLatency = _scenario.Latency.Rest, FeedDelivered = _oracle.FeedDelivered };
            _host.Start(_activeUntil, reconcile);
        }

        private static ReadSetCounts Counts(ICorrelator correlator) =>
            correlator is EngineCorrelator engine ? new(engine.InputsProcessed, engine.ReadSetMisses, engine.ReadSetDependentMisses) : default;

        private void Capture(string kind, string json) => _capture.Add(new CaptureLine(_world.Now, kind, json));

        private void Observe(EngineInput input, ProcessResult result)
        {
            if (result.Batch is not { } batch)
            {
                return;
            }
            _duplicatesIgnored += batch.Decisions.Count(d => d is DuplicateIgnored);
            _oracle.Observe(batch);
        }

        private void RunStep(int index, Step step)
        {
            _oracle.CurrentStep = new StepRef(index, step.Line, step.At);
            switch (step)
            {
                case PlaceStep place:
                    Place(index, place);
                    break;
                case ExitStep exit:
                    Exit(index, exit);
                    break;
                case ManualStep manual:
                    var order = _exchange.PlaceManual(manual.Product, manual.Side, manual.Size, manual.Price, manual.ClientOrderId, key: manual.Order);
                    _oracle.Add(new TruthOrder
                    {
                        Label = manual.Order, Origin = OrderOrigin.Manual, Product = manual.Product, Side = manual.Side, PlacedAt = _world.Now, ExchangeOrderId = order.OrderId,
                    });
                    break;
                case FillStep { Leg: { } leg } fill:
                    var legName = leg == BracketLeg.TakeProfit ? Bracket.TakeProfitTrigger : Bracket.StopLossTrigger;
                    OnOrder(index, step, fill.Order, id => _exchange.FillBracket(id, legName, fill.Size, fill.Price).Error);
                    break;
                case FillStep fill:
                    OnOrder(index, step, fill.Order, id => _exchange.Fill(id, fill.Size, fill.Price).Error);
                    break;
                case CancelStep cancel:
                    OnOrder(index, step, cancel.Order, _exchange.Cancel);
                    break;
                case DisconnectStep:
                    _faults.Add(FaultCounter.Disconnect);
                    _exchange.Disconnect();
                    break;
                case ReconnectStep:
                    _faults.Add(FaultCounter.Reconnect);
                    _host.Reconnect();
                    break;
                case RestartStep restart:
                    Restart(restart.Abrupt);
                    break;
                case DuplicateStep duplicate:
                    Duplicate(index, duplicate);
                    break;
                case ResendStep resend:
                    _faults.Add(FaultCounter.Resend);
                    if (_payloads.TryGetValue(resend.Order, out var payload))
                    {
                        Hand(resend.Order, payload);
                    }
                    else
                    {
                        StepFailure(index, step, $"resend of {resend.Order}: no place or exit step created it");
                    }
                    break;
                default:
                    StepFailure(index, step, $"unknown step {step.GetType().Name}");
                    break;
            }
        }

        private void Place(int index, PlaceStep place)
        {
            var snapshot = _ids.Snapshot(place.Snapshot);
            var payload = IntentPayloads.Entry(place, snapshot, _world.Now);
            Deliver(index, place, place.Order, payload, place.Ack, new TruthOrder
            {
                Label = place.Order, Origin = OrderOrigin.Entry, Product = place.Product, Side = place.Side, PlacedAt = _world.Now, Snapshot = snapshot,
            });
        }

        private void Exit(int index, ExitStep exit)
        {
            // The strategy names the entries by the client order ids their orders went out with (what the exchange received).
            var closes = exit.Closes.Select(label => _oracle.Find(label)?.ClientOrderId).OfType<string>().ToList();
            if (exit.Closes.Any(label => _oracle.Find(label) is null))
            {
                StepFailure(index, exit, $"exit {exit.Order} closes an order that no place step created");
            }
            var payload = IntentPayloads.Exit(exit, closes, _world.Now);
            Deliver(index, exit, exit.Order, payload, exit.Ack, new TruthOrder
            {
                Label = exit.Order, Origin = OrderOrigin.Exit, Product = exit.Product, Side = exit.Side, PlacedAt = _world.Now,
                Trigger = exit.Trigger, SellScore = exit.Scores.Sell, Closes = [.. closes],
            });
        }

        /// <summary>
        /// Registers the intent with the oracle (its label, origin, the snapshot the runner minted, the entries it closes)
        /// and its ack plan under its label, then delivers the payload to the webhook. The intent's client order id is
        /// not computed here: it is learnt from the create-order the exchange receives while the payload is handed over
        /// (<see cref="Attribute"/>), so a bug in the webhook's id minting breaks a law instead of the harness.
        /// </summary>
        /// <remarks><paramref name="truth"/> is what the oracle knows of the order before the webhook mints its client order id.</remarks>
        private void Deliver(int index, Step step, string label, string payload, Ack ack, TruthOrder truth)
        {
            // A sanity check of the runner's own payload writer; the id code is not consulted.
            if (IntentPayloadParser.Parse(payload, _world.Now).Error is { } error)
            {
                StepFailure(index, step, $"{label}: the intent payload is refused: {error}");
                return;
            }
            if (_oracle.Find(label) is not null || !_delivered.Add(payload))
            {
                StepFailure(index, step, $"{label}: the same label or the same intent (content and time) was placed before");
                return;
            }
            _payloads[label] = payload;
            _ackPlans[label] = ack;
            _oracle.Add(truth with { DeliveredAt = new StepRef(index, step.Line, step.At), SnapshotLabel = (step as PlaceStep)?.Snapshot });
            Hand(label, payload);
        }

        private void Restart(bool abrupt)
        {
            _faults.Add(abrupt ? FaultCounter.AbruptRestart : FaultCounter.Restart);
            _host.Stop(abrupt);
            _exchange.Disconnect();
            _oracle.Restarting();
            StartProcess(reconcile: true);
            _oracle.Restarted(_world.Now, _correlator.Links(), _store?.Allocations() ?? []);
        }

        /// <summary>
        /// The <c>duplicate</c> step: the order's last fill message again. With <c>as</c> (an extension, see
        /// docs/scenarios.md) the copy names another order's client order id, so an exchange order id is seen again with a
        /// different client id: on the <c>user</c> channel its last fill update, on the legacy feed its <c>received</c>.
        /// </summary>
        private void Duplicate(int index, DuplicateStep duplicate)
        {
            var order = OrderOf(duplicate.Order);
            if (order is null && _oracle.Find(duplicate.Order) is { IsBot: true, ClientOrderId: null })
            {
                return;
            }
            if (order is null)
            {
                StepFailure(index, duplicate, $"duplicate of {duplicate.Order}: the exchange has no such order");
                return;
            }
            if (duplicate.As is not { } other)
            {
                _exchange.DuplicateLastFill(order.OrderId);
                return;
            }
            var otherClientId = OrderOf(other)?.ClientOrderId ?? _oracle.Find(other)?.ClientOrderId;
            if (otherClientId is null)
            {
                StepFailure(index, duplicate, $"duplicate of {duplicate.Order} as {other}: {other} has no client order id");
                return;
            }
            _exchange.DuplicateLastFill(order.OrderId, json => WithClientOrderId(json, otherClientId));
        }

        private static string WithClientOrderId(string json, string clientOrderId)
        {
            var node = JsonNode.Parse(json)!.AsObject();
            if (node["events"] is JsonArray events)
            {
                foreach (var order in events.OfType<JsonObject>().SelectMany(e => e["orders"] as JsonArray ?? []).OfType<JsonObject>())
                {
                    order["client_order_id"] = clientOrderId;
                }
            }
            else
            {
                node["client_oid"] = clientOrderId;
            }
            return node.ToJsonString(CoinbaseWire.SerializerOptions);
        }

        private void OnOrder(int index, Step step, string label, Func<string, string?> act)
        {
            if (_oracle.Find(label) is { IsBot: true, ClientOrderId: null })
            {
                // The webhook never sent the intent's order, so the exchange cannot act on it: the oracle fails that as
                // a broken law (everything-links), which says more than "no such order" here would.
                return;
            }
            if (OrderOf(label) is not { } order)
            {
                StepFailure(index, step, $"{step.GetType().Name} of {label}: the exchange has no such order (rejected, or never placed)");
                return;
            }
            if (act(order.OrderId) is { } error)
            {
                StepFailure(index, step, $"{step.GetType().Name} of {label}: {error}");
            }
        }

        private ExchangeOrder? OrderOf(string label) =>
            _oracle.Find(label) switch
            {
                { ExchangeOrderId: { } id } => _exchange.Find(id),
                { ClientOrderId: { } coid } => _exchange.FindByClientOrderId(coid),
                _ => null,
            };

        /// <summary>What the old position monitor read to size a sell-everything exit: the account's bot position in the product.</summary>
        private decimal AccountPosition(ProductId product)
        {
            var position = 0m;
            foreach (var order in _exchange.Orders.Where(o => o.Product == product.Value && _oracle.FindByClientOrderId(o.ClientOrderId) is not null))
            {
                position += order.Side == Side.Buy ? order.CumulativeQuantity : -order.CumulativeQuantity;
            }
            return Math.Max(position, 0m);
        }

        private void StepFailure(int index, Step step, string message) =>
            _stepFailures.Add(new Failure(ScenarioCheck, message) { StepIndex = index, StepLine = step.Line, At = step.At });

        private static TimeSpan AckDelayOf(Step step) => step switch
        {
            PlaceStep { Ack: AckDelay d } => d.Delay,
            ExitStep { Ack: AckDelay d } => d.Delay,
            _ => TimeSpan.Zero,
        };
    }
}
