namespace Burrow.Protocol.Tests;

/// <summary>Finds files of the repository from the test's output directory.</summary>
internal static class RepoRoot
{
    public static string Path { get; } = Find();

    public static string ReadAllText(string relativePath) =>
        File.ReadAllText(System.IO.Path.Combine(Path, relativePath));

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "Burrow.slnx")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"No Burrow.slnx above {AppContext.BaseDirectory}.");
    }
}
