using Burrow.Protocol.Errors;
using Burrow.Protocol.Messages;
using Burrow.Protocol.Pumping;
using Burrow.Storage.Routes;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Cluster;

/// <summary>
/// The entry node's side of a TLS-passthrough connection whose SNI names a tls tunnel held on another node: the raw
/// bytes, ClientHello included, go over the node link to that node (<see cref="RemoteConnections"/>), so the client
/// still talks TLS with the upstream itself. A pooled name with members here too sends the other nodes' members their
/// share of its connections the same way (<see cref="FindPoolShare"/>).
/// </summary>
internal sealed partial class RemotePassthrough
{
    private readonly ClusterRoutes _routes;
    private readonly INodeLinks _links;
    private readonly UnreachableNodes _unreachable;
    private readonly PoolShares _shares;
    private readonly ILogger _logger;

    public RemotePassthrough(ClusterRoutes routes, INodeLinks links, UnreachableNodes unreachable, PoolShares shares, ILogger<RemotePassthrough> logger)
    {
        _unreachable = unreachable;
        _shares = shares;
        _routes = routes;
        _links = links;
        _logger = logger;
    }

    /// <summary>The route of a tls tunnel on another node named <paramref name="serverName"/>, or <see langword="null"/>.</summary>
    public RouteRow? Find(string serverName) => _routes.FindRemote(serverName, _unreachable) is { Proto: TunnelProtocols.Tls } route ? route : null;

    /// <summary>
    /// For a pooled tls name this node has members of: a member on another node to carry this connection to, with the
    /// weight of its share of all members (<see cref="PoolShares"/>), else <see langword="null"/> (serve it here).
    /// </summary>
    public RouteRow? FindPoolShare(Routing.Pooling.TunnelPool pool) => _shares.Pick(pool, TunnelProtocols.Tls);

    public async Task CarryAsync(ConnectionContext connection, RouteRow route, string serverName)
    {
        string remote = connection.RemoteEndPoint?.ToString() ?? "unknown";
        // The ClientHello is still in the connection's input (peeked, not consumed), so another node can take it.
        (Stream? link, _) = await CarriedStreams.OpenAsync(
            _links, _routes, _unreachable, route, r => new RouteStreamHeader(RouteStreamKind.Tls, r.Key, remote, "https", serverName),
            (r, reason) => Log.LinkFailed(_logger, remote, serverName, r.Node, reason), connection.ConnectionClosed).ConfigureAwait(false);
        if (link is null)
        {
            connection.Abort();
            return;
        }

        // As TlsPassthrough's own client end: Kestrel's connection cannot half-close, so its output completes instead.
        var client = new PumpEnd(
            connection.Transport.Input.AsStream(leaveOpen: true),
            connection.Transport.Output.AsStream(leaveOpen: true),
            async () =>
            {
                await connection.Transport.Output.CompleteAsync().ConfigureAwait(false);
                connection.Transport.Input.CancelPendingRead();
            },
            connection.Abort);
        await DuplexPump.RunAsync(client, LinkStreamEnds.Of(link)).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5339, EventName = "RemotePassthroughLinkFailed", Level = LogLevel.Information, Message = "Closed TLS client {Client} of {Name}: node {Node} cannot be reached (ERR_BURROW_5321): {Reason}")]
        public static partial void LinkFailed(ILogger logger, string client, string name, string node, string reason);
    }
}
