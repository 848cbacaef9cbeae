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
    private void MapNodes(RouteGroupBuilder api) =>
        api.MapGet("/nodes", ListNodes).WithTags("cluster").Produces<IReadOnlyList<NodeInfo>>()
            .WithDescription("The nodes of the cluster (live, draining, and gone ones until their name is taken again) with their load, and the node link from this node with its RTT. Empty on an edge that is not a node (no --node-name).");

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
