using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Versioning;

namespace Burrow.Protocol.Messages;

/// <summary>
/// Edge → agent, the answer to <see cref="AuthMessage"/>: either a session with its liveness
/// settings, or an <see cref="Error"/> after which the edge closes the connection.
/// </summary>
public sealed record AuthResultMessage : ControlMessage
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Type => MessageTypes.AuthResult;

    /// <summary>The session id; keep it to ask for a resume after a reconnect. Absent on error.</summary>
    public string? SessionId { get; init; }

    /// <summary>The edge's version, for display.</summary>
    public string? ServerVersion { get; init; }

    /// <summary>How often the agent should send a yamux ping, in milliseconds.</summary>
    public int HeartbeatIntervalMs { get; init; }

    /// <summary>How long a ping may go unanswered before the session counts as dead, in milliseconds.</summary>
    public int HeartbeatTimeoutMs { get; init; }

    /// <summary>How long the edge keeps a lost session's tunnels for a resume, in milliseconds.</summary>
    public int ResumeGraceMs { get; init; }

    /// <summary>
    /// Optional features the edge will use on this session: those of <see cref="AuthMessage.Features"/>
    /// it knows too (<see cref="ProtocolFeatures"/>). An older agent ignores the field.
    /// </summary>
    [AllowNull]
    public IReadOnlyList<string> Features { get; init => field = value ?? []; } = [];

    /// <summary>
    /// The live nodes of the edge's cluster that take new legs, this one first, so the agent can open a session to
    /// more than one (<c>--legs</c>); <see langword="null"/> (left out) from a single edge. An older agent ignores it.
    /// </summary>
    public IReadOnlyList<EdgeNode>? Nodes { get; init; }

    /// <summary>Why authentication failed; <see langword="null"/> on success.</summary>
    public ProtocolError? Error { get; init; }
}
