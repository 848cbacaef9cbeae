namespace Burrow.Agent.Events;

/// <summary>After a lost link the session could not be resumed, and the edge bound the tunnel again with the URLs it had.</summary>
/// <param name="TunnelName">The tunnel's name.</param>
public sealed record ReconnectedSameUrls(string TunnelName) : AgentEvent;
