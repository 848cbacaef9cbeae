using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Burrow.Edge.Certificates;

/// <summary>
/// A certificate authority of the edge's own, for an edge given no certificate: created once in
/// the data directory (<c>ca.pem</c>, <c>ca.key</c> readable by the owner only), then used to issue
/// server certificates. Users trust <c>ca.pem</c> once (the agent with <c>--edge-ca</c>, curl with
/// <c>--cacert</c>, browsers with <c>burrow trust</c>).
/// </summary>
/// <remarks>
/// Whoever trusts it trusts its key, which sits in a file: so the CA is name-constrained to
/// <c>localhost</c>, the edge's domain and the loopback addresses (see <see cref="NameConstraints"/>),
/// and lives <see cref="Lifetime"/>, not ten years. A CA from an older build (no constraint) or made
/// for another domain is replaced, and the edge says why.
/// </remarks>
internal sealed class LocalCertificateAuthority
{
    public const string CertificateFileName = "ca.pem";
    public const string KeyFileName = "ca.key";

    /// <summary>How long a new CA is valid: long enough that trusting it is a rare chore, short enough that a forgotten one expires.</summary>
    public static readonly TimeSpan Lifetime = TimeSpan.FromDays(2 * 365);

    // A CA this close to its end is replaced at start: the leaves it issues could not outlive it by much.
    private static readonly TimeSpan RenewBefore = TimeSpan.FromDays(30);

    private readonly TimeProvider _time;

    private LocalCertificateAuthority(X509Certificate2 certificate, string certificatePath, TimeProvider time)
    {
        Certificate = certificate;
        CertificatePath = certificatePath;
        _time = time;
    }

    /// <summary>The CA certificate, with its private key.</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>Where the CA certificate is, for users to trust.</summary>
    public string CertificatePath { get; }

    /// <summary>Whether this run created the CA (so the edge tells the user to trust it).</summary>
    public bool Created { get; private init; }

    /// <summary>Why an existing CA was replaced by the one created now, or <see langword="null"/>.</summary>
    public string? ReplacedBecause { get; private init; }

    /// <summary>Loads the CA of <paramref name="directory"/>, or creates one for <paramref name="domain"/> when there is none or it no longer fits.</summary>
    public static LocalCertificateAuthority LoadOrCreate(string directory, string domain, TimeProvider time)
    {
        Directory.CreateDirectory(directory);
        string certPath = Path.Combine(directory, CertificateFileName);
        string keyPath = Path.Combine(directory, KeyFileName);
        X509Extension constraints = NameConstraints.ForLocalCa(domain);
        string? replacedBecause = null;
        if (File.Exists(certPath) && File.Exists(keyPath))
        {
            var loaded = X509Certificate2.CreateFromPemFile(certPath, keyPath);
            replacedBecause = WhyReplace(loaded, constraints, time.GetUtcNow());
            if (replacedBecause is null)
            {
                return new LocalCertificateAuthority(Reload(loaded), certPath, time);
            }

            loaded.Dispose();
        }

        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest(SubjectFor(domain), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(
            X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(constraints);
        var now = time.GetUtcNow();
        using var created = request.CreateSelfSigned(now.AddDays(-1), now.Add(Lifetime));

        OwnerOnlyFile.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath, created.ExportCertificatePem());
        return new LocalCertificateAuthority(Reload(created), certPath, time) { Created = true, ReplacedBecause = replacedBecause };
    }

    /// <summary>The CA's subject: its common name says which edge domain it serves, which is how people tell two of them apart in a trust store.</summary>
    internal static X500DistinguishedName SubjectFor(string domain)
    {
        var name = new X500DistinguishedNameBuilder();
        name.AddOrganizationName("Burrow");
        name.AddOrganizationalUnitName(Truncate(Environment.MachineName));
        // ub-common-name is 64 characters (RFC 5280); a long domain is cut rather than refused.
        name.AddCommonName(Truncate($"Burrow local CA for {domain.Trim().TrimEnd('.').ToLowerInvariant()}"));
        return name.Build();
    }

    private static string? WhyReplace(X509Certificate2 existing, X509Extension wanted, DateTimeOffset now)
    {
        if (existing.NotAfter.ToUniversalTime() <= now.UtcDateTime.Add(RenewBefore))
        {
            return $"the previous one expires on {existing.NotAfter.ToUniversalTime():yyyy-MM-dd}";
        }

        X509Extension? constraints = existing.Extensions[NameConstraints.Oid];
        if (constraints is null)
        {
            return "the previous one had no name constraints (it could have vouched for any site)";
        }

        return constraints.Critical && constraints.RawData.AsSpan().SequenceEqual(wanted.RawData)
            ? null
            : "the previous one was made for another domain";
    }

    private static string Truncate(string value) => value.Length <= 64 ? value : value[..64];

    /// <summary>Issues a server certificate for the given names and addresses, valid for 397 days.</summary>
    public X509Certificate2 Issue(IReadOnlyCollection<string> dnsNames, IReadOnlyCollection<IPAddress> addresses)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        string commonName = dnsNames.FirstOrDefault() ?? addresses.First().ToString();
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        foreach (string name in dnsNames)
        {
            san.AddDnsName(name);
        }

        foreach (IPAddress address in addresses)
        {
            san.AddIpAddress(address);
        }

        request.CertificateExtensions.Add(san.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(Certificate, true, false));

        var now = _time.GetUtcNow();
        byte[] serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        DateTimeOffset notAfter = now.AddDays(397) < Certificate.NotAfter ? now.AddDays(397) : Certificate.NotAfter;
        using var issued = request.Create(Certificate, now.AddDays(-1), notAfter, serial);
        using var withKey = issued.CopyWithPrivateKey(key);
        return Reload(withKey);
    }

    /// <summary>Writes a PEM leaf certificate and key next to the CA, for operators to inspect or reuse.</summary>
    public static void Save(X509Certificate2 certificate, string certPath, string keyPath)
    {
        using ECDsa? key = certificate.GetECDsaPrivateKey();
        if (key is null)
        {
            return;
        }

        OwnerOnlyFile.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem());
        File.WriteAllText(certPath, certificate.ExportCertificatePem());
    }

    // A PKCS#12 round trip gives a certificate whose key SslStream can use on every platform
    // (an ephemeral key from CopyWithPrivateKey is refused by some).
    private static X509Certificate2 Reload(X509Certificate2 certificate) =>
        X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null);
}
