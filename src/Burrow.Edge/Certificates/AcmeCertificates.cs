using System.Net;
using System.Net.NetworkInformation;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Burrow.Acme.Challenges;
using Burrow.Acme.Client;
using Burrow.Acme.Dns;
using Burrow.Acme.Jws;
using Burrow.Edge.Errors;
using Burrow.Protocol.Errors;
using Microsoft.Extensions.Logging;

namespace Burrow.Edge.Certificates;

/// <summary>
/// The edge's own certificate for <c>*.DOMAIN</c> and <c>DOMAIN</c> over ACME (<c>--acme-email</c>): runs the
/// authoritative DNS server for the base domain, which answers the DNS-01 challenges (or, with
/// <c>--acme-dns-update</c>, puts them on another DNS server with RFC 2136 updates and runs none), obtains the certificate in the
/// background (or reuses the one saved in the data directory while it has more than a third of its lifetime left),
/// installs it into <see cref="CertificateStore"/> without touching the listeners, and renews it at two thirds of its
/// lifetime, retrying failures with a jittered exponential backoff while the old certificate keeps being served.
/// </summary>
internal sealed partial class AcmeCertificates : IAsyncDisposable
{
    private static readonly TimeSpan FirstRetry = TimeSpan.FromSeconds(15);
    private static readonly TimeSpan LongestRetry = TimeSpan.FromHours(1);

    // Task.Delay takes at most about 49 days; the loop wakes up at least daily and looks again.
    private static readonly TimeSpan LongestSleep = TimeSpan.FromDays(1);

    private readonly EdgeOptions _options;
    private readonly CertificateStore _store;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly Dns01Challenges _dns01;
    private readonly DnsUpdateChallenges? _dnsUpdate;
    private readonly string _folder;
    private readonly string[] _names;
    private readonly string _namesText;
    private readonly CancellationTokenSource _stop = new();
    private readonly Lock _accountKeyLock = new();
    private AuthoritativeDnsServer? _dns;
    private Task? _loop;
    private volatile AcmeStatus _status = new("pending", null, null, null);

    public AcmeCertificates(EdgeOptions options, CertificateStore store, TimeProvider time, ILogger<AcmeCertificates> logger)
    {
        _options = options;
        _store = store;
        _time = time;
        _logger = logger;
        _dns01 = new Dns01Challenges(options.Domain);
        if (options.AcmeDnsUpdate is not null)
        {
            // Validate ran before the edge was built; a failure here is a caller that skipped it.
            if (TryCreateDnsUpdate(options, out DnsUpdateOptions update) is { } error)
            {
                throw new ArgumentException(error, nameof(options));
            }

            DnsUpdate = update;
            _dnsUpdate = new DnsUpdateChallenges(update, time);
        }

        _folder = Path.Combine(options.DataDirectory, "acme", FolderName(options.AcmeDirectory));
        _names = [$"*.{options.Domain}", options.Domain];
        _namesText = string.Join(", ", _names);
        PublicAddresses = _dnsUpdate is not null ? [] : options.PublicAddresses.Count > 0 ? options.PublicAddresses : DetectAddresses(options.DnsEndPoint);
    }

    /// <summary>Where DNS-01 records go with RFC 2136 updates, when <c>--acme-dns-update</c> is given; then no DNS server runs.</summary>
    public DnsUpdateOptions? DnsUpdate { get; }

    /// <summary>The RFC 2136 route in words (server, zone, key name and algorithm; never the secret), for the banner.</summary>
    public string? DnsUpdateRoute => DnsUpdate is { } u ? $"{u.Server} (zone {u.Zone}) with RFC 2136 updates signed by the TSIG key {u.Key}" : null;

    /// <summary>The addresses the DNS server answers A/AAAA with.</summary>
    public IReadOnlyList<IPAddress> PublicAddresses { get; }

    /// <summary>Where the DNS server listens, once started.</summary>
    public IPEndPoint? DnsEndPoint => _dns?.EndPoint;

    /// <summary>Where the account key and the certificate are kept.</summary>
    public string Folder => _folder;

    /// <summary>What the certificate is doing, for <c>/healthz</c>.</summary>
    public AcmeStatus Status => _status;

