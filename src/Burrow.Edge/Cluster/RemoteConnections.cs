using Burrow.Edge.Agents;
using Burrow.Edge.Forwarding;
using Burrow.Edge.Routing;
using Burrow.Mux.Streams;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Pumping;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Cluster;

/// <summary>
/// The owner node's side of a TCP or TLS-passthrough connection another node carried here: the local tunnel's address
/// rule and connection limit, then a proxy stream to its agent with the original client's address, and the bytes
/// pumped both ways with half-close, as <c>TcpTunnelListener</c> and <c>TlsPassthrough</c> do for their own clients.
/// </summary>
internal sealed partial class RemoteConnections
{
    private readonly TunnelRegistry _tunnels;
    private readonly ILogger _logger;

    public RemoteConnections(TunnelRegistry tunnels, ILogger<RemoteConnections> logger)
    {
        _tunnels = tunnels;
        _logger = logger;
    }

    public async Task CarryAsync(Stream stream, RouteStreamHeader header, string fromNode, CancellationToken cancellationToken)
    {
        Tunnel? tunnel = _tunnels.FindByHost(header.Key);
        string proto = header.Kind == RouteStreamKind.Tcp ? TunnelProtocols.Tcp : TunnelProtocols.Tls;
        // A tls tunnel that terminates at the edge is not carried between nodes yet: its certificate and handshake are
        // the owner's (see docs/cluster.md, "known gaps").
        if (tunnel is null || tunnel.Proto != proto || tunnel.TerminatesTls || tunnel.Session.Link is not { } link)
        {
            Log.NotHere(_logger, header.Key, fromNode);
            return;
        }

        System.Net.IPEndPoint? client = System.Net.IPEndPoint.TryParse(header.ClientAddress, out var parsed) ? parsed : null;
        if (!tunnel.Policy.IsAddressAllowed(client?.Address) || !tunnel.TryOpenConnection())
        {
            Log.Refused(_logger, header.ClientAddress, header.Key);
            return;
        }

        try
        {
            MultiplexedStream proxy;
            try
            {
                var proxyHeader = new ProxyHeader
                {
                    TunnelId = tunnel.Id, ClientAddr = header.ClientAddress, Proto = proto,
                    Sni = header.ServerName.Length > 0 ? header.ServerName : null,
                };
                proxy = await ProxyStreamOpener.OpenAsync(link, proxyHeader, cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException or ObjectDisposedException)
            {
                Log.ProxyStreamFailed(_logger, header.Key, ex.Message);
                return;
            }

            tunnel.Counters.AddConnection();
            var traffic = new Traffic.ConnectionTraffic(tunnel, proto == TunnelProtocols.Tcp ? "TCP" : "TLS", header.ClientAddress);
            try
            {
                Func<Task<bool>> accepted = link.AnswersProxyStreams ? () => ReadResultAsync(proxy, header.Key, cancellationToken) : static () => Task.FromResult(true);
                await DuplexPump.RunAsync(LinkStreamEnds.Of(stream), Tcp.TcpPump.StreamEnd(proxy), new Tcp.TunnelActivity(traffic.Counters, null), accepted).ConfigureAwait(false);
            }
            finally
            {
                traffic.Ended();
            }
        }
        finally
        {
            tunnel.CloseConnection();
        }
    }

    private async Task<bool> ReadResultAsync(MultiplexedStream stream, string key, CancellationToken cancellationToken)
    {
        try
        {
            if (await ProxyStreamOpener.ReadResultAsync(stream, ProxyStreamOpener.ResultTimeout, cancellationToken).ConfigureAwait(false) is not { } error)
            {
                return true;
            }

            Log.UpstreamFailed(_logger, key, error.Code, error.Message);
        }
        catch (Exception ex) when (ex is IOException or OperationCanceledException or TimeoutException or ProtocolException or ObjectDisposedException)
        {
            Log.ProxyStreamFailed(_logger, key, ex.Message);
        }

        return false;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5332, EventName = "RemoteConnectionNotHere", Level = LogLevel.Information, Message = "Node {Node} carried a connection for {Key}, which has no tunnel here (any more); closed")]
        public static partial void NotHere(ILogger logger, string key, string node);

        [LoggerMessage(EventId = 5333, EventName = "RemoteConnectionRefused", Level = LogLevel.Information, Message = "Refused carried client {Client} of {Key}: its address is not allowed, or the tunnel is at its connection limit")]
        public static partial void Refused(ILogger logger, string client, string key);

        [LoggerMessage(EventId = 5334, EventName = "RemoteConnectionProxyFailed", Level = LogLevel.Information, Message = "A carried connection of {Key} ended: the proxy stream failed: {Reason}")]
        public static partial void ProxyStreamFailed(ILogger logger, string key, string reason);

        [LoggerMessage(EventId = 5335, EventName = "RemoteConnectionUpstreamFailed", Level = LogLevel.Information, Message = "A carried connection of {Key} ended: {Code} {Reason}")]
        public static partial void UpstreamFailed(ILogger logger, string key, string code, string reason);
    }
}
