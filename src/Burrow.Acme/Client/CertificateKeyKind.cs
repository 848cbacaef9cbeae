namespace Burrow.Acme.Client;

/// <summary>The key type of an issued certificate (not of the account, which is always P-256).</summary>
internal enum CertificateKeyKind
{
    /// <summary>ECDSA on P-256: small, fast, accepted by every current client. The default.</summary>
    EcdsaP256,

    /// <summary>RSA 2048, for old clients that offer no ECDSA suites.</summary>
    Rsa2048,

    /// <summary>RSA 3072.</summary>
    Rsa3072,
}
