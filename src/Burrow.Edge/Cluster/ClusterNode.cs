namespace Burrow.Edge.Cluster;

/// <summary>
/// One edge of a cluster as the node registry last saw it (issue 15, docs/cluster.md): its name, the address other
/// nodes dial for the node link and agents dial for a leg, and whether it is alive and taking new work.
/// </summary>
/// <param name="Name">The node's name (<c>--node-name</c>), unique in the cluster.</param>
/// <param name="LinkAddress">host:port other nodes dial for the node link (<c>--node-addr</c>).</param>
/// <param name="AgentAddress">host:port agents dial for a leg on this node (its agent listener as the public sees it).</param>
/// <param name="StartedAt">When the node's process started.</param>
/// <param name="HeartbeatAt">The node's last heartbeat, by the database's clock.</param>
/// <param name="Draining">Set by <c>burrow admin nodes drain</c> or SIGTERM: no new binds or legs.</param>
public sealed record ClusterNode(
    string Name,
    string LinkAddress,
    string AgentAddress,
    DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt,
    bool Draining);
