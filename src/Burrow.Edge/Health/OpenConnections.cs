using Microsoft.AspNetCore.Connections;

namespace Burrow.Edge.Health;

/// <summary>
/// Counts the connections open on the edge's listeners, by kind, so that a leak (a socket
/// the edge forgot to close after a fault) shows up in <c>/healthz</c> rather than only as a slow
/// climb in file descriptors.
/// </summary>
internal sealed class OpenConnections
{
    private int _agents;
    private int _public;

    /// <summary>Connections on the agent listener, and agents on the HTTPS port once their ALPN is known.</summary>
    public int Agents => Volatile.Read(ref _agents);

    /// <summary>Public HTTP and HTTPS connections (agents on the HTTPS port are counted here until TLS is done).</summary>
    public int Public => Volatile.Read(ref _public);

    /// <summary>An agent connection opened on the agent listener (which is not Kestrel's).</summary>
    public void AgentOpened() => Interlocked.Increment(ref _agents);

    /// <summary>An agent connection on the agent listener closed.</summary>
    public void AgentClosed() => Interlocked.Decrement(ref _agents);

    /// <summary>A connection middleware counting what passes through it as a public connection.</summary>
    public ConnectionDelegate CountPublic(ConnectionDelegate next) => connection => CountAsync(connection, next, agent: false);

    private async Task CountAsync(ConnectionContext connection, ConnectionDelegate next, bool agent)
    {
        Interlocked.Increment(ref agent ? ref _agents : ref _public);
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            Interlocked.Decrement(ref agent ? ref _agents : ref _public);
        }
    }
}
