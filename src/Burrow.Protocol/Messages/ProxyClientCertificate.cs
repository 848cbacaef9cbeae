namespace Burrow.Protocol.Messages;

/// <summary>
/// What the edge tells the agent about a client certificate it validated, in <see cref="ProxyTlsInfo.ClientCertificate"/>:
/// enough to name and pin the client, not the certificate itself.
/// </summary>
public sealed record ProxyClientCertificate
{
    /// <summary>The subject's distinguished name, for example <c>CN=alice, O=Example</c>.</summary>
    public required string Subject { get; init; }

    /// <summary>The issuer's distinguished name.</summary>
    public required string Issuer { get; init; }

    /// <summary>The serial number, upper-case hex.</summary>
    public required string Serial { get; init; }

    /// <summary>The SHA-256 fingerprint of the DER certificate, lower-case hex without separators.</summary>
    public required string Sha256 { get; init; }

    /// <summary>The end of the certificate's validity, UTC, ISO 8601.</summary>
    public required DateTimeOffset NotAfter { get; init; }
}
