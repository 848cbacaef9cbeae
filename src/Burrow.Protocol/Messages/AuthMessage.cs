using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Burrow.Protocol.Versioning;

namespace Burrow.Protocol.Messages;

/// <summary>
/// Agent → edge, the first message on the control stream: who the agent is and what it may do.
/// The edge answers with <see cref="AuthResultMessage"/>.
/// </summary>
public sealed record AuthMessage : ControlMessage
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Type => MessageTypes.Auth;

    /// <summary>
    /// The protocol version the agent speaks; <see cref="BurrowProtocol.CurrentVersion"/> for this build.
    /// An edge that does not support it answers <c>ERR_BURROW_1003</c>.
    /// </summary>
    public required int ProtocolVersion { get; init; }

    /// <summary>The secret token that authenticates the agent. Empty means none was configured.</summary>
    [AllowNull]
    public string Authtoken { get; init => field = value ?? ""; } = "";

    /// <summary>The agent program, for display and diagnostics.</summary>
    [AllowNull]
    public AgentInfo Agent { get; init => field = value ?? new(); } = new();

    /// <summary>
    /// The session id from a previous <see cref="AuthResultMessage"/>, when reconnecting; the edge
    /// then hands back the same tunnels if the session is still within its grace period.
    /// </summary>
    public string? ResumeSessionId { get; init; }

    /// <summary>
    /// A random id the agent process picks once and sends on every leg of its session (issue 15): a cluster lets the
    /// same agent id (and account) bind one hostname on several nodes as legs of one endpoint, where another agent
    /// would conflict. Optional; an older edge ignores it.
    /// </summary>
    public string? AgentId { get; init; }

    /// <summary>
    /// Optional features the agent understands (<see cref="ProtocolFeatures"/>); the edge uses only
    /// those it knows too. An older edge ignores the field.
    /// </summary>
    [AllowNull]
    public IReadOnlyList<string> Features { get; init => field = value ?? []; } = [];

    /// <summary>Prints the message without the token, so that logging a message never leaks it.</summary>
    /// <returns>A description of the message with the token redacted.</returns>
    public override string ToString() =>
        $"AuthMessage {{ ProtocolVersion = {ProtocolVersion}, Authtoken = {(Authtoken.Length == 0 ? "<none>" : "<redacted>")}, "
        + $"Agent = {Agent}, AgentId = {AgentId}, ResumeSessionId = {ResumeSessionId}, Features = [{string.Join(", ", Features)}] }}";
}
