namespace Burrow.Edge.Certificates.OnDemand;

/// <summary>
/// An issued certificate as it is kept: the chain as the CA sent it (leaf first) and the leaf's private key, both PEM;
/// both <see langword="null"/> while only failed attempts are kept. <see cref="LastError"/> and
/// <see cref="NextAttempt"/> are the last failure any edge recorded, so a cluster backs off as one.
/// </summary>
internal sealed record StoredCertificate(string? ChainPem, string? KeyPem)
{
    /// <summary>Why the last order failed, with its code; <see langword="null"/> after a success.</summary>
    public string? LastError { get; init; }

    /// <summary>When the next order is due after that failure.</summary>
    public DateTimeOffset? NextAttempt { get; init; }

    /// <summary>The serial of a certificate the operator revoked, until its replacement is saved.</summary>
    public string? RevokedSerial { get; init; }
}
