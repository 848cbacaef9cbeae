namespace Burrow.Bench;

/// <summary>Where the repository is, found by walking up to Burrow.slnx from the working directory or the binary.</summary>
internal static class RepoPaths
{
    public static string Root { get; } = FindRoot();

    public static string ResultsDirectory => Path.Combine(Root, "bench", "results");

    public static string GoPeerSource => Path.Combine(Root, "tests", "interop", "go", "yamuxpeer", "main.go");

    public static string GoBuildScript => Path.Combine(Root, "tests", "interop", "go", "build.sh");

    /// <summary>Built into the bench project's obj/, which git ignores and `dotnet clean` leaves alone.</summary>
    public static string GoPeerBinary => Path.Combine(Root, "bench", "Burrow.Bench", "obj", "yamuxpeer", "yamuxpeer");

    private static string FindRoot()
    {
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Burrow.slnx")))
                {
                    return dir.FullName;
                }
            }
        }

        throw new InvalidOperationException("Burrow.slnx not found above the working directory or the binary; run from the repository.");
    }
}
