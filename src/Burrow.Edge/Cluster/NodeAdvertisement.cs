using Burrow.Protocol.Messages;

namespace Burrow.Edge.Cluster;

/// <summary>
/// What an <c>auth_result</c> tells an agent about the cluster: the nodes that take new legs (live, not draining),
/// this node first, so the agent's first extra leg goes to another node. A single edge has no
/// <see cref="Directory"/> and lists nothing.
/// </summary>
/// <remarks>
/// The other nodes come in turn: each listing starts one further along the directory's order. Agents take their extra
/// legs from the front of the list, so a fixed order sent every second leg of the cluster to the same node (the
/// first in the directory): with 10 nodes it held 90 % of them (seen in bench/cluster's routes figure).
/// </remarks>
/// <remarks>
/// The directory is set once, before the edge starts (by <see cref="EdgeServer.NodeDirectory"/>): the node registry
/// builds it, and tests set an in-process one.
/// </remarks>
internal sealed class NodeAdvertisement
{
    private int _turn = -1;

    public INodeDirectory? Directory { get; set; }

    /// <summary>The nodes to list, or <see langword="null"/> to leave the field out (no cluster).</summary>
    public IReadOnlyList<EdgeNode>? Current()
    {
        if (Directory is not { } directory)
        {
            return null;
        }

        EdgeNode? local = null;
        var others = new List<EdgeNode>();
        foreach (ClusterNode node in directory.LiveNodes)
        {
            if (node.Draining)
            {
                continue;
            }

            var listed = new EdgeNode { Name = node.Name, Addr = node.AgentAddress };
            if (node.Name == directory.LocalName)
            {
                local = listed;
            }
            else
            {
                others.Add(listed);
            }
        }

        var nodes = new List<EdgeNode>(others.Count + 1);
        if (local is not null)
        {
            nodes.Add(local);
        }

        int start = others.Count == 0 ? 0 : (int)((uint)Interlocked.Increment(ref _turn) % (uint)others.Count);
        for (int i = 0; i < others.Count; i++)
        {
            nodes.Add(others[(start + i) % others.Count]);
        }

        return nodes;
    }
}
