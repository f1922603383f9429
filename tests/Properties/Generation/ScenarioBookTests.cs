using Linkage.Engine;
using Linkage.Sim.Generation;
using Linkage.Sim.Scenarios;

namespace Linkage.Properties.Generation;

public sealed class ScenarioBookTests
{
    private static PlaceStep Buy(double seconds, string order, decimal size = 2m) =>
        new(TimeSpan.FromSeconds(seconds)) { Order = order, Product = "BTC-USD", Side = Side.Buy, Size = size, Price = 10m, Snapshot = "s" + order };

    private static FillStep Fill(double seconds, string order, decimal? size = null) => new(TimeSpan.FromSeconds(seconds)) { Order = order, Size = size };

    private static ExitStep Exit(double seconds, string order, decimal? size, params string[] closes) =>
        new(TimeSpan.FromSeconds(seconds)) { Order = order, Product = "BTC-USD", Size = size, Trigger = "stop_loss", Closes = [.. closes] };

    private static string? Check(params Step[] steps) => ScenarioBook.Check(new Scenario { Name = "book", Steps = [.. steps] });

    [Test]
    public void A_meaningful_scenario_passes()
    {
        Assert.That(Check(Buy(0, "e1"), Fill(1, "e1", 1m), Fill(2, "e1"), Exit(400, "x1", 1.5m), Fill(401, "x1")), Is.Null);
    }

    [Test]
    public void Cancelling_a_finished_order_is_refused() =>
        Assert.That(Check(Buy(0, "e1"), Fill(1, "e1"), new CancelStep(TimeSpan.FromSeconds(2)) { Order = "e1" }), Does.Contain("not an open order"));

    [Test]
    public void Fills_beyond_the_size_are_refused() =>
        Assert.That(Check(Buy(0, "e1"), Fill(1, "e1", 1.5m), Fill(2, "e1", 1m)), Does.Contain("has 0.5 left"));

    [Test]
    public void Intents_at_one_instant_are_refused() =>
        Assert.That(Check(Buy(0, "e1"), Buy(0, "e2")), Does.Contain("distinct times"));

    [Test]
    public void An_exit_selling_more_than_its_lots_executed_is_refused() =>
        Assert.That(Check(Buy(0, "e1"), Fill(1, "e1", 1m), Exit(2, "x1", 1.5m)), Does.Contain("sure to have only 1"));

    [Test]
    public void Named_lots_count_what_any_earlier_exit_may_have_closed()
    {
        // x1 (no closes) may have closed e2 rather than e1, so x2 naming e2 can count on 2 - 1 = 1 only.
        Assert.Multiple(() =>
        {
            Assert.That(Check(Buy(0, "e1"), Fill(1, "e1"), Buy(2, "e2"), Fill(3, "e2"), Exit(4, "x1", 1m), Fill(5, "x1"), Exit(400, "x2", 1.5m, "e2")),
                Does.Contain("sure to have only 1"));
            Assert.That(Check(Buy(0, "e1"), Fill(1, "e1"), Buy(2, "e2"), Fill(3, "e2"), Exit(4, "x1", 1m), Fill(5, "x1"), Exit(400, "x2", 1m, "e2")), Is.Null);
        });
    }

    [Test]
    public void A_second_exit_waits_until_the_first_exits_fills_settled() =>
        Assert.That(Check(Buy(0, "e1"), Fill(1, "e1"), Exit(2, "x1", 1m), Fill(3, "x1"), Exit(10, "x2", 1m)), Does.Contain("settled"));

    [Test]
    public void Only_the_latest_exit_fills() =>
        Assert.That(Check(Buy(0, "e1"), Fill(1, "e1"), Exit(2, "x1", 1m), Exit(3, "x2", 1m), Fill(4, "x1")), Does.Contain("later exit"));

    [Test]
    public void A_whole_position_exit_needs_a_settled_position_and_fills_only_the_rest()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Check(Buy(0, "e1"), Fill(1, "e1"), Exit(10, "x1", null)), Does.Contain("whole position"));
            Assert.That(Check(Buy(0, "e1"), Fill(1, "e1"), Exit(400, "x1", null), Fill(401, "x1", 1m)), Does.Contain("only a fill of the rest"));
            Assert.That(Check(Buy(0, "e1"), Fill(1, "e1"), Exit(400, "x1", null), Fill(401, "x1")), Is.Null);
            Assert.That(Check(Buy(0, "e1"), Fill(1, "e1"), new RestartStep(TimeSpan.FromSeconds(2)), Exit(400, "x1", null)), Does.Contain("whole position"));
        });
    }

    [Test]
    public void A_scenario_must_end_connected() =>
        Assert.That(Check(Buy(0, "e1"), new DisconnectStep(TimeSpan.FromSeconds(1)), Fill(2, "e1")), Does.Contain("ends disconnected"));

    [Test]
    public void A_refused_step_changes_nothing()
    {
        var book = new ScenarioBook();
        Assert.Multiple(() =>
        {
            Assert.That(book.Apply(Buy(0, "e1")), Is.Null);
            Assert.That(book.Apply(Fill(5, "e1", 3m)), Is.Not.Null);
            Assert.That(book.Now, Is.EqualTo(TimeSpan.Zero), "the clock moves back");
            Assert.That(book.Find("e1")!.Executed, Is.Zero);
            Assert.That(book.Apply(Fill(1, "e1", 2m)), Is.Null);
        });
    }
}
