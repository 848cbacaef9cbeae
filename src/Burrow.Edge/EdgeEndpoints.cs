using System.Net;

namespace Burrow.Edge;

/// <summary>The addresses the edge actually listens on, known once it has started (ports may have been 0).</summary>
public sealed class EdgeEndpoints
{
    /// <summary>The agent listener.</summary>
    public IPEndPoint? Agents { get; internal set; }

    /// <summary>The public HTTP listener, when enabled.</summary>
    public IPEndPoint? Http { get; internal set; }

    /// <summary>The admin API listener, when enabled.</summary>
    public IPEndPoint? Admin { get; internal set; }

    /// <summary>The public HTTPS listener, when enabled.</summary>
    public IPEndPoint? Https { get; internal set; }

    /// <summary>The health listener (<c>GET /healthz</c>), when enabled.</summary>
    public IPEndPoint? Health { get; internal set; }
}
