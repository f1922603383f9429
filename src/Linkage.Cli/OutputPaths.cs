namespace Linkage.Cli;

/// <summary>
/// Checks where a command will write before it does any work, so a long run never ends in an unwritable path (issue 14:
/// <c>crash --json /missing/dir/c.json</c> ran the whole test, then died). Missing folders are created, as
/// <c>mkdir -p</c> would; a file is probed by opening it for writing, and removed again if the probe created it.
/// </summary>
internal static class OutputPaths
{
    /// <summary>Why <paramref name="path"/> (given as <paramref name="option"/>) cannot be written, or null when it can.</summary>
    public static string? FileProblem(string option, string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                return $"{option} {path}: is a folder; name a file";
            }
            var folder = Path.GetDirectoryName(Path.GetFullPath(path));
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
            var existed = File.Exists(path);
            using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite))
            {
            }
            if (!existed)
            {
                File.Delete(path);
            }
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"{option} {path}: cannot be written: {Why(path, e)}";
        }
    }

    /// <summary>In the user's words: a file standing where a folder must be, a permission, else the system's message.</summary>
    private static string Why(string path, Exception e)
    {
        for (var dir = Path.GetDirectoryName(Path.GetFullPath(path)); !string.IsNullOrEmpty(dir); dir = Path.GetDirectoryName(dir))
        {
            if (File.Exists(dir))
            {
                return $"{dir} is a file, not a folder";
            }
        }
        return e is UnauthorizedAccessException ? "permission denied" : e.Message;
    }

    /// <summary>Why the folder <paramref name="path"/> cannot be created or written into, or null when it can.</summary>
    public static string? FolderProblem(string option, string path)
    {
        try
        {
            if (File.Exists(path))
            {
                return $"{option} {path}: is a file; name a folder";
            }
            Directory.CreateDirectory(path);
            var probe = Path.Combine(path, ".linkage-write-probe-" + Environment.ProcessId);
            File.WriteAllBytes(probe, []);
            File.Delete(probe);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
        {
            return $"{option} {path}: cannot be written: {Why(Path.Combine(path, "x"), e)}";
        }
    }

    /// <summary>Every problem among <paramref name="files"/> and <paramref name="folders"/> (option, path; a null path is skipped).</summary>
    public static List<string> Problems(IEnumerable<(string Option, string? Path)> files, IEnumerable<(string Option, string? Path)> folders)
    {
        var problems = new List<string>();
        foreach (var (option, path) in files)
        {
            if (path is not null && FileProblem(option, path) is { } problem)
            {
                problems.Add(problem);
            }
        }
        foreach (var (option, path) in folders)
        {
            if (path is not null && FolderProblem(option, path) is { } problem)
            {
                problems.Add(problem);
            }
        }
        return problems;
    }
}
