using Burrow.Edge.Agents;

namespace Burrow.Edge.Cluster;

/// <summary>
/// Who binds a route, as the routes table compares binders: two binds of one key by the same agent (and account) on
/// two nodes are legs of one endpoint, any other pair a conflict unless both pool.
/// </summary>
internal static class RouteOwner
{
    /// <summary>
    /// The binder's agent id: the one the agent sends in <c>auth</c>, the same on every leg; an agent that sends none
    /// (older agents, ngrok's) is its session, so its second bind of a name elsewhere is refused as before. The
    /// routes table compares it together with the account, so an id copied by another account takes nothing.
    /// </summary>
    public static string AgentIdOf(AgentSession session) => session.AgentId is { Length: > 0 } id ? id : session.Id;

    /// <summary>
    /// Whether the binder asked for pooling (<c>--pooling-enabled</c>): the table keeps several agents' rows under one key
    /// when every one of them pooled, and a node without a local member spreads over the nodes that have one.
    /// </summary>
    public static bool PoolingOf(Routing.Tunnel tunnel) => tunnel.Pooled;
}
