using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Acme.Client;
using Burrow.Storage;

namespace Burrow.Edge.Certificates.OnDemand;

/// <summary>
/// The certificate of one reserved hostname, run like the wildcard's (<see cref="AcmeCertificates"/>): serve what the
/// storage keeps (and a newer one another edge of the cluster stored), order under the name's lease when there is none
/// or it is two thirds through its lifetime, back off on failure (<see cref="AcmeCertificates.Backoff"/>) with the
/// failure recorded for every edge, and stop (no longer serving it) once the name is not reserved any more. One loop
/// per name on an edge, one lease per name in the cluster, so one order in flight per name.
/// </summary>
internal sealed class HostnameCertificate
{
    // As the wildcard's loop: Task.Delay takes at most about 49 days; wake up daily and look again.
    private static readonly TimeSpan LongestSleep = TimeSpan.FromDays(1);

    private readonly OnDemandCertificates _owner;
    private readonly string _hostname;
    private Task _loop = Task.CompletedTask;
    private int _failures;
    private readonly WakeableSleep _sleep;

    public HostnameCertificate(OnDemandCertificates owner, string hostname)
    {
        _owner = owner;
        _hostname = hostname;
        _sleep = new WakeableSleep(owner.Time, LongestSleep);
    }

    /// <summary>What the certificate is doing: <c>pending</c>, <c>valid</c> or <c>renewal-failing</c>, with the last error.</summary>
    /// <summary>Ends the loop's sleep now (its certificate was revoked: the row says so).</summary>
    public void Wake() => _sleep.Wake();

    public AcmeStatus Status { get; private set; } = new("pending", null, null, null);

    public void Start(CancellationToken cancellationToken) => _loop = Task.Run(() => RunAsync(cancellationToken), CancellationToken.None);

