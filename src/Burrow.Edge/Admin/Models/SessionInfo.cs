namespace Burrow.Edge.Admin.Models;

/// <summary>A live agent session (connected, or away within its resume grace).</summary>
/// <param name="Id">The session id, <c>ses_</c>...</param>
/// <param name="AgentName">The agent program's name.</param>
/// <param name="AgentVersion">The agent's version.</param>
/// <param name="AgentOs">The agent's operating system.</param>
/// <param name="RemoteAddress">The agent's address on its current or last connection.</param>
/// <param name="Connected">Whether it is connected now.</param>
/// <param name="StartedAt">When the session started.</param>
/// <param name="UptimeSeconds">Seconds since it started.</param>
/// <param name="TunnelCount">Tunnels it holds.</param>
/// <param name="Traffic">Traffic through all its tunnels.</param>
public sealed record SessionInfo(
    string Id,
    string AgentName,
    string AgentVersion,
    string AgentOs,
    string RemoteAddress,
    bool Connected,
    DateTimeOffset StartedAt,
    long UptimeSeconds,
    int TunnelCount,
    TrafficInfo Traffic);
