namespace Linkage.Properties.Scenarios;

/// <summary>Finds the repository's folders from the test binaries, so tests read the shipped scenario files in place.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string ScenariosFolder => Path.Combine(Root, "scenarios");

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Linkage.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException("Linkage.sln not found above " + TestContext.CurrentContext.TestDirectory);
    }
}
