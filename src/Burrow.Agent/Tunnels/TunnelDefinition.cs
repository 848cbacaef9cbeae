using Burrow.Protocol;

namespace Burrow.Agent;

/// <summary>One tunnel the agent keeps online.</summary>
public sealed record TunnelDefinition
{
    /// <summary>The tunnel's name (for display and resume).</summary>
    public string Name { get; init; } = "command_line";

    /// <summary>The tunnel protocol: <c>http</c> (default) or <c>tcp</c>; see <see cref="TunnelProtocols"/>.</summary>
    public string Proto { get; init; } = TunnelProtocols.Http;

    /// <summary>The edge port asked for (tcp, from <c>--url tcp://host:port</c>), or <see langword="null"/>.</summary>
    public int? RemotePort { get; init; }

    /// <summary>What it forwards to.</summary>
    public required UpstreamTarget Upstream { get; init; }

    /// <summary>A full hostname asked for (from <c>--url</c>), or <see langword="null"/>.</summary>
    public string? Hostname { get; init; }

    /// <summary>A subdomain asked for (from <c>--url</c> with one label), or <see langword="null"/>.</summary>
    public string? Subdomain { get; init; }

    /// <summary>The policy the edge enforces.</summary>
    public EndpointOptions Options { get; init; } = new();

    /// <summary>Whether to verify an <c>https://</c> upstream's certificate. Default true.</summary>
    public bool UpstreamTlsVerify { get; init; } = true;

    /// <summary>Whether the user asked for a particular name (then a taken name is an error, not a reason to pick another).</summary>
    public bool NameRequested => Hostname is not null || Subdomain is not null || RemotePort is not null;
}
