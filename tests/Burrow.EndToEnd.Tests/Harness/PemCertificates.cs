using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Burrow.EndToEnd.Tests.Harness;

/// <summary>A throwaway CA that issues server and client certificates, written as PEM files (what nginx, curl, openssl and burrow read).</summary>
public sealed class PemCertificates : IDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _dir;

    public PemCertificates(string directory, string name)
    {
        _dir = directory;
        var request = new CertificateRequest($"CN=Burrow test CA {name}", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        Ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(2));
        CaPath = Path.Combine(directory, $"{name}-ca.pem");
        File.WriteAllText(CaPath, Ca.ExportCertificatePem());
    }

    public X509Certificate2 Ca { get; }

    public string CaPath { get; }

    /// <summary>Issues a server certificate for <paramref name="dnsName"/>; returns the PEM paths and the certificate.</summary>
    public (string Crt, string Key, X509Certificate2 Certificate) IssueServer(string dnsName) =>
        Issue(dnsName, "1.3.6.1.5.5.7.3.1", dnsName);

    /// <summary>Issues a client certificate (id-kp-clientAuth) for <paramref name="subject"/>.</summary>
    public (string Crt, string Key, X509Certificate2 Certificate) IssueClient(string subject) =>
        Issue(subject, "1.3.6.1.5.5.7.3.2", null);

    /// <summary>Issues a client certificate valid from <paramref name="notBefore"/> to <paramref name="notAfter"/> (within the CA's own validity), e.g. an expired one.</summary>
    public (string Crt, string Key, X509Certificate2 Certificate) IssueClient(string subject, DateTimeOffset notBefore, DateTimeOffset notAfter) =>
        Issue(subject, "1.3.6.1.5.5.7.3.2", null, notBefore, notAfter);

    public void Dispose()
    {
        Ca.Dispose();
        _caKey.Dispose();
    }

    private (string Crt, string Key, X509Certificate2 Certificate) Issue(
        string subject, string usage, string? dnsName, DateTimeOffset? notBefore = null, DateTimeOffset? notAfter = null)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={subject}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid(usage)], false));
        if (dnsName is not null)
        {
            var san = new SubjectAlternativeNameBuilder();
            san.AddDnsName(dnsName);
            request.CertificateExtensions.Add(san.Build());
        }

        byte[] serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        X509Certificate2 certificate = request.Create(Ca, notBefore ?? DateTimeOffset.UtcNow.AddMinutes(-5), notAfter ?? DateTimeOffset.UtcNow.AddDays(1), serial);
        string stem = Path.Combine(_dir, subject.Replace(' ', '-'));
        File.WriteAllText(stem + ".crt.pem", certificate.ExportCertificatePem());
        File.WriteAllText(stem + ".key.pem", key.ExportPkcs8PrivateKeyPem());
        return (stem + ".crt.pem", stem + ".key.pem", certificate);
    }
}
