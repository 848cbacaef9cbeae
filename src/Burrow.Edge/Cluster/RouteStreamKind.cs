namespace Burrow.Edge.Cluster;

/// <summary>What a node-link stream carries to the node that holds the tunnel.</summary>
internal enum RouteStreamKind : byte
{
    /// <summary>HTTP/1.1 requests, parsed again by the owner node's relay listener (its policy applies there).</summary>
    Http = 1,

    /// <summary>A TCP tunnel's connection, as bytes with half-close.</summary>
    Tcp = 2,

    /// <summary>A TLS-passthrough connection (its ClientHello first), as bytes with half-close.</summary>
    Tls = 3,

    /// <summary>What the opening node's rate limits counted, as frames of <see cref="SharedRateCounts"/>, for as long as the link lasts.</summary>
    RateCounts = 4,
}
