using Burrow.Protocol.Errors;
using Burrow.Storage.Routes;

namespace Burrow.Edge.Cluster;

/// <summary>
/// Opens the node-link stream that carries a TCP or TLS-passthrough client to the node holding its route, with the
/// route header written. A node that cannot be reached (SIGKILLed: its routes outlive it by its lease) is passed over
/// for a moment (<see cref="UnreachableNodes"/>) and the next node holding the same key is tried, three nodes at most:
/// none of the client's bytes has been read yet, so any node holding the key may take the connection.
/// </summary>
internal static class CarriedStreams
{
    private const int MaxNodes = 3;

    /// <summary>The open stream and the route it went to, or a null stream when no node could be reached.</summary>
    /// <param name="links">This node's links to the others.</param>
    /// <param name="routes">The cluster's routes, for the next node holding the key.</param>
    /// <param name="unreachable">The nodes passed over for a moment; a failed node is added.</param>
    /// <param name="route">The route drawn first.</param>
    /// <param name="header">The route header for a route (the same key; its node may be another).</param>
    /// <param name="failed">Called for each node that could not be reached, with the reason.</param>
    /// <param name="cancellationToken">Ends the attempt (the client went, or the node is stopping).</param>
    public static async Task<(Stream? Link, RouteRow Route)> OpenAsync(
        INodeLinks links, ClusterRoutes routes, UnreachableNodes unreachable, RouteRow route, Func<RouteRow, RouteStreamHeader> header,
        Action<RouteRow, string> failed, CancellationToken cancellationToken)
    {
        for (int attempt = 1; ; attempt++)
        {
            Stream? link = null;
            try
            {
                link = await links.OpenStreamAsync(route.Node, cancellationToken).ConfigureAwait(false);
                await header(route).WriteAsync(link, cancellationToken).ConfigureAwait(false);
                return (link, route);
            }
            catch (Exception ex) when (ex is ProtocolException or IOException or System.Net.Sockets.SocketException or ObjectDisposedException
                || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
            {
                if (link is not null)
                {
                    await link.DisposeAsync().ConfigureAwait(false);
                }

                unreachable.Add(route.Node);
                failed(route, ex.Message);
            }
            catch (OperationCanceledException)
            {
                if (link is not null)
                {
                    await link.DisposeAsync().ConfigureAwait(false);
                }

                return (null, route);
            }

            if (attempt >= MaxNodes || routes.FindRemote(route.Key, unreachable) is not { } next || next.Node == route.Node || next.Proto != route.Proto)
            {
                return (null, route);
            }

            route = next;
        }
    }
}
