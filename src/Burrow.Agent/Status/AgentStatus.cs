namespace Burrow.Agent.Status;

/// <summary>A snapshot of the agent for the console and the agent API: session, link and tunnels.</summary>
/// <param name="Session">Where the session stands.</param>
/// <param name="Reason">Why it is not online (the last error), or <see langword="null"/>.</param>
/// <param name="Version">The agent's version.</param>
/// <param name="EdgeAddress">The edge's agent address, host:port.</param>
/// <param name="SessionId">The edge's session id once authenticated.</param>
/// <param name="Latency">The round trip to the edge from the last keepalive ping.</param>
/// <param name="Tunnels">Every tunnel, in the order they were defined.</param>
public sealed record AgentStatus(
    SessionStatus Session, string? Reason, string Version, string EdgeAddress, string? SessionId, TimeSpan? Latency, IReadOnlyList<TunnelStatus> Tunnels)
{
    /// <summary>
    /// Every leg of the session, the first leg (the one <see cref="EdgeAddress"/> names) first; one leg unless the edge
    /// is a cluster and the agent opened more (<c>--legs</c>).
    /// </summary>
    public IReadOnlyList<LegStatus> Legs { get; init; } = [];
}
