using System.Collections.Concurrent;
using Burrow.Acme.Challenges;
using Burrow.Edge.Access;
using Burrow.Storage;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Certificates.OnDemand;

/// <summary>
/// ACME certificates for single reserved hostnames the wildcard <c>*.DOMAIN</c> does not cover (a customer's
/// <c>app.customer.com</c>, or <c>a.b.DOMAIN</c>), ordered in the background when a tunnel binds one, proven with
/// HTTP-01 or TLS-ALPN-01, then served by SNI and renewed like the wildcard. One loop per name (<see cref="HostnameCertificate"/>).
/// </summary>
/// <remarks>
/// Only names the control store reserves, exactly, are ever ordered: the bind path asks only for names the binding
/// account reserved, and each loop checks the reservation again before every order, so neither an agent asking for an
/// arbitrary name nor a stale loop after the reservation is deleted makes the edge order for a name nobody reserved.
/// Kept in the control store with the wildcard's (<see cref="ControlStoreCertificateStorage"/>): one row and one
/// ordering lease per name, so each name is ordered by one edge of a cluster and installed by the others.
/// At start the saved certificates of reserved names are served again and renewed; a reserved name with none is
/// ordered on its first bind, not at start: a name reserved before its DNS points here would only fail validation
/// (and spend the CA's failed-validation limit) until it does, and a name nobody binds needs no certificate.
/// </remarks>
internal sealed partial class OnDemandCertificates : IAsyncDisposable
{
    // The CA's limits are per account; a burst of binds of new names does not become a burst of orders.
    private const int MaxConcurrentOrders = 2;

    private readonly EdgeOptions _options;
    private readonly CertificateStore _store;
    private readonly ControlPlane _plane;
    private readonly ConcurrentDictionary<string, HostnameCertificate> _names = new(StringComparer.OrdinalIgnoreCase);
    private readonly CancellationTokenSource _stop = new();
    private readonly SemaphoreSlim _orders = new(MaxConcurrentOrders);
    private readonly DataDirectoryCertificateStorage _files;
    private readonly ControlStoreCertificateStorage _inStore;
    private Task _resume = Task.CompletedTask;

    public OnDemandCertificates(
        EdgeOptions options, CertificateStore store, AcmeCertificates account, AcmeChallengeResponder responder, ControlPlane plane, TimeProvider time, ILogger<OnDemandCertificates> logger)
    {
        _options = options;
        _store = store;
        _plane = plane;
        Account = account;
        Time = time;
        Logger = logger;
        ChallengeType = OnDemandSettings.ChallengeFor(options);
        Solver = ChallengeType == OnDemandSettings.Http01 ? responder.Http01 : responder.TlsAlpn01;
        // The files an edge kept before the control store did: with the store (always there with ACME on, opened by
        // burrow server before anything is ordered, though maybe after this is built) they are only read to import them once.
        _files = new DataDirectoryCertificateStorage(Path.Combine(account.Folder, "hostnames"));
        _inStore = new ControlStoreCertificateStorage(() => plane.Store ?? throw new InvalidOperationException("ACME certificates need the control store."), options.AcmeDirectory, _files, time, logger);
    }

    /// <summary><c>http-01</c> or <c>tls-alpn-01</c>.</summary>
    public string ChallengeType { get; }

    internal IChallengeSolver Solver { get; }

    /// <summary>The control store's rows when the edge has a store, else the data directory's files.</summary>
    internal IHostnameCertificateStorage Storage => _plane.Store is not null ? _inStore : _files;

    internal AcmeCertificates Account { get; }

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    internal EdgeOptions Options => _options;

    internal CertificateStore Store => _store;

    internal SemaphoreSlim Orders => _orders;

    internal IControlStore? ControlStore => _plane.Store;

    /// <summary>Certificates are served on the HTTPS listener only; without it there is nothing to order for.</summary>
    public bool Enabled => _options.HttpsEndPoint is not null;

    /// <summary>Serves and renews, in the background, the saved certificates of every reserved name outside the wildcard.</summary>
    public void Start()
    {
        if (Enabled)
        {
            _resume = Task.Run(() => ResumeSavedAsync(_stop.Token));
        }
    }

    /// <summary>
    /// A tunnel bound <paramref name="hostname"/>, which its account reserves: unless the wildcard covers it or a loop
    /// already looks after it, one starts (it serves a saved certificate or orders one). Never waits: the bind goes on
    /// with the local CA's certificate until the ACME one is installed.
    /// </summary>
    public void Request(string hostname)
    {
        if (Enabled && !_store.IsCoveredByWildcard(hostname))
        {
            Track(hostname.ToLowerInvariant());
        }
    }

    /// <summary>Each name this edge looks after and where its certificate stands, for <c>/healthz</c>.</summary>
    public IEnumerable<KeyValuePair<string, AcmeStatus>> Statuses =>
        _names.Select(static pair => new KeyValuePair<string, AcmeStatus>(pair.Key, pair.Value.Status));

    /// <summary>Whether the control store reserves exactly <paramref name="hostname"/> (for any account).</summary>
    internal async Task<bool> IsReservedAsync(string hostname, CancellationToken cancellationToken) =>
        _plane.Store is { } store
        && await store.FindReservedDomainAsync(hostname, cancellationToken).ConfigureAwait(false) is { } reserved
        && reserved.Hostname.Equals(hostname, StringComparison.OrdinalIgnoreCase);

    /// <summary>The loop of <paramref name="hostname"/> ended (its reservation is gone): a later bind may start a new one.</summary>
    /// <summary>Wakes the loop of <paramref name="hostname"/>, if this edge runs one (its certificate was revoked).</summary>
    public void Wake(string hostname)
    {
        if (_names.TryGetValue(hostname, out HostnameCertificate? loop))
        {
            loop.Wake();
        }
    }

    internal void Forget(string hostname, HostnameCertificate loop) => _names.TryRemove(new KeyValuePair<string, HostnameCertificate>(hostname, loop));

    private void Track(string hostname)
    {
        if (_stop.IsCancellationRequested || _names.ContainsKey(hostname))
        {
            return;
        }

        var loop = new HostnameCertificate(this, hostname);
        if (_names.TryAdd(hostname, loop))
        {
            loop.Start(_stop.Token);
        }
    }

    private async Task ResumeSavedAsync(CancellationToken cancellationToken)
    {
        if (_plane.Store is not { } store)
        {
            return;
        }

        IReadOnlyList<ReservedDomain> reserved;
        try
        {
            reserved = await store.ListReservedDomainsAsync(null, cancellationToken).ConfigureAwait(false);
        }
        catch (StoreException ex)
        {
            // Each bind asks again, so a name in use still gets its certificate.
            LogResumeFailed(Logger, ex.Message);
            return;
        }

        foreach (ReservedDomain domain in reserved)
        {
            if (_store.IsCoveredByWildcard(domain.Hostname))
            {
                continue;
            }

            try
            {
                if (await Storage.LoadAsync(domain.Hostname, cancellationToken).ConfigureAwait(false) is { ChainPem: not null })
                {
                    Track(domain.Hostname);
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or ArgumentException)
            {
                LogSavedUnusable(Logger, domain.Hostname, ex.Message);
            }
            catch (StoreException ex)
            {
                // A key this edge cannot unseal (ERR_BURROW_5210) among them: the name's loop reports it when a tunnel binds it.
                LogStoreFailed(Logger, domain.Hostname, ex.Message);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await _resume.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        foreach (HostnameCertificate loop in _names.Values)
        {
            await loop.StopAsync().ConfigureAwait(false);
        }

        _stop.Dispose();
        _orders.Dispose();
    }
}
