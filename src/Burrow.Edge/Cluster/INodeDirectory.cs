namespace Burrow.Edge.Cluster;

/// <summary>
/// The nodes of the cluster this edge belongs to, as the node registry keeps them (heartbeat rows in PostgreSQL).
/// A single edge has no directory (<see langword="null"/> where one is asked for).
/// </summary>
internal interface INodeDirectory
{
    /// <summary>This edge's own node name.</summary>
    string LocalName { get; }

    /// <summary>The nodes whose heartbeat is current, this one included, in a stable order.</summary>
    IReadOnlyList<ClusterNode> LiveNodes { get; }

    /// <summary>Raised (on any thread) when a node joins, leaves, starts draining or its lease runs out.</summary>
    event Action? Changed;
}
