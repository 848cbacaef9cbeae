using Burrow.Edge;

namespace Burrow.Cli.Commands;

/// <summary>Where the edge an agent starts for itself (no <c>--server</c>) keeps its files, which <c>burrow trust</c> reads.</summary>
internal static class LocalEdgePaths
{
    /// <summary>Beside the default edge's data directory: <c>~/.local/share/burrow/local-edge</c>.</summary>
    public static string DataDirectory() => Path.Combine(Path.GetDirectoryName(EdgeOptions.DefaultDataDirectory())!, "local-edge");
}
