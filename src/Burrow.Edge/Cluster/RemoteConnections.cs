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
/// The owner node's side of a TCP or TLS connection another node carried here: the local tunnel's address rule, its
/// <c>on_tcp_connect</c> policy and connection limit, the edge's TLS for a tls tunnel that terminates at the edge (the
/// ClientHello came over the link untouched), then a proxy stream to its agent with the original client's address, and
/// the bytes pumped both ways with half-close, as <c>TcpTunnelListener</c> and <c>TlsPassthrough</c> do for their own
/// clients.
/// </summary>
internal sealed partial class RemoteConnections
{
    private readonly TunnelRegistry _tunnels;
    private readonly Tls.EdgeTlsTermination _termination;
    private readonly ILogger _logger;

    public RemoteConnections(TunnelRegistry tunnels, Tls.EdgeTlsTermination termination, ILogger<RemoteConnections> logger)
    {
        _tunnels = tunnels;
        _termination = termination;
        _logger = logger;
    }

    public async Task CarryAsync(Stream stream, RouteStreamHeader header, string fromNode, CancellationToken cancellationToken)
    {
        Tunnel? tunnel = _tunnels.FindByHost(header.Key);
        string proto = header.Kind == RouteStreamKind.Tcp ? TunnelProtocols.Tcp : TunnelProtocols.Tls;
        // A tls tunnel that terminates at the edge is not carried between nodes yet: its certificate and handshake are
        // the owner's (see docs/cluster.md, "known gaps").
        if (tunnel is null || tunnel.Proto != proto || tunnel.Session.Link is not { } link)
        {
            Log.NotHere(_logger, header.Key, fromNode);
            return;
        }

        System.Net.IPEndPoint? client = System.Net.IPEndPoint.TryParse(header.ClientAddress, out var parsed) ? parsed : null;
        string? serverName = header.ServerName.Length > 0 ? header.ServerName : null;
        // The same gates as for a client of this node: the address rule, then the tunnel's on_tcp_connect rules.
        if (!tunnel.Policy.IsAddressAllowed(client?.Address)
            || !await Policy.ConnectionPolicy.AllowsAsync(tunnel, client, null, serverName, _logger).ConfigureAwait(false)
            || !tunnel.TryOpenConnection())
        {
            Log.Refused(_logger, header.ClientAddress, header.Key);
            return;
        }

        System.Net.Security.SslStream? tls = null;
        try
        {
            if (tunnel.TerminatesTls)
            {
                (tls, ProtocolError? refused) = await _termination.AcceptAsync(stream, tunnel, header.ServerName, header.ClientAddress, cancellationToken).ConfigureAwait(false);
                if (tls is null)
                {
                    Log.HandshakeRefused(_logger, header.ClientAddress, header.Key, refused!.Code, refused.Message);
                    return;
                }
            }

            MultiplexedStream proxy;
            try
            {
                var proxyHeader = new ProxyHeader
                {
                    TunnelId = tunnel.Id, ClientAddr = header.ClientAddress, Proto = proto, Sni = serverName,
                    Tls = tls is null ? null : Tls.EdgeTlsTermination.Describe(tls),
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
                // TLS half-closes where the link stream would: close_notify ends the client's reading, and it may still send.
                PumpEnd clientEnd = tls is null ? LinkStreamEnds.Of(stream) : new PumpEnd(tls, tls, () => new ValueTask(tls.ShutdownAsync()), stream.Dispose);
                await DuplexPump.RunAsync(clientEnd, Tcp.TcpPump.StreamEnd(proxy), new Tcp.TunnelActivity(traffic.Counters, null), accepted).ConfigureAwait(false);
            }
            finally
            {
                traffic.Ended();
            }
        }
        finally
        {
            tunnel.CloseConnection();
            if (tls is not null)
            {
                await tls.DisposeAsync().ConfigureAwait(false);
            }
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

        [LoggerMessage(EventId = 5333, EventName = "RemoteConnectionRefused", Level = LogLevel.Information, Message = "Refused carried client {Client} of {Key}: its address is not allowed, an on_tcp_connect rule refused it, or the tunnel is at its connection limit")]
        public static partial void Refused(ILogger logger, string client, string key);

        [LoggerMessage(EventId = 5352, EventName = "RemoteConnectionHandshakeRefused", Level = LogLevel.Information, Message = "Carried client {Client} of {Key} (TLS ended at the edge): {Code} {Reason}")]
        public static partial void HandshakeRefused(ILogger logger, string client, string key, string code, string reason);

        [LoggerMessage(EventId = 5334, EventName = "RemoteConnectionProxyFailed", Level = LogLevel.Information, Message = "A carried connection of {Key} ended: the proxy stream failed: {Reason}")]
        public static partial void ProxyStreamFailed(ILogger logger, string key, string reason);

        [LoggerMessage(EventId = 5335, EventName = "RemoteConnectionUpstreamFailed", Level = LogLevel.Information, Message = "A carried connection of {Key} ended: {Code} {Reason}")]
        public static partial void UpstreamFailed(ILogger logger, string key, string code, string reason);
    }
}
