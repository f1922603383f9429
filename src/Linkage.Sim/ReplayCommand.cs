namespace Linkage.Sim;

/// <summary>The <c>replay</c> command.</summary>
internal static class ReplayCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        error.WriteLine("replay: not implemented yet");
        return 2;
    }
}
