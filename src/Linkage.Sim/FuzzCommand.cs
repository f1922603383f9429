namespace Linkage.Sim;

/// <summary>The <c>fuzz</c> command.</summary>
internal static class FuzzCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        error.WriteLine("fuzz: not implemented yet");
        return 2;
    }
}
