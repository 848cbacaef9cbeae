using Burrow.Edge.Routing.Pooling;
using Burrow.Storage.Routes;

namespace Burrow.Edge.Cluster;

/// <summary>
/// The cross-node half of endpoint pooling, one rule for HTTP requests and TCP/TLS connections alike: a node with
/// members of a pooled name sends each request or connection to a member on another node with that member's share of
/// all members, so members behind every node get an even part of what lands on any one of them. Without it a node with
/// one local member would keep everything it receives to itself.
/// </summary>
internal sealed class PoolShares(ClusterRoutes routes, UnreachableNodes unreachable, TimeProvider time)
{
    /// <summary>
    /// A member of <paramref name="pool"/> on another node to carry this request or connection to, or
    /// <see langword="null"/> to serve it here. Local members taken out (failed upstream, agent away) do not count, so
    /// their share goes to every other member, on this node or not; a node that could not be reached a moment ago is
    /// passed over (<see cref="UnreachableNodes"/>). A pool whose every local member is out and has no member
    /// elsewhere is served here anyway, where the balancer's all-out rule applies.
    /// </summary>
    public RouteRow? Pick(TunnelPool pool, string proto)
    {
        if (!pool.Pooled)
        {
            return null;
        }

        // No LINQ or arrays: this runs for every request to a pooled name.
        RemoteRoutes remote = routes.Remote(pool.Key);
        var members = new RouteFilter(proto, PooledOnly: true, Avoid: unreachable);
        int elsewhere = remote.Count(members);
        if (elsewhere == 0)
        {
            return null;
        }

        DateTimeOffset now = time.GetUtcNow();
        int local = 0;
        IReadOnlyList<Routing.Tunnel> here = pool.Members;
        for (int i = 0; i < here.Count; i++)
        {
            if (here[i].IsAvailable(now))
            {
                local++;
            }
        }

        // In turn over every member rather than drawn at random: an even spread at any count, not only on average. The
        // local turns then go round this node's own members through the pool's balancer.
        int pick = pool.NextShare(local + elsewhere);
        return pick < local ? null : remote.At(members, pick - local);
    }
}
