namespace Burrow.Edge.Admin.Models;

/// <summary>Traffic counters.</summary>
/// <param name="BytesIn">Bytes from public clients toward the agent.</param>
/// <param name="BytesOut">Bytes from the agent back to clients.</param>
/// <param name="Requests">HTTP requests forwarded.</param>
/// <param name="Connections">Proxy streams opened toward the agent (TCP/TLS connections, HTTP connections).</param>
public sealed record TrafficInfo(
    long BytesIn,
    long BytesOut,
    long Requests,
    long Connections);
