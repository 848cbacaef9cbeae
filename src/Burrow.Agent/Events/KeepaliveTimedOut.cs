namespace Burrow.Agent.Events;

/// <summary>The edge did not answer a keepalive ping in time: the agent closes the link, and <see cref="ConnectionLost"/> follows.</summary>
/// <param name="Timeout">How long the agent waited for the answer.</param>
public sealed record KeepaliveTimedOut(TimeSpan Timeout) : AgentEvent;
