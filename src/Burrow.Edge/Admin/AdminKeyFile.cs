using Burrow.Edge.Certificates;

namespace Burrow.Edge.Admin;

/// <summary>
/// The first API key, kept owner-only in <c>admin-api-key</c> in the data directory, so that
/// <c>burrow admin</c> on the edge's own machine works without copying the key around. Written
/// once, when the first start creates the key; later keys are only ever shown to their creator.
/// </summary>
public static class AdminKeyFile
{
    /// <summary>The file's name in the data directory.</summary>
    public const string FileName = "admin-api-key";

    /// <summary>The file's path in <paramref name="dataDirectory"/>.</summary>
    public static string PathIn(string dataDirectory) => Path.Combine(dataDirectory, FileName);

    internal static void Write(string dataDirectory, string secret)
    {
        Directory.CreateDirectory(dataDirectory);
        OwnerOnlyFile.WriteAllText(PathIn(dataDirectory), secret + "\n");
    }
}
