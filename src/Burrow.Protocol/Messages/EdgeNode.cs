namespace Burrow.Protocol.Messages;

/// <summary>
/// One edge of a cluster as <see cref="AuthResultMessage.Nodes"/> lists it: where an agent can open another leg of
/// its session (issue 15, docs/cluster.md).
/// </summary>
public sealed record EdgeNode
{
    /// <summary>The node's name (<c>--node-name</c>), shown in the agent's status.</summary>
    public required string Name { get; init; }

    /// <summary>The node's agent address, <c>host:port</c>, as agents dial it.</summary>
    public required string Addr { get; init; }
}