    /// <summary>Binds the DNS server (a bind failure fails the start, naming --dns-addr) and starts the certificate loop.</summary>
    public void Start()
    {
        if (DnsUpdate is { } update)
        {
            LogDnsUpdateRoute(_logger, update.Server, update.Zone, update.Key);
            _loop = Task.Run(() => RunAsync(_stop.Token));
            return;
        }

        IPEndPoint endPoint = _options.DnsEndPoint!;
        var zone = new TunnelZone { Name = _options.Domain, Addresses = PublicAddresses };
        var dns = new AuthoritativeDnsServer(endPoint, new ZoneAnswerer(zone, _dns01));
        try
        {
            dns.Start();
        }
        catch (SocketException ex)
        {
            dns.Dispose();
            throw ListenFailure.For(new ListenFailure.Listener("DNS server", endPoint, "--dns-addr"), ex);
        }

        _dns = dns;
        string addresses = string.Join(", ", PublicAddresses);
        LogDnsStarted(_logger, endPoint, _options.Domain, addresses);
        _loop = Task.Run(() => RunAsync(_stop.Token));
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        if (_loop is not null)
        {
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }
        }

        _dns?.Dispose();
        _stop.Dispose();
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        int failures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            TimeSpan wait;
            try
            {
                X509Certificate2? current = _store.AcmeCertificate;
                if (current is null && LoadSaved() is { } saved)
                {
                    _store.InstallAcme(saved.Leaf, saved.Intermediates);
                    current = _store.AcmeCertificate!;
                    DateTime notAfter = current.NotAfter.ToUniversalTime();
                    string issuer = current.Issuer;
                    _status = new AcmeStatus("valid", notAfter, null, null);
                    LogReused(_logger, _namesText, notAfter, issuer);
                }

                if (current is null || _time.GetUtcNow() >= RenewalTime(current))
                {
                    current = await IssueAsync(cancellationToken).ConfigureAwait(false);
                }

                failures = 0;
                _status = new AcmeStatus("valid", current.NotAfter.ToUniversalTime(), null, null);
                wait = RenewalTime(current) - _time.GetUtcNow();
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                failures++;
                wait = Backoff(failures, ex as AcmeException);
                string reason = ex is AcmeException acme ? $"{acme.Code.Code}: {acme.Message}" : $"{ex.GetType().Name}: {ex.Message}";
                DateTimeOffset next = _time.GetUtcNow() + wait;
                X509Certificate2? kept = _store.AcmeCertificate;
                _status = new AcmeStatus(kept is null ? "pending" : "renewal-failing", kept?.NotAfter.ToUniversalTime(), reason, next);
                string meanwhile = kept is null ? "the local CA's certificate is served until then" : $"the current certificate (until {kept.NotAfter.ToUniversalTime():u}) is kept";
                LogFailed(_logger, _namesText, reason, failures, next, meanwhile);
            }

