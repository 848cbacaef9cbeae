namespace Burrow.Storage;

/// <summary>
/// A certificate in the control store, shared by every edge of a cluster, with the state of the attempts to get or
/// renew it. A row may hold attempts only (no chain yet): the first order is still pending or failing.
/// </summary>
/// <param name="Names">The names it covers (the row's key, <see cref="CertificateNames.Key"/>).</param>
/// <param name="Source"><c>acme</c> (ordered by the edge) or <c>manual</c> (given by the operator).</param>
/// <param name="DirectoryUrl">The ACME directory it was ordered from, for <c>acme</c>.</param>
/// <param name="Issuer">The issuer's distinguished name, once there is a certificate.</param>
/// <param name="Serial">The leaf's serial number (hex), once there is a certificate.</param>
/// <param name="NotBefore">Start of validity.</param>
/// <param name="NotAfter">End of validity.</param>
/// <param name="ChainPem">The leaf and its intermediates (PEM).</param>
/// <param name="KeyPem">The leaf's private key in clear (PKCS#8 PEM) when it was asked for; <see langword="null"/> in lists.</param>
/// <param name="LastError">Why the last attempt failed (with its error code), or <see langword="null"/> after a success.</param>
/// <param name="LastAttempt">When an edge last tried to order.</param>
/// <param name="NextAttempt">When the next order is due: renewal time after a success, the backoff's end after a failure.</param>
/// <param name="UpdatedAt">When the row was written last.</param>
/// <param name="RevokedSerial">The serial of the certificate the operator revoked, until a replacement is saved; <see cref="IsRevoked"/>.</param>
public sealed record StoredCertificate(
    string Names,
    string Source,
    string? DirectoryUrl,
    string? Issuer,
    string? Serial,
    DateTimeOffset? NotBefore,
    DateTimeOffset? NotAfter,
    string? ChainPem,
    string? KeyPem,
    string? LastError,
    DateTimeOffset? LastAttempt,
    DateTimeOffset? NextAttempt,
    DateTimeOffset UpdatedAt,
    string? RevokedSerial = null)
{
    /// <summary>Whether the certificate the row holds was revoked (and is to be replaced at once).</summary>
    public bool IsRevoked => RevokedSerial is not null && string.Equals(RevokedSerial, Serial, StringComparison.OrdinalIgnoreCase);

    /// <summary>Whether the row holds a certificate (not only attempts).</summary>
    public bool HasCertificate => ChainPem is not null;
}
