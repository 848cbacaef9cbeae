namespace Burrow.Storage;

/// <summary>A certificate to store (replacing the one for the same names), with its private key in clear: the store seals it.</summary>
public sealed record NewCertificate
{
    /// <summary>The names it covers.</summary>
    public required IReadOnlyList<string> Names { get; init; }

    /// <summary><c>acme</c> or <c>manual</c>.</summary>
    public string Source { get; init; } = "acme";

    /// <summary>The ACME directory it was ordered from.</summary>
    public string? DirectoryUrl { get; init; }

    /// <summary>The issuer's distinguished name.</summary>
    public required string Issuer { get; init; }

    /// <summary>The leaf's serial number (hex).</summary>
    public required string Serial { get; init; }

    /// <summary>Start of validity.</summary>
    public required DateTimeOffset NotBefore { get; init; }

    /// <summary>End of validity.</summary>
    public required DateTimeOffset NotAfter { get; init; }

    /// <summary>The leaf and its intermediates (PEM).</summary>
    public required string ChainPem { get; init; }

    /// <summary>The leaf's private key (PKCS#8 PEM), sealed by the store.</summary>
    public required string KeyPem { get; init; }

    /// <summary>When it is to be renewed.</summary>
    public DateTimeOffset? NextAttempt { get; init; }
}
