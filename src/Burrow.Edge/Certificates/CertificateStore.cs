using System.Collections.Concurrent;
using System.Net;
using System.Net.Security;
using System.Security.Cryptography.X509Certificates;

namespace Burrow.Edge.Certificates;

/// <summary>
/// Picks the certificate for each TLS handshake by SNI: the operator's certificate (a wildcard for
/// the base domain) when one was given, else certificates issued by the local CA.
/// </summary>
/// <remarks>
/// With the local CA each hostname under the base domain gets a certificate of its own, issued on
/// first use and cached, because TLS clients (OpenSSL, .NET on Linux) refuse a wildcard directly
/// under a one-label name such as <c>*.localhost</c>.
/// </remarks>
internal sealed class CertificateStore
{
    private const int MaxCachedNames = 10_000;

    private readonly string _domain;
    private readonly LocalCertificateAuthority? _authority;
    private readonly SslStreamCertificateContext _default;
    private readonly ConcurrentDictionary<string, Lazy<SslStreamCertificateContext>> _byName = new(StringComparer.OrdinalIgnoreCase);
    private volatile SslStreamCertificateContext? _acme;

    // ACME certificates of single reserved hostnames outside the wildcard (OnDemand/), by exact name.
    private readonly ConcurrentDictionary<string, SslStreamCertificateContext> _hostnames = new(StringComparer.OrdinalIgnoreCase);

    private CertificateStore(string domain, SslStreamCertificateContext defaultContext, LocalCertificateAuthority? authority)
    {
        _domain = domain;
        _default = defaultContext;
        _authority = authority;
    }

    /// <summary>The local CA, when the edge runs without an operator certificate.</summary>
    public LocalCertificateAuthority? Authority => _authority;

    public static CertificateStore Create(EdgeOptions options, TimeProvider time)
    {
        if (!string.IsNullOrEmpty(options.TlsCertificatePath))
        {
            if (string.IsNullOrEmpty(options.TlsKeyPath))
            {
                throw new InvalidOperationException("--tls-cert needs --tls-key: give the PEM file of the certificate's private key too.");
            }

            var chain = new X509Certificate2Collection();
            chain.ImportFromPemFile(options.TlsCertificatePath);
            using var leaf = X509Certificate2.CreateFromPemFile(options.TlsCertificatePath, options.TlsKeyPath);
            var usable = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
            var intermediates = new X509Certificate2Collection();
            foreach (X509Certificate2 cert in chain)
            {
                if (!cert.Thumbprint.Equals(usable.Thumbprint, StringComparison.OrdinalIgnoreCase))
                {
                    intermediates.Add(cert);
                }
            }

            return new CertificateStore(options.Domain, SslStreamCertificateContext.Create(usable, intermediates, offline: true), null);
        }

        var authority = LocalCertificateAuthority.LoadOrCreate(options.DataDirectory, options.Domain, time);
        string[] names = [options.Domain, $"*.{options.Domain}", "localhost"];
        var leafCert = authority.Issue(names.Distinct(StringComparer.OrdinalIgnoreCase).ToArray(), [IPAddress.Loopback, IPAddress.IPv6Loopback]);
        LocalCertificateAuthority.Save(
            leafCert,
            Path.Combine(options.DataDirectory, $"{options.Domain}.pem"),
            Path.Combine(options.DataDirectory, $"{options.Domain}.key"));
        return new CertificateStore(options.Domain, SslStreamCertificateContext.Create(leafCert, null, offline: true), authority);
    }

    /// <summary>The certificate presented when no per-name one applies: the ACME one once installed, else the operator's, or the local CA's wildcard.</summary>
    public X509Certificate2 DefaultCertificate => (_acme ?? _default).TargetCertificate;

    /// <summary>The certificate obtained over ACME for <c>*.DOMAIN</c> and <c>DOMAIN</c>, once installed.</summary>
    public X509Certificate2? AcmeCertificate => _acme?.TargetCertificate;

    /// <summary>
    /// Serves <paramref name="leaf"/> (with its private key) for the base domain and every name one label under it,
    /// from the next handshake on: listeners keep running, handshakes under way keep the certificate they started with.
    /// </summary>
    public void InstallAcme(X509Certificate2 leaf, X509Certificate2Collection intermediates)
    {
        // A PFX round trip gives the key a form SslStream can use on every platform (as for --tls-cert).
        var usable = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        _acme = SslStreamCertificateContext.Create(usable, intermediates, offline: true);
    }

    /// <summary>Serves <paramref name="leaf"/> for exactly <paramref name="hostname"/> from the next handshake on (an on-demand ACME certificate).</summary>
    public void InstallHostname(string hostname, X509Certificate2 leaf, X509Certificate2Collection intermediates)
    {
        var usable = X509CertificateLoader.LoadPkcs12(leaf.Export(X509ContentType.Pkcs12), null);
        _hostnames[hostname] = SslStreamCertificateContext.Create(usable, intermediates, offline: true);
    }

    /// <summary>Stops serving the on-demand certificate of <paramref name="hostname"/> (its reservation is gone).</summary>
    public void RemoveHostname(string hostname) => _hostnames.TryRemove(hostname, out _);

    /// <summary>The on-demand ACME certificate installed for exactly <paramref name="hostname"/>, if any.</summary>
    public X509Certificate2? HostnameCertificate(string hostname) =>
        _hostnames.TryGetValue(hostname, out var context) ? context.TargetCertificate : null;

    /// <summary>The certificate to present for <paramref name="serverName"/> (the SNI, possibly empty).</summary>
    public SslStreamCertificateContext Select(string? serverName)
    {
        if (!_hostnames.IsEmpty && serverName is not null && _hostnames.TryGetValue(serverName, out var own))
        {
            return own;
        }

        // The wildcard covers one label only: deeper names keep the local CA's certificates.
        if (_acme is { } acme && (string.IsNullOrEmpty(serverName) || IsCoveredByWildcard(serverName)))
        {
            return acme;
        }

        if (_authority is null || string.IsNullOrEmpty(serverName) || !IsUnderDomain(serverName))
        {
            return _default;
        }

        if (_byName.Count > MaxCachedNames)
        {
            _byName.Clear();
        }

        return _byName.GetOrAdd(serverName.ToLowerInvariant(), name => new Lazy<SslStreamCertificateContext>(() =>
        {
            var cert = _authority.Issue([name], []);
            return SslStreamCertificateContext.Create(cert, null, offline: true);
        })).Value;
    }

    /// <summary>Whether the ACME certificate for <c>*.DOMAIN</c> and <c>DOMAIN</c> covers <paramref name="name"/>.</summary>
    internal bool IsCoveredByWildcard(string name) =>
        name.Equals(_domain, StringComparison.OrdinalIgnoreCase)
        || (IsUnderDomain(name) && name.IndexOf('.', StringComparison.Ordinal) == name.Length - _domain.Length - 1);

    private bool IsUnderDomain(string name) =>
        name.Equals(_domain, StringComparison.OrdinalIgnoreCase)
        || (name.EndsWith(_domain, StringComparison.OrdinalIgnoreCase)
            && name.Length > _domain.Length + 1
            && name[name.Length - _domain.Length - 1] == '.');
}
