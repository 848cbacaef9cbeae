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

        RouteRow[] remote = [.. routes.RemoteCandidates(pool.Key).Where(r => r.Pooled && r.Proto == proto && !unreachable.Contains(r.Node))];
        if (remote.Length == 0)
        {
            return null;
        }

        DateTimeOffset now = time.GetUtcNow();
        int local = pool.Members.Count(m => m.IsAvailable(now));
        // In turn over every member rather than drawn at random: an even spread at any count, not only on average. The
        // local turns then go round this node's own members through the pool's balancer.
        int pick = pool.NextShare(local + remote.Length);
        return pick < local ? null : remote[pick - local];
    }
}
