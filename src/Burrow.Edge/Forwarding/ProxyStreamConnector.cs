using System.Net.Http;
using Burrow.Edge.Routing;
using Burrow.Edge.Agents;
using Burrow.Mux.Streams;
using Burrow.Protocol.Messages;

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
        AgentLink link = tunnel.Session.Link
            ?? throw new AgentUnavailableException($"The agent serving '{tunnel.Hostname}' has disconnected.");

        context.InitialRequestMessage.Options.TryGetValue(ProxyClientInfo.Key, out ProxyClientInfo? client);
        var header = new ProxyHeader
        {
            TunnelId = tunnel.Id,
            ClientAddr = client?.ClientAddress ?? "",
            Proto = TunnelProtocols.Http,
            Sni = client?.ServerName,
            Tls = client?.Tls,
        };
        MultiplexedStream stream;
        try
        {
            stream = await ProxyStreamOpener.OpenAsync(link, header, cancellationToken).ConfigureAwait(false);
        }
        catch (IOException ex)
        {
            throw new AgentUnavailableException($"The agent serving '{tunnel.Hostname}' has disconnected.", ex);
        }

        // The agent's proxy_result is read by the proxy stream itself, on the HTTP client's first read.
        tunnel.Counters.AddConnection();
        return new ProxyStream(stream, link.AnswersProxyStreams, tunnel.Counters);
    }
}
