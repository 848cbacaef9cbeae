using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Storage;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Certificates.OnDemand;

/// <summary>
/// On-demand certificates in the control store, beside the wildcard's: one <c>certificates</c> row per hostname (source
/// <c>acme</c>, the key sealed by the store), the lease of that row's names so one edge of a cluster orders each name,
/// and the failures every edge and the admin API see. A name with no row yet whose certificate an older edge kept in
/// <c>&lt;data-dir&gt;/acme/&lt;directory&gt;/hostnames/</c> is imported from there once (the files stay, unread after).
/// </summary>
internal sealed class ControlStoreCertificateStorage : IHostnameCertificateStorage
{
    private readonly Func<IControlStore> _store;
    private readonly string _directoryUrl;
    private readonly IHostnameCertificateStorage _files;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;

    public ControlStoreCertificateStorage(Func<IControlStore> store, Uri directory, IHostnameCertificateStorage files, TimeProvider time, ILogger logger)
    {
        _store = store;
        _directoryUrl = directory.ToString();
        _files = files;
        _time = time;
        _logger = logger;
    }

    public async Task<StoredCertificate?> LoadAsync(string hostname, CancellationToken cancellationToken)
    {
        IControlStore store = _store();
        Storage.StoredCertificate? row = await store.GetCertificateAsync([hostname], cancellationToken).ConfigureAwait(false);

        // A row from another CA (--acme-directory changed) is neither served nor a reason to wait: the next save replaces it.
        if (row is not null && row.DirectoryUrl is not null && row.DirectoryUrl != _directoryUrl)
        {
            row = null;
        }

        if (row is { ChainPem: { } chain, KeyPem: { } key })
        {
            return new StoredCertificate(chain, key) { LastError = row.LastError, NextAttempt = row.NextAttempt, RevokedSerial = row.RevokedSerial };
        }

        if (await ImportAsync(store, hostname, cancellationToken).ConfigureAwait(false) is { } imported)
        {
            return imported;
        }

        return row is null ? null : new StoredCertificate(null, null) { LastError = row.LastError, NextAttempt = row.NextAttempt };
    }

    public async Task SaveAsync(string hostname, StoredCertificate certificate, CancellationToken cancellationToken)
    {
        string chain = certificate.ChainPem ?? throw new ArgumentException("No chain to save.", nameof(certificate));
        string key = certificate.KeyPem ?? throw new ArgumentException("No key to save.", nameof(certificate));
        using X509Certificate2 leaf = X509Certificate2.CreateFromPem(chain);
        await _store().SaveCertificateAsync(Row(hostname, leaf, chain, key), cancellationToken).ConfigureAwait(false);
    }

    public Task<bool> TryTakeLeaseAsync(string hostname, string holder, TimeSpan duration, CancellationToken cancellationToken) =>
        _store().TryTakeCertificateLeaseAsync([hostname], holder, duration, cancellationToken);

    public Task ReleaseLeaseAsync(string hostname, string holder, CancellationToken cancellationToken) =>
        _store().ReleaseCertificateLeaseAsync([hostname], holder, cancellationToken);

    public Task RecordFailureAsync(string hostname, string error, DateTimeOffset nextAttempt, CancellationToken cancellationToken) =>
        _store().RecordCertificateAttemptAsync([hostname], _directoryUrl, error, nextAttempt, cancellationToken);

    /// <summary>The data directory's certificate of <paramref name="hostname"/>, stored when it is usable; else <see langword="null"/>.</summary>
    private async Task<StoredCertificate?> ImportAsync(IControlStore store, string hostname, CancellationToken cancellationToken)
    {
        StoredCertificate? saved;
        try
        {
            saved = await _files.LoadAsync(hostname, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            OnDemandCertificates.LogSavedUnusable(_logger, hostname, ex.Message);
            return null;
        }

        if (saved is not { ChainPem: { } chain, KeyPem: { } key })
        {
            return null;
        }

        try
        {
            using X509Certificate2 leaf = X509Certificate2.CreateFromPem(chain, key);
            if (!leaf.MatchesHostname(hostname) || _time.GetUtcNow() >= leaf.NotAfter.ToUniversalTime())
            {
                return null;
            }

            await store.SaveCertificateAsync(Row(hostname, leaf, chain, key), cancellationToken).ConfigureAwait(false);
        }
        catch (CryptographicException ex)
        {
            OnDemandCertificates.LogSavedUnusable(_logger, hostname, ex.Message);
            return null;
        }

        OnDemandCertificates.LogImported(_logger, hostname);
        return new StoredCertificate(chain, key);
    }

    private NewCertificate Row(string hostname, X509Certificate2 leaf, string chain, string key) =>
        AcmeCertificateRow.For([hostname], _directoryUrl, leaf, chain, key);
}
