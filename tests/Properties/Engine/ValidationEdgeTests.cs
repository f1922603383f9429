using Linkage.Engine;
using static Linkage.Properties.Engine.Make;

namespace Linkage.Properties.Engine;

/// <summary>
/// The engine's second check of brackets, placements and order states: each problem names the field and says what is
/// wrong in the words the quarantine shows, and the first problem found is the one reported.
/// </summary>
public sealed class ValidationEdgeTests
{
    private static readonly Intent Long = Entry("aaa", size: 0.01m, price: 60_000m);

    [Test]
    public void A_bracket_belongs_to_an_entry_with_a_size_and_its_take_profit_lies_beyond_its_stop_loss_on_the_profitable_side()
    {
        var shortEntry = Long with { Side = Side.Sell };
        Assert.Multiple(() =>
        {
            Assert.That(Validation.Intent(Long with { Bracket = new Bracket(62_000m, 58_000m) }), Is.Null);
            Assert.That(Validation.Intent(shortEntry with { Bracket = new Bracket(58_000m, 62_000m) }), Is.Null);
            Assert.That(Validation.Intent(Long with { Bracket = new Bracket(58_000m, 62_000m) }),
                Is.EqualTo(new Problem("bracket.take_profit", "take profit 58000 must be above stop loss 62000 for a Buy entry")));
            Assert.That(Validation.Intent(shortEntry with { Bracket = new Bracket(62_000m, 58_000m) }),
                Is.EqualTo(new Problem("bracket.take_profit", "take profit 62000 must be below stop loss 58000 for a Sell entry")));
            Assert.That(Validation.Intent(Long with { Bracket = new Bracket(60_000m, 60_000m) })?.Field, Is.EqualTo("bracket.take_profit"), "equal is not beyond");
            Assert.That(Validation.Intent(Long with { Bracket = new Bracket(-1m, 58_000m) })?.Field, Is.EqualTo("bracket.take_profit"));
            Assert.That(Validation.Intent(Long with { Bracket = new Bracket(62_000m, 0m) })?.Field, Is.EqualTo("bracket.stop_loss"));
            Assert.That(Validation.Intent(Long with { Bracket = new Bracket(-1m, -1m) })?.Field, Is.EqualTo("bracket.take_profit"), "the first problem");
            Assert.That(Validation.Intent(Exit(0.01m) with { Bracket = new Bracket(62_000m, 58_000m) }),
                Is.EqualTo(new Problem("bracket", "only an entry may carry an attached take-profit / stop-loss bracket")));
            Assert.That(Validation.Intent(Long with { Size = null, Bracket = new Bracket(62_000m, 58_000m) }),
                Is.EqualTo(new Problem("bracket", "a bracket has the entry's size, so the entry needs a size")));
            Assert.That(Validation.Intent(Long with { BracketOf = Coid(Long) }),
                Is.EqualTo(new Problem("bracket_of", "only the engine derives an attached bracket order's intent; a strategy's intent may not name one")));
        });
    }

    [Test]
    public void A_placement_or_order_state_may_not_name_a_bad_id_or_itself_as_its_bracket()
    {
        var accepted = Ack(Long, "ex-1");
        var state = Update("ex-1", Long, 0.001m);
        Assert.Multiple(() =>
        {
            Assert.That(Validation.Placement(accepted with { AttachedExchangeOrderId = Eid("ex-2") }), Is.Null);
            Assert.That(Validation.Placement(accepted with { AttachedExchangeOrderId = Eid("ex-1") }), Is.EqualTo(new Problem("attached_order_id", "names the order itself")));
            Assert.That(Validation.Placement(accepted with { AttachedExchangeOrderId = default(ExchangeOrderId) })?.Field, Is.EqualTo("attached_order_id"));
            Assert.That(Validation.OrderUpdate(state with { Order = state.Order with { OriginatingOrderId = Eid("ex-0") } }), Is.Null);
            Assert.That(Validation.OrderUpdate(state with { Order = state.Order with { OriginatingOrderId = Eid("ex-1") } }),
                Is.EqualTo(new Problem("originating_order_id", "names the order itself")));
            Assert.That(Validation.OrderUpdate(state with { Order = state.Order with { AttachedOrderId = Eid("ex-1") } }),
                Is.EqualTo(new Problem("attached_order_id", "names the order itself")));
            Assert.That(Validation.OrderUpdate(state with { Order = state.Order with { OriginatingOrderId = default(ExchangeOrderId) } })?.Field, Is.EqualTo("originating_order_id"));
            Assert.That(Validation.OrderUpdate(state with { Order = state.Order with { AttachedOrderId = default(ExchangeOrderId) } })?.Field, Is.EqualTo("attached_order_id"));
            Assert.That(Validation.OrderUpdate(state with { Order = state.Order with { ExchangeOrderId = default } })?.Field, Is.EqualTo("order_id"));
            Assert.That(Validation.OrderUpdate(state with { Order = state.Order with { NumberOfFills = -1 } }),
                Is.EqualTo(new Problem("number_of_fills", "number of fills is negative")));
        });
    }
}
