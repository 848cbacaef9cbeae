using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.EndToEnd.Tests.Harness;

namespace Burrow.EndToEnd.Tests.PublicTls;

/// <summary>
/// A throwaway CA that runs an OCSP responder (<c>openssl ocsp</c> on loopback) and issues server certificates whose
/// Authority Information Access names it: what a public CA gives, so the edge has something to staple.
/// </summary>
public sealed class OcspTestCa : IAsyncDisposable
{
    private readonly ECDsa _caKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly string _dir;
    private readonly string _indexPath;
    private readonly X509Certificate2 _ca;
    private BurrowProcess? _responder;

    public OcspTestCa(string directory)
    {
        _dir = directory;
        var request = new CertificateRequest("CN=Burrow test OCSP CA", _caKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        _ca = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-10), DateTimeOffset.UtcNow.AddDays(365));
        CaPath = Path.Combine(directory, "ocsp-ca.pem");
        File.WriteAllText(CaPath, _ca.ExportCertificatePem());
        File.WriteAllText(Path.Combine(directory, "ocsp-ca.key"), _caKey.ExportPkcs8PrivateKeyPem());
        _indexPath = Path.Combine(directory, "index.txt");
        File.WriteAllText(_indexPath, "");
        ResponderPort = FreePort.Loopback();
    }

    /// <summary>The CA certificate (PEM), to trust in clients.</summary>
    public string CaPath { get; }

    public int ResponderPort { get; }

    /// <summary>What the responder printed (the requests it answered, with <c>-text</c>), for failure messages.</summary>
    public string ResponderOutput => _responder?.Output ?? "";

    public string ResponderUrl => $"http://127.0.0.1:{ResponderPort.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>
    /// Starts <c>openssl ocsp</c> as the responder, signing with the CA's own key (RFC 6960 allows the issuer itself).
    /// Issue the certificates first: the responder reads its index once, and answers "unknown" for later ones.
    /// </summary>
    public async Task StartResponderAsync()
    {
        _responder = BurrowProcess.StartProgram("openssl",
        [
            // OpenSSL 3.0 takes a port only here (it listens on every address); the certificates name 127.0.0.1.
            "ocsp", "-index", _indexPath, "-port", ResponderPort.ToString(CultureInfo.InvariantCulture),
            "-rsigner", CaPath, "-rkey", Path.Combine(_dir, "ocsp-ca.key"), "-CA", CaPath, "-ndays", "1", "-ignore_err", "-text",
        ]);
        // Not a probe connection: OpenSSL 3.0's responder serves one connection at a time and waits forever on one
        // that closes without a request, so a bare connect would leave the edge's OCSP fetch unanswered.
        await _responder.WaitForLineAsync("waiting for OCSP client connections", TimeSpan.FromSeconds(20));
    }

    /// <summary>
    /// Issues a server certificate for <paramref name="dnsNames"/> with the responder in its AIA, recorded as valid in the
    /// responder's index. The certificate file holds the leaf then the CA, as a public CA's chain file would (the edge
    /// needs the issuer to ask for the OCSP response).
    /// </summary>
    public (string Crt, string Key) IssueServer(params string[] dnsNames)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={dnsNames[0]}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509AuthorityInformationAccessExtension([ResponderUrl], null));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(_ca, true, false));
        var san = new SubjectAlternativeNameBuilder();
        foreach (string name in dnsNames)
        {
            san.AddDnsName(name);
        }

        request.CertificateExtensions.Add(san.Build());
        byte[] serial = RandomNumberGenerator.GetBytes(12);
        serial[0] &= 0x7F;
        serial[0] |= 0x10;
        // 90 days, as an ACME CA gives: testssl rates a certificate that ends within 60 days as a finding.
        DateTimeOffset notAfter = DateTimeOffset.UtcNow.AddDays(90);
        using X509Certificate2 leaf = request.Create(_ca, DateTimeOffset.UtcNow.AddMinutes(-5), notAfter, serial);
        // openssl's index: status, expiry (YYMMDDHHMMSSZ), revocation date, serial (hex), file, subject.
        File.AppendAllText(_indexPath, string.Create(CultureInfo.InvariantCulture,
            $"V\t{notAfter.UtcDateTime:yyMMddHHmmss}Z\t\t{Convert.ToHexString(serial)}\tunknown\t/CN={dnsNames[0]}\n"));
        string stem = Path.Combine(_dir, dnsNames[0].Replace('*', '_'));
        File.WriteAllText(stem + ".crt.pem", leaf.ExportCertificatePem() + "\n" + _ca.ExportCertificatePem() + "\n");
        File.WriteAllText(stem + ".key.pem", key.ExportPkcs8PrivateKeyPem());
        return (stem + ".crt.pem", stem + ".key.pem");
    }

    public async ValueTask DisposeAsync()
    {
        if (_responder is not null)
        {
            await _responder.DisposeAsync();
        }

        _ca.Dispose();
        _caKey.Dispose();
    }
}
