using System.Diagnostics.CodeAnalysis;
using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Protocol.Errors;
using Burrow.Protocol.Tls;

namespace Burrow.Agent.Tls;

/// <summary>
/// TLS terminated by the agent for a tls tunnel (<c>burrow tls --terminate-at agent --crt --key</c>):
/// the edge still routes by SNI and passes the client's TLS bytes through, the agent does the
/// handshake with this certificate, and the upstream gets plaintext. With client CAs
/// (<c>--mutual-tls-cas</c>) a client must present a certificate they issued.
/// </summary>
internal sealed class AgentTlsTermination : IDisposable
{
    private static readonly TimeSpan HandshakeTimeout = TimeSpan.FromSeconds(10);

    private readonly SslStreamCertificateContext _context;

    private AgentTlsTermination(X509Certificate2 certificate, X509Certificate2Collection chain, X509Certificate2Collection? clientCas)
    {
        Certificate = certificate;
        Chain = chain;
        ClientCas = clientCas;
        // Not offline: on Linux .NET then staples OCSP when the certificate names a responder (as the edge does, see
        // the edge's ServingContext).
        _context = SslStreamCertificateContext.Create(certificate, chain, offline: false);
    }

    /// <summary>The certificate clients see (with its private key).</summary>
    public X509Certificate2 Certificate { get; }

    /// <summary>The intermediates sent after it (the rest of the <c>--crt</c> file).</summary>
    public X509Certificate2Collection Chain { get; }

    /// <summary>The CAs whose client certificates are accepted; <see langword="null"/> when no client certificate is asked for.</summary>
    public X509Certificate2Collection? ClientCas { get; }

    /// <summary>Loads the PEM certificate, its key and the optional client CA file; on failure an <c>ERR_BURROW_2011</c>/<c>2012</c> error.</summary>
    /// <param name="certificatePath">The PEM certificate, leaf first then any intermediates.</param>
    /// <param name="keyPath">The PEM private key of the leaf.</param>
    /// <param name="clientCasPath">A PEM file of client CAs, or <see langword="null"/> for no mutual TLS.</param>
    /// <param name="termination">The loaded settings, on success.</param>
    /// <param name="error">Why not, on failure.</param>
    /// <returns>Whether the files could be used.</returns>
    public static bool TryLoad(
        string certificatePath, string keyPath, string? clientCasPath,
        [NotNullWhen(true)] out AgentTlsTermination? termination, [NotNullWhen(false)] out ProtocolError? error)
    {
        ArgumentNullException.ThrowIfNull(certificatePath);
        ArgumentNullException.ThrowIfNull(keyPath);
        termination = null;
        X509Certificate2 leaf;
        var chain = new X509Certificate2Collection();
        try
        {
            using X509Certificate2 withKey = X509Certificate2.CreateFromPemFile(certificatePath, keyPath);
            // Linux's SslStream wants the key in a persisted form; a PKCS#12 round trip gives it one.
            leaf = X509CertificateLoader.LoadPkcs12(withKey.Export(X509ContentType.Pkcs12), null);
            chain.ImportFromPemFile(certificatePath);
            foreach (X509Certificate2 entry in chain.Where(c => c.Thumbprint == leaf.Thumbprint).ToList())
            {
                chain.Remove(entry);
                entry.Dispose();
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            error = ErrorCodes.TlsCertificateUnusable.ToError($"{certificatePath} (key {keyPath})", Reason(ex));
            return false;
        }

        X509Certificate2Collection? cas = null;
        if (clientCasPath is not null)
        {
            try
            {
                cas = [];
                cas.ImportFromPemFile(clientCasPath);
                if (cas.Count == 0)
                {
                    throw new CryptographicException("the file holds no PEM certificate");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
            {
                leaf.Dispose();
                error = ErrorCodes.MutualTlsCasUnusable.ToError(clientCasPath, Reason(ex));
                return false;
            }
        }

        termination = new AgentTlsTermination(leaf, chain, cas);
        error = null;
        return true;
    }

    /// <summary>
    /// Does the server side of the handshake on <paramref name="transport"/> (left open on failure);
    /// returns the TLS stream, or the <c>ERR_BURROW_3008</c>/<c>3009</c> error that says why not.
    /// </summary>
    internal async Task<(SslStream? Stream, ProtocolError? Error)> AcceptAsync(Stream transport, string clientAddr, CancellationToken cancellationToken)
    {
        string? refusal = null;
        var ssl = new SslStream(transport, leaveInnerStreamOpen: true);
        var options = PublicTlsProfile.Apply(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = _context,
            ClientCertificateRequired = ClientCas is not null,
            CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        });
        if (ClientCas is not null)
        {
            options.RemoteCertificateValidationCallback = (_, certificate, _, _) =>
            {
                refusal = CheckClientCertificate(certificate);
                return refusal is null;
            };
        }

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(HandshakeTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(options, timeout.Token).ConfigureAwait(false);
            return (ssl, null);
        }
        catch (Exception ex) when (ex is AuthenticationException or IOException or OperationCanceledException)
        {
            await ssl.DisposeAsync().ConfigureAwait(false);
            if (cancellationToken.IsCancellationRequested)
            {
                throw;
            }

            return refusal is not null
                ? (null, ErrorCodes.ClientCertificateRefused.ToError(clientAddr, refusal))
                : (null, ErrorCodes.ClientTlsHandshakeFailed.ToError(clientAddr,
                    ex is OperationCanceledException ? $"no complete handshake within {HandshakeTimeout.TotalSeconds:0} s" : Reason(ex)));
        }
    }

    /// <summary>Releases the certificates.</summary>
    public void Dispose()
    {
        Certificate.Dispose();
        foreach (X509Certificate2 c in Chain)
        {
            c.Dispose();
        }

        foreach (X509Certificate2 c in ClientCas ?? [])
        {
            c.Dispose();
        }
    }

    /// <summary>Null when <paramref name="certificate"/> chains to one of the client CAs; otherwise why not.</summary>
    private string? CheckClientCertificate(X509Certificate? certificate)
    {
        if (certificate is null)
        {
            return "no client certificate was presented";
        }

        // Not disposed: it is the SslStream's own copy (RemoteCertificate).
        X509Certificate2 presented = certificate as X509Certificate2 ?? new X509Certificate2(certificate);
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.AddRange(ClientCas!);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        // id-kp-clientAuth: a server-only certificate from the same CA is not a client identity.
        chain.ChainPolicy.ApplicationPolicy.Add(new Oid("1.3.6.1.5.5.7.3.2"));
        if (chain.Build(presented))
        {
            return null;
        }

        string status = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct());
        return $"'{presented.Subject}' is not issued by a CA of --mutual-tls-cas ({(status.Length > 0 ? status : "untrusted")})";
    }

    private static string Reason(Exception ex) => (ex.InnerException?.Message ?? ex.Message).Trim().TrimEnd('.');
}
