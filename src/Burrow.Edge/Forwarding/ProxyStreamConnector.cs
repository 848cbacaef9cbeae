using System.Net.Http;
using Burrow.Edge.Routing;
using Burrow.Mux;
using Burrow.Protocol;

namespace Burrow.Edge.Forwarding;

/// <summary>
/// The HTTP client's connect callback: instead of a socket, a new proxy stream on the agent
/// session that serves the tunnel, opened with its <c>proxy</c> header.
/// </summary>
internal sealed class ProxyStreamConnector
{
    private readonly TunnelRegistry _tunnels;

    public ProxyStreamConnector(TunnelRegistry tunnels)
    {
        _tunnels = tunnels;
    }

    public async ValueTask<Stream> ConnectAsync(SocketsHttpConnectionContext context, CancellationToken cancellationToken)
    {
        string host = context.DnsEndPoint.Host;
        Tunnel tunnel = _tunnels.FindByConnectHost(host)
            ?? throw new AgentUnavailableException($"The tunnel behind {host} is no longer bound.");
        MuxSession mux = tunnel.Session.Link?.Mux
            ?? throw new AgentUnavailableException($"The agent serving '{tunnel.Hostname}' has disconnected.");

        context.InitialRequestMessage.Options.TryGetValue(ProxyClientInfo.Key, out ProxyClientInfo? client);
        MuxStream stream;
        try
        {
            stream = await mux.OpenStreamAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (MuxException ex)
        {
            throw new AgentUnavailableException($"The agent serving '{tunnel.Hostname}' has disconnected.", ex);
        }

        try
        {
            var header = new ProxyHeader
            {
                TunnelId = tunnel.Id,
                ClientAddr = client?.ClientAddress ?? "",
                Proto = TunnelProtocols.Http,
                Sni = client?.ServerName,
                Tls = client?.Tls,
            };
            await stream.WriteAsync(ControlMessageSerializer.SerializeToFrame(header), cancellationToken).ConfigureAwait(false);
            tunnel.Counters.AddConnection();
            return new ProxyStream(stream, tunnel.Counters);
        }
        catch (MuxException ex)
        {
            stream.Abort();
            throw new AgentUnavailableException($"The agent serving '{tunnel.Hostname}' has disconnected.", ex);
        }
    }
}
