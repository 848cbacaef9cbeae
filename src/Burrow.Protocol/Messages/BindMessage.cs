using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;

namespace Burrow.Protocol.Messages;

/// <summary>
/// Agent → edge: asks for a public endpoint that forwards to this agent. The edge answers with a
/// <see cref="BindResultMessage"/> carrying the same <see cref="RequestId"/>; several binds may
/// be outstanding at once.
/// </summary>
public sealed record BindMessage : ControlMessage
{
    /// <inheritdoc />
    [JsonIgnore]
    public override string Type => MessageTypes.Bind;

    /// <summary>Chosen by the agent, unique among its outstanding binds; echoed in the answer.</summary>
    public required string RequestId { get; init; }

    /// <summary>The tunnel's name in the agent's configuration (for display, and to resume it).</summary>
    [AllowNull]
    public string TunnelName { get; init => field = value ?? ""; } = "";

    /// <summary><c>http</c>, <c>tcp</c> or <c>tls</c>; see <see cref="TunnelProtocols"/>.</summary>
    public required string Proto { get; init; }

    /// <summary>A full hostname to serve (http and tls), for example a reserved custom domain.</summary>
    public string? Hostname { get; init; }

    /// <summary>A label under the edge's base domain (http and tls); the edge picks one when neither this nor <see cref="Hostname"/> is set.</summary>
    public string? Subdomain { get; init; }

    /// <summary>The edge port to listen on (tcp); the edge picks one when absent.</summary>
    public int? RemotePort { get; init; }

    /// <summary>
    /// The upstream the agent forwards to, for example <c>http://localhost:8080</c>: shown in the
    /// edge's error pages, and the Host sent with <c>host_header: rewrite</c>. Informational only.
    /// </summary>
    public string? ForwardsTo { get; init; }

    /// <summary>
    /// Endpoint pooling: the agent agrees to share the URL with other agents that bound it with pooling too, and the edge
    /// spreads requests (http) or connections (tcp, tls) across them. Absent (older agents) means false: the URL has one owner.
    /// </summary>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool Pooling { get; init; }

    /// <summary>The policy the edge enforces for this endpoint.</summary>
    [AllowNull]
    public EndpointOptions Options { get; init => field = value ?? new(); } = new();
}
