namespace Burrow.Agent.Events;

/// <summary>A tunnel is online at <paramref name="Url"/>; raised once per URL (an http tunnel may have two).</summary>
/// <param name="TunnelName">The tunnel's name.</param>
/// <param name="Url">A public URL the edge gave it.</param>
/// <param name="ForwardsTo">Where its traffic goes, as the user gave it (e.g. <c>http://localhost:8080</c>).</param>
public sealed record TunnelStarted(string TunnelName, string Url, string ForwardsTo) : AgentEvent;
