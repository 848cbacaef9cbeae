using Burrow.Agent.Session;
using Burrow.Protocol.Messages;

namespace Burrow.Agent;

// Client connections and requests of http tunnels, as the edge counts them (tunnel_stats).
public sealed partial class AgentRunner
{
    // Set from each auth_result: whether this connection's edge reports http tunnels' clients and
    // requests. Read by proxy streams and the inspector to leave those counts to it.
    private volatile bool _edgeCountsClients;

    private void OnTunnelStats(TunnelStatsMessage stats)
    {
        if (_tunnels.FindById(stats.TunnelId) is { } tunnel)
        {
            tunnel.EdgeCounts.Apply(stats, tunnel.Connections, tunnel.Requests);
        }
    }
}
