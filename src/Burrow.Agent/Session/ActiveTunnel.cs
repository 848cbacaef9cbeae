using Burrow.Agent.Metrics;
using Burrow.Agent.Tunnels;
using Burrow.Protocol.Messages;

namespace Burrow.Agent.Session;

/// <summary>A tunnel at run time: its definition, where to dial, and what the edge last bound it as.</summary>
internal sealed class ActiveTunnel
{
    private long _proxyStreams;

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

    public bool Http2 => Definition.Options.UpstreamProtocol == UpstreamProtocols.Http2;

    public string? TunnelId { get; set; }

    public IReadOnlyList<string> Urls { get; set; } = [];

    /// <summary>
    /// Public client connections of this tunnel: proxy streams for tcp and tls (one stream is one
    /// client), the edge's <c>tunnel_stats</c> for http when the edge sends them (streams are pooled
    /// there, so they count nothing a person means), else proxy streams as the best there is.
    /// </summary>
    public ConnectionMetrics Connections { get; } = new();

    /// <summary>What the upstream said about reusing connections (an HTTP/1.0 upstream closes after each response).</summary>
    public Burrow.Protocol.Http.UpstreamConnectionReuse UpstreamReuse { get; } = new();

    /// <summary>HTTP requests completed on this tunnel: from the edge's <c>tunnel_stats</c> when it sends them, else where the agent's inspector sees them.</summary>
    public ConnectionMetrics Requests { get; } = new();

    /// <summary>Where the edge's reports are turned into <see cref="Connections"/> and <see cref="Requests"/>.</summary>
    public EdgeClientCounts EdgeCounts { get; } = new();

    /// <summary>Proxy streams the edge opened for this tunnel, for metrics.</summary>
    public long ProxyStreams => Volatile.Read(ref _proxyStreams);

    /// <summary>A proxy stream opened; returns whether it counts as a client connection (pass it to <see cref="ProxyStreamClosed"/>).</summary>
    /// <param name="edgeCountsClients">Whether this session's edge reports http tunnels' clients.</param>
    public bool ProxyStreamOpened(bool edgeCountsClients)
    {
        Interlocked.Increment(ref _proxyStreams);
        if (edgeCountsClients && Definition.Proto == TunnelProtocols.Http)
        {
            return false;
        }

        Connections.Opened();
        return true;
    }

    /// <summary>A proxy stream that <see cref="ProxyStreamOpened"/> saw ended after <paramref name="duration"/>.</summary>
    public void ProxyStreamClosed(bool counted, TimeSpan duration)
    {
        if (counted)
        {
            Connections.Closed(duration);
        }
    }

    /// <summary>The inspector saw a request answered; counts it unless the edge counts it already.</summary>
    /// <param name="duration">From arrival at the agent to the end of the response.</param>
    /// <param name="replay">A replay from the inspector, which never passes the edge.</param>
    /// <param name="edgeCountsClients">Whether this session's edge reports http tunnels' requests.</param>
    public void RequestInspected(TimeSpan duration, bool replay, bool edgeCountsClients)
    {
        if (replay || !edgeCountsClients)
        {
            Requests.Completed(duration);
        }
    }
}
