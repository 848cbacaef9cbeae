using System.Net;
using Burrow.Protocol.Messages;

namespace Burrow.Protocol.Validation;

/// <summary>
/// <see cref="EndpointOptions"/> after <see cref="EndpointOptionsValidator"/>: every value parsed,
/// ready for the edge to build the tunnel's policy once, at bind time.
/// </summary>
public sealed record ValidatedEndpointOptions
{
    /// <summary>The options of a tunnel that asked for no policy.</summary>
    public static ValidatedEndpointOptions None { get; } = new();

    /// <summary>Credentials, any of which lets a request in; empty means no basic auth.</summary>
    public IReadOnlyList<BasicAuthCredential> BasicAuth { get; init; } = [];

    /// <summary>Ranges allowed to connect; empty allows every address not denied.</summary>
    public IReadOnlyList<IPNetwork> CidrAllow { get; init; } = [];

    /// <summary>Ranges refused; deny wins over allow.</summary>
    public IReadOnlyList<IPNetwork> CidrDeny { get; init; } = [];

    /// <summary>Headers to add to requests.</summary>
    public IReadOnlyList<HeaderAddition> RequestHeaderAdd { get; init; } = [];

    /// <summary>Header names to remove from requests.</summary>
    public IReadOnlyList<string> RequestHeaderRemove { get; init; } = [];

    /// <summary>Headers to add to responses.</summary>
    public IReadOnlyList<HeaderAddition> ResponseHeaderAdd { get; init; } = [];

    /// <summary>Header names to remove from responses.</summary>
    public IReadOnlyList<string> ResponseHeaderRemove { get; init; } = [];

    /// <summary>What to do with Host.</summary>
    public HostHeaderRule HostHeader { get; init; } = HostHeaderRule.Preserve;

    /// <summary><c>http1</c> or <c>http2</c>; see <see cref="UpstreamProtocols"/>.</summary>
    public string UpstreamProtocol { get; init; } = UpstreamProtocols.Http1;

    /// <summary>The <c>Strict-Transport-Security</c> value for the tunnel's HTTPS responses; <see langword="null"/> for none.</summary>
    public string? StrictTransportSecurity { get; init; }

    /// <summary>The tunnel's own idle timeout for tcp/tls connections; <see langword="null"/> when it asked for none.</summary>
    public TimeSpan? IdleTimeout { get; init; }

    /// <summary>The tunnel's own connection limit; <see langword="null"/> when it asked for none.</summary>
    public int? MaxConnections { get; init; }

    /// <summary>
    /// The CAs whose client certificates the edge accepts; <see langword="null"/> when the tunnel asks for no client
    /// certificate. Shared by every connection of the tunnel; not disposed while it is bound.
    /// </summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2Collection? MutualTlsCas { get; init; }

    /// <summary>Whether the edge terminates the client's TLS of a tls tunnel (<see cref="TlsTerminations.Edge"/>).</summary>
    public bool TerminateTlsAtEdge { get; init; }

    /// <summary>Whether the agent records requests for its inspector.</summary>
    public bool Inspect { get; init; } = true;

    /// <summary>The traffic policy document as sent, for the edge to compile; <see langword="null"/> for none.</summary>
    public string? TrafficPolicy { get; init; }
}
