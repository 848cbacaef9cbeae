using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Burrow.Acme.Jws;

/// <summary>
/// The ACME account's key: ECDSA P-256 signing ES256 (RFC 7518 section 3.4), its JWK (RFC 7517) and the JWK
/// thumbprint (RFC 7638) that key authorizations end with. P-256 only: every CA in use accepts it, and one
/// algorithm keeps the JWS code to one path.
/// </summary>
internal sealed class AccountKey : IDisposable
{
    private readonly ECDsa _key;

    private AccountKey(ECDsa key)
    {
        _key = key;
        var p = key.ExportParameters(includePrivateParameters: false);
        string x = Base64Url.EncodeToString(p.Q.X);
        string y = Base64Url.EncodeToString(p.Q.Y);
        // RFC 7638: the required members only, in lexicographic order, no whitespace.
        Jwk = $$"""{"crv":"P-256","kty":"EC","x":"{{x}}","y":"{{y}}"}""";
        Thumbprint = Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(Jwk)));
    }

    /// <summary>The JWS algorithm name.</summary>
    public static string Algorithm => "ES256";

    /// <summary>The public key as a JWK, in the canonical form that is also hashed for <see cref="Thumbprint"/>.</summary>
    public string Jwk { get; }

    /// <summary>base64url(SHA-256(canonical JWK)).</summary>
    public string Thumbprint { get; }

    public static AccountKey Create() => new(ECDsa.Create(ECCurve.NamedCurves.nistP256));

    /// <summary>Loads a key written by <see cref="ExportPem"/>.</summary>
    public static AccountKey FromPem(string pem)
    {
        var key = ECDsa.Create();
        key.ImportFromPem(pem);
        if (key.KeySize != 256)
        {
            key.Dispose();
            throw new CryptographicException("The ACME account key must be an ECDSA P-256 key.");
        }

        return new AccountKey(key);
    }

    public string ExportPem() => _key.ExportPkcs8PrivateKeyPem();

    /// <summary>The JWS signature: r||s, 32 bytes each (IEEE P1363, the form JWS wants; .NET's default).</summary>
    public byte[] Sign(ReadOnlySpan<byte> signingInput) => _key.SignData(signingInput, HashAlgorithmName.SHA256);

    public void Dispose() => _key.Dispose();
}
