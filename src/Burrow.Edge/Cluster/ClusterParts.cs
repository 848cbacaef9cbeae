using Burrow.Edge.Access;
using Burrow.Protocol.Errors;
using Burrow.Storage;
using Burrow.Storage.Routes;
using Microsoft.Extensions.DependencyInjection;

namespace Burrow.Edge.Cluster;

/// <summary>
/// What makes an edge a node of a cluster: the node registry and the node links (issue 15 item 1), given to
/// <see cref="EdgeServer"/>; with them the edge follows the routes table and carries traffic between nodes.
/// Without them the edge is a single edge, exactly as before.
/// </summary>
internal sealed record ClusterParts(INodeDirectory Directory, INodeLinks Links)
{
    /// <summary>The services of a node: the routes, the relay listener, and both sides of carried traffic.</summary>
    public static void Register(IServiceCollection services, ClusterParts parts, EdgeOptions options)
    {
        RouteTable table = RouteTable.ForDatabase(options.Database)
            // The same refusal as the registry's (ClusterMembership), which this check runs before.
            ?? throw new InvalidOperationException(ErrorCodes.ClusterNeedsPostgres.ToError("SQLite " + (options.Database ?? "<data-dir>/burrow.db")).ToString());
        services.AddSingleton(parts.Directory);
        services.AddSingleton(parts.Links);
        services.AddSingleton(table);
        services.AddSingleton<ClusterRoutes>();
        services.AddSingleton<RelayListener>();
        services.AddSingleton<RemoteConnections>();
        services.AddSingleton<InboundRouteStreams>();
        services.AddSingleton<UnreachableNodes>();
        services.AddSingleton<PoolShares>();
        services.AddSingleton<RemoteRequests>();
        services.AddSingleton<RemoteTcpPorts>();
        services.AddSingleton<RemotePassthrough>();
        services.AddSingleton<SharedRateCounts>();
    }

    /// <summary>Loads and follows the routes, takes the streams other nodes open, shares rate-limit counts, and closes revoked sessions at once.</summary>
    public static async Task StartAsync(IServiceProvider services, CancellationToken cancellationToken)
    {
        if (services.GetService<ClusterRoutes>() is not { } routes)
        {
            return;
        }

        await routes.StartAsync(cancellationToken).ConfigureAwait(false);
        services.GetRequiredService<RemoteTcpPorts>().Start();
        services.GetRequiredService<SharedRateCounts>().Start();
        var inbound = services.GetRequiredService<InboundRouteStreams>();
        services.GetRequiredService<INodeLinks>().OnInboundStream(inbound.HandleAsync);
        var revocations = services.GetRequiredService<RevocationWatch>();
        // One pass over every live session's token per notification: the same query the periodic check runs.
        routes.Revoked += _ => Task.Run(async () =>
        {
            try
            {
                await revocations.CheckOnceAsync(CancellationToken.None).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is StoreException or OperationCanceledException)
            {
                // The periodic check closes them.
            }
        });
    }
}
