using System.Diagnostics.CodeAnalysis;
using System.Text.Json.Serialization;
using Burrow.Protocol.Validation;

namespace Burrow.Protocol.Messages;

/// <summary>
/// The policy a tunnel asks the edge to enforce before a byte reaches the agent. Carried in
/// <see cref="BindMessage.Options"/> as raw strings; the edge checks them with
/// <see cref="EndpointOptionsValidator"/> and answers <c>ERR_BURROW_2004</c> for a bad value.
/// </summary>
/// <remarks>
/// A collection that is absent, <c>null</c> or empty on the wire means "no rule"; empty
/// collections are left out when writing.
/// </remarks>
public sealed record EndpointOptions
{
    /// <summary>Creates options with no rules.</summary>
    /// <param name="inspect">The initial <see cref="Inspect"/>.</param>
    /// <remarks>
    /// <see cref="Inspect"/> is a constructor parameter only so that a missing <c>inspect</c> on
    /// the wire reads as <see langword="true"/>: source-generated deserialization sets every
    /// init-only property, and would otherwise replace the initializer's value with <c>false</c>.
    /// </remarks>
    [JsonConstructor]
    public EndpointOptions(bool inspect = true)
    {
        Inspect = inspect;
    }

    /// <summary>HTTP basic-auth credentials, each <c>user:password</c>; any one of them lets a request in.</summary>
    [AllowNull]
    public IReadOnlyList<string> BasicAuth { get; init => field = value ?? []; } = [];

    /// <summary>CIDR ranges (or bare addresses) allowed to connect; empty allows everyone not denied.</summary>
    [AllowNull]
    public IReadOnlyList<string> CidrAllow { get; init => field = value ?? []; } = [];

    /// <summary>CIDR ranges (or bare addresses) refused; deny wins over allow.</summary>
    [AllowNull]
    public IReadOnlyList<string> CidrDeny { get; init => field = value ?? []; } = [];

    /// <summary>Headers added to each request before it is forwarded, each <c>Name:value</c>.</summary>
    [AllowNull]
    public IReadOnlyList<string> RequestHeaderAdd { get; init => field = value ?? []; } = [];

    /// <summary>Header names removed from each request before it is forwarded.</summary>
    [AllowNull]
    public IReadOnlyList<string> RequestHeaderRemove { get; init => field = value ?? []; } = [];

    /// <summary>Headers added to each response, each <c>Name:value</c>.</summary>
    [AllowNull]
    public IReadOnlyList<string> ResponseHeaderAdd { get; init => field = value ?? []; } = [];

    /// <summary>Header names removed from each response.</summary>
    [AllowNull]
    public IReadOnlyList<string> ResponseHeaderRemove { get; init => field = value ?? []; } = [];

    /// <summary>
    /// <c>rewrite</c>, <c>preserve</c>, or a literal <c>host[:port]</c> to send as Host;
    /// <see langword="null"/> means <c>preserve</c>. See <see cref="HostHeaderValues"/>.
    /// </summary>
    public string? HostHeader { get; init; }

    /// <summary>
    /// <c>http1</c> or <c>http2</c>: the HTTP version spoken on proxy streams; <see langword="null"/>
    /// means <c>http1</c>. See <see cref="UpstreamProtocols"/>.
    /// </summary>
    public string? UpstreamProtocol { get; init; }

    /// <summary>
    /// http tunnels: the edge adds <c>Strict-Transport-Security: max-age=</c> this many seconds to every response of the
    /// tunnel served over HTTPS (never over plain HTTP); <see langword="null"/> for none, 0 to have browsers forget a
    /// policy they keep. At most <see cref="Validation.StrictTransportSecurity.MaxMaxAge"/>.
    /// </summary>
    public long? HstsMaxAge { get; init; }

    /// <summary>With <see cref="HstsMaxAge"/>: the policy covers every name under the tunnel's hostname too (<c>includeSubDomains</c>).</summary>
    /// <remarks>Left out when false, so a bind without HSTS is byte for byte what it was before the option existed.</remarks>
    [JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)]
    public bool HstsIncludeSubdomains { get; init; }

    /// <summary>
    /// tcp and tls tunnels: close a connection that carries no byte either way for this many
    /// milliseconds; <see langword="null"/> leaves the edge's own timeout, which also caps this one.
    /// </summary>
    public long? IdleTimeoutMs { get; init; }

    /// <summary>
    /// tcp and tls tunnels: the most connections the tunnel carries at once; <see langword="null"/>
    /// leaves the edge's own limit, which also caps this one.
    /// </summary>
    public int? MaxConnections { get; init; }

    /// <summary>
    /// PEM text of the CA certificates whose client certificates the edge accepts (mutual TLS); the edge then asks every
    /// client of the tunnel for a certificate and refuses those without one those CAs issued. http tunnels, and tls
    /// tunnels with <see cref="TerminateAt"/> <c>edge</c>. At most <see cref="Validation.MutualTlsAuthorities.MaxPemChars"/> characters.
    /// </summary>
    public string? MutualTlsCas { get; init; }

    /// <summary>
    /// tls tunnels: where the client's TLS ends, one of <see cref="TlsTerminations"/>. <c>edge</c> has the edge terminate it
    /// with its own certificate for the name and carry plaintext; <see langword="null"/>, <c>upstream</c> and <c>agent</c>
    /// all mean the edge passes the TLS bytes through (the agent terminating them is its own business).
    /// </summary>
    public string? TerminateAt { get; init; }

    /// <summary>Whether the agent records requests for its inspector. On by default.</summary>
    public bool Inspect { get; init; }

    /// <summary>
    /// An ngrok-shaped traffic policy document (YAML or JSON text: <c>on_tcp_connect</c>, <c>on_http_request</c>,
    /// <c>on_http_response</c>), compiled by the edge when the tunnel binds; <see langword="null"/> for none.
    /// At most <see cref="MaxTrafficPolicyLength"/> characters.
    /// </summary>
    public string? TrafficPolicy { get; init; }

    /// <summary>The longest <see cref="TrafficPolicy"/> a bind may carry: 64 KiB, many times a real policy.</summary>
    public const int MaxTrafficPolicyLength = 64 * 1024;
}
