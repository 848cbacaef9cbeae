namespace Burrow.Agent.Events;

/// <summary>
/// After a lost link the edge bound the tunnel again, but with other URLs (the old name was taken meanwhile, or the
/// edge forgot it); <see cref="TunnelStarted"/> follows with each new URL.
/// </summary>
/// <param name="TunnelName">The tunnel's name.</param>
public sealed record ReconnectedNewUrls(string TunnelName) : AgentEvent;
