using Burrow.Agent.Tls;
using Burrow.Protocol.Messages;
using Burrow.Protocol.ProxyProtocol;

namespace Burrow.Agent.Tunnels;

/// <summary>One tunnel the agent keeps online.</summary>
internal sealed record TunnelDefinition
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

    /// <summary>Endpoint pooling (<c>--pooling-enabled</c>): share the URL with other agents that ask for it too.</summary>
    public bool Pooling { get; init; }

    /// <summary>Whether to verify an <c>https://</c> upstream's certificate. Default true.</summary>
    public bool UpstreamTlsVerify { get; init; } = true;

    /// <summary>
    /// For tcp and tls tunnels: the PROXY protocol version (1 or 2) of the header the agent writes
    /// first on each upstream connection, carrying the public client's address; <see langword="null"/> for none.
    /// </summary>
    public int? UpstreamProxyProtocol { get; init; }

    /// <summary>For tls tunnels: TLS terminated by the agent with these settings; <see langword="null"/> passes TLS through to the upstream.</summary>
    public AgentTlsTermination? TerminateTls { get; init; }

    /// <summary>
    /// For a tunnel served by the program itself (<see cref="BurrowTunnel.ListenAsync"/>): where its connections go
    /// instead of a dialled upstream.
    /// </summary>
    internal InProcessListener? InProcess { get; init; }

    /// <summary>
    /// Reads the address a tunnel asks for: <c>scheme://name.domain[:port][/path]</c> or <c>name.domain</c> is a
    /// hostname; a single label (<c>demo</c>) is a subdomain under the edge's domain.
    /// </summary>
    /// <param name="url">The address asked for, or nothing.</param>
    /// <returns>The hostname or the subdomain (or neither, for nothing).</returns>
    public static (string? Hostname, string? Subdomain) SplitRequestedUrl(string? url)
    {
        if (string.IsNullOrWhiteSpace(url))
        {
            return (null, null);
        }

        string host = url.Trim();
        int scheme = host.IndexOf("://", StringComparison.Ordinal);
        if (scheme >= 0)
        {
            host = host[(scheme + 3)..];
        }

        int cut = host.IndexOfAny([':', '/']);
        if (cut >= 0)
        {
            host = host[..cut];
        }

        host = host.TrimEnd('.').ToLowerInvariant();
        return host.Contains('.', StringComparison.Ordinal) ? (host, null) : (null, host);
    }

    /// <summary>Parses a PROXY protocol version as given on the command line: <c>1</c>, <c>2</c>, <c>v1</c> or <c>v2</c>.</summary>
    /// <param name="value">The text given.</param>
    /// <param name="version">1 or 2, when valid.</param>
    /// <returns>Whether <paramref name="value"/> names a version.</returns>
    public static bool TryParseProxyProtocol(string? value, out int version) =>
        ProxyProtocolHeader.TryParseVersion(value, out version);

    /// <summary>Whether the user asked for a particular name (then a taken name is an error, not a reason to pick another).</summary>
    public bool NameRequested => Hostname is not null || Subdomain is not null || RemotePort is not null;
}
