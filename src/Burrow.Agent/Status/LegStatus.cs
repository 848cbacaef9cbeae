namespace Burrow.Agent.Status;

/// <summary>
/// One leg of the agent's session: a connection to one edge of a cluster, with every tunnel bound on it. Leg 0 is the
/// one the agent dialled (<c>--server</c>); the others go to the nodes its first <c>auth_result</c> listed.
/// </summary>
/// <param name="Number">0 for the first leg, then 1, 2...</param>
/// <param name="NodeName">The edge node's name, once it said (a single edge has none).</param>
/// <param name="EdgeAddress">The address the leg dials, host:port.</param>
/// <param name="Session">Where the leg stands.</param>
/// <param name="Latency">The round trip of the leg's last keepalive ping.</param>
/// <param name="Reason">Why the leg is not online (the last error), or <see langword="null"/>.</param>
public sealed record LegStatus(int Number, string? NodeName, string EdgeAddress, SessionStatus Session, TimeSpan? Latency, string? Reason);
