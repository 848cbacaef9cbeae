using Burrow.Agent.Metrics;

namespace Burrow.Agent.Session;

/// <summary>A tunnel at run time: its definition, where to dial, and what the edge last bound it as.</summary>
internal sealed class ActiveTunnel
{
    public ActiveTunnel(TunnelDefinition definition, string dialHost, int dialPort)
    {
        Definition = definition;
        DialHost = dialHost;
        DialPort = dialPort;
    }

    public TunnelDefinition Definition { get; }

    public string DialHost { get; }

    public int DialPort { get; }

    public bool DialTls => Definition.Upstream.IsTls;

    public string Display => Definition.Upstream.Display;

    public bool Http2 => Definition.Options.UpstreamProtocol == Burrow.Protocol.UpstreamProtocols.Http2;

    public string? TunnelId { get; set; }

    public IReadOnlyList<string> Urls { get; set; } = [];

    /// <summary>Proxy streams (public connections) carried for this tunnel.</summary>
    public ConnectionMetrics Connections { get; } = new();

    /// <summary>HTTP requests completed on this tunnel, where the agent sees them.</summary>
    public ConnectionMetrics Requests { get; } = new();
}
