namespace Burrow.Agent.Events;

/// <summary>
/// An extra leg of the session was lost or could not be opened; the other legs carry the traffic and this one is
/// tried again after <paramref name="RetryIn"/>.
/// </summary>
/// <param name="Number">The leg's number (1, 2...).</param>
/// <param name="NodeName">The node's name.</param>
/// <param name="Address">The node's agent address, host:port.</param>
/// <param name="Reason">Why, in a few words.</param>
/// <param name="RetryIn">The backoff before the next try.</param>
public sealed record LegLost(int Number, string NodeName, string Address, string Reason, TimeSpan RetryIn) : AgentEvent;