    public async Task StopAsync()
    {
        try
        {
            await _loop.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                if (await StepAsync(cancellationToken).ConfigureAwait(false) is not { } next)
                {
                    return;
                }

                wait = next;
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                wait = await FailedAsync(ex, cancellationToken).ConfigureAwait(false);
            }

            await _sleep.SleepAsync(wait, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>One look at the storage, and an order when this edge's turn has come; returns how long to sleep, or <see langword="null"/> when the name is not reserved any more.</summary>
    private async Task<TimeSpan?> StepAsync(CancellationToken cancellationToken)
    {
        CertificateStore served = _owner.Store;
        IHostnameCertificateStorage storage = _owner.Storage;
        AcmeCertificates account = _owner.Account;
        if (!await _owner.IsReservedAsync(_hostname, cancellationToken).ConfigureAwait(false))
        {
            // Deleted since: nothing more is ordered for it, and a certificate for a name nobody holds is not served.
            served.RemoveHostname(_hostname);
            _owner.Forget(_hostname, this);
            OnDemandCertificates.LogNotReserved(_owner.Logger, _hostname);
            return null;
        }

        StoredCertificate? row = await storage.LoadAsync(_hostname, cancellationToken).ConfigureAwait(false);
        InstallIfNewer(row);
        X509Certificate2? current = served.HostnameCertificate(_hostname);
        DateTimeOffset now = _owner.Time.GetUtcNow();
        if (current is not null && now < AcmeCertificates.RenewalTime(current) && !AcmeCertificates.IsRevoked(row?.RevokedSerial, current))
        {
            _failures = 0;
            Status = new AcmeStatus("valid", current.NotAfter.ToUniversalTime(), null, null);
            return AcmeCertificates.Shorter(AcmeCertificates.RenewalTime(current) - now, account.PollInterval);
        }

        // Due. A failure recorded by any edge holds every edge back until its backoff ends, so a cluster retries as one.
        if (row is { LastError: { } lastError, NextAttempt: { } next } && next > now)
        {
            Status = Waiting(current, lastError, next);
            return AcmeCertificates.Shorter(next - now, account.PollInterval);
        }

        if (!await storage.TryTakeLeaseAsync(_hostname, account.Holder, account.LeaseDuration, cancellationToken).ConfigureAwait(false))
        {
            // Another edge orders this name: its result (or its error) shows up in the storage.
            Status = Waiting(current, row?.LastError, null);
            return AcmeCertificates.Shorter(account.PollInterval, account.LeaseDuration / 4);
        }

        try
        {
            // The edge that held the lease before may have stored a certificate since this edge read the row.
            StoredCertificate? latest = await storage.LoadAsync(_hostname, cancellationToken).ConfigureAwait(false);
            InstallIfNewer(latest);
            current = served.HostnameCertificate(_hostname);
            if (current is null || _owner.Time.GetUtcNow() >= AcmeCertificates.RenewalTime(current) || AcmeCertificates.IsRevoked(latest?.RevokedSerial, current))
            {
                current = await account.UnderLeaseAsync(
                    _hostname,
                    token => storage.TryTakeLeaseAsync(_hostname, account.Holder, account.LeaseDuration, token),
                    IssueAsync,
                    cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            await ReleaseLeaseAsync(storage, account.Holder).ConfigureAwait(false);
        }

        _failures = 0;
        Status = new AcmeStatus("valid", current.NotAfter.ToUniversalTime(), null, null);
        return AcmeCertificates.Shorter(AcmeCertificates.RenewalTime(current) - _owner.Time.GetUtcNow(), account.PollInterval);
    }

    private static AcmeStatus Waiting(X509Certificate2? current, string? error, DateTimeOffset? next) =>
        new(current is null ? "pending" : error is null ? "valid" : "renewal-failing", current?.NotAfter.ToUniversalTime(), error, next);

    private async Task<TimeSpan> FailedAsync(Exception ex, CancellationToken cancellationToken)
    {
        TimeProvider time = _owner.Time;
        _failures++;
        TimeSpan wait = AcmeCertificates.Backoff(_failures, ex as AcmeException, time);
        string reason = AcmeCertificates.Reason(ex);
        DateTimeOffset next = time.GetUtcNow() + wait;
        X509Certificate2? kept = _owner.Store.HostnameCertificate(_hostname);
        Status = new AcmeStatus(kept is null ? "pending" : "renewal-failing", kept?.NotAfter.ToUniversalTime(), reason, next);
        string meanwhile = kept is null ? "the local CA's certificate is served until then" : $"the current certificate (until {kept.NotAfter.ToUniversalTime():u}) is kept";
        OnDemandCertificates.LogFailed(_owner.Logger, _hostname, reason, _failures, next, meanwhile);
        try
        {
            // Every edge (and the admin API) sees the error and waits for the same next attempt.
            await _owner.Storage.RecordFailureAsync(_hostname, reason, next, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException storeEx)
        {
            OnDemandCertificates.LogStoreFailed(_owner.Logger, _hostname, storeEx.Message);
        }

        return wait;
    }

    private async Task ReleaseLeaseAsync(IHostnameCertificateStorage storage, string holder)
    {
        try
        {
            await storage.ReleaseLeaseAsync(_hostname, holder, CancellationToken.None).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            // It runs out by itself.
            OnDemandCertificates.LogStoreFailed(_owner.Logger, _hostname, ex.Message);
        }
    }

    private async Task<X509Certificate2> IssueAsync(CancellationToken cancellationToken)
    {
        EdgeOptions options = _owner.Options;
        await _owner.Orders.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            long started = _owner.Time.GetTimestamp();
            OnDemandCertificates.LogOrdering(_owner.Logger, _hostname, options.AcmeDirectory, _owner.ChallengeType);
            using HttpClient http = AcmeCertificates.CreateHttpClient(options.AcmeCaRootPath);

            // The wildcard's account, kept in the control store: one account per CA for the whole cluster.
            IControlStore controlStore = _owner.ControlStore ?? throw new InvalidOperationException("ACME certificates need the control store.");
            using AcmeCertificates.AccountSession session = await _owner.Account.OpenAccountAsync(controlStore, http, cancellationToken).ConfigureAwait(false);
            var issuer = new AcmeIssuer(session.Client, [_owner.Solver]);
            IssuedCertificate issued = await issuer.IssueAsync([_hostname], AcmeCertificates.KeyKindOf(options) ?? CertificateKeyKind.EcdsaP256, cancellationToken).ConfigureAwait(false);

            // Stored before it is served: every edge, and this one after a restart, finds what is being served.
            await _owner.Storage.SaveAsync(_hostname, new StoredCertificate(issued.ChainPem, issued.KeyPem), cancellationToken).ConfigureAwait(false);
            using X509Certificate2 leaf = issued.LoadLeaf();
            _owner.Store.InstallHostname(_hostname, leaf, AcmeCertificates.Intermediates(issued.LoadChain(), leaf));
            X509Certificate2 installed = _owner.Store.HostnameCertificate(_hostname)!;
            DateTime until = installed.NotAfter.ToUniversalTime();
            double seconds = _owner.Time.GetElapsedTime(started).TotalSeconds;
            OnDemandCertificates.LogInstalled(_owner.Logger, _hostname, until, installed.Issuer, _owner.ChallengeType, seconds);
            return installed;
        }
        finally
        {
            _owner.Orders.Release();
        }
    }

    /// <summary>
    /// Serves the kept certificate when it is for this name, has not expired, and is not older than the one served: at
    /// start, and whenever another edge of the cluster stored a renewed one.
    /// </summary>
    private void InstallIfNewer(StoredCertificate? saved)
    {
        if (saved is not { ChainPem: { } chainPem, KeyPem: { } keyPem })
        {
            return;
        }

        X509Certificate2? current = _owner.Store.HostnameCertificate(_hostname);
        try
        {
            using var leaf = X509Certificate2.CreateFromPem(chainPem, keyPem);
            if (!leaf.MatchesHostname(_hostname) || _owner.Time.GetUtcNow() >= leaf.NotAfter.ToUniversalTime())
            {
                return;
            }

            if (current is not null && (string.Equals(current.SerialNumber, leaf.SerialNumber, StringComparison.OrdinalIgnoreCase) || leaf.NotAfter <= current.NotAfter))
            {
                return;
            }

            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(chainPem);
            _owner.Store.InstallHostname(_hostname, leaf, AcmeCertificates.Intermediates(chain, leaf));
            DateTime notAfter = leaf.NotAfter.ToUniversalTime();
            _failures = 0;
            Status = new AcmeStatus(saved.LastError is null ? "valid" : "renewal-failing", notAfter, saved.LastError, saved.NextAttempt);
            if (current is null)
            {
                OnDemandCertificates.LogReused(_owner.Logger, _hostname, notAfter, leaf.Issuer);
            }
            else
            {
                OnDemandCertificates.LogPickedUp(_owner.Logger, _hostname, notAfter, leaf.Issuer);
            }
        }
        catch (CryptographicException ex)
        {
            OnDemandCertificates.LogSavedUnusable(_owner.Logger, _hostname, ex.Message);
        }
    }
}
