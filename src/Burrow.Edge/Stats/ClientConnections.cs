using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;

namespace Burrow.Edge.Stats;

/// <summary>
/// The connection middleware that gives each public HTTP connection its <see cref="ClientConnection"/>
/// (in the connection's items, where every request of it finds it) and closes it when Kestrel is
/// done with the connection.
/// </summary>
internal sealed class ClientConnections
{
    // An object key: no string comparison on the lookup each request makes.
    private static readonly object ItemKey = new();

    private readonly TimeProvider _time;

    public ClientConnections(TimeProvider time)
    {
        _time = time;
    }

    /// <summary>The connection <paramref name="context"/> came in on, when it passed through <see cref="Track"/>.</summary>
    public static ClientConnection? Of(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items is { } items && items.TryGetValue(ItemKey, out object? value)
            ? value as ClientConnection
            : null;

    /// <summary>The middleware; use it after TLS and after agents on the HTTPS port have been sent elsewhere.</summary>
    public ConnectionDelegate Track(ConnectionDelegate next) => connection => TrackAsync(connection, next);

    private async Task TrackAsync(ConnectionContext connection, ConnectionDelegate next)
    {
        // Set before any request runs: Kestrel's connection items are a plain dictionary, and the
        // streams of an HTTP/2 connection only read it afterwards, concurrently.
        var client = new ClientConnection(_time);
        connection.Items[ItemKey] = client;
        try
        {
            await next(connection).ConfigureAwait(false);
        }
        finally
        {
            client.Close();
        }
    }
}
