namespace Burrow.Agent.Events;

/// <summary>An extra leg of the session came online: the agent's tunnels are bound on another node of the edge's cluster too.</summary>
/// <param name="Number">The leg's number (1, 2...; leg 0 is the first connection).</param>
/// <param name="NodeName">The node's name.</param>
/// <param name="Address">The node's agent address, host:port.</param>
/// <param name="Tunnels">How many tunnels the leg carries.</param>
public sealed record LegOnline(int Number, string NodeName, string Address, int Tunnels) : AgentEvent;
