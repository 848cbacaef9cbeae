namespace Burrow.Agent.Events;

/// <summary>
/// Something the person running the agent should hear about: a tunnel online, the link to the edge lost and
/// regained, an error only they can fix. The agent raises these through <see cref="AgentRunner.EventRaised"/> and
/// words none of them: the <c>burrow</c> command turns each into its console lines, a program that embeds the
/// agent into whatever it shows.
/// </summary>
public abstract record AgentEvent;
