namespace Linkage.Sim.Server;

/// <summary>Runs <c>exchange</c> on its own until the <c>linkage</c> CLI dispatches to <see cref="ExchangeCommand"/>.</summary>
internal static class Program
{
    private static int Main(string[] args) => ExchangeCommand.Run(args, Console.Out, Console.Error);
}
