namespace Burrow.Cli.Config;

/// <summary>One config file as read: its version, agent settings and endpoints (tunnels included), in file order.</summary>
internal sealed class ConfigFile
{
    public required string Path { get; init; }

    /// <summary>2 or 3.</summary>
    public int Version { get; set; } = 3;

    public AgentSettings Agent { get; set; } = new();

    public List<EndpointConfig> Endpoints { get; } = [];

    /// <summary>Settings that were read but mean nothing to Burrow (ngrok's <c>region</c>...), one line each.</summary>
    public List<string> Warnings { get; } = [];
}
