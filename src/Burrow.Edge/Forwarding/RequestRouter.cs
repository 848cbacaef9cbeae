using Burrow.Edge.Cluster;
using Burrow.Edge.Routing;
using Burrow.Edge.Routing.Pooling;
using Burrow.Protocol.Messages;

namespace Burrow.Edge.Forwarding;

/// <summary>
/// Decides where a public HTTP request goes, from its Host: to a tunnel of this node, over the node link to another
/// node of the cluster, or nowhere (<c>ERR_BURROW_3001</c> is then the caller's answer). The decision is the whole of
/// routing; policy, limits and the forwarding itself stay with <see cref="TunnelRequestHandler"/>.
/// </summary>
/// <remarks>Runs for every request: no LINQ, no closures, and the result is a struct.</remarks>
internal sealed class RequestRouter
{
    private readonly TunnelRegistry _tunnels;
    private readonly RemoteRequests? _remote;

    /// <param name="tunnels">This node's tunnels, by hostname.</param>
    /// <param name="remote">The cluster's routes to other nodes; <see langword="null"/> for a single edge.</param>
    public RequestRouter(TunnelRegistry tunnels, RemoteRequests? remote)
    {
        _tunnels = tunnels;
        _remote = remote;
    }

    /// <summary>Where the request for <paramref name="host"/> goes.</summary>
    /// <param name="host">The request's Host, without a trailing dot.</param>
    /// <param name="relayed">The request was carried here by another node (<see cref="RelayListener"/>).</param>
    public RequestRoute Find(string host, bool relayed)
    {
        TunnelPool? pool = _tunnels.FindPool(host);
        Tunnel? tunnel = pool?.Pick();

        // A request another node carried here is served here or not at all: never carried onward, so a stale route
        // cannot bounce it between nodes. A single edge has no other node to carry it to.
        if (!relayed && _remote is not null)
        {
            if (tunnel is null)
            {
                // No tunnel here, but one on another node: carried to it.
                if (_remote.Find(host) is { } owner)
                {
                    return RequestRoute.OtherNode(owner);
                }
            }
            else if (tunnel.Pooled && _remote.FindPoolShare(pool!) is { } share)
            {
                // A pooled name with members here and on other nodes: every member has an even chance at each request,
                // and the draw fell on a member of another node.
                return RequestRoute.OtherNode(share);
            }
        }

        // A tls tunnel's name is reached only through TLS passthrough, never as an http tunnel.
        if (pool is null || tunnel is null || tunnel.Proto == TunnelProtocols.Tls)
        {
            return RequestRoute.NotFound;
        }

        // The tunnel here: the only one of its name, or the local member the pool picked.
        return RequestRoute.Here(pool, tunnel);
    }
}
