namespace Burrow.Agent.Events;

/// <summary>The agent waits <paramref name="Delay"/>, then connects again.</summary>
/// <param name="Delay">The backoff delay (capped, exponential, jittered).</param>
/// <param name="Attempt">How many tries since the agent was last online, counting this one.</param>
public sealed record Reconnecting(TimeSpan Delay, int Attempt) : AgentEvent;
