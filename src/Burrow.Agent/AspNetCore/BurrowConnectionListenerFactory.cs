using System.Net;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Burrow.Agent.AspNetCore;

/// <summary>
/// Binds Kestrel's <see cref="BurrowEndPoint"/> by opening the tunnel (<see cref="BurrowTunnel.ListenAsync"/>). It
/// claims no other endpoint (<see cref="CanBind"/>), so sockets and other transports keep theirs.
/// </summary>
internal sealed class BurrowConnectionListenerFactory(IOptions<BurrowTunnelOptions> options, BurrowTunnelProvider provider, ILoggerFactory loggers)
    : IConnectionListenerFactory, IConnectionListenerFactorySelector
{
    public bool CanBind(EndPoint endpoint) => endpoint is BurrowEndPoint;

    public async ValueTask<IConnectionListener> BindAsync(EndPoint endpoint, CancellationToken cancellationToken = default)
    {
        BurrowTunnelOptions settings = options.Value.Clone();
        settings.Protocol = "http";
        try
        {
            BurrowTunnel tunnel = await BurrowTunnel.ListenAsync(settings, loggers, cancellationToken).ConfigureAwait(false);
            HostingLog.Online(loggers.CreateLogger(HostingLog.Category), tunnel.Name, tunnel.Url, "this app (no local port)");
            provider.Opened(tunnel);
            return new BurrowConnectionListener(tunnel);
        }
        catch (Exception ex)
        {
            provider.Failed(ex);
            throw;
        }
    }
}
