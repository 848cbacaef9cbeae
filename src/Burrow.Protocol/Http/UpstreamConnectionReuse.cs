using System.Net;
using System.Net.Http;

namespace Burrow.Protocol.Http;

/// <summary>
/// Whether an upstream lets a connection be reused after a response, as HTTP/1.x defines it. .NET's
/// <see cref="SocketsHttpHandler"/> returns a connection to its pool after an HTTP/1.0 response, but HTTP/1.0's
/// default is to close (RFC 9112 §9.3): such a server (python's http.server is the most common one) closes after
/// every response, and a request the pool sends on that connection meets the server's reset. A capture showed the
/// pool doing so even after the server's FIN and with <c>Connection: close</c> on the request. A forwarder pools
/// connections to an upstream only once a response has shown that the upstream keeps them.
/// </summary>
public sealed class UpstreamConnectionReuse
{
    private const int Unknown = 0, KeepsConnections = 1, ClosesConnections = 2;
    private int _state;

    /// <summary>
    /// Whether to pool connections to the upstream: only once a response has shown that it keeps them. Until the first
    /// response every request has a connection of its own anyway (the pool is empty), so waiting costs nothing and
    /// leaves no window in which an HTTP/1.0 upstream's closed connection could be handed out.
    /// </summary>
    public bool PoolConnections => Volatile.Read(ref _state) == KeepsConnections;

    /// <summary>The upstream closed (by HTTP/1.0's default) after a response: connections to it are never pooled again.</summary>
    public bool ClosesAfterEachResponse => Volatile.Read(ref _state) == ClosesConnections;

    /// <summary>Learns from a response: an HTTP/1.0 one without <c>Connection: keep-alive</c> means the upstream closes.</summary>
    public void Observe(HttpResponseMessage? response)
    {
        if (response is null || Volatile.Read(ref _state) == ClosesConnections)
        {
            return;
        }

        if (ClosesAfter(response))
        {
            Volatile.Write(ref _state, ClosesConnections);
        }
        else
        {
            Interlocked.CompareExchange(ref _state, KeepsConnections, Unknown);
        }
    }

    /// <summary>Whether the server closes the connection after <paramref name="response"/> by HTTP/1.0's default (RFC 9112 §9.3).</summary>
    public static bool ClosesAfter(HttpResponseMessage response)
    {
        ArgumentNullException.ThrowIfNull(response);
        if (response.Version != HttpVersion.Version10)
        {
            return false;
        }

        foreach (string token in response.Headers.Connection)
        {
            if (token.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
            {
                return false;
            }
        }

        return true;
    }
}
