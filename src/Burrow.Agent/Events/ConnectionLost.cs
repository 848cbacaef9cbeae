namespace Burrow.Agent.Events;

/// <summary>An online session ended (the edge closed it, went quiet or went away); the agent reconnects.</summary>
/// <param name="Reason">Why, in a few words (e.g. <c>no keepalive answer from the edge</c>).</param>
public sealed record ConnectionLost(string Reason) : AgentEvent;