            await Task.Delay(wait < TimeSpan.Zero ? TimeSpan.Zero : wait > LongestSleep ? LongestSleep : wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private async Task<X509Certificate2> IssueAsync(CancellationToken cancellationToken)
    {
        long started = _time.GetTimestamp();
        LogOrdering(_logger, _namesText, _options.AcmeDirectory);
        Directory.CreateDirectory(_folder);
        using var http = CreateHttpClient(_options.AcmeCaRootPath);
        using var key = LoadOrCreateAccountKey();
        var client = new AcmeClient(http, new AcmeClientOptions { Directory = _options.AcmeDirectory }, key, _time);
        await client.CreateAccountAsync([$"mailto:{_options.AcmeEmail}"], agreeToTerms: true, cancellationToken).ConfigureAwait(false);
        IChallengeSolver solver = _dnsUpdate is not null ? _dnsUpdate : _dns01;
        var issuer = new AcmeIssuer(client, [solver], (name, ex) => LogCleanupFailed(_logger, name, ex is AcmeException acme ? $"{acme.Code.Code}: {acme.Message}" : ex.Message));
        IssuedCertificate issued = await issuer.IssueAsync(_names, CertificateKeyKind.EcdsaP256, cancellationToken).ConfigureAwait(false);

        // Saved before it is served: a restart finds what is being served.
        OwnerOnlyFile.WriteAllText(KeyPath, issued.KeyPem);
        OwnerOnlyFile.WriteAllText(CertificatePath, issued.ChainPem);
        using var leaf = issued.LoadLeaf();
        var chain = issued.LoadChain();
        _store.InstallAcme(leaf, Intermediates(chain, leaf));
        X509Certificate2 installed = _store.AcmeCertificate!;
        DateTime until = installed.NotAfter.ToUniversalTime();
        string by = installed.Issuer;
        double seconds = _time.GetElapsedTime(started).TotalSeconds;
        LogInstalled(_logger, _namesText, until, by, seconds);
        return installed;
    }

    private string KeyPath => Path.Combine(_folder, $"{_options.Domain}.key");

    private string CertificatePath => Path.Combine(_folder, $"{_options.Domain}.pem");

    private string AccountKeyPath => Path.Combine(_folder, "account.key");

    /// <summary>The account key for this CA, created on first use; shared with on-demand issuance (OnDemand/), hence the lock.</summary>
    internal AccountKey LoadOrCreateAccountKey()
    {
        lock (_accountKeyLock)
        {
            if (File.Exists(AccountKeyPath))
            {
                return AccountKey.FromPem(File.ReadAllText(AccountKeyPath));
            }

            Directory.CreateDirectory(_folder);
            var key = AccountKey.Create();
            OwnerOnlyFile.WriteAllText(AccountKeyPath, key.ExportPem());
            return key;
        }
    }

    /// <summary>The saved certificate, when it covers the names and has not expired (the loop renews it when it has less than a third of its lifetime left).</summary>
    private (X509Certificate2 Leaf, X509Certificate2Collection Intermediates)? LoadSaved()
    {
        if (!File.Exists(CertificatePath) || !File.Exists(KeyPath))
        {
            return null;
        }

        try
        {
            var leaf = X509Certificate2.CreateFromPemFile(CertificatePath, KeyPath);
            // Any saved certificate still valid is served at once; past two thirds of its lifetime it is renewed right away.
            if (!leaf.MatchesHostname(_options.Domain) || !leaf.MatchesHostname("x." + _options.Domain) || _time.GetUtcNow() >= leaf.NotAfter.ToUniversalTime())
            {
                leaf.Dispose();
                return null;
            }

            var chain = new X509Certificate2Collection();
            chain.ImportFromPemFile(CertificatePath);
            return (leaf, Intermediates(chain, leaf));
        }
        catch (Exception ex) when (ex is CryptographicException or IOException or UnauthorizedAccessException)
        {
            LogSavedUnusable(_logger, CertificatePath, ex.Message);
            return null;
        }
    }

    internal static X509Certificate2Collection Intermediates(X509Certificate2Collection chain, X509Certificate2 leaf)
    {
        var intermediates = new X509Certificate2Collection();
        foreach (X509Certificate2 cert in chain)
        {
            if (!cert.Thumbprint.Equals(leaf.Thumbprint, StringComparison.OrdinalIgnoreCase))
            {
                intermediates.Add(cert);
            }
        }

        return intermediates;
    }

    /// <summary>Two thirds into the certificate's lifetime: from then on it is renewed (a saved one is served meanwhile, but a new one is ordered at once).</summary>
    internal static DateTimeOffset RenewalTime(X509Certificate2 certificate)
    {
        DateTimeOffset notBefore = certificate.NotBefore.ToUniversalTime(), notAfter = certificate.NotAfter.ToUniversalTime();
        return notBefore + ((notAfter - notBefore) * 2 / 3);
    }

    /// <summary>15 s doubling up to 1 h, each wait between 80% and 120% of that (so a fleet does not retry in step), never before the CA's Retry-After.</summary>
    internal static TimeSpan Backoff(int failures, AcmeException? problem, TimeProvider? time = null)
    {
        double seconds = Math.Min(FirstRetry.TotalSeconds * Math.Pow(2, Math.Min(failures - 1, 20)), LongestRetry.TotalSeconds);
        var wait = TimeSpan.FromSeconds(seconds * (0.8 + (0.4 * Random.Shared.NextDouble())));
        if (problem?.RetryAfter is { } after && after - (time ?? TimeProvider.System).GetUtcNow() is { } untilAfter && untilAfter > wait)
        {
            wait = untilAfter;
        }

        return wait;
    }

    internal static HttpClient CreateHttpClient(string? rootsPath)
    {
        var handler = new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(15) };
        if (rootsPath is not null)
        {
            X509Certificate2Collection roots = LoadRoots(rootsPath);
            handler.SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (errors == SslPolicyErrors.None)
                    {
                        return true;
                    }

                    if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.AddRange(roots);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return certificate is X509Certificate2 presented && chain.Build(presented);
                },
            };
        }

        return new HttpClient(handler) { Timeout = TimeSpan.FromSeconds(60) };
    }

    private static X509Certificate2Collection LoadRoots(string path)
    {
        var roots = new X509Certificate2Collection();
        roots.ImportFromPemFile(path);
        return roots;
    }

    /// <summary>The DNS listener's own address when it is a specific one, else this machine's global unicast addresses.</summary>
    private static List<IPAddress> DetectAddresses(IPEndPoint? dns)
    {
        if (dns is { } endPoint && !endPoint.Address.Equals(IPAddress.Any) && !endPoint.Address.Equals(IPAddress.IPv6Any))
        {
            return [endPoint.Address];
        }

        var found = new List<IPAddress>();
        try
        {
            foreach (var nic in NetworkInterface.GetAllNetworkInterfaces())
            {
                if (nic.OperationalStatus != OperationalStatus.Up || nic.NetworkInterfaceType == NetworkInterfaceType.Loopback)
                {
                    continue;
                }

                foreach (var unicast in nic.GetIPProperties().UnicastAddresses)
                {
                    IPAddress address = unicast.Address;
                    if (!IPAddress.IsLoopback(address) && !address.IsIPv6LinkLocal && !address.IsIPv6SiteLocal && !address.IsIPv6UniqueLocal)
                    {
                        found.Add(address);
                    }
                }
            }
        }
        catch (NetworkInformationException)
        {
        }

        return found;
    }

    /// <summary>One folder per ACME directory: accounts and certificates of one CA are never used with another.</summary>
    private static string FolderName(Uri directory)
    {
        string raw = directory.IsDefaultPort ? directory.Host + directory.AbsolutePath : $"{directory.Host}_{directory.Port}{directory.AbsolutePath}";
        return new string(raw.TrimEnd('/').Select(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' ? c : '_').ToArray());
    }

    [LoggerMessage(EventId = 5220, EventName = "AcmeDnsStarted", Level = LogLevel.Information,
        Message = "DNS server for {Zone} listening on {EndPoint} (UDP and TCP), answering A/AAAA with {Addresses} and the DNS-01 challenges")]
    private static partial void LogDnsStarted(ILogger logger, IPEndPoint endPoint, string zone, string addresses);

    [LoggerMessage(EventId = 5221, EventName = "AcmeOrdering", Level = LogLevel.Information,
        Message = "ACME: ordering a certificate for {Names} from {Directory} (DNS-01)")]
    private static partial void LogOrdering(ILogger logger, string names, Uri directory);

    [LoggerMessage(EventId = 5222, EventName = "AcmeCertificateInstalled", Level = LogLevel.Information,
        Message = "ACME certificate installed for {Names}, valid until {NotAfter:u}, issued by {Issuer}, in {Seconds:F1} s")]
    private static partial void LogInstalled(ILogger logger, string names, DateTime notAfter, string issuer, double seconds);

    [LoggerMessage(EventId = 5223, EventName = "AcmeCertificateReused", Level = LogLevel.Information,
        Message = "ACME certificate reused from the data directory for {Names}, valid until {NotAfter:u}, issued by {Issuer}")]
    private static partial void LogReused(ILogger logger, string names, DateTime notAfter, string issuer);

    [LoggerMessage(EventId = 5224, EventName = "AcmeCertificateFailed", Level = LogLevel.Warning,
        Message = "ACME certificate for {Names} not obtained: {Reason}; attempt {Failures}, next at {Next:u}; {Meanwhile}")]
    private static partial void LogFailed(ILogger logger, string names, string reason, int failures, DateTimeOffset next, string meanwhile);

    [LoggerMessage(EventId = 5226, EventName = "AcmeDnsUpdateRoute", Level = LogLevel.Information,
        Message = "DNS-01 through RFC 2136 updates to {Server} for the zone {Zone}, signed with the TSIG key {Key}; the edge runs no DNS server")]
    private static partial void LogDnsUpdateRoute(ILogger logger, string server, string zone, TsigKey key);

    [LoggerMessage(EventId = 5227, EventName = "AcmeChallengeCleanupFailed", Level = LogLevel.Warning,
        Message = "ACME: the DNS-01 record for {Name} could not be removed: {Reason}; remove _acme-challenge.{Name} TXT by hand if it stays")]
    private static partial void LogCleanupFailed(ILogger logger, string name, string reason);

    [LoggerMessage(EventId = 5225, EventName = "AcmeSavedCertificateUnusable", Level = LogLevel.Warning,
        Message = "ACME: the saved certificate {Path} cannot be used ({Reason}); ordering a new one")]
    private static partial void LogSavedUnusable(ILogger logger, string path, string reason);
}

/// <summary>The ACME certificate's state: <c>pending</c> (none yet), <c>valid</c>, or <c>renewal-failing</c>, with the last error and the next attempt.</summary>
internal sealed record AcmeStatus(string State, DateTime? NotAfter, string? Error, DateTimeOffset? NextAttempt)
{
    /// <summary>Whether <c>/healthz</c> reports the edge degraded: public clients do not trust what it serves yet, or renewal keeps failing.</summary>
    public bool Degraded => State != "valid";
}
