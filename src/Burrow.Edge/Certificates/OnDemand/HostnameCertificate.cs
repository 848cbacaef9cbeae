using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Acme.Client;
using Burrow.Acme.Jws;
using Burrow.Storage;

namespace Burrow.Edge.Certificates.OnDemand;

/// <summary>
/// The certificate of one reserved hostname: serve the saved one, order when there is none or it is two thirds
/// through its lifetime, back off on failure as the wildcard does (<see cref="AcmeCertificates.Backoff"/>), and stop
/// (no longer serving it) once the name is not reserved any more. One loop per name, so one order in flight per name.
/// </summary>
internal sealed class HostnameCertificate
{
    // As the wildcard's loop: Task.Delay takes at most about 49 days; wake up daily and look again.
    private static readonly TimeSpan LongestSleep = TimeSpan.FromDays(1);

    private readonly OnDemandCertificates _owner;
    private readonly string _hostname;
    private Task _loop = Task.CompletedTask;

    public HostnameCertificate(OnDemandCertificates owner, string hostname)
    {
        _owner = owner;
        _hostname = hostname;
    }

    /// <summary>What the certificate is doing: <c>pending</c>, <c>valid</c> or <c>renewal-failing</c>, with the last error.</summary>
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
        TimeProvider time = _owner.Time;
        CertificateStore store = _owner.Store;
        int failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                if (!await _owner.IsReservedAsync(_hostname, cancellationToken).ConfigureAwait(false))
                {
                    // Deleted since: nothing more is ordered for it, and a certificate for a name nobody holds is not served.
                    store.RemoveHostname(_hostname);
                    _owner.Forget(_hostname, this);
                    OnDemandCertificates.LogNotReserved(_owner.Logger, _hostname);
                    return;
                }

                X509Certificate2? current = store.HostnameCertificate(_hostname);
                if (current is null && await LoadSavedAsync(cancellationToken).ConfigureAwait(false) is { } saved)
                {
                    store.InstallHostname(_hostname, saved.Leaf, saved.Intermediates);
                    current = store.HostnameCertificate(_hostname)!;
                    DateTime notAfter = current.NotAfter.ToUniversalTime();
                    OnDemandCertificates.LogReused(_owner.Logger, _hostname, notAfter, current.Issuer);
                }

                if (current is null || time.GetUtcNow() >= AcmeCertificates.RenewalTime(current))
                {
                    current = await IssueAsync(cancellationToken).ConfigureAwait(false);
                }

                failures = 0;
                Status = new AcmeStatus("valid", current.NotAfter.ToUniversalTime(), null, null);
                wait = AcmeCertificates.RenewalTime(current) - time.GetUtcNow();
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failures++;
                wait = AcmeCertificates.Backoff(failures, ex as AcmeException, time);
                string reason = ex switch
                {
                    AcmeException acme => $"{acme.Code.Code}: {acme.Message}",
                    StoreException => "the control store cannot tell whether it is still reserved: " + ex.Message,
                    _ => $"{ex.GetType().Name}: {ex.Message}",
                };
                DateTimeOffset next = time.GetUtcNow() + wait;
                X509Certificate2? kept = store.HostnameCertificate(_hostname);
                Status = new AcmeStatus(kept is null ? "pending" : "renewal-failing", kept?.NotAfter.ToUniversalTime(), reason, next);
                string meanwhile = kept is null ? "the local CA's certificate is served until then" : $"the current certificate (until {kept.NotAfter.ToUniversalTime():u}) is kept";
                OnDemandCertificates.LogFailed(_owner.Logger, _hostname, reason, failures, next, meanwhile);
            }

            await Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait > LongestSleep ? LongestSleep : wait, time, cancellationToken).ConfigureAwait(false);
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
            IssuedCertificate issued = await issuer.IssueAsync([_hostname], CertificateKeyKind.EcdsaP256, cancellationToken).ConfigureAwait(false);

            // Saved before it is served: a restart finds what is being served.
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

    /// <summary>The saved certificate, when it is for this name and has not expired; due for renewal or not (the loop renews it).</summary>
    private async Task<(X509Certificate2 Leaf, X509Certificate2Collection Intermediates)?> LoadSavedAsync(CancellationToken cancellationToken)
    {
        StoredCertificate? saved;
        try
        {
            saved = await _owner.Storage.LoadAsync(_hostname, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            OnDemandCertificates.LogSavedUnusable(_owner.Logger, _hostname, ex.Message);
            return null;
        }

        if (saved is null)
        {
            return null;
        }

        try
        {
            var leaf = X509Certificate2.CreateFromPem(saved.ChainPem, saved.KeyPem);
            if (!leaf.MatchesHostname(_hostname) || _owner.Time.GetUtcNow() >= leaf.NotAfter.ToUniversalTime())
            {
                leaf.Dispose();
                return null;
            }

            var chain = new X509Certificate2Collection();
            chain.ImportFromPem(saved.ChainPem);
            return (leaf, AcmeCertificates.Intermediates(chain, leaf));
        }
        catch (CryptographicException ex)
        {
            OnDemandCertificates.LogSavedUnusable(_owner.Logger, _hostname, ex.Message);
            return null;
        }
    }
}
