using Burrow.Agent.Tls;
using Burrow.Protocol.Messages;

namespace Burrow.Agent.Tunnels;

/// <summary>One tunnel the agent keeps online.</summary>
public sealed record TunnelDefinition
{
    /// <summary>The tunnel's name (for display and resume).</summary>
    public string Name { get; init; } = "command_line";

    /// <summary>The tunnel protocol: <c>http</c> (default), <c>tcp</c> or <c>tls</c>; see <see cref="TunnelProtocols"/>.</summary>
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

    /// <summary>
    /// For tcp and tls tunnels: the PROXY protocol version (1 or 2) of the header the agent writes
    /// first on each upstream connection, carrying the public client's address; <see langword="null"/> for none.
    /// </summary>
    public int? UpstreamProxyProtocol { get; init; }

    /// <summary>For tls tunnels: TLS terminated by the agent with these settings; <see langword="null"/> passes TLS through to the upstream.</summary>
    public AgentTlsTermination? TerminateTls { get; init; }

    /// <summary>Parses a PROXY protocol version as given on the command line: <c>1</c>, <c>2</c>, <c>v1</c> or <c>v2</c>.</summary>
    /// <param name="value">The text given.</param>
    /// <param name="version">1 or 2, when valid.</param>
    /// <returns>Whether <paramref name="value"/> names a version.</returns>
    public static bool TryParseProxyProtocol(string? value, out int version) =>
        Forwarding.ProxyProtocolHeader.TryParseVersion(value, out version);

    /// <summary>Whether the user asked for a particular name (then a taken name is an error, not a reason to pick another).</summary>
    public bool NameRequested => Hostname is not null || Subdomain is not null || RemotePort is not null;
}
