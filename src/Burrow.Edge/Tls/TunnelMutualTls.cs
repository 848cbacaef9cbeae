using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Burrow.Edge.Tls;

/// <summary>
/// The mutual TLS of one tunnel: the CAs its clients' certificates must chain to, and the edge's certificate for the name
/// paired with those CAs, so that the handshake's CertificateRequest names them and a client holding several
/// certificates (a browser, curl with a store) offers the right one.
/// </summary>
internal sealed class TunnelMutualTls
{
    private readonly SslCertificateTrust? _trust;
    private Paired? _last;

    public TunnelMutualTls(X509Certificate2Collection authorities)
    {
        Authorities = authorities;
        try
        {
            _trust = SslCertificateTrust.CreateForX509Collection(authorities, sendTrustInHandshake: true);
        }
        catch (PlatformNotSupportedException)
        {
            // Windows takes a store only: the request then names no CA, which clients tolerate.
            _trust = null;
        }
    }

    /// <summary>The CAs whose client certificates are accepted; only these are trusted.</summary>
    public X509Certificate2Collection Authorities { get; }

    /// <summary>The edge's certificate for the name (<paramref name="server"/>, from the certificate store) paired with the CAs.</summary>
    public SslStreamCertificateContext ContextFor(SslStreamCertificateContext server)
    {
        if (_trust is null)
        {
            return server;
        }

        // The store hands out one context per name, so the last pairing almost always fits; a race builds one twice.
        Paired? last = Volatile.Read(ref _last);
        if (last is not null && ReferenceEquals(last.Server, server))
        {
            return last.WithTrust;
        }

        var intermediates = new X509Certificate2Collection();
        intermediates.AddRange(server.IntermediateCertificates.ToArray());
        var paired = new Paired(server, Certificates.ServingContext.Create(server.TargetCertificate, intermediates, _trust));
        Volatile.Write(ref _last, paired);
        return paired.WithTrust;
    }

    private sealed record Paired(SslStreamCertificateContext Server, SslStreamCertificateContext WithTrust);
}
