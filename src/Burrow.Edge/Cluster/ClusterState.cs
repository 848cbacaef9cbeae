namespace Burrow.Edge.Cluster;

/// <summary>
/// Where the edge's parts find its cluster membership: set once the edge has joined (<see cref="EdgeServer.StartAsync"/>),
/// <see langword="null"/> for a single edge. The health endpoint and the admin API read it; routing gets the node
/// directory and links from it.
/// </summary>
internal sealed class ClusterState
{
    private ClusterMembership? _membership;

    public ClusterMembership? Membership
    {
        get => Volatile.Read(ref _membership);
        set => Volatile.Write(ref _membership, value);
    }

    /// <summary>The node directory, when this edge is a node.</summary>
    public INodeDirectory? Directory => Membership?.Registry;

    /// <summary>The node links, when this edge is a node.</summary>
    public INodeLinks? Links => Membership?.Links;
}
