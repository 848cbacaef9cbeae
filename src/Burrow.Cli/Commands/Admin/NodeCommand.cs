using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Burrow.Edge.Admin.Models;

namespace Burrow.Cli.Commands.Admin;

/// <summary><c>burrow admin nodes</c>: the nodes of the cluster, their load, and the node link to each from the edge asked.</summary>
internal static class NodeCommand
{
    public static Command Create(AdminSettings settings)
    {
        var command = new Command("nodes", "List the nodes of the cluster: name, addresses, state (live, draining, gone), started, last heartbeat, load, and the node link from this edge with its RTT.");
        command.SetAction(settings, async (parse, client, json, ct) =>
        {
            IReadOnlyList<NodeInfo> nodes = await client.GetAsync("nodes", AdminJsonContext.Default.IReadOnlyListNodeInfo, ct).ConfigureAwait(false);
            if (json)
            {
                AdminOutput.Json(client.LastBody);
                return;
            }

            AdminOutput.Table(["NAME", "STATE", "LINK ADDR", "AGENT ADDR", "STARTED", "HEARTBEAT", "LOAD", "LINK", "RTT"],
                nodes.Select(n => new[]
                {
                    n.Self ? n.Name + " *" : n.Name, n.State, n.LinkAddr, n.AgentAddr, AdminOutput.Time(n.StartedAt), AdminOutput.Time(n.HeartbeatAt),
                    Load(n.Load), n.Link, n.LinkRttMs is { } rtt ? rtt.ToString("0.###", CultureInfo.InvariantCulture) + " ms" : "-",
                }),
                "No nodes: this edge is not a node of a cluster (start it with --node-name, see docs/cluster.md).");
        });
        var name = new Argument<string>("name") { Description = "The node's name (--node-name)." };
        var drain = new Command("drain", "Drain a node (asked of any node): it takes no new sessions or tunnels, tells its agents to move to another node, lets requests in flight finish, then exits.") { name };
        drain.SetAction(settings, async (parse, client, json, ct) =>
        {
            string node = parse.GetValue(name)!;
            NodeInfo drained = await client.PostAsync("nodes/" + Uri.EscapeDataString(node) + "/drain", AdminJsonContext.Default.NodeInfo, ct).ConfigureAwait(false);
            AdminOutput.Line(json ? client.LastBody : $"Node {drained.Name} is {drained.State}: it moves its agents, finishes what is in flight, then exits.");
        });
        command.Subcommands.Add(drain);
        return command;
    }

    // "tunnels=3 sessions=2 ...": the row's figures as they are, whatever a newer node writes.
    private static string Load(JsonElement load) => load.ValueKind != JsonValueKind.Object
        ? "-"
        : string.Join(' ', load.EnumerateObject().Select(p => $"{p.Name}={p.Value}"));
}
