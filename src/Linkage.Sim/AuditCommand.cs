namespace Linkage.Sim;

/// <summary>The <c>audit</c> command.</summary>
internal static class AuditCommand
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        error.WriteLine("audit: not implemented yet");
        return 2;
    }
}
