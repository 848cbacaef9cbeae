using System.Net;
using Microsoft.AspNetCore.Connections;

namespace Burrow.Agent.AspNetCore;

/// <summary>Kestrel's listener over one tunnel: each public client's connection is accepted as a Kestrel connection.</summary>
internal sealed class BurrowConnectionListener(BurrowTunnel tunnel) : IConnectionListener
{
    public EndPoint EndPoint { get; } = new BurrowEndPoint(tunnel.Url);

    public async ValueTask<ConnectionContext?> AcceptAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            Tunnels.TunnelConnection? connection = await tunnel.AcceptAsync(cancellationToken).ConfigureAwait(false);
            // Null tells Kestrel to stop accepting: the listener was unbound.
            return connection is null ? null : new TunnelConnectionContext(connection, EndPoint);
        }
        catch (OperationCanceledException)
        {
            return null;
        }
    }

    // Kestrel stops listening: the edge stops sending new clients at once, while the connections Kestrel drains go on.
    public async ValueTask UnbindAsync(CancellationToken cancellationToken = default) => await tunnel.UnbindAsync(cancellationToken).ConfigureAwait(false);

    public ValueTask DisposeAsync() => tunnel.DisposeAsync();
}
