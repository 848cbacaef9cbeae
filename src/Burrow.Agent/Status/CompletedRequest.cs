namespace Burrow.Agent.Status;

/// <summary>An HTTP request the agent forwarded and saw answered: what the console's request list shows.</summary>
/// <param name="TunnelName">The tunnel it came through.</param>
/// <param name="Method">GET, POST...</param>
/// <param name="Path">The path and query.</param>
/// <param name="StatusCode">The upstream's status code (or the agent's, when the upstream could not be reached).</param>
/// <param name="Started">When the request arrived at the agent.</param>
/// <param name="Duration">From arrival to the end of the response.</param>
/// <param name="Replay">Whether the inspector replayed it rather than a public client sending it.</param>
public sealed record CompletedRequest(
    string TunnelName, string Method, string Path, int StatusCode, DateTimeOffset Started, TimeSpan Duration, bool Replay);
