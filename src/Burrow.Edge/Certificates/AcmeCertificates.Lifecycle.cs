using System.Security.Cryptography.X509Certificates;
using Burrow.Acme.Challenges;
using Burrow.Acme.Client;
using Burrow.Acme.Jws;
using Burrow.Protocol.Errors;
using Burrow.Storage;

namespace Burrow.Edge.Certificates;

/// <summary>The loop: take what the store holds, order under the lease when renewal is due, back off on failure.</summary>
internal sealed partial class AcmeCertificates
{
    private string DirectoryUrl => _options.AcmeDirectory.ToString();

    /// <summary>How long the ordering lease lasts without renewal (shared with the on-demand loops).</summary>
    internal TimeSpan LeaseDuration => _options.AcmeLeaseDuration;

    /// <summary>How often the store's rows are read again for what another edge did.</summary>
    internal TimeSpan PollInterval => _options.AcmePollInterval;

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                wait = await StepAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                wait = await FailedAsync(ex, cancellationToken).ConfigureAwait(false);
            }

            await _sleep.SleepAsync(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Ends the loop's sleep now (a certificate of this edge was revoked: its row says so).</summary>
    internal void Wake() => _sleep.Wake();

    /// <summary>One look at the store, and an order when this edge's turn has come; returns how long to sleep.</summary>
    private async Task<TimeSpan> StepAsync(CancellationToken cancellationToken)
    {
        IControlStore store = _controlStore();
        StoredCertificate? row = await ReadStoredAsync(store, cancellationToken).ConfigureAwait(false);
        if (_store.AcmeCertificate is null && row is not { HasCertificate: true })
        {
            row = await ImportFromDataDirectoryAsync(store, cancellationToken).ConfigureAwait(false) ?? row;
        }

        InstallIfNewer(row);
        X509Certificate2? current = _store.AcmeCertificate;
        DateTimeOffset now = _time.GetUtcNow();
        if (current is not null && now < RenewalTime(current) && !IsRevoked(row, current))
        {
            _failures = 0;
            _status = new AcmeStatus("valid", current.NotAfter.ToUniversalTime(), null, null);
            return Shorter(RenewalTime(current) - now, _options.AcmePollInterval);
        }

        // Due. A failure recorded by any edge holds every edge back until its backoff ends, so a cluster retries as one.
        if (row is { LastError: { } lastError, NextAttempt: { } next } && next > now)
        {
            _status = Waiting(current, lastError, next);
            return Shorter(next - now, _options.AcmePollInterval);
        }

        if (!await store.TryTakeCertificateLeaseAsync(_names, _holder, _options.AcmeLeaseDuration, cancellationToken).ConfigureAwait(false))
        {
            // Another edge orders: its result (or its error) shows up in the store.
            LogLeaseHeldElsewhere(_logger, _namesText);
            _status = Waiting(current, row?.LastError, null);
            return Shorter(_options.AcmePollInterval, _options.AcmeLeaseDuration / 4);
        }

        try
        {
            // The edge that held the lease before may have stored a certificate since this edge read the row.
            StoredCertificate? latest = await ReadStoredAsync(store, cancellationToken).ConfigureAwait(false);
            InstallIfNewer(latest);
            current = _store.AcmeCertificate;
            if (current is null || _time.GetUtcNow() >= RenewalTime(current) || IsRevoked(latest, current))
            {
                current = await IssueUnderLeaseAsync(store, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await ReleaseLeaseAsync(store).ConfigureAwait(false);
        }

        _failures = 0;
        _status = new AcmeStatus("valid", current.NotAfter.ToUniversalTime(), null, null);
        return Shorter(RenewalTime(current) - _time.GetUtcNow(), _options.AcmePollInterval);
    }

    /// <summary>Whether the row says the served certificate was revoked: it is replaced at once, whatever its renewal time.</summary>
    internal static bool IsRevoked(StoredCertificate? row, X509Certificate2? served) => row is { IsRevoked: true } && IsRevoked(row.RevokedSerial, served);

    /// <summary>Whether <paramref name="served"/> is the certificate whose serial the row marks revoked.</summary>
    internal static bool IsRevoked(string? revokedSerial, X509Certificate2? served) =>
        revokedSerial is not null && served is not null && string.Equals(revokedSerial, served.SerialNumber, StringComparison.OrdinalIgnoreCase);

    private static AcmeStatus Waiting(X509Certificate2? current, string? error, DateTimeOffset? next) =>
        new(current is null ? "pending" : error is null ? "valid" : "renewal-failing", current?.NotAfter.ToUniversalTime(), error, next);

    /// <summary>A failure in words with its code, as the logs, the store's row and the admin API show it.</summary>
    internal static string Reason(Exception ex) => ex switch
    {
        AcmeException acme => $"{acme.Code.Code}: {acme.Message}",
        StoreException { Kind: StoreErrorKind.CannotUnseal } sealedEx => $"{ErrorCodes.StoredKeyUnusable.Code}: {ErrorCodes.StoredKeyUnusable.FormatMessage(sealedEx.Message.TrimEnd('.'))}",
        StoreException store => $"{ErrorCodes.StoreUnavailable.Code}: {store.Message}",
        _ => $"{ex.GetType().Name}: {ex.Message}",
    };

    private async Task<TimeSpan> FailedAsync(Exception ex, CancellationToken cancellationToken)
    {
        _failures++;
        TimeSpan wait = Backoff(_failures, ex as AcmeException, _time);
        string reason = Reason(ex);
        DateTimeOffset next = _time.GetUtcNow() + wait;
        X509Certificate2? kept = _store.AcmeCertificate;
        string meanwhile = kept is null ? "the local CA's certificate is served until then" : $"the current certificate (until {kept.NotAfter.ToUniversalTime():u}) is kept";
        LogFailed(_logger, _namesText, reason, _failures, next, meanwhile);
        try
        {
            // Every edge (and the admin API) sees the error and waits for the same next attempt.
            await _controlStore().RecordCertificateAttemptAsync(_names, DirectoryUrl, reason, next, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException storeEx)
        {
            LogStoreFailed(_logger, _namesText, storeEx.Message);
        }

        // Published after the store has it, so whoever reads this status finds the same attempt in the store.
        _status = new AcmeStatus(kept is null ? "pending" : "renewal-failing", kept?.NotAfter.ToUniversalTime(), reason, next);
        return wait;
    }

    private Task<X509Certificate2> IssueUnderLeaseAsync(IControlStore store, CancellationToken cancellationToken) =>
        UnderLeaseAsync(_namesText, token => store.TryTakeCertificateLeaseAsync(_names, _holder, _options.AcmeLeaseDuration, token), token => IssueAsync(store, token), cancellationToken);

    /// <summary>
    /// Runs <paramref name="order"/> while renewing the lease every third of its term; a lease lost (the store
    /// unreachable too long, or taken over) stops the order. Shared with the on-demand loops.
    /// </summary>
    internal async Task<T> UnderLeaseAsync<T>(string names, Func<CancellationToken, Task<bool>> renew, Func<CancellationToken, Task<T>> order, CancellationToken cancellationToken)
    {
        using var ordering = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        Task renewing = RenewLeaseAsync(names, renew, ordering);
        try
        {
            return await order(ordering.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new InvalidOperationException("the ordering lease was lost (the control store did not renew it); another edge may order now");
        }
        finally
        {
            await ordering.CancelAsync().ConfigureAwait(false);
            await renewing.ConfigureAwait(false);
        }
    }

    private async Task RenewLeaseAsync(string names, Func<CancellationToken, Task<bool>> renew, CancellationTokenSource ordering)
    {
        try
        {
            while (true)
            {
                await Task.Delay(_options.AcmeLeaseDuration / 3, _time, ordering.Token).ConfigureAwait(false);
                bool kept;
                try
                {
                    kept = await renew(ordering.Token).ConfigureAwait(false);
                }
                catch (StoreException ex)
                {
                    // One missed renewal is not yet a lost lease: two more come before it runs out.
                    LogStoreFailed(_logger, names, ex.Message);
                    continue;
                }

                if (!kept)
                {
                    await ordering.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task ReleaseLeaseAsync(IControlStore store)
    {
        try
        {
            await store.ReleaseCertificateLeaseAsync(_names, _holder, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            // It runs out by itself.
            LogStoreFailed(_logger, _namesText, ex.Message);
        }
    }

    private async Task<X509Certificate2> IssueAsync(IControlStore store, CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        LogOrdering(_logger, _namesText, _options.AcmeDirectory);
        using var http = CreateHttpClient(_options.AcmeCaRootPath);
        using var session = await OpenAccountAsync(store, http, cancellationToken).ConfigureAwait(false);
        IChallengeSolver solver = _dnsUpdate is not null ? _dnsUpdate : _dns01;
        var issuer = new AcmeIssuer(session.Client, [solver], (name, ex) => LogCleanupFailed(_logger, name, ex is AcmeException acme ? $"{acme.Code.Code}: {acme.Message}" : ex.Message));
        IssuedCertificate issued = await issuer.IssueAsync(_names, KeyKindOf(_options) ?? CertificateKeyKind.EcdsaP256, cancellationToken).ConfigureAwait(false);
        using var leaf = issued.LoadLeaf();
        var chain = issued.LoadChain();

        // Stored before it is served: every edge, and this one after a restart, finds what is being served.
        await store.SaveCertificateAsync(AcmeCertificateRow.For(_names, DirectoryUrl, leaf, issued.ChainPem, issued.KeyPem), cancellationToken).ConfigureAwait(false);
        _store.InstallAcme(leaf, Intermediates(chain, leaf));
        X509Certificate2 installed = _store.AcmeCertificate!;
        DateTime until = installed.NotAfter.ToUniversalTime();
        string by = installed.Issuer;
        double seconds = _time.GetElapsedTime(started).TotalSeconds;
        LogInstalled(_logger, _namesText, until, by, seconds);
        return installed;
    }

    /// <summary>
    /// The cluster's account at this CA, registered (or found again) and ready to order with; shared with the on-demand
    /// certificates (OnDemand/), so every certificate of the cluster is ordered under one account and its limits.
    /// </summary>
    internal async Task<AccountSession> OpenAccountAsync(IControlStore store, HttpClient http, CancellationToken cancellationToken)
    {
        string contact = $"mailto:{_options.AcmeEmail}";
        AcmeAccountRecord account = await LoadOrCreateAccountAsync(store, contact, cancellationToken).ConfigureAwait(false);
        var key = AccountKey.FromPem(account.KeyPem);
        try
        {
            var client = new AcmeClient(http, new AcmeClientOptions { Directory = _options.AcmeDirectory }, key, _time);
            await client.CreateAccountAsync([contact], agreeToTerms: true, cancellationToken).ConfigureAwait(false);
            if (client.AccountUrl?.ToString() is { } accountUrl && (accountUrl != account.AccountUrl || contact != account.Contact))
            {
                await store.UpdateAcmeAccountAsync(DirectoryUrl, accountUrl, contact, cancellationToken).ConfigureAwait(false);
            }

            return new AccountSession(client, key);
        }
        catch
        {
            key.Dispose();
            throw;
        }
    }

    /// <summary>The account the cluster shares for this CA; the first start imports the data directory's key, if an older edge left one.</summary>
    private async Task<AcmeAccountRecord> LoadOrCreateAccountAsync(IControlStore store, string contact, CancellationToken cancellationToken)
    {
        if (await store.GetAcmeAccountAsync(DirectoryUrl, cancellationToken).ConfigureAwait(false) is { } stored)
        {
            return stored;
        }

        string? saved = null;
        try
        {
            saved = File.Exists(AccountKeyPath) ? await File.ReadAllTextAsync(AccountKeyPath, cancellationToken).ConfigureAwait(false) : null;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            LogSavedUnusable(_logger, AccountKeyPath, ex.Message);
        }

        // Two edges (or the wildcard and an on-demand order) creating it at once: the store keeps the first, both get it.
        using var created = saved is null ? AccountKey.Create() : null;
        return await store.AddAcmeAccountAsync(DirectoryUrl, saved ?? created!.ExportPem(), null, contact, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>An ACME client signed in with the account key; disposing it disposes the key.</summary>
    internal sealed class AccountSession(AcmeClient client, AccountKey key) : IDisposable
    {
        public AcmeClient Client { get; } = client;

        public void Dispose() => key.Dispose();
    }

    internal static TimeSpan Shorter(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
