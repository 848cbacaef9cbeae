using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Burrow.Acme.Client;

/// <summary>
/// The new certificate's key and the PKCS#10 request finalize sends (RFC 8555 section 7.4): every name in the
/// subjectAltName, the first also as the CN (some old clients still read it). The key never leaves the edge.
/// </summary>
internal sealed class CertificateSigningRequest : IDisposable
{
    private CertificateSigningRequest(AsymmetricAlgorithm key, byte[] der)
    {
        Key = key;
        Der = der;
    }

    public AsymmetricAlgorithm Key { get; }

    /// <summary>The DER-encoded request.</summary>
    public byte[] Der { get; }

    public static CertificateSigningRequest Create(IReadOnlyList<string> names, CertificateKeyKind kind)
    {
        ArgumentOutOfRangeException.ThrowIfZero(names.Count);
        var subject = new X500DistinguishedName("CN=" + names[0]);
        var san = new SubjectAlternativeNameBuilder();
        foreach (string name in names)
        {
            san.AddDnsName(name);
        }

        AsymmetricAlgorithm key;
        CertificateRequest request;
        if (kind == CertificateKeyKind.EcdsaP256)
        {
            var ec = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            key = ec;
            request = new CertificateRequest(subject, ec, HashAlgorithmName.SHA256);
        }
        else
        {
            var rsa = RSA.Create(kind == CertificateKeyKind.Rsa3072 ? 3072 : 2048);
            key = rsa;
            request = new CertificateRequest(subject, rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        }

        request.CertificateExtensions.Add(san.Build());
        return new CertificateSigningRequest(key, request.CreateSigningRequest());
    }

    /// <summary>The private key as PKCS#8 PEM, to store next to the chain.</summary>
    public string ExportKeyPem() => Key.ExportPkcs8PrivateKeyPem();

    public void Dispose() => Key.Dispose();
}
