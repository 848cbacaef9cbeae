using System.Text.Json;
using Burrow.Edge.Admin.Models;
using Burrow.Edge.Cluster;
using Burrow.Storage;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Burrow.Edge.Admin;

internal sealed partial class AdminRoutes
{
    private void MapNodes(RouteGroupBuilder api)
    {
        api.MapGet("/nodes", ListNodes).WithTags("cluster").Produces<IReadOnlyList<NodeInfo>>()
            .WithDescription("The nodes of the cluster (live, draining, and gone ones until their name is taken again) with their load, and the node link from this node with its RTT. Empty on an edge that is not a node (no --node-name).");
        api.MapPost("/nodes/{name}/drain", DrainNodeAsync).WithTags("cluster").Produces<NodeInfo>(StatusCodes.Status202Accepted).Produces<ErrorInfo>(StatusCodes.Status404NotFound)
            .WithDescription("Drains a live node, from any node: its row is marked draining (NOTIFY burrow_nodes); the node refuses new sessions and binds (ERR_BURROW_5308), tells its agents to move, lets requests in flight finish, leaves the cluster and exits. Answers at once with the node's row.");
    }

    private async Task<IResult> DrainNodeAsync(string name, CancellationToken cancellationToken)
    {
        if (_cluster.Membership is not { } node)
        {
            return AdminErrors.NotFound("node", name);
        }

        try
        {
            if (!await node.Registry.DrainAsync(name, cancellationToken).ConfigureAwait(false))
            {
                return AdminErrors.NotFound("node", name);
            }
        }
        catch (StoreException ex)
        {
            return AdminErrors.FromStore(ex);
        }

        NodeRecord? row = node.Registry.Rows.FirstOrDefault(r => r.Name == name);
        return row is null ? AdminErrors.NotFound("node", name) : Results.Json(ToInfo(row, node), AdminJsonContext.Default.NodeInfo, statusCode: StatusCodes.Status202Accepted);
    }

    private IResult ListNodes()
    {
        IReadOnlyList<NodeInfo> nodes = _cluster.Membership is { } node ? [.. node.Registry.Rows.Select(r => ToInfo(r, node))] : [];
        return Results.Json(nodes, AdminJsonContext.Default.IReadOnlyListNodeInfo);
    }

    private static NodeInfo ToInfo(NodeRecord row, ClusterMembership node)
    {
        bool self = row.Name == node.Registry.LocalName;
        NodeLink? link = node.Links.Links.TryGetValue(row.Name, out NodeLink? l) && l.IsUsable ? l : null;
        JsonElement load;
        try
        {
            using JsonDocument parsed = JsonDocument.Parse(row.LoadJson);
            load = parsed.RootElement.Clone();
        }
        catch (JsonException)
        {
            load = default;
        }

        return new NodeInfo(
            row.Name, row.LinkAddress, row.AgentAddress, row.StartedAt, row.HeartbeatAt, row.LeaseUntil,
            !row.Live ? "gone" : row.Draining ? "draining" : "live", row.Draining, load, self,
            self ? "self" : link is null ? "none" : link.Dialed ? "dialed" : "accepted",
            link?.Rtt is { } rtt ? Math.Round(rtt.TotalMilliseconds, 3) : null);
    }
}
