namespace Burrow.Storage;

/// <summary>A node's row in the registry, with whether its lease still runs by the database's clock.</summary>
/// <param name="Name">The node's name.</param>
/// <param name="InstanceId">The process that holds the name.</param>
/// <param name="LinkAddress">host:port other nodes dial for the node link.</param>
/// <param name="AgentAddress">host:port agents dial for a leg on this node.</param>
/// <param name="StartedAt">When its process started.</param>
/// <param name="HeartbeatAt">Its last heartbeat (database clock).</param>
/// <param name="LeaseUntil">When it counts as gone without another heartbeat (database clock).</param>
/// <param name="Draining">Taking no new work.</param>
/// <param name="LoadJson">Its load as it last wrote it (a JSON object).</param>
/// <param name="Live">Whether the lease runs at the time of the query.</param>
public sealed record NodeRecord(
    string Name,
    string InstanceId,
    string LinkAddress,
    string AgentAddress,
    DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt,
    DateTimeOffset LeaseUntil,
    bool Draining,
    string LoadJson,
    bool Live);
