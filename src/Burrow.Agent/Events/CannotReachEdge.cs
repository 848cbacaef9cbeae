namespace Burrow.Agent.Events;

/// <summary>Connecting to the edge failed in a way that may pass (refused, timed out, TLS failed, the edge draining); the agent tries again.</summary>
/// <param name="ServerAddress">The edge's agent address, host:port.</param>
/// <param name="Reason">Why, in a few words, with no closing period.</param>
public sealed record CannotReachEdge(string ServerAddress, string Reason) : AgentEvent;
