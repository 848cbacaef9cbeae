using System.Net;
using System.Net.Sockets;
using Burrow.Protocol.Pumping;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Cluster;

/// <summary>
/// Serves the streams other nodes open to this one (<see cref="INodeLinks.OnInboundStream"/>) to reach a tunnel held
/// here: HTTP goes into the <see cref="RelayListener"/>, so the tunnel's policy and forwarding run as for a request
/// that came in here; TCP and TLS go to the agent as a proxy stream (<see cref="RemoteConnections"/>); a peer's
/// rate-limit counts go to <see cref="SharedRateCounts"/>.
/// </summary>
internal sealed partial class InboundRouteStreams
{
    // A node that opened a stream writes its header at once; a silent one is not waited for long.
    private static readonly TimeSpan HeaderTimeout = TimeSpan.FromSeconds(10);

    private readonly RelayListener _relay;
    private readonly RemoteConnections _connections;
    private readonly SharedRateCounts _rateCounts;
    private readonly ILogger _logger;

    public InboundRouteStreams(RelayListener relay, RemoteConnections connections, SharedRateCounts rateCounts, ILogger<InboundRouteStreams> logger)
    {
        _relay = relay;
        _connections = connections;
        _rateCounts = rateCounts;
        _logger = logger;
    }

    public async Task HandleAsync(Stream stream, string fromNode, CancellationToken cancellationToken)
    {
        RouteStreamHeader? header;
        using (var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
        {
            timeout.CancelAfter(HeaderTimeout);
            try
            {
                header = await RouteStreamHeader.ReadAsync(stream, timeout.Token).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is IOException or OperationCanceledException)
            {
                header = null;
            }
        }

        if (header is null)
        {
            Log.BadHeader(_logger, fromNode);
            return;
        }

        switch (header.Kind)
        {
            case RouteStreamKind.Http:
                await RelayHttpAsync(stream, header, cancellationToken).ConfigureAwait(false);
                break;
            case RouteStreamKind.RateCounts:
                await _rateCounts.ReceiveAsync(stream, fromNode, cancellationToken).ConfigureAwait(false);
                break;
            default:
                await _connections.CarryAsync(stream, header, fromNode, cancellationToken).ConfigureAwait(false);
                break;
        }
    }

    private async Task RelayHttpAsync(Stream stream, RouteStreamHeader header, CancellationToken cancellationToken)
    {
        IPEndPoint relay = _relay.EndPoint ?? throw new InvalidOperationException("The relay listener is not bound.");
        var socket = new Socket(relay.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        PumpEnd local;
        try
        {
            await socket.ConnectAsync(relay, cancellationToken).ConfigureAwait(false);
            local = LinkStreamEnds.Of(socket);
            await _relay.WritePrefaceAsync(local.Output, header, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is SocketException or IOException or OperationCanceledException)
        {
            Log.RelayFailed(_logger, header.Key, ex.Message);
            socket.Dispose();
            return;
        }

        await DuplexPump.RunAsync(LinkStreamEnds.Of(stream), local).ConfigureAwait(false);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 5330, EventName = "RouteStreamBadHeader", Level = LogLevel.Warning, Message = "A stream from node {Node} did not start with a route header; closed")]
        public static partial void BadHeader(ILogger logger, string node);

        [LoggerMessage(EventId = 5331, EventName = "RouteRelayFailed", Level = LogLevel.Warning, Message = "Could not relay a request for {Key} into this node's relay listener: {Reason}")]
        public static partial void RelayFailed(ILogger logger, string key, string reason);
    }
}
