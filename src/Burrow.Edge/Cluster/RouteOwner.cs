using Burrow.Edge.Agents;

namespace Burrow.Edge.Cluster;

/// <summary>
/// Who binds a route, as the routes table compares binders: two binds of one key by the same agent (and account) on
/// two nodes are legs of one endpoint, any other pair a conflict unless both pool.
/// </summary>
internal static class RouteOwner
{
    /// <summary>
    /// The binder's agent id. Hook for agent legs (issue 15 item 3): until the agent sends an id of its own that is the
    /// same on every leg, each session is its own agent, so a second bind of a name is refused as today.
    /// </summary>
    public static string AgentIdOf(AgentSession session) => session.Id;

    /// <summary>
    /// Whether the binder asked for pooling. Hook for endpoint pooling (issue 15 item 4, <c>--pooling-enabled</c>): the
    /// table already keeps several agents' rows under one key when every one of them pooled.
    /// </summary>
    public static bool PoolingOf(Routing.Tunnel tunnel) => false;
}
