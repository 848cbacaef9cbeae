namespace Burrow.Agent.Events;

/// <summary>A tunnel was stopped through the agent API and forgotten.</summary>
/// <param name="TunnelName">The tunnel's name.</param>
public sealed record TunnelStopped(string TunnelName) : AgentEvent;
