namespace Burrow.Storage;

/// <summary>The ACME account the edges of a cluster share for one certificate authority.</summary>
/// <param name="DirectoryUrl">The CA's directory URL: one account per CA.</param>
/// <param name="KeyPem">The account key (PKCS#8 PEM), in clear here; sealed in the database.</param>
/// <param name="AccountUrl">The account's URL at the CA (its <c>kid</c>), once registered.</param>
/// <param name="Contact">The contact given at registration (<c>mailto:...</c>), or <see langword="null"/>.</param>
/// <param name="UpdatedAt">When the row was written last.</param>
public sealed record AcmeAccountRecord(string DirectoryUrl, string KeyPem, string? AccountUrl, string? Contact, DateTimeOffset UpdatedAt);
