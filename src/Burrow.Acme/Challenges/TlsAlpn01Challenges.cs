using System.Collections.Concurrent;
using System.Formats.Asn1;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Burrow.Acme.Challenges;

/// <summary>
/// TLS-ALPN-01 (RFC 8737): while a challenge is pending, a TLS handshake on the edge's port 443 that offers only
/// ALPN <c>acme-tls/1</c> for the name gets a self-signed certificate whose critical acmeIdentifier extension
/// holds SHA-256 of the key authorization. No HTTP follows; the edge closes the connection after the handshake.
/// With a <see cref="IChallengeShare"/>, answers are published to it, and a name with no challenge here is looked up
/// there (another edge's order); the certificate made for such an answer is kept while the share still lists it.
/// </summary>
internal sealed class TlsAlpn01Challenges(IChallengeShare? share = null) : IChallengeSolver
{
    private const string Type = "tls-alpn-01";

    /// <summary>The ALPN protocol the validating CA offers.</summary>
    public const string Alpn = "acme-tls/1";

    /// <summary>id-pe-acmeIdentifier (RFC 8737 section 6.1).</summary>
    public const string AcmeIdentifierOid = "1.3.6.1.5.5.7.1.31";

    /// <summary>The ALPN as the handshake options want it.</summary>
    public static readonly SslApplicationProtocol Protocol = new(Alpn);

    private readonly ConcurrentDictionary<string, SslStreamCertificateContext> _certificates = new(StringComparer.OrdinalIgnoreCase);

    // Certificates for answers other edges published, by name, with the key authorization they were made for.
    private readonly ConcurrentDictionary<string, (string KeyAuthorization, SslStreamCertificateContext Certificate)> _shared = new(StringComparer.OrdinalIgnoreCase);

    public string ChallengeType => Type;

    public bool CanSolve(string name, bool wildcard) => !wildcard;

    /// <summary>The challenge certificate for <paramref name="serverName"/>, when one is pending.</summary>
    public bool TryGet(string? serverName, out SslStreamCertificateContext certificate)
    {
        certificate = null!;
        return serverName is not null && _certificates.TryGetValue(serverName, out certificate!);
    }

    /// <summary>The challenge certificate for <paramref name="serverName"/>: this edge's, else one for an answer another edge published.</summary>
    public async ValueTask<SslStreamCertificateContext?> FindAsync(string? serverName, CancellationToken cancellationToken)
    {
        if (TryGet(serverName, out SslStreamCertificateContext certificate))
        {
            return certificate;
        }

        if (share is null || string.IsNullOrEmpty(serverName))
        {
            return null;
        }

        IReadOnlyList<string> published = await share.FindAsync(Type, serverName, cancellationToken).ConfigureAwait(false);
        if (published.Count == 0)
        {
            if (_shared.TryRemove(serverName, out var gone))
            {
                gone.Certificate.TargetCertificate.Dispose();
            }

            return null;
        }

        string keyAuthorization = published[0];
        if (_shared.TryGetValue(serverName, out var made) && made.KeyAuthorization == keyAuthorization)
        {
            return made.Certificate;
        }

        var context = SslStreamCertificateContext.Create(CreateCertificate(serverName, keyAuthorization), additionalCertificates: null, offline: true);
        // A CA validates from several places at once: one certificate per answer, the one made first kept.
        var kept = _shared.AddOrUpdate(serverName, (keyAuthorization, context), (_, old) => old.KeyAuthorization == keyAuthorization ? old : (keyAuthorization, context));
        if (!ReferenceEquals(kept.Certificate, context))
        {
            context.TargetCertificate.Dispose();
        }

        return kept.Certificate;
    }

    public async ValueTask PresentAsync(string name, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        var certificate = CreateCertificate(name, keyAuthorization);
        _certificates[name] = SslStreamCertificateContext.Create(certificate, additionalCertificates: null, offline: true);
        if (share is not null)
        {
            await share.PublishAsync(Type, name, keyAuthorization, cancellationToken).ConfigureAwait(false);
        }
    }

    public async ValueTask CleanupAsync(string name, string token, string keyAuthorization, CancellationToken cancellationToken)
    {
        if (_certificates.TryRemove(name, out var context))
        {
            context.TargetCertificate.Dispose();
        }

        if (share is not null)
        {
            await share.WithdrawAsync(Type, name, keyAuthorization, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>The self-signed challenge certificate: the name as its only SAN, the digest in a critical acmeIdentifier.</summary>
    internal static X509Certificate2 CreateCertificate(string name, string keyAuthorization)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=" + name, key, HashAlgorithmName.SHA256);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        request.CertificateExtensions.Add(san.Build(critical: true));

        // The extension's value is an ASN.1 OCTET STRING of the 32-byte digest (section 3).
        var writer = new AsnWriter(AsnEncodingRules.DER);
        writer.WriteOctetString(SHA256.HashData(Encoding.ASCII.GetBytes(keyAuthorization)));
        request.CertificateExtensions.Add(new X509Extension(AcmeIdentifierOid, writer.Encode(), critical: true));

        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(7));
    }
}
