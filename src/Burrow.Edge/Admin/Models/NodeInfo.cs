using System.Text.Json;

namespace Burrow.Edge.Admin.Models;

/// <summary>A node of the cluster as the registry has it, and the link to it from the node that answers.</summary>
/// <param name="Name">The node's name (<c>--node-name</c>).</param>
/// <param name="LinkAddr">host:port of its node link.</param>
/// <param name="AgentAddr">host:port agents dial for a leg on it.</param>
/// <param name="StartedAt">When its process started.</param>
/// <param name="HeartbeatAt">Its last heartbeat (database clock).</param>
/// <param name="LeaseUntil">When it counts as gone without another heartbeat.</param>
/// <param name="State"><c>live</c>, <c>draining</c> or <c>gone</c> (its lease ran out; the row stays until the name is taken again).</param>
/// <param name="Draining">Taking no new work.</param>
/// <param name="Load">What it last wrote of its load: tunnels, sessions, agent and public connections.</param>
/// <param name="Self">Whether it is the node that answered.</param>
/// <param name="Link">The link from the answering node: <c>dialed</c> or <c>accepted</c> when up, <c>none</c> otherwise, <c>self</c> for itself.</param>
/// <param name="LinkRttMs">The last ping's round trip over that link, in milliseconds.</param>
public sealed record NodeInfo(
    string Name,
    string LinkAddr,
    string AgentAddr,
    DateTimeOffset StartedAt,
    DateTimeOffset HeartbeatAt,
    DateTimeOffset LeaseUntil,
    string State,
    bool Draining,
    JsonElement Load,
    bool Self,
    string Link,
    double? LinkRttMs);
