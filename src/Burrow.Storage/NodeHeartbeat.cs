namespace Burrow.Storage;

/// <summary>What a node of a cluster writes into its registry row on each heartbeat (<see cref="IControlStore.HeartbeatNodeAsync"/>).</summary>
public sealed record NodeHeartbeat
{
    /// <summary>The node's name (<c>--node-name</c>): unique in the cluster, held as a lease.</summary>
    public required string Name { get; init; }

    /// <summary>This process's random id: the lease is renewed by the instance that holds it, never taken over while live.</summary>
    public required string InstanceId { get; init; }

    /// <summary>host:port other nodes dial for the node link.</summary>
    public required string LinkAddress { get; init; }

    /// <summary>host:port agents dial for a leg on this node.</summary>
    public required string AgentAddress { get; init; }

    /// <summary>When the process started.</summary>
    public required DateTimeOffset StartedAt { get; init; }

    /// <summary>How long the row counts as live after this heartbeat, by the database's clock.</summary>
    public required TimeSpan Lease { get; init; }

    /// <summary>The node's load as a JSON object (tunnels, sessions, connections); shown as is.</summary>
    public string LoadJson { get; init; } = "{}";
}
