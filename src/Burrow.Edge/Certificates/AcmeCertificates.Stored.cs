using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Storage;

namespace Burrow.Edge.Certificates;

/// <summary>The certificate in the control store: installing it when it is newer than the one served, and the one-time import of the data directory's files.</summary>
internal sealed partial class AcmeCertificates
{
    private string KeyPath => Path.Combine(_folder, $"{_options.Domain}.key");

    private string CertificatePath => Path.Combine(_folder, $"{_options.Domain}.pem");

    private string AccountKeyPath => Path.Combine(_folder, "account.key");

    private Task<StoredCertificate?> ReadStoredAsync(IControlStore store, CancellationToken cancellationToken) =>
        store.GetCertificateAsync(_names, cancellationToken);

    /// <summary>
    /// Serves the stored certificate when it is from this edge's CA, covers the names, has not expired, and is not older
    /// than the one served: at start, and whenever another edge of the cluster stored a renewed one.
    /// </summary>
    private void InstallIfNewer(StoredCertificate? row)
    {
        if (row is not { ChainPem: { } chainPem, KeyPem: { } keyPem } || row.DirectoryUrl != DirectoryUrl)
        {
            return;
        }

        X509Certificate2? current = _store.AcmeCertificate;
        if (current is not null && (string.Equals(current.SerialNumber, row.Serial, StringComparison.OrdinalIgnoreCase) || row.NotAfter <= current.NotAfter.ToUniversalTime()))
        {
            return;
        }

        if (Usable(chainPem, keyPem, "the control store") is not { } parsed)
        {
            return;
        }

        using X509Certificate2 leaf = parsed.Leaf;
        _store.InstallAcme(leaf, parsed.Intermediates);
        DateTime notAfter = leaf.NotAfter.ToUniversalTime();
        string issuer = leaf.Issuer;
        _status = new AcmeStatus(row.LastError is null ? "valid" : "renewal-failing", notAfter, row.LastError, row.NextAttempt);
        if (current is null)
        {
            LogReused(_logger, _namesText, notAfter, issuer);
        }
        else
        {
            LogPickedUp(_logger, _namesText, notAfter, issuer);
        }
    }

    /// <summary>
    /// An edge from before the control store kept its certificate in <c>&lt;data-dir&gt;/acme/...</c>: stored once (it is
    /// then found in the store, so the files are not read again), the files left where they are.
    /// </summary>
    private async Task<StoredCertificate?> ImportFromDataDirectoryAsync(IControlStore store, CancellationToken cancellationToken)
    {
        if (!File.Exists(CertificatePath) || !File.Exists(KeyPath))
        {
            return null;
        }

        string chainPem, keyPem;
        try
        {
            chainPem = await File.ReadAllTextAsync(CertificatePath, cancellationToken).ConfigureAwait(false);
            keyPem = await File.ReadAllTextAsync(KeyPath, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogSavedUnusable(_logger, CertificatePath, ex.Message);
            return null;
        }

        if (Usable(chainPem, keyPem, CertificatePath) is not { } parsed)
        {
            return null;
        }

        using X509Certificate2 leaf = parsed.Leaf;
        StoredCertificate stored = await store.SaveCertificateAsync(AcmeCertificateRow.For(_names, DirectoryUrl, leaf, chainPem, keyPem), cancellationToken).ConfigureAwait(false);
        LogImported(_logger, CertificatePath, _namesText);
        return stored;
    }

    /// <summary>The leaf (with its key) and intermediates, when they cover the names and have not expired; else logged and <see langword="null"/>.</summary>
    private (X509Certificate2 Leaf, X509Certificate2Collection Intermediates)? Usable(string chainPem, string keyPem, string from)
    {
        try
        {
            var leaf = X509Certificate2.CreateFromPem(chainPem, keyPem);
            // Any certificate still valid is served at once; past two thirds of its lifetime it is renewed right away.
            if (!leaf.MatchesHostname(_options.Domain) || !leaf.MatchesHostname("x." + _options.Domain) || _time.GetUtcNow() >= leaf.NotAfter.ToUniversalTime())
            {
                leaf.Dispose();
                return null;
            }

            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(chainPem);
            return (leaf, Intermediates(chain, leaf));
        }
        catch (CryptographicException ex)
        {
            LogSavedUnusable(_logger, from, ex.Message);
            return null;
        }
    }
}
