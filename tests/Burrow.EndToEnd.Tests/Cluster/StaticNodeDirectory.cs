using Burrow.Edge.Cluster;

namespace Burrow.EndToEnd.Tests.Cluster;

/// <summary>
/// A test harness, not the node registry: a fixed list of nodes that independent in-process edges share as their
/// <see cref="INodeDirectory"/>, so an agent is offered legs to each before the registry (PostgreSQL heartbeats) exists.
/// </summary>
internal sealed class StaticNodeDirectory : INodeDirectory
{
    public StaticNodeDirectory(string localName, IReadOnlyList<ClusterNode> nodes)
    {
        LocalName = localName;
        LiveNodes = nodes;
    }

    public string LocalName { get; }

    public IReadOnlyList<ClusterNode> LiveNodes { get; }

#pragma warning disable CS0067 // The list never changes in these tests.
    public event Action? Changed;
#pragma warning restore CS0067
}
