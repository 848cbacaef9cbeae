using Burrow.Protocol.Messages;

namespace Burrow.Edge.Cluster;

/// <summary>
/// What an <c>auth_result</c> tells an agent about the cluster: the nodes that take new legs (live, not draining),
/// this node first, so the agent's first extra leg goes to another node. A single edge has no
/// <see cref="Directory"/> and lists nothing.
/// </summary>
/// <remarks>
/// The directory is set once, before the edge starts (by <see cref="EdgeServer.NodeDirectory"/>): the node registry
/// builds it, and tests set an in-process one.
/// </remarks>
internal sealed class NodeAdvertisement
{
    public INodeDirectory? Directory { get; set; }

    /// <summary>The nodes to list, or <see langword="null"/> to leave the field out (no cluster).</summary>
    public IReadOnlyList<EdgeNode>? Current()
    {
        if (Directory is not { } directory)
        {
            return null;
        }

        var nodes = new List<EdgeNode>();
        foreach (ClusterNode node in directory.LiveNodes)
        {
            if (node.Draining)
            {
                continue;
            }

            var listed = new EdgeNode { Name = node.Name, Addr = node.AgentAddress };
            if (node.Name == directory.LocalName)
            {
                nodes.Insert(0, listed);
            }
            else
            {
                nodes.Add(listed);
            }
        }

        return nodes;
    }
}
